"""Fixtures for the QuickBooks Online sandbox tests: an app on a manual clock, an httpx
client through the ASGI transport, a company with a token."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ledgerbridge.sandbox.qbo import ManualClock, create_app

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    """The sandbox as a real uvicorn server on a loopback port, in a background thread."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
