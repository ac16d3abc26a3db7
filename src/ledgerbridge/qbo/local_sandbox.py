"""``connect qbo --sandbox-url``: connect to a local QuickBooks Online sandbox without a
browser, through its admin API: register an app, pick (or create) a company, approve the
authorize form as a person would, then complete like any redirect."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import Engine

from ledgerbridge.errors import ConfigurationError
from ledgerbridge.qbo import authorize
from ledgerbridge.qbo.connections import Connection
from ledgerbridge.qbo.environments import endpoints_for
from ledgerbridge.qbo.secrets import SecretBox

REDIRECT_URI = "http://127.0.0.1/ledgerbridge/oauth/qbo/callback"
#: the company made when the sandbox has none: ready for documents (US companies need a
#: tax agency before invoices and bills go), with class tracking on
NEW_COMPANY = {"name": "Sandbox Company", "tax_agency": "Sandbox Sales Tax",
               "preferences": {"class_tracking_per_line": True}}


async def _admin(client: httpx.AsyncClient, method: str, path: str, body: Any = None
                 ) -> Any:
    try:
        response = await client.request(method, path, json=body)
    except (httpx.HTTPError, OSError) as exc:
        raise ConfigurationError(f"the sandbox at {client.base_url} did not answer "
                                 f"({type(exc).__name__}); is it running?") from exc
    if response.status_code >= 300:
        raise ConfigurationError(f"the sandbox refused {method} {path}: "
                                 f"HTTP {response.status_code}")
    return response.json()


async def connect(engine: Engine, box: SecretBox, tenant_id: str, sandbox_url: str, *,
                  name: str, client_id: str | None = None, client_secret: str | None = None,
                  realm_id: str | None = None, go_live_date: date | None = None,
                  transport: httpx.AsyncBaseTransport | None = None) -> Connection:
    """Connect to the sandbox's company ``realm_id`` (its first, or a new one); go-live is
    ``go_live_date``, or the day the connection is made (UTC)."""
    endpoints = endpoints_for("local", sandbox_url)
    async with httpx.AsyncClient(base_url=endpoints.api_base, transport=transport,
                                 timeout=20) as client:
        app = await _admin(client, "POST", "/sandbox/apps", {
            "client_id": client_id, "client_secret": client_secret,
            "redirect_uris": [REDIRECT_URI]})
        if realm_id is None:
            companies = await _admin(client, "GET", "/sandbox/companies")
            realm_id = (companies[0]["realm_id"] if companies else (await _admin(
                client, "POST", "/sandbox/companies", NEW_COMPANY))["realm_id"])
        _, url = authorize.begin(
            engine, box, tenant_id, name=name, endpoints=endpoints,
            client_id=app["client_id"], client_secret=app["client_secret"],
            redirect_uri=REDIRECT_URI, webhook_verifier=app.get("verifier_token"),
            go_live_date=go_live_date)
        params = dict(httpx.URL(url).params)
        approval = await client.post("/connect/oauth2", data={
            **params, "realm_id": realm_id, "decision": "approve"})
        location = approval.headers.get("location")
        if approval.status_code != 302 or not location:
            raise ConfigurationError(f"the sandbox did not approve the authorization "
                                     f"(HTTP {approval.status_code})")
    return await authorize.complete(engine, box, location, transport=transport)
