"""OAuth 2 against the sandbox: authorize page, code exchange, refresh rotation, revoke,
and bearer checks on the Accounting API."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgerbridge.sandbox.qbo import ManualClock

from .conftest import Company

REDIRECT = "https://app.example/callback"


@pytest.fixture
async def oauth_app(http: httpx.AsyncClient) -> dict[str, str]:
    response = await http.post("/sandbox/apps", json={"client_id": "client-1",
                                                      "client_secret": "secret-1",
                                                      "redirect_uris": [REDIRECT]})
    assert response.status_code == 201
    return dict(response.json())


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def authorize(http: httpx.AsyncClient, realm: str) -> dict[str, list[str]]:
    params = {"client_id": "client-1", "redirect_uri": REDIRECT, "response_type": "code",
              "scope": "com.intuit.quickbooks.accounting", "state": "xyz"}
    page = await http.get("/connect/oauth2", params=params)
    assert page.status_code == 200
    assert realm in page.text
    decision = await http.post("/connect/oauth2", data={**params, "realm_id": realm,
                                                        "decision": "approve"})
    assert decision.status_code == 302
    location = decision.headers["location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)


async def test_code_flow_with_basic_then_post_client_auth(
        http: httpx.AsyncClient, company: Company, oauth_app: dict[str, str]) -> None:
    query = await authorize(http, company.realm)
    assert query["state"] == ["xyz"]
    assert query["realmId"] == [company.realm]
    form = {"grant_type": "authorization_code", "code": query["code"][0],
            "redirect_uri": REDIRECT}
    tokens = await http.post("/oauth2/v1/tokens/bearer", data=form,
                             headers=basic("client-1", "secret-1"))
    assert tokens.status_code == 200
    body = tokens.json()
    assert body["expires_in"] == 3600
    assert body["token_type"] == "bearer"
    reused = await http.post("/oauth2/v1/tokens/bearer", data={
        **form, "client_id": "client-1", "client_secret": "secret-1"})
    assert reused.json() == {"error": "invalid_grant"}
    customer = await http.get(f"/v3/company/{company.realm}/companyinfo/{company.realm}",
                              headers={"Authorization": f"Bearer {body['access_token']}"})
    assert customer.status_code == 200


async def test_refresh_rotates_and_old_refresh_token_dies(
        http: httpx.AsyncClient, company: Company, oauth_app: dict[str, str]) -> None:
    issued = (await http.post(f"/sandbox/companies/{company.realm}/tokens",
                              json={"client_id": "client-1"})).json()
    form = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"],
            "client_id": "client-1", "client_secret": "secret-1"}
    first = await http.post("/oauth2/v1/tokens/bearer", data=form)
    assert first.status_code == 200
    assert first.json()["refresh_token"] != issued["refresh_token"]
    again = await http.post("/oauth2/v1/tokens/bearer", data=form)
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
    newer = await http.post("/oauth2/v1/tokens/bearer", data={
        **form, "refresh_token": first.json()["refresh_token"]})
    assert newer.status_code == 200


async def test_wrong_client_secret(http: httpx.AsyncClient, oauth_app: dict[str, str]) -> None:
    response = await http.post("/oauth2/v1/tokens/bearer", data={
        "grant_type": "refresh_token", "refresh_token": "x"},
        headers=basic("client-1", "nope"))
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


async def test_access_token_lives_an_hour(company: Company, clock: ManualClock) -> None:
    clock.advance(3599)
    assert (await company.get("preferences")).status_code == 200
    clock.advance(1)
    expired = await company.get("preferences")
    assert expired.status_code == 401
    body = expired.json()
    assert body["fault"]["error"][0]["code"] == "3200"
    assert body["fault"]["type"] == "AUTHENTICATION"
    assert expired.headers["www-authenticate"] == 'Bearer realm="Intuit", error="invalid_token"'


async def test_missing_token_and_other_realm(http: httpx.AsyncClient, company: Company) -> None:
    assert (await http.get(company.url("preferences"))).status_code == 401
    other = (await http.post("/sandbox/companies", json={"name": "Other"})).json()["realm_id"]
    response = await http.get(f"/v3/company/{other}/preferences", headers=company.headers)
    assert response.status_code == 403
    assert response.json()["Fault"]["Error"][0]["code"] == "3100"


async def test_revoke_ends_the_connection(http: httpx.AsyncClient, company: Company,
                                          oauth_app: dict[str, str]) -> None:
    issued = (await http.post(f"/sandbox/companies/{company.realm}/tokens",
                              json={"client_id": "client-1"})).json()
    revoked = await http.post("/v2/oauth2/tokens/revoke", json={"token": issued["refresh_token"]},
                              headers=basic("client-1", "secret-1"))
    assert revoked.status_code == 200
    api = await http.get(company.url("preferences"),
                         headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert api.status_code == 401
    refresh = await http.post("/oauth2/v1/tokens/bearer", data={
        "grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
        headers=basic("client-1", "secret-1"))
    assert refresh.json() == {"error": "invalid_grant"}


async def test_authorize_refuses_unregistered_redirect(
        http: httpx.AsyncClient, oauth_app: dict[str, str]) -> None:
    response = await http.get("/connect/oauth2", params={
        "client_id": "client-1", "redirect_uri": "https://evil.example/",
        "response_type": "code", "scope": "com.intuit.quickbooks.accounting", "state": "s"})
    assert response.status_code == 400
