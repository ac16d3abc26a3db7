"""A document deleted here is deleted in QuickBooks by the next sync; the sync after sees
that deletion in QuickBooks' change feed. It is the echo of our own write (the record is
deleted on both sides), not a deletion made in QuickBooks: nothing is noted, kept or
sent again, whatever ``delete_when_deleted_in_qb`` says, and an operation whose answer
was lost still ends done."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerbridge.engine.links import GONE
from ledgerbridge.engine.operations import OperationStore
from support import qbo_documents as docs
from support.qbo_world import AnswersLost, World

GROUPS = ("invoices", "payments")


def _set_delete(world: World, delete: bool) -> None:
    world.settings(**{group: {"delete_when_deleted_in_qb": delete} for group in GROUPS})


def _inbound(report: object, record_id: str) -> list[tuple[str, str]]:
    return [(o.result, o.message) for o in report.outcomes  # type: ignore[attr-defined]
            if o.direction == "inbound" and o.record_id == record_id]


async def _sent_then_deleted_here(world: World, delete: bool) -> dict[str, Any]:
    """An invoice in QuickBooks, then deleted here (with the setting as ``delete``)."""
    _set_delete(world, delete)
    made = docs.project(world)
    await world.sync("daily")
    gone: dict[str, Any] = made["invoice"]
    with world.book() as book:
        book.delete("invoice", gone["id"])
    return gone


@pytest.mark.parametrize("delete", [False, True])
async def test_our_own_invoice_delete_seen_in_the_change_feed_is_no_news(
        world: World, delete: bool) -> None:
    gone = await _sent_then_deleted_here(world, delete)
    sent = await world.sync("daily")
    assert docs.results(sent, gone["id"]) == ["deleted"]
    calls = await world.calls()
    echo = await world.sync("daily")  # QuickBooks' change feed now shows the deletion
    assert echo.failures() == []
    assert _inbound(echo, gone["id"]) == []
    assert [o for o in echo.outcomes if o.direction == "outbound"] == []
    assert await world.calls() - calls == 1  # the change feed only: nothing sent again
    link = world.link("invoice", gone["id"])
    assert link is not None and link.sent_hash == "deleted"


@pytest.mark.parametrize("delete", [False, True])
async def test_a_delete_whose_answer_was_lost_ends_done_after_the_feed_shows_it(
        world: World, delete: bool) -> None:
    """The delete was carried out and its answer lost (it stays sent); the next run's
    change feed shows the deletion before the delete is sent again."""
    gone = await _sent_then_deleted_here(world, delete)
    assert world.transport is not None
    lost = await world.sync_over(AnswersLost(world.transport))
    assert docs.results(lost, gone["id"]) == ["retry_later"]
    report = await world.sync("daily")
    assert report.failures() == []
    assert _inbound(report, gone["id"]) == []
    with world.engine.connect() as conn:
        ops = OperationStore(conn, world.connection_id)
        open_ops = [op for op in ops.in_states(("pending", "sent", "blocked"))
                    if op["record_id"] == gone["id"]]
    assert open_ops == []
    link = world.link("invoice", gone["id"])
    assert link is not None and link.sent_hash == "deleted"
    quiet = await world.sync("daily")
    assert quiet.failures() == []
    assert [o for o in quiet.outcomes if o.direction == "outbound"] == []


async def test_an_invoice_deleted_in_quickbooks_is_still_news(world: World) -> None:
    """The same feed entry for an invoice that still lives here is a deletion made in
    QuickBooks: kept here, and said so (the setting is off)."""
    _set_delete(world, False)
    made = docs.project(world)
    await world.sync("daily")
    kept = made["invoice"]
    remote_id = world.remote_id("invoice", kept["id"])
    found = await world.get("Invoice", remote_id)
    await world.qb("Invoice", {"Id": remote_id, "SyncToken": found["SyncToken"]}, "delete")
    report = await world.sync("daily")
    assert _inbound(report, kept["id"]) == [
        ("skipped", "deleted in QuickBooks; kept here (setting)")]
    link = world.link("invoice", kept["id"])
    assert link is not None and link.sent_hash == GONE


@pytest.mark.parametrize("delete", [False, True])
async def test_our_own_payment_delete_seen_in_the_change_feed_is_no_news(
        world: World, delete: bool) -> None:
    _set_delete(world, delete)
    made = docs.project(world)
    invoice = made["invoice"]
    with world.book() as book:
        paid = book.create("payment", {
            "customer_id": invoice["customer_id"], "amount": "10.00",
            "payment_date": invoice["issue_date"],
            "applications": [{"invoice_id": invoice["id"], "amount": "10.00"}]}).record
    await world.sync("daily")
    with world.book() as book:
        book.delete("payment", paid["id"])
    sent = await world.sync("daily")
    assert docs.results(sent, paid["id"]) == ["deleted"]
    calls = await world.calls()
    echo = await world.sync("daily")
    assert echo.failures() == []
    assert _inbound(echo, paid["id"]) == []
    assert [o for o in echo.outcomes if o.direction == "outbound"] == []
    assert await world.calls() - calls == 1
    link = world.link("payment", paid["id"])
    assert link is not None and link.sent_hash == "deleted"
