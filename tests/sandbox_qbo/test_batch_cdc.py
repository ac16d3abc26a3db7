"""Batch (limits, a Fault per bId, requestid) and change data capture."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from ledgerbridge.sandbox.qbo import ManualClock
from ledgerbridge.sandbox.qbo.clock import COMPANY_TZ

from .conftest import Company


def since(clock: ManualClock, seconds: float) -> str:
    moment = datetime.fromtimestamp(clock.now() - seconds, COMPANY_TZ)
    return moment.isoformat(timespec="seconds")


async def test_batch_mixed_operations(company: Company) -> None:
    vendor = await company.create("Vendor", {"DisplayName": "Existing"})
    body = {"BatchItemRequest": [
        {"bId": "b1", "operation": "create", "Vendor": {"DisplayName": "New Vendor"}},
        {"bId": "b2", "operation": "create", "Vendor": {"DisplayName": "existing"}},
        {"bId": "b3", "operation": "update", "Vendor": {"Id": vendor["Id"], "SyncToken": "9",
                                                        "sparse": True, "AcctNum": "1"}},
        {"bId": "b4", "operation": "delete", "Invoice": {"Id": "999", "SyncToken": "0"}},
        {"bId": "b5", "Query": "SELECT * FROM Vendor"},
    ]}
    response = await company.post("batch", body)
    assert response.status_code == 200
    items = {i["bId"]: i for i in response.json()["BatchItemResponse"]}
    assert items["b1"]["Vendor"]["DisplayName"] == "New Vendor"
    codes = {bid: items[bid]["Fault"]["Error"][0]["code"] for bid in ("b2", "b3", "b4")}
    assert codes == {"b2": "6240", "b3": "5010", "b4": "610"}
    assert items["b4"]["Fault"]["Error"][0]["element"] == ""
    assert len(items["b5"]["QueryResponse"]["Vendor"]) == 2


async def test_batch_size_limit_is_configurable(company: Company) -> None:
    items = [{"bId": str(i), "Query": "SELECT * FROM Vendor"} for i in range(31)]
    refused = await company.post("batch", {"BatchItemRequest": items})
    assert refused.status_code == 400
    await company.http.put("/sandbox/settings", json={"limits": {"batch_max_items": 50}})
    assert (await company.post("batch", {"BatchItemRequest": items})).status_code == 200


async def test_batch_requestid_is_idempotent(company: Company) -> None:
    body = {"BatchItemRequest": [{"bId": "1", "operation": "create",
                                  "Customer": {"DisplayName": "Batch Once"}}]}
    first = await company.post("batch", body, requestid="batch-1")
    second = await company.post("batch", body, requestid="batch-1")
    assert second.json() == first.json()
    assert "Customer" in second.json()["BatchItemResponse"][0]
    count = await company.query("SELECT COUNT(*) FROM Customer")
    assert count.json()["QueryResponse"]["totalCount"] == 1


async def test_cdc_returns_changes_and_deletions(company: Company, clock: ManualClock) -> None:
    customer = await company.create("Customer", {"DisplayName": "Old"})
    item = await company.create("Item", {"Name": "Svc", "IncomeAccountRef": {"value": "1"}})
    clock.advance(600)
    mark = since(clock, 0)
    clock.advance(60)
    invoice = await company.create("Invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [
        {"Amount": 10, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}]})
    await company.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="delete")
    fresh = await company.create("Customer", {"DisplayName": "New"})
    response = await company.get("cdc", entities="Customer,Invoice", changedSince=mark)
    assert response.status_code == 200, response.text
    blocks = response.json()["CDCResponse"][0]["QueryResponse"]
    assert [c["Id"] for c in blocks[0]["Customer"]] == [fresh["Id"]]
    deleted = blocks[1]["Invoice"][0]
    assert (deleted["Id"], deleted["status"]) == (invoice["Id"], "Deleted")
    assert set(deleted) == {"domain", "status", "Id", "MetaData"}


async def test_cdc_refuses_more_than_30_days(company: Company, clock: ManualClock) -> None:
    old = since(clock, timedelta(days=31).total_seconds())
    response = await company.get("cdc", entities="Customer", changedSince=old)
    assert response.status_code == 400
    ok = await company.get("cdc", entities="Customer",
                           changedSince=since(clock, timedelta(days=29).total_seconds()))
    assert ok.status_code == 200


async def test_cdc_caps_at_1000_objects(http: httpx.AsyncClient, company: Company,
                                        clock: ManualClock) -> None:
    mark = since(clock, 1)
    seed = {"Customer": [{"DisplayName": f"C{i}"} for i in range(700)],
            "Vendor": [{"DisplayName": f"V{i}"} for i in range(700)]}
    await http.post(f"/sandbox/companies/{company.realm}/seed", json=seed)
    response = await company.get("cdc", entities="Customer,Vendor", changedSince=mark)
    blocks = response.json()["CDCResponse"][0]["QueryResponse"]
    assert len(blocks[0]["Customer"]) + len(blocks[1]["Vendor"]) == 1000
