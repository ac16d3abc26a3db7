"""The connection API (never a secret in an answer), the OAuth callback (state checked) and
the webhook receiver (signatures, both formats, 401 without logging the body)."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from ledgerbridge import tenants
from ledgerbridge.api import create_app
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.secrets import SecretBox, load_key
from ledgerbridge.qbo.webhooks import signature

from .conftest import BASE, Recorder

REDIRECT = "https://console.example/oauth/qbo/callback"


@pytest.fixture
async def api(engine: Engine, tenant_id: str, recorder: Recorder) -> Any:
    app = create_app(engine)
    app.state.qbo_transport = recorder
    with engine.begin() as conn:
        key = tenants.issue_api_key(conn, tenant_id, label="qbo tests")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://book.test",
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


async def start(api: httpx.AsyncClient, admin: httpx.AsyncClient, verifier: str = "vt",
                **extra: Any) -> tuple[dict[str, Any], str]:
    app = (await admin.post("/sandbox/apps", json={"redirect_uris": [REDIRECT],
                                                   "verifier_token": verifier})).json()
    response = await api.post("/v1/connections/qbo", json={
        "name": "Books", "environment": "local", "sandbox_url": BASE,
        "client_id": app["client_id"], "client_secret": app["client_secret"],
        "redirect_uri": REDIRECT, "webhook_verifier": verifier, **extra})
    assert response.status_code == 201, response.text
    return response.json()["connection"], response.json()["authorize_url"]


async def approve(admin: httpx.AsyncClient, url: str, realm: str) -> str:
    params = dict(httpx.URL(url).params)
    answer = await admin.post("/connect/oauth2", data={**params, "realm_id": realm,
                                                       "decision": "approve"})
    assert answer.status_code == 302
    return answer.headers["location"]


async def connected(api: httpx.AsyncClient, admin: httpx.AsyncClient, realm: str
                    ) -> dict[str, Any]:
    _, url = await start(api, admin)
    location = await approve(admin, url, realm)
    done = await api.get("/oauth/qbo/callback?" + httpx.URL(location).query.decode())
    assert done.status_code == 200, done.text
    connection: dict[str, Any] = done.json()["connection"]
    return connection


async def test_connect_through_the_api_and_never_show_a_secret(
        api: httpx.AsyncClient, admin: httpx.AsyncClient, engine: Engine,
        tenant_id: str) -> None:
    realm = (await admin.post("/sandbox/companies", json={"name": "Api Co"})).json()["realm_id"]
    pending, url = await start(api, admin)
    assert pending["status"] == "pending" and "state=" in url
    location = await approve(admin, url, realm)
    forged = location.replace("state=", "state=x")
    assert (await api.get("/oauth/qbo/callback?" + httpx.URL(forged).query.decode())
            ).status_code == 422
    done = await api.get("/oauth/qbo/callback?" + httpx.URL(location).query.decode())
    assert done.json()["connection"]["status"] == "connected"
    again = await api.get("/oauth/qbo/callback?" + httpx.URL(location).query.decode())
    assert again.status_code == 422  # a state is used once

    listed = await api.get("/v1/connections")
    one = await api.get(f"/v1/connections/{pending['id']}")
    with engine.connect() as db:
        creds = store.credentials_of(db, SecretBox(load_key()), pending["id"])
    for text in (listed.text, one.text):
        for secret in (creds.access_token, creds.refresh_token, creds.client_secret, "vt"):
            assert secret and f'"{secret}"' not in text
    assert one.json()["company_name"] == "Api Co" and one.json()["realm_id"] == realm

    off = await api.post(f"/v1/connections/{pending['id']}/disconnect")
    assert off.json()["status"] == "disconnected"
    assert (await api.delete(f"/v1/connections/{pending['id']}")).status_code == 204
    assert (await api.get(f"/v1/connections/{pending['id']}")).status_code == 404


async def test_a_connection_goes_live_on_its_day_or_the_one_given(
        api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    made, _ = await start(api, admin)
    settings = (await api.get(f"/v1/connections/{made['id']}/settings")).json()
    assert settings["settings"]["connection"]["go_live_date"] == made["created_at"][:10]
    assert made["created_at"].endswith(("Z", "+00:00"))  # the day in UTC
    given, _ = await start(api, admin, name="Dated", go_live_date="2025-07-01")
    settings = (await api.get(f"/v1/connections/{given['id']}/settings")).json()
    assert settings["settings"]["connection"]["go_live_date"] == "2025-07-01"
    assert (await api.delete(f"/v1/connections/{given['id']}")).status_code == 204


def legacy(realm: str) -> bytes:
    return json.dumps({"eventNotifications": [{"realmId": realm, "dataChangeEvent": {
        "entities": [{"name": "Customer", "id": "1", "operation": "Create",
                      "lastUpdated": "2026-01-01T00:00:00Z"}]}}]}).encode()


def cloudevents(realm: str) -> bytes:
    return json.dumps([{"specversion": "1.0", "id": "e1", "source": "intuit",
                        "type": "qbo.customer.created.v1", "time": "2026-01-01T00:00:00Z",
                        "intuitentityid": "1", "intuitaccountid": realm, "data": {}}]).encode()


@pytest.mark.parametrize("make_body", [legacy, cloudevents])
async def test_signed_webhooks_mark_the_realm(make_body: Any, api: httpx.AsyncClient,
                                              admin: httpx.AsyncClient, engine: Engine,
                                              tenant_id: str) -> None:
    realm = (await admin.post("/sandbox/companies", json={"name": "Hook"})).json()["realm_id"]
    connection = await connected(api, admin, realm)
    body = make_body(realm)
    answer = await api.post("/webhooks/qbo", content=body,
                            headers={"intuit-signature": signature(body, "vt")})
    assert answer.status_code == 200 and answer.json()["connections_marked"] == 1
    with engine.connect() as db:
        assert store.get_connection(db, tenant_id, connection["id"]).webhook_dirty


async def test_the_sandbox_webhook_is_accepted(api: httpx.AsyncClient, admin: httpx.AsyncClient,
                                               engine: Engine, tenant_id: str, sandbox: Any,
                                               company: Any) -> None:
    """End to end: the sandbox signs and posts to our receiver."""
    connection = await connected(api, admin, company.realm)
    sandbox.state.sandbox.webhooks.transport = api._transport
    for app in sandbox.state.sandbox.state.apps.values():
        if app.verifier_token == "vt":
            app.webhook_url = "http://book.test/webhooks/qbo"
    tokens = sandbox.state.sandbox.state.tokens.values()
    access = next(t.value for t in tokens if t.kind == "access" and not t.revoked
                  and t.realm_id == company.realm and t.client_id != "sandbox-default-client")
    await admin.post(f"/v3/company/{company.realm}/customer", json={"DisplayName": "Hooked"},
                     headers={"Authorization": f"Bearer {access}"})
    deliveries = (await admin.post("/sandbox/webhooks/flush")).json()["deliveries"]
    assert deliveries and all(d["delivered"] for d in deliveries)
    with engine.connect() as db:
        assert store.get_connection(db, tenant_id, connection["id"]).webhook_dirty


async def test_bad_signatures_get_401_and_the_body_is_not_logged(
        api: httpx.AsyncClient, admin: httpx.AsyncClient, engine: Engine, tenant_id: str,
        caplog: pytest.LogCaptureFixture) -> None:
    realm = (await admin.post("/sandbox/companies", json={"name": "Bad"})).json()["realm_id"]
    connection = await connected(api, admin, realm)
    body = legacy(realm)
    with caplog.at_level(logging.DEBUG):
        for header in ({"intuit-signature": signature(body, "wrong")}, {}):
            answer = await api.post("/webhooks/qbo", content=body, headers=header)
            assert answer.status_code == 401
    assert "rejected a QuickBooks webhook" in caplog.text
    assert realm not in caplog.text and "eventNotifications" not in caplog.text
    with engine.connect() as db:
        assert not store.get_connection(db, tenant_id, connection["id"]).webhook_dirty
