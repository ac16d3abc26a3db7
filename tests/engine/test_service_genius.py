"""Service Genius (seeds/servicegenius-qbo-sync.txt) end to end on the QuickBooks Online
sandbox: a full sync both ways (customers and work codes out, QuickBooks customers and
service items in, same names linked), then daily syncs that move new and changed
customers and work codes both ways and new invoices and payments out; a quiet daily
sync is one QuickBooks call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ledgerbridge.engine import state
from support.qbo_world import World

QB_CUSTOMERS = [
    {"DisplayName": "ACME   plumbing", "CompanyName": "Acme Plumbing"},   # same name
    {"DisplayName": "Baker Bakery"},                                      # made inactive
    {"DisplayName": "Quickbooks Only Cafe",
     "PrimaryEmailAddr": {"Address": "cafe@example.com"}},
    {"DisplayName": "Mountain Dental"},
]
QB_ITEMS = [
    {"Name": "TUNE-UP", "Type": "Service", "UnitPrice": 89},                  # same name
    {"Name": "Drain Cleaning", "Type": "Service", "UnitPrice": 150},
    {"Name": "Old Service", "Type": "Service"},                               # made inactive
    {"Name": "Water Heater 40 gal", "Type": "NonInventory", "UnitPrice": 900},
]


def _book_records(world: World) -> dict[str, dict[str, Any]]:
    with world.book() as book:
        made = {name: book.create("customer", {"company_name": name}).record
                for name in ("Acme Plumbing", "baker  bakery", "Cedar Apartments")}
        for name, rate in (("Tune-up", "89.00"), ("Diagnostic", "65.00")):
            made[name] = book.create("work_code", {"name": name, "rate": rate}).record
    return made


async def _full(world: World) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    made = _book_records(world)
    income = {"IncomeAccountRef": {"value": "1"}}
    seeded = await world.seed({"Customer": QB_CUSTOMERS,
                               "Item": [item | income for item in QB_ITEMS]}, mode="create")
    job = {"DisplayName": "Mountain Dental - Suite 4", "Job": True,
           "ParentRef": {"value": seeded["Customer"][3]}}
    await world.seed({"Customer": [job]}, mode="create")
    for entity, remote_id in (("Customer", seeded["Customer"][1]),
                              ("Item", seeded["Item"][2])):
        await world.qb(entity, {"Id": remote_id, "SyncToken": "0", "sparse": True,
                                "Active": False}, action="update")
    report = await world.sync("full")
    assert report.failures() == []
    return made, seeded


def _book_names(world: World, kind: str) -> dict[str, dict[str, Any]]:
    title = "company_name" if kind == "customer" else "name"
    with world.book() as book:
        return {r[title]: r for r in book.page(kind, limit=1000).items}


async def test_full_sync_both_ways_links_same_names(world: World) -> None:
    made, seeded = await _full(world)
    customers = await world.records("Customer")
    names = sorted(c["DisplayName"] for c in customers)
    assert names == sorted(["ACME   plumbing", "Baker Bakery (deleted)", "Quickbooks Only Cafe",
                            "Mountain Dental", "Mountain Dental - Suite 4",
                            "Cedar Apartments"])          # one new customer, no duplicates
    acme, baker = seeded["Customer"][0], seeded["Customer"][1]
    assert world.remote_id("customer", made["Acme Plumbing"]["id"]) == acme
    assert world.remote_id("customer", made["baker  bakery"]["id"]) == baker
    items = await world.by_name("Item")
    assert set(items) == {"TUNE-UP", "Drain Cleaning", "Old Service (deleted)",
                          "Water Heater 40 gal",
                          "Diagnostic"}
    assert items["Diagnostic"]["Type"] == "Service"
    assert items["Diagnostic"]["UnitPrice"] == 65.0
    assert world.remote_id("work_code", made["Tune-up"]["id"]) == seeded["Item"][0]

    book_customers = _book_names(world, "customer")
    assert set(book_customers) == {"Acme Plumbing", "baker  bakery", "Cedar Apartments",
                                   "Quickbooks Only Cafe", "Mountain Dental"}  # no job
    assert book_customers["Quickbooks Only Cafe"]["email"] == "cafe@example.com"
    assert book_customers["Quickbooks Only Cafe"]["origin"] == "quickbooks"
    work_codes = _book_names(world, "work_code")
    assert set(work_codes) == {"Tune-up", "Diagnostic", "Drain Cleaning", "Water Heater 40 gal",
                               "Old Service"}
    assert work_codes["Old Service"]["active"] is False     # inactive, by its own name
    assert work_codes["Drain Cleaning"]["rate"] in ("150.00", 150)
    assert work_codes["Water Heater 40 gal"]["item_kind"] == "non_inventory"

    for entity in ("Customer", "Item"):           # linked and taken in, never echoed back
        for record in await world.records(entity):
            if record["Id"] in seeded[entity]:
                assert record["SyncToken"] == ("0" if record["Active"] else "1"), record

    again = await world.sync("full")              # a second full sync changes nothing
    assert again.failures() == []
    assert len(await world.records("Customer")) == len(customers)
    assert len(_book_names(world, "customer")) == 5
    assert len(_book_names(world, "work_code")) == 5


async def test_daily_sync_moves_changes_both_ways(world: World) -> None:
    made, seeded = await _full(world)
    await world.sync("daily")
    with world.book() as book:
        new = book.create("customer", {"company_name": "Delta Dry Cleaners",
                                       "phone": "555-0101"}).record
        book.update("customer", made["Cedar Apartments"]["id"], {"email": "office@cedar.example"})
        book.create("work_code", {"name": "Filter Change", "rate": "40.00"})
        book.update("work_code", made["Diagnostic"]["id"], {"rate": "70.00"})
        invoice = book.create("invoice", {
            "customer_id": new["id"], "status": "finalized", "doc_number": "5001",
            "issue_date": "2026-04-01",
            "lines": [{"work_code_id": made["Tune-up"]["id"], "unit_price": "89.00"},
                      {"work_code_id": made["Diagnostic"]["id"], "unit_price": "70.00"}]}
        ).record
        book.create("payment", {"customer_id": new["id"], "amount": "159.00",
                                "payment_date": "2026-04-02", "reference": "CHK 88",
                                "applications": [{"invoice_id": invoice["id"],
                                                  "amount": "159.00"}]})
    await world.qb("Customer", {"DisplayName": "Echo Electric"})
    await world.qb("Item", {"Name": "Gutter Cleaning", "Type": "Service", "UnitPrice": 120,
                            "IncomeAccountRef": {"value": await _income(world)}})
    report = await world.sync("daily")
    assert report.failures() == []

    customers = await world.by_name("Customer")
    assert customers["Delta Dry Cleaners"]["PrimaryPhone"]["FreeFormNumber"] == "555-0101"
    assert customers["Cedar Apartments"]["PrimaryEmailAddr"]["Address"] == \
        "office@cedar.example"
    items = await world.by_name("Item")
    assert items["Filter Change"]["UnitPrice"] == 40.0
    assert items["Diagnostic"]["UnitPrice"] == 70.0
    invoices = await world.by_name("Invoice")
    assert invoices["5001"]["TotalAmt"] == 159.0
    assert invoices["5001"]["CustomerRef"]["value"] == customers["Delta Dry Cleaners"]["Id"]
    refs = [line["SalesItemLineDetail"]["ItemRef"]["value"]
            for line in invoices["5001"]["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert refs == [seeded["Item"][0], items["Diagnostic"]["Id"]]
    payments = await world.records("Payment")
    assert len(payments) == 1 and payments[0]["TotalAmt"] == 159.0
    assert payments[0]["Line"][0]["LinkedTxn"][0]["TxnId"] == invoices["5001"]["Id"]
    assert (await world.get("Invoice", invoices["5001"]["Id"]))["Balance"] == 0

    assert "Echo Electric" in _book_names(world, "customer")
    assert _book_names(world, "work_code")["Gutter Cleaning"]["rate"] in ("120.00", 120)

    before = await world.calls()
    quiet = await world.sync("daily")
    assert await world.calls() - before == 1
    assert quiet.failures() == []
    assert len(await world.records("Payment")) == 1
    assert len(await world.records("Invoice")) == 1


async def _income(world: World) -> str:
    accounts = await world.records("Account")
    return next(a["Id"] for a in accounts if a["AccountType"] == "Income")


async def test_quiet_daily_sync_is_one_call(world: World) -> None:
    await _full(world)
    await world.sync("daily")
    before = await world.calls()
    report = await world.sync("daily")
    assert await world.calls() - before == 1
    assert report.failures() == []
    assert [o for o in report.outcomes if o.result not in ("unchanged",)] == []


async def test_customer_changed_in_quickbooks_is_not_sent_back(world: World) -> None:
    made, _ = await _full(world)
    await world.sync("daily")
    world.settings(customers={"get_changes": True})
    remote = (await world.by_name("Customer"))["Cedar Apartments"]
    await world.qb("Customer", {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                                "sparse": True, "PrimaryPhone": {"FreeFormNumber": "555-0199"}},
                   action="update")
    await world.sync("daily")
    with world.book() as book:
        assert book.get("customer", made["Cedar Apartments"]["id"])["phone"] == "555-0199"
    before = await world.calls()
    await world.sync("daily")
    assert await world.calls() - before == 1


async def test_daily_sync_links_a_new_customer_to_an_inactive_one(world: World) -> None:
    world.settings(customers={"get_new": False}, items={"get_new_items": False})
    ids = await world.seed({"Customer": [{"DisplayName": "Foxtrot Farms"}],
                            "Item": [{"Name": "Tune-up", "Type": "Service",
                                      "IncomeAccountRef": {"value": "1"}}]}, mode="create")
    for entity, remote_id in (("Customer", ids["Customer"][0]), ("Item", ids["Item"][0])):
        await world.qb(entity, {"Id": remote_id, "SyncToken": "0", "sparse": True,
                                "Active": False}, action="update")
    await world.sync("full")
    with world.engine.begin() as conn:   # as if the last sync ran well after those changes
        state.save(conn, world.connection_id,
                   changes_watermark=datetime.now(UTC) + timedelta(minutes=10))
    with world.book() as book:
        customer = book.create("customer", {"company_name": "foxtrot  FARMS"}).record
        code = book.create("work_code", {"name": "tune-up"}).record
    report = await world.sync("daily")
    assert report.failures() == []
    assert world.remote_id("customer", customer["id"]) == ids["Customer"][0]
    assert world.remote_id("work_code", code["id"]) == ids["Item"][0]
    assert len(await world.records("Customer")) == 1 and len(await world.records("Item")) == 1
