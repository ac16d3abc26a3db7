"""Fixtures for the QuickBooks Online client: the in-process sandbox on a manual clock, a
fake time for the budget that moves the sandbox's clock too, a recording transport, and a
client for a fresh company."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from ledgerbridge.qbo.budget import Limits, RealmBudget
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.http import RetryPolicy, StaticToken
from ledgerbridge.sandbox.qbo import ManualClock, create_app
from support.books import engine, tenant_id  # noqa: F401
from support.recording import Recorder

BASE = "http://qbo.test"
SECRET_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _one_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """One installation key for the session (module-scoped databases outlive a test)."""
    monkeypatch.setenv("LEDGERBRIDGE_SECRET_KEY", SECRET_KEY)


class FakeTime:
    """The budget's clock and sleep: sleeping moves this clock and the sandbox's at once
    (and yields to the loop for a real millisecond, so other tasks progress)."""

    def __init__(self, sandbox_clock: ManualClock) -> None:
        self.now = 0.0
        self.sandbox_clock = sandbox_clock
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        self.sandbox_clock.advance(seconds)
        await asyncio.sleep(0.001)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Any:
    return create_app(clock=clock)


@pytest.fixture
def recorder(sandbox: Any) -> Recorder:
    return Recorder(httpx.ASGITransport(app=sandbox))


@pytest.fixture
async def admin(sandbox: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox),
                                 base_url=BASE) as client:
        yield client


@pytest.fixture
def fake_time(clock: ManualClock) -> FakeTime:
    return FakeTime(clock)


@dataclass
class Company:
    realm: str
    access_token: str
    refresh_token: str


@pytest.fixture
async def company(admin: httpx.AsyncClient) -> Company:
    realm = (await admin.post("/sandbox/companies", json={"name": "Acme"})).json()["realm_id"]
    tokens = (await admin.post(f"/sandbox/companies/{realm}/tokens", json={})).json()
    return Company(realm, tokens["access_token"], tokens["refresh_token"])


MakeClient = Callable[..., Awaitable[QboClient]]


@pytest.fixture
async def make_client(recorder: Recorder, company: Company, fake_time: FakeTime,
                      clock: ManualClock) -> AsyncIterator[MakeClient]:
    made: list[QboClient] = []

    async def make(**options: Any) -> QboClient:
        limits = options.pop("limits", Limits())
        budget = RealmBudget(limits, clock=fake_time.clock, sleep=fake_time.sleep)
        settings: dict[str, Any] = {
            "api_base": BASE, "realm_id": company.realm,
            "tokens": StaticToken(company.access_token), "transport": recorder,
            "budget": budget, "sleep": fake_time.sleep, "rng": random.Random(7),
            "retry": RetryPolicy(attempts=10, throttles=10),
            "now": lambda: datetime.fromtimestamp(clock.now(), UTC)}
        client = QboClient(**{**settings, **options})
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def records(admin: httpx.AsyncClient, realm: str, entity: str) -> list[dict[str, Any]]:
    body = (await admin.get(f"/sandbox/companies/{realm}/records/{entity}")).json()
    found: list[dict[str, Any]] = body["records"]
    return found
