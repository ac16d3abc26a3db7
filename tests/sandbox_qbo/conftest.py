"""Fixtures for the QuickBooks Online sandbox tests: an app on a manual clock, an httpx
client through the ASGI transport, a company with a token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledgerbridge.sandbox.qbo import ManualClock, create_app
from support.loopback import sandbox_url

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CAPTURES = SHARED / "fixtures" / "qbo-captures"


def captures_dir() -> Path:
    if not CAPTURES.is_dir():
        pytest.skip(f"recorded QuickBooks responses not found at {CAPTURES} (../shared absent)")
    return CAPTURES


@dataclass
class Company:
    """A company in the sandbox and a client authorised for it."""

    http: httpx.AsyncClient
    realm: str
    headers: dict[str, str]

    def url(self, tail: str) -> str:
        return f"/v3/company/{self.realm}/{tail}"

    async def post(self, tail: str, body: Any, **params: str) -> httpx.Response:
        return await self.http.post(self.url(tail), json=body, headers=self.headers,
                                    params=params)

    async def get(self, tail: str, **params: str) -> httpx.Response:
        return await self.http.get(self.url(tail), headers=self.headers, params=params)

    async def query(self, text: str) -> httpx.Response:
        return await self.get("query", query=text)

    async def create(self, entity: str, body: Any) -> dict[str, Any]:
        response = await self.post(entity.lower(), body)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()[entity]
        return record


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(clock: ManualClock) -> Any:
    return create_app(clock=clock)


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://qbo.test") as client:
        yield client


async def new_company(http: httpx.AsyncClient, **options: Any) -> Company:
    created = await http.post("/sandbox/companies", json={"name": "Test Co", **options})
    assert created.status_code == 201, created.text
    realm = created.json()["realm_id"]
    tokens = await http.post(f"/sandbox/companies/{realm}/tokens", json={})
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}",
               "Accept": "application/json"}
    return Company(http, realm, headers)


@pytest.fixture
async def company(http: httpx.AsyncClient) -> Company:
    return await new_company(http)


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    """The sandbox as a real uvicorn server on a loopback port, in a background thread."""
    with sandbox_url() as url:
        yield url
