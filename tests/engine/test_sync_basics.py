"""The engine end to end on the QuickBooks Online sandbox: full sync, daily sync."""

from __future__ import annotations

from support.books import SAMPLE_BODIES
from support.qbo_world import World


def _load(world: World) -> dict[str, dict[str, object]]:
    with world.book() as book:
        return {kind: book.create(kind, body).record for kind, body in SAMPLE_BODIES}


async def test_full_sync_sends_every_kind(world: World) -> None:
    _load(world)
    general = (await world.seed({"Item": [{"Name": "General", "Type": "Service"}]}))["Item"][0]
    world.settings(connection={"default_item_id": general})
    report = await world.sync("full")
    assert report.failures() == [], report.failures()
    customers = {c["DisplayName"]: c for c in await world.records("Customer")}
    assert "Smith & Sons" in customers
    job = customers["J-100 Rooftop units"]
    assert job["Job"] is True and job["ParentRef"]["value"] == customers["Smith & Sons"]["Id"]
    items = {i["Name"]: i for i in await world.records("Item")}
    assert items["Labor"]["Type"] == "Service"
    invoices = await world.records("Invoice")
    assert len(invoices) == 1 and invoices[0]["CustomerRef"]["value"] == job["Id"]
    assert invoices[0]["TotalAmt"] == 235.0
    payments = await world.records("Payment")
    assert len(payments) == 1
    assert [p["DisplayName"] for p in await world.records("Vendor")] == ["Cascade Supply"]
    assert len(await world.records("PurchaseOrder")) == 1
    assert len(await world.records("Bill")) == 1


async def test_quiet_daily_sync_costs_one_call(world: World) -> None:
    _load(world)
    general = (await world.seed({"Item": [{"Name": "General", "Type": "Service"}]}))["Item"][0]
    world.settings(connection={"default_item_id": general})
    await world.sync("full")
    await world.sync("daily")
    before = await world.calls()
    report = await world.sync("daily")
    assert await world.calls() - before == 1
    assert report.failures() == []
