"""Connecting and disconnecting: start an authorization (a ``state`` remembered, single
use, 15 minutes; the connection's settings start with go-live on the day it is made),
complete it from the redirect, connect to a local sandbox without a browser, disconnect
(revoke) and remove."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select

from ledgerbridge.engine import state
from ledgerbridge.errors import LedgerbridgeError, RecordRejectedError
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.connections import Connection
from ledgerbridge.qbo.environments import Endpoints
from ledgerbridge.qbo.oauth import OAuthClient, authorize_url, new_state, parse_redirect
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.qbo.tables import oauth_states
from ledgerbridge.settings import store as settings_store

STATE_TTL = timedelta(minutes=15)


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def begin(engine: Engine, box: SecretBox, tenant_id: str, *, name: str,
          endpoints: Endpoints, client_id: str, client_secret: str, redirect_uri: str,
          webhook_verifier: str | None = None, go_live_date: date | None = None
          ) -> tuple[Connection, str]:
    """A pending connection and the URL to send the person to. Its settings start with
    go-live on ``go_live_date``, or on the day the connection is made (UTC)."""
    state = new_state()
    with engine.begin() as db:
        connection = store.create_connection(
            db, box, tenant_id, name=name, endpoints=endpoints, client_id=client_id,
            client_secret=client_secret, webhook_verifier=webhook_verifier)
        settings_store.start(db, connection.id,
                             go_live_date or connection.created_at.astimezone(UTC).date())
        db.execute(oauth_states.insert().values(
            state_hash=_hash(state), tenant_id=tenant_id, connection_id=connection.id,
            redirect_uri=redirect_uri, expires_at=datetime.now(UTC) + STATE_TTL))
    return connection, authorize_url(endpoints, client_id, redirect_uri, state)


def _take_state(engine: Engine, state: str) -> Any:
    with engine.begin() as db:
        row = db.execute(select(oauth_states).where(
            oauth_states.c.state_hash == _hash(state))).first()
        if row is not None:
            db.execute(oauth_states.delete().where(oauth_states.c.state_hash == row.state_hash))
    if row is None or row.expires_at < datetime.now(UTC):
        raise RecordRejectedError("this authorization is unknown, already used or expired "
                                  "(state check failed); start connecting again")
    return row


async def complete(engine: Engine, box: SecretBox, redirect_url: str, *,
                   transport: httpx.AsyncBaseTransport | None = None,
                   tenant_id: str | None = None) -> Connection:
    """Finish from the URL QuickBooks redirected to: check ``state``, exchange the code,
    store the tokens (encrypted), read the company's name."""
    params = parse_redirect(redirect_url)
    row = _take_state(engine, params.get("state", ""))
    if tenant_id is not None and row.tenant_id != tenant_id:
        raise RecordRejectedError("this authorization belongs to another tenant")
    with engine.connect() as db:
        connection = store.get_connection(db, row.tenant_id, row.connection_id)
        creds = store.credentials_of(db, box, connection.id)
    oauth = OAuthClient(connection.endpoints, creds.client_id, creds.client_secret,
                        transport=transport)
    tokens = await oauth.exchange_code(params["code"], row.redirect_uri)
    company = await _company_name(connection.api_base, params["realmId"],
                                  tokens.access_token, transport)
    with engine.begin() as db:
        store.store_tokens(db, box, connection.id, tokens, realm_id=params["realmId"],
                           company_name=company)
        return store.get_connection(db, row.tenant_id, connection.id)


async def _company_name(api_base: str, realm_id: str, token: str,
                        transport: httpx.AsyncBaseTransport | None) -> str | None:
    """The company's name, for people; None when QuickBooks does not say (not fatal)."""
    url = f"{api_base}/v3/company/{realm_id}/companyinfo/{realm_id}"
    try:
        async with httpx.AsyncClient(transport=transport, timeout=20) as client:
            response = await client.get(url, params={"minorversion": "75"}, headers={
                "Authorization": f"Bearer {token}", "Accept": "application/json"})
        name = response.json().get("CompanyInfo", {}).get("CompanyName")
    except (httpx.HTTPError, ValueError, OSError, AttributeError):
        return None
    return str(name) if name else None


async def disconnect(engine: Engine, box: SecretBox, tenant_id: str, connection_id: str, *,
                     transport: httpx.AsyncBaseTransport | None = None) -> Connection:
    """Revoke the tokens at QuickBooks (best effort), forget them, mark disconnected."""
    with engine.connect() as db:
        connection = store.get_connection(db, tenant_id, connection_id)
        creds = store.credentials_of(db, box, connection_id)
    revoked = False
    token = creds.refresh_token or creds.access_token
    if token:
        oauth = OAuthClient(connection.endpoints, creds.client_id, creds.client_secret,
                            transport=transport)
        try:
            revoked = await oauth.revoke(token)
        except LedgerbridgeError:  # forgetting the tokens matters more
            revoked = False
    message = ("disconnected; the tokens were revoked at QuickBooks" if revoked else
               "disconnected; QuickBooks could not be reached to revoke the tokens, so "
               "also remove the app under Apps > My apps in QuickBooks")
    with engine.begin() as db:
        store.set_status(db, connection_id, store.DISCONNECTED, message, forget_tokens=True)
        return store.get_connection(db, tenant_id, connection_id)


async def remove(engine: Engine, box: SecretBox, tenant_id: str, connection_id: str, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
    """Disconnect (revoking), then delete the connection and its secrets."""
    await disconnect(engine, box, tenant_id, connection_id, transport=transport)
    with engine.begin() as db:
        store.get_connection(db, tenant_id, connection_id)
        state.forget_connection(db, connection_id)
        store.delete_connection(db, tenant_id, connection_id)
