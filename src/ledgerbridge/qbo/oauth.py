"""OAuth 2 with Intuit (or a local sandbox), using Authlib's protocol helpers over our own
httpx client (so the transport stays injectable): the authorize URL, the code exchange,
the refresh, the revoke. No httpx or Authlib exception leaves this module."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.errors import MismatchingStateException, MissingCodeException
from authlib.oauth2.rfc6749.parameters import (
    parse_authorization_code_response,
    prepare_grant_uri,
    prepare_token_request,
)

from ledgerbridge.errors import NeedsReconnectError, RecordRejectedError, RetryLaterError
from ledgerbridge.qbo.connections import NewTokens
from ledgerbridge.qbo.environments import SCOPE, Endpoints

Now = Callable[[], datetime]
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


class InvalidGrantError(NeedsReconnectError):
    """The refresh token (or code) is no longer valid: a person must reconnect."""


def new_state() -> str:
    return str(generate_token(40))


def authorize_url(endpoints: Endpoints, client_id: str, redirect_uri: str, state: str) -> str:
    return str(prepare_grant_uri(endpoints.authorize_url, client_id, "code",
                                 redirect_uri=redirect_uri, scope=SCOPE, state=state))


def parse_redirect(url: str, expected_state: str | None = None) -> dict[str, str]:
    """``code``, ``state`` and ``realmId`` from the URL QuickBooks redirected to."""
    if "error=" in url and "code=" not in url:
        raise RecordRejectedError("QuickBooks did not authorize the connection (the request "
                                  "was cancelled or denied); start again")
    try:
        params: dict[str, str] = parse_authorization_code_response(url, expected_state)
    except MissingCodeException as exc:
        raise RecordRejectedError("the redirect URL has no authorization code; paste the "
                                  "whole URL the browser was sent to") from exc
    except MismatchingStateException as exc:
        raise RecordRejectedError("the redirect does not belong to this authorization "
                                  "(state differs); start again") from exc
    if not params.get("realmId"):
        raise RecordRejectedError("the redirect URL names no company (realmId)")
    return params


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OAuthClient:
    """The token and revoke endpoints of one app (client id and secret)."""

    def __init__(self, endpoints: Endpoints, client_id: str, client_secret: str, *,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 20.0,
                 now: Now = _utcnow) -> None:
        self.endpoints = endpoints
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._transport = transport
        self._timeout = timeout
        self._now = now

    async def exchange_code(self, code: str, redirect_uri: str) -> NewTokens:
        body = prepare_token_request("authorization_code", code=code,
                                     redirect_uri=redirect_uri)
        return await self._token_call(body)

    async def refresh(self, refresh_token: str) -> NewTokens:
        body = prepare_token_request("refresh_token", refresh_token=refresh_token)
        return await self._token_call(body)

    async def revoke(self, token: str) -> bool:
        """Revoke ``token`` (and with it the connection); False when QuickBooks refused."""
        response = await self._post(self.endpoints.revoke_url, json={"token": token})
        return response.status_code == 200

    async def _token_call(self, body: str) -> NewTokens:
        started = self._now()
        response = await self._post(self.endpoints.token_url, content=body, headers=FORM)
        data = _json(response)
        if response.status_code == 200 and data.get("access_token"):
            return _tokens(data, started)
        error = str(data.get("error") or f"HTTP {response.status_code}")
        if error == "invalid_grant":
            raise InvalidGrantError("QuickBooks no longer accepts this connection's "
                                    "authorization (the refresh token was revoked, expired "
                                    "or already used). Reconnect QuickBooks "
                                    "(ledgerbridge connect qbo) to resume syncing.")
        if error == "invalid_client":
            raise NeedsReconnectError("QuickBooks refused the app's client id or secret; "
                                      "check them, then reconnect")
        raise RetryLaterError(f"the QuickBooks token endpoint answered {error}; "
                              "try again later")

    async def _post(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout,
                                         auth=self._auth) as client:
                return await client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise RetryLaterError(f"the QuickBooks token endpoint did not answer "
                                  f"({type(exc).__name__}); try again later") from exc
        except OSError as exc:
            raise RetryLaterError("the QuickBooks token endpoint dropped the connection; "
                                  "try again later") from exc


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _tokens(data: dict[str, Any], started: datetime) -> NewTokens:
    refresh_ttl = data.get("x_refresh_token_expires_in")
    return NewTokens(
        access_token=str(data["access_token"]),
        refresh_token=str(data.get("refresh_token") or ""),
        access_expires_at=started + timedelta(seconds=int(data.get("expires_in", 3600))),
        refresh_expires_at=(started + timedelta(seconds=int(refresh_ttl))
                            if refresh_ttl else None))


