"""A document's memo goes to QuickBooks as its private note with our ``[lb:...]`` marker
after it. QuickBooks keeps at most 4000 characters (2050 when longer), and the marker
must be there whole (a create whose answer was lost is found by it): a memo too long for
both is cut, ending in an ellipsis, in QuickBooks only. End to end on the QuickBooks
Online sandbox."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support import qbo_documents as docs
from support.qbo_world import AnswersLost, World

Record = dict[str, Any]
MARKER = re.compile(r" \[lb:[0-9a-z]{12}\]$")
#: the longest memo that goes as it is: 4000, less a space and the 17-character marker
ROOM = 3982


def _memo(length: int) -> str:
    words = "Replace the cabinet hinges and check the drawer runners. "
    return (words * (length // len(words) + 1))[:length - 1] + "!"


def _parts(note: str) -> str:
    """The note without our marker, which must end it."""
    found = MARKER.search(note)
    assert found is not None, note[-40:]
    return note[: found.start()]


@pytest.mark.parametrize("length", [ROOM, ROOM + 1, 4000])
async def test_a_long_memo_is_cut_in_quickbooks_only(world: World, length: int) -> None:
    world.settings(invoices={"get_project_invoice_changes": True})
    made = docs.project(world)
    memo = _memo(length)
    invoice = docs.update(world, made["invoice"], memo=memo)
    report = await world.sync("daily")
    assert report.failures() == []
    remote = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    note = remote["PrivateNote"]
    assert len(note) <= 4000
    kept = _parts(note)
    if length <= ROOM:
        assert kept == memo
    else:
        assert len(note) == 4000 - (len(kept) < ROOM)  # the cut may drop a space too
        assert kept.endswith("\u2026") and memo.startswith(kept[:-1])
    # a change made in QuickBooks to something else leaves the memo here whole
    await docs.sparse(world, "Invoice", remote, DueDate="2026-04-30")
    assert (await world.sync("daily")).failures() == []
    here = docs.get(world, invoice["id"])
    assert here["memo"] == memo and str(here["due_date"]) == "2026-04-30"
    await docs.quiet(world, "Invoice", remote["Id"])  # and nothing goes back


async def test_long_memos_of_payments_and_purchase_orders(world: World) -> None:
    made = docs.project(world)
    memo = _memo(4000)
    with world.book() as book:
        vendor = book.create("vendor", {"company_name": "Cabinet Depot"}).record
        book.create("purchase_order", {
            "vendor_id": vendor["id"], "number": "PO-9", "status": "submitted",
            "order_date": "2026-03-02", "memo": memo,
            "lines": [{"work_code_id": made["code"]["id"], "quantity": "2",
                       "unit_cost": "40.00"}]})
        book.create("payment", {
            "customer_id": made["customer"]["id"], "amount": "150.00",
            "payment_date": "2026-03-05", "memo": memo,
            "applications": [{"invoice_id": made["invoice"]["id"], "amount": "150.00"}]})
    report = await world.sync("daily")
    assert report.failures() == []
    for entity in ("PurchaseOrder", "Payment"):
        [remote] = await world.records(entity)
        assert 3990 < len(remote["PrivateNote"]) <= 4000
        assert _parts(remote["PrivateNote"]).endswith("\u2026")


async def test_a_create_with_a_long_memo_whose_answer_was_lost_is_found_by_its_marker(
        world: World) -> None:
    made = docs.project(world)
    await world.sync("daily")
    invoice = docs.invoice(world, made, "2000", ("1", "100.00"))
    invoice = docs.update(world, invoice, memo=_memo(4000))
    assert world.transport is not None
    lost = AnswersLost(world.transport)
    first = await world.sync_over(lost)
    assert docs.results(first, invoice["id"]) == ["retry_later"]
    report = await world.sync("daily")
    assert report.failures() == []
    assert docs.results(report, invoice["id"]) == ["created"]  # found, and linked
    assert sorted(r["DocNumber"] for r in await world.records("Invoice")) == ["1001", "2000"]
