"""The actions besides syncing: import QuickBooks' customers and vendors into the book,
and the inventory sync."""

from __future__ import annotations

from ledgerbridge.book.store import Book
from ledgerbridge.engine.links import LinkStore
from ledgerbridge.sync_service import import_names, inventory_sync
from support.qbo_world import World


async def test_import_links_same_names_and_creates_the_rest(world: World) -> None:
    with world.book() as book:
        mine = book.create("customer", {"company_name": "Harbor View Marina"}).record
    await world.seed({"Customer": [
        {"Id": "900", "DisplayName": "harbor  view marina"},
        {"Id": "901", "DisplayName": "Lakeshore Dental Group"},
        {"Id": "902", "DisplayName": "Suite 2", "Job": True, "ParentRef": {"value": "901"}}],
        "Vendor": [{"DisplayName": "Acme Plumbing Supply",
                    "PrimaryEmailAddr": {"Address": "ap@acme.example"}}]})
    calls = await world.calls()
    outcomes = await import_names(world.engine, world.tenant_id, world.connection_id,
                                  transport=world.transport)
    assert await world.calls() == calls + 1  # the names and the profile, one batch call
    results = sorted((o.kind, o.result) for o in outcomes)
    assert results == [("customer", "imported"), ("customer", "linked"), ("vendor", "imported")]
    with world.engine.connect() as conn:
        book = Book(conn, world.tenant_id)
        customers = sorted(c["company_name"] for c in book.page("customer").items)
        vendors = book.page("vendor").items
        link = LinkStore(conn, world.connection_id).get("customer", mine["id"])
    assert customers == ["Harbor View Marina", "Lakeshore Dental Group"]
    assert [(v["company_name"], v["email"]) for v in vendors] == [
        ("Acme Plumbing Supply", "ap@acme.example")]
    assert link is not None and link.how == "matched"
    again = await import_names(world.engine, world.tenant_id, world.connection_id,
                               transport=world.transport)
    assert [o.result for o in again if o.result in ("imported", "linked")] == []


async def test_inventory_sync_sends_counts_and_refuses_a_non_inventory_twin(
        world: World) -> None:
    with world.book() as book:
        part = book.create("inventory_part", {"name": "Capacitor 45/5", "quantity_on_hand": "12",
                                              "cost": "8.10", "price": "24.00"}).record
        book.create("inventory_part", {"name": "Filter 16x25", "quantity_on_hand": "40"})
    await world.seed({"Item": [{"Name": "Filter 16x25", "Type": "NonInventory"}]})
    first = await inventory_sync(world.engine, world.tenant_id, world.connection_id,
                                 transport=world.transport)
    items = {i["Name"]: i for i in await world.records("Item")}
    assert items["Capacitor 45/5"]["Type"] == "Inventory"
    assert items["Capacitor 45/5"]["QtyOnHand"] == 12
    failed = [o for o in first.outcomes if o.result == "failed"]
    assert len(failed) == 1
    assert "non-inventory item named 'Filter 16x25'" in failed[0].message
    assert "inventory sync" in failed[0].message
    with world.book() as book:
        book.update("inventory_part", part["id"], {"quantity_on_hand": "7"})
    await inventory_sync(world.engine, world.tenant_id, world.connection_id,
                         transport=world.transport)
    items = {i["Name"]: i for i in await world.records("Item")}
    assert items["Capacitor 45/5"]["QtyOnHand"] == 7


async def test_counts_from_quickbooks_come_in_and_are_not_sent_back(world: World) -> None:
    with world.book() as book:
        part = book.create("inventory_part", {"name": "Flare Nut 3/8", "quantity_on_hand": "5",
                                              "cost": "1.10", "price": "3.00"}).record
        book.create("vendor", {"company_name": "Harbor Plumbing Wholesale", "external_id": "V"})
    await inventory_sync(world.engine, world.tenant_id, world.connection_id,
                         transport=world.transport)
    await world.sync("full")
    item = next(i for i in await world.records("Item") if i["Name"] == "Flare Nut 3/8")
    vendor = (await world.seed({"Vendor": [{"DisplayName": "Parts Counter"}]},
                               mode="create"))["Vendor"][0]
    await world.seed({"Bill": [{"VendorRef": {"value": vendor}, "Line": [{
        "DetailType": "ItemBasedExpenseLineDetail", "Amount": 11.0,
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 10,
                                       "UnitPrice": 1.1}}]}]}, mode="create")
    daily = await world.sync("daily")
    with world.book() as book:
        assert book.get("inventory_part", part["id"])["quantity_on_hand"] == 15
    sent_back = [o for r in (daily, await world.sync("full")) for o in r.outcomes
                 if o.kind == "inventory_part" and o.direction == "outbound"
                 and o.result == "updated"]
    assert sent_back == []
