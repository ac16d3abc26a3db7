"""Autotask (seeds/autotask-po-inventory.txt) end to end on the QuickBooks Online sandbox:
purchase orders and inventory counts. "Update inventory counts from POs" decides only
whether the counts here (raised when a purchase order is received) go to QuickBooks;
a part's creation, its name and price, the inventory sync and the counts QuickBooks
sends back do not depend on it."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerbridge.sync_service import inventory_sync
from support.qbo_world import World

Record = dict[str, Any]


def _part_on_order(world: World, name: str = "Flare Nut 3/8", on_hand: str = "5"
                   ) -> tuple[Record, Record]:
    """A part, and a submitted purchase order for ten of it."""
    with world.book() as book:
        part = book.create("inventory_part", {"name": name, "quantity_on_hand": on_hand,
                                              "cost": "1.10", "price": "3.00"}).record
        vendor = book.create("vendor", {"company_name": "Harbor Plumbing Wholesale"}).record
        order = book.create("purchase_order", {
            "vendor_id": vendor["id"], "number": "PO-1", "status": "submitted",
            "order_date": "2026-05-04",
            "lines": [{"inventory_part_id": part["id"], "quantity": "10",
                       "unit_cost": "1.10"}]}).record
    return part, order


async def _item(world: World, part: Record) -> Record:
    return await world.get("Item", world.remote_id("inventory_part", part["id"]))


def _part_updates(report: Any) -> list[str]:
    return [o.result for o in report.outcomes
            if o.kind == "inventory_part" and o.direction == "outbound"
            and o.result == "updated"]


@pytest.mark.parametrize("update_counts", [True, False])
async def test_counts_raised_by_a_received_purchase_order(world: World,
                                                          update_counts: bool) -> None:
    world.settings(purchasing={"update_inventory_counts": update_counts})
    part, order = _part_on_order(world)
    await world.sync("daily")
    assert (await _item(world, part))["QtyOnHand"] == 5  # created with its count, either way
    with world.book() as book:  # received: the ten are on the shelf here
        book.update("purchase_order", order["id"], {"status": "received"})
        book.update("inventory_part", part["id"], {"quantity_on_hand": "15"})
    report = await world.sync("daily")
    assert (await _item(world, part))["QtyOnHand"] == (15 if update_counts else 5)
    # a change of the count alone costs nothing when counts are not updated
    assert _part_updates(report) == (["updated"] if update_counts else [])


@pytest.mark.parametrize("update_counts", [True, False])
async def test_name_and_price_changes_go_whatever_the_count_setting(
        world: World, update_counts: bool) -> None:
    world.settings(purchasing={"update_inventory_counts": update_counts})
    part, _ = _part_on_order(world)
    await world.sync("daily")
    with world.book() as book:
        book.update("inventory_part", part["id"], {"name": "Flare Nut 3/8 Brass",
                                                   "price": "3.50", "quantity_on_hand": "9"})
    report = await world.sync("daily")
    item = await _item(world, part)
    assert (item["Name"], item["UnitPrice"], item["Type"]) == (
        "Flare Nut 3/8 Brass", 3.5, "Inventory")
    assert item["QtyOnHand"] == (9 if update_counts else 5)
    assert _part_updates(report) == ["updated"]
    assert _part_updates(await world.sync("full")) == []  # nothing sent twice


async def test_inventory_sync_sends_counts_when_counts_are_not_updated(world: World) -> None:
    world.settings(purchasing={"update_inventory_counts": False})
    part, _ = _part_on_order(world)
    await world.sync("daily")
    with world.book() as book:
        book.update("inventory_part", part["id"], {"quantity_on_hand": "42"})
    await world.sync("daily")
    assert (await _item(world, part))["QtyOnHand"] == 5
    report = await inventory_sync(world.engine, world.tenant_id, world.connection_id,
                                  transport=world.transport)
    assert _part_updates(report) == ["updated"]
    assert (await _item(world, part))["QtyOnHand"] == 42
    # what the inventory sync sent is not sent again without its count
    assert _part_updates(await world.sync("full")) == []


@pytest.mark.parametrize("update_counts", [True, False])
async def test_counts_from_quickbooks_come_in_whatever_the_count_setting(
        world: World, update_counts: bool) -> None:
    world.settings(purchasing={"update_inventory_counts": update_counts})
    part, _ = _part_on_order(world)
    await world.sync("daily")
    item = await _item(world, part)
    vendor = (await world.seed({"Vendor": [{"DisplayName": "Parts Counter"}]},
                               mode="create"))["Vendor"][0]
    await world.qb("Bill", {"VendorRef": {"value": vendor}, "Line": [{
        "DetailType": "ItemBasedExpenseLineDetail", "Amount": 11.0,
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 10,
                                       "UnitPrice": 1.1}}]})
    report = await world.sync("daily")
    with world.book() as book:
        assert book.get("inventory_part", part["id"])["quantity_on_hand"] == 15
    assert _part_updates(report) == []


async def test_a_work_code_change_leaves_the_count_of_its_inventory_item(world: World) -> None:
    """A work code that is an inventory item has no count here: its changes never send
    one (it went as 0 with every change, wiping QuickBooks' count)."""
    with world.book() as book:
        code = book.create("work_code", {"name": "Heat Pump 3 Ton Package", "rate": "4200.00",
                                         "item_kind": "inventory"}).record
    assert (await world.sync("push", push=[("work_code", code["id"])])).failures() == []
    item = await world.get("Item", world.remote_id("work_code", code["id"]))
    vendor = (await world.seed({"Vendor": [{"DisplayName": "Summit HVAC"}]},
                               mode="create"))["Vendor"][0]
    await world.qb("Bill", {"VendorRef": {"value": vendor}, "Line": [{
        "DetailType": "ItemBasedExpenseLineDetail", "Amount": 7800.0,
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 2,
                                       "UnitPrice": 3900}}]})
    with world.book() as book:
        book.update("work_code", code["id"], {"rate": "4400.00"})
    report = await world.sync("daily")
    assert [o.result for o in report.outcomes if o.kind == "work_code"] == ["updated"]
    item = await world.get("Item", item["Id"])
    assert (item["UnitPrice"], item["QtyOnHand"]) == (4400, 2)
    assert [o.result for o in (await world.sync("full")).outcomes
            if o.kind == "work_code" and o.result == "updated"] == []
