"""How documents go: tax codes on invoice lines (QuickBooks decides in the US unless a
line says; outside the US every line needs the code the settings chose), and payments,
which QuickBooks takes from one customer or job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine

from support.qbo_world import World, make_world

LINES = [{"description": "Service call", "unit_price": "120.00", "taxable": True},
         {"description": "Disposal", "unit_price": "15.00", "taxable": False},
         {"description": "Travel", "unit_price": "30.00"}]


@pytest.fixture
async def canada(engine: Engine, tenant_id: str) -> AsyncIterator[World]:
    async for made in make_world(engine, tenant_id, tax_agency=None, country="CA"):
        yield made


def _invoice(world: World) -> dict[str, Any]:
    with world.book() as book:
        book.create("customer", {"company_name": "Maple Leaf Dental", "external_id": "C"})
        return book.create("invoice", {"customer_external_id": "C", "status": "finalized",
                                       "lines": LINES}).record


async def test_us_lines_say_taxable_or_not(world: World) -> None:
    _invoice(world)
    report = await world.sync("full")
    assert report.failures() == []
    lines = (await world.records("Invoice"))[0]["Line"]
    codes = [line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in lines
             if line.get("DetailType") == "SalesItemLineDetail"]
    assert codes[:2] == ["TAX", "NON"]


async def test_outside_the_us_every_line_needs_the_chosen_code(canada: World) -> None:
    invoice = _invoice(canada)
    report = await canada.sync("full")
    failed = [o for o in report.failures() if o.kind == "invoice"]
    assert len(failed) == 1 and "items.tax_code_id" in failed[0].message
    codes = {c["Name"]: c["Id"] for c in await canada.records("TaxCode")}
    canada.settings(items={"tax_code_id": codes["Standard"]})
    retry = await canada.sync("push", push=[("invoice", invoice["id"])])
    assert retry.failures() == []
    lines = (await canada.records("Invoice"))[0]["Line"]
    assert {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in lines
            if line.get("DetailType") == "SalesItemLineDetail"} == {codes["Standard"]}


async def test_a_payment_across_jobs_fails_with_the_fix(world: World) -> None:
    with world.book() as book:
        book.create("customer", {"company_name": "Two Jobs Inc", "external_id": "C"})
        for job in ("J1", "J2"):
            book.create("job", {"customer_external_id": "C", "name": f"Job {job}",
                                "external_id": job})
            book.create("invoice", {"customer_external_id": "C", "job_external_id": job,
                                    "kind": "project", "status": "finalized",
                                    "external_id": f"I-{job}", "lines": [
                                        {"description": "Work", "unit_price": "100.00"}]})
        payment = book.create("payment", {
            "customer_external_id": "C", "amount": "200.00", "payment_date": "2026-05-01",
            "applications": [{"invoice_external_id": "I-J1", "amount": "100.00"},
                             {"invoice_external_id": "I-J2", "amount": "100.00"}]}).record
    report = await world.sync("full")
    failed = [o for o in report.failures() if o.kind == "payment"]
    assert [o.record_id for o in failed] == [payment["id"]]
    assert "one payment per job" in failed[0].message
    assert len(await world.records("Invoice")) == 2
    assert await world.records("Payment") == []


async def test_an_invoice_deleted_in_quickbooks_and_kept_here_says_so(world: World) -> None:
    from ledgerbridge.qbo.operations import Operation

    invoice = _invoice(world)
    await world.sync("full")
    remote = (await world.records("Invoice"))[0]
    deleted = await world.client.apply([Operation("del-1", "delete", "Invoice", {
        "Id": remote["Id"], "SyncToken": remote["SyncToken"]})])
    assert deleted[0].ok
    daily = await world.sync("daily")
    assert [(o.kind, o.result) for o in daily.outcomes if o.direction == "inbound"] == [
        ("invoice", "skipped")]
    full = await world.sync("full")  # kept here as the settings say: not a failure
    assert [(o.result, o.message) for o in full.outcomes if o.record_id == invoice["id"]
            and o.direction == "outbound"] == [("skipped", "deleted in QuickBooks, kept here")]
    with world.book() as book:
        assert book.get("invoice", invoice["id"])["deleted_at"] is None
        book.update("invoice", invoice["id"], {"memo": "changed after the deletion"})
    after = await world.sync("daily")
    failed = [o for o in after.failures() if o.kind == "invoice"]
    assert len(failed) == 1 and "deleted in QuickBooks" in failed[0].message
