"""Faults as a real client sees them over a socket (uvicorn on loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def api(live_server: str) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=live_server, timeout=0.5) as http:
        realm = http.post("/sandbox/companies", json={}).json()["realm_id"]
        token = http.post(f"/sandbox/companies/{realm}/tokens", json={}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http, f"/v3/company/{realm}/preferences"
        http.put("/sandbox/settings", json={"faults": {"rate": 0.0}})


def test_dropped_connection_is_a_transport_error(api: tuple[httpx.Client, str]) -> None:
    http, path = api
    http.put("/sandbox/settings", json={"faults": {"rate": 1.0, "kinds": ["drop"]}})
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(path)


def test_hang_runs_past_the_client_timeout(api: tuple[httpx.Client, str]) -> None:
    http, path = api
    http.put("/sandbox/settings", json={"faults": {"rate": 1.0, "kinds": ["hang"],
                                                   "hang_seconds": 1.0}})
    with pytest.raises(httpx.ReadTimeout):
        http.get(path)


def test_injected_503_and_xml_429(api: tuple[httpx.Client, str]) -> None:
    http, path = api
    http.put("/sandbox/settings", json={"faults": {"rate": 1.0, "kinds": ["503"]}})
    assert http.get(path).status_code == 503
    http.put("/sandbox/settings", json={"faults": {"rate": 1.0, "kinds": ["429"]}})
    throttled = http.get(path, headers={"Accept": "application/json"})
    assert throttled.status_code == 429
    assert throttled.text.startswith("<?xml")
