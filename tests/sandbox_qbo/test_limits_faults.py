"""Throttles (per minute, in flight, batch), time scale, latency and injected faults."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from ledgerbridge.sandbox.qbo import ManualClock
from ledgerbridge.sandbox.qbo.faults import ConnectionDropped

from .conftest import SHARED, Company


async def settings(http: httpx.AsyncClient, **values: object) -> None:
    response = await http.put("/sandbox/settings", json=values)
    assert response.status_code == 200, response.text


async def test_500_a_minute_then_429_with_intuit_xml(company: Company, clock: ManualClock,
                                                      ) -> None:
    for _ in range(500):
        assert (await company.get("preferences")).status_code == 200
    throttled = await company.get("preferences")
    assert throttled.status_code == 429
    assert throttled.headers["content-type"].startswith("application/xml")
    assert 'code="3001"' in throttled.text
    assert "ThrottleExceeded" in throttled.text
    recorded = SHARED / "fixtures" / "qbo-captures" / "xml" / "too_many_requests_error.xml"
    if recorded.is_file():
        _same_xml_apart_from_time(recorded, throttled.text)
    clock.advance(60)
    assert (await company.get("preferences")).status_code == 200
    stats = (await company.http.get("/sandbox/stats")).json()
    assert stats["throttled"] == {company.realm: 1}
    assert stats["calls"][company.realm]["GET preferences"] == 502


def _same_xml_apart_from_time(recorded: Path, answer: str) -> None:
    from lxml import etree

    def canonical(text: bytes) -> bytes:
        root = etree.fromstring(text)
        root.attrib.pop("time")
        return etree.tostring(root, method="c14n")

    assert canonical(recorded.read_bytes()) == canonical(answer.encode())


async def test_time_scale_shortens_the_minute(company: Company, clock: ManualClock) -> None:
    await settings(company.http, time_scale=60.0, limits={"per_minute": 3})
    for _ in range(3):
        assert (await company.get("preferences")).status_code == 200
    assert (await company.get("preferences")).status_code == 429
    clock.advance(1.0)
    assert (await company.get("preferences")).status_code == 200


async def test_40_batch_calls_a_minute(company: Company) -> None:
    body = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT COUNT(*) FROM Customer"}]}
    for _ in range(40):
        assert (await company.post("batch", body)).status_code == 200
    assert (await company.post("batch", body)).status_code == 429
    assert (await company.get("preferences")).status_code == 200


async def test_ten_in_flight(company: Company) -> None:
    await settings(company.http, latency_ms=200)
    answers = await asyncio.gather(*(company.get("preferences") for _ in range(12)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 10 + [429] * 2


async def test_injected_faults_are_seeded(company: Company) -> None:
    await settings(company.http, faults={"rate": 0.5, "kinds": ["429", "500", "503"],
                                         "seed": 7})
    first = [(await company.get("preferences")).status_code for _ in range(30)]
    await settings(company.http, faults={"rate": 0.5, "kinds": ["429", "500", "503"],
                                         "seed": 7})
    second = [(await company.get("preferences")).status_code for _ in range(30)]
    assert first == second
    assert {200, 429, 500, 503} == set(first)
    stats = (await company.http.get("/sandbox/stats")).json()
    assert sum(stats["faults_injected"].values()) == sum(1 for s in first + second if s != 200)


async def test_hang_outlasts_the_client_timeout(company: Company) -> None:
    await settings(company.http, faults={"rate": 1.0, "kinds": ["hang"], "hang_seconds": 5})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(company.get("preferences"), timeout=0.2)


async def test_slow_answer_still_answers(company: Company) -> None:
    await settings(company.http, faults={"rate": 1.0, "kinds": ["slow"], "slow_seconds": 0.05})
    response = await company.get("preferences")
    assert response.status_code == 200


async def test_dropped_connection(company: Company) -> None:
    await settings(company.http, faults={"rate": 1.0, "kinds": ["drop"]})
    with pytest.raises(ConnectionDropped):
        await company.get("preferences")


async def test_bad_fault_settings_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.put("/sandbox/settings", json={"faults": {"kinds": ["nope"]}})
    assert response.status_code == 400
