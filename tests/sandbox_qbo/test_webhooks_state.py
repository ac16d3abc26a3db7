"""Webhooks (signed, legacy and CloudEvents, retried) and state in a SQLite file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx

from ledgerbridge.sandbox.qbo import ManualClock, create_app

from .conftest import Company, new_company


class Receiver:
    """A webhook endpoint that fails the first ``failures`` posts."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        if self.failures > 0:
            self.failures -= 1
            return httpx.Response(500)
        return httpx.Response(200)


def signature_ok(request: httpx.Request, verifier: str) -> bool:
    digest = hmac.new(verifier.encode(), request.content, hashlib.sha256).digest()
    return request.headers["intuit-signature"] == base64.b64encode(digest).decode()


async def connect(http: httpx.AsyncClient, webhook_format: str) -> Company:
    await http.put("/sandbox/settings", json={"webhook_backoff_s": 0})
    await http.post("/sandbox/apps", json={"client_id": "hooked", "client_secret": "s",
                                           "webhook_url": "https://hooks.example/qbo",
                                           "verifier_token": "verify-me",
                                           "webhook_format": webhook_format})
    company = await new_company(http)
    tokens = await http.post(f"/sandbox/companies/{company.realm}/tokens",
                             json={"client_id": "hooked"})
    company.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"
    return company


async def client_for(receiver: Receiver, clock: ManualClock | None = None) -> Any:
    app = create_app(clock=clock or ManualClock(),
                     webhook_transport=httpx.MockTransport(receiver))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qbo.test")


async def test_legacy_notification_signed_and_retried() -> None:
    receiver = Receiver(failures=1)
    async with await client_for(receiver) as http:
        company = await connect(http, "legacy")
        customer = await company.create("Customer", {"DisplayName": "Hooked"})
        flushed = (await http.post("/sandbox/webhooks/flush")).json()["deliveries"]
    assert len(receiver.received) == 2
    assert [a["status"] for a in flushed[0]["attempts"]] == [500, 200]
    request = receiver.received[-1]
    assert signature_ok(request, "verify-me")
    body = json.loads(request.content)
    event = body["eventNotifications"][0]
    assert event["realmId"] == company.realm
    assert event["dataChangeEvent"]["entities"][0] == {
        "name": "Customer", "id": customer["Id"], "operation": "Create",
        "lastUpdated": event["dataChangeEvent"]["entities"][0]["lastUpdated"]}


async def test_cloudevents_notification() -> None:
    receiver = Receiver()
    async with await client_for(receiver) as http:
        company = await connect(http, "cloudevents")
        item = await company.create("Item", {"Name": "Svc", "IncomeAccountRef": {"value": "1"}})
        customer = await company.create("Customer", {"DisplayName": "C"})
        line = {"Amount": 5, "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}
        invoice = await company.create("Invoice", {"CustomerRef": {"value": customer["Id"]},
                                                   "Line": [line]})
        await company.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void")
        await http.post("/sandbox/webhooks/flush")
    events = json.loads(receiver.received[0].content)
    assert signature_ok(receiver.received[0], "verify-me")
    types = [e["type"] for e in events]
    assert types == ["qbo.item.created.v1", "qbo.customer.created.v1",
                     "qbo.invoice.created.v1", "qbo.invoice.voided.v1"]
    assert {e["intuitaccountid"] for e in events} == {company.realm}
    assert set(events[0]) >= {"specversion", "id", "source", "type", "time", "intuitentityid",
                              "intuitaccountid", "data"}


async def test_no_webhook_for_apps_not_connected() -> None:
    receiver = Receiver()
    async with await client_for(receiver) as http:
        await connect(http, "legacy")
        other = await new_company(http)
        await other.create("Customer", {"DisplayName": "Quiet"})
        await http.post("/sandbox/webhooks/flush")
    assert receiver.received == []


async def test_state_survives_a_restart_in_sqlite(tmp_path: Path) -> None:
    path = str(tmp_path / "qbo.sqlite")
    first = create_app(state_file=path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first),
                                 base_url="http://qbo.test") as http:
        company = await new_company(http)
        made = await company.create("Customer", {"DisplayName": "Persistent"})
        await company.post("customer", {"Id": made["Id"], "SyncToken": "0", "sparse": True,
                                        "Notes": "kept"}, requestid="req-1")
    first.state.sandbox.close()
    second = create_app(state_file=path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=second),
                                 base_url="http://qbo.test") as http:
        company.http = http
        again = await company.get(f"customer/{made['Id']}")
        assert again.status_code == 200, again.text
        assert again.json()["Customer"]["Notes"] == "kept"
        assert again.json()["Customer"]["SyncToken"] == "1"
        repeat = await company.post("customer", {"Id": made["Id"], "SyncToken": "0",
                                                 "sparse": True, "Notes": "kept"},
                                    requestid="req-1")
        assert repeat.status_code == 200
        fresh = await company.create("Customer", {"DisplayName": "Next"})
        assert int(fresh["Id"]) > int(made["Id"])
    second.state.sandbox.close()


async def test_reset_company_and_everything(http: httpx.AsyncClient, company: Company) -> None:
    await company.create("Customer", {"DisplayName": "Temp"})
    reset = await http.post(f"/sandbox/companies/{company.realm}/reset")
    assert reset.json()["counts"].get("Customer", 0) == 0
    count = await company.query("SELECT COUNT(*) FROM Customer")
    assert count.json()["QueryResponse"]["totalCount"] == 0
    await http.post("/sandbox/reset")
    assert (await http.get("/sandbox/companies")).json() == []


async def test_seed_in_create_mode_applies_rules(http: httpx.AsyncClient, company: Company,
                                                 ) -> None:
    seeded = await http.post(f"/sandbox/companies/{company.realm}/seed?mode=create",
                             json={"Customer": [{"DisplayName": "A"}, {"DisplayName": "a"}]})
    assert seeded.status_code == 400
    assert seeded.json()["Fault"]["Error"][0]["code"] == "6240"
    assert seeded.json()["created"] == {"Customer": ["1"]}
