"""Attempts and request ids against the QuickBooks Online sandbox, which, as QuickBooks
does, answers a write whose ``requestid`` it has seen with the answer it gave then.

A new attempt of an operation (a person's retry, a re-read after a stale SyncToken, a
re-send after a refusal) goes under a request id of its own, so it is not answered with
an earlier attempt's error; a re-send of the same attempt (its answer lost) goes under
the same one, so it is not carried out twice. A delete QuickBooks answers with 610 (the
object is gone) is done: it was deleted already."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from ledgerbridge import tenants
from ledgerbridge.api import create_app
from ledgerbridge.engine.operations import OperationStore
from support import qbo_documents as docs
from support.books import engine, tenant_id  # noqa: F401
from support.qbo_world import AnswersLost, World, is_write, make_world


@pytest.fixture
async def numbered(engine: Engine, tenant_id: str) -> AsyncIterator[World]:  # noqa: F811
    """A company whose documents keep the numbers sent (so a duplicate is refused)."""
    async for made in make_world(engine, tenant_id, preferences={
            "class_tracking_per_line": True, "custom_txn_numbers": True}):
        yield made


class Meddling(httpx.AsyncBaseTransport):
    """QuickBooks where a person changes something just before each of the first
    ``times`` writes arrives (so a SyncToken read before is stale by then); records the
    ``requestid`` of every write."""

    def __init__(self, inner: httpx.AsyncBaseTransport, times: int = 0,
                 meddle: Callable[[], Awaitable[None]] | None = None) -> None:
        self.inner, self.times, self.meddle = inner, times, meddle
        self.request_ids: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if is_write(request):
            self.request_ids.append(request.url.params["requestid"])
            if self.times > 0 and self.meddle is not None:
                self.times -= 1
                await self.meddle()
        return await self.inner.handle_async_request(request)


def _op(world: World, op_id: str) -> dict[str, Any]:
    with world.engine.connect() as conn:
        return dict(OperationStore(conn, world.connection_id).get(op_id))


def _outcome(report: Any, record_id: str) -> tuple[str, str, str | None]:
    [found] = [o for o in report.outcomes if o.record_id == record_id
               and o.direction == "outbound"]
    return found.result, found.message, found.op_id


async def _retry_through_the_api(world: World, op_id: str) -> dict[str, Any]:
    """What the console's Retry button does."""
    with world.engine.begin() as conn:
        key = tenants.issue_api_key(conn, world.tenant_id)
    app = create_app(world.engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://book.test",
                                 headers={"Authorization": f"Bearer {key}"}) as api:
        answer = await api.post(f"/v1/connections/{world.connection_id}/log/{op_id}/retry")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_duplicate_number_fixed_in_quickbooks_then_retried_is_sent(
        numbered: World) -> None:
    world = numbered
    made = docs.project(world)
    await world.sync("daily")
    [first] = await world.records("Invoice")
    theirs = await world.qb("Invoice", {  # a person's invoice of the number we send next
        "CustomerRef": first["CustomerRef"], "DocNumber": "1002", "Line": first["Line"]})
    invoice = docs.invoice(world, made, "1002", ("2", "90.00"))
    report = await world.sync("daily")
    result, message, op_id = _outcome(report, invoice["id"])
    assert result == "failed" and "already uses the number '1002'" in message
    assert op_id is not None
    await world.qb("Invoice", {"Id": theirs["Id"], "SyncToken": theirs["SyncToken"],
                               "sparse": True, "DocNumber": "1002-A"}, "update")
    assert (await _retry_through_the_api(world, op_id))["state"] == "pending"
    again = await world.sync("daily")
    assert again.failures() == [] and _outcome(again, invoice["id"])[0] == "created"
    assert set(await world.by_name("Invoice")) == {"1001", "1002", "1002-A"}
    assert _op(world, op_id)["attempts"] == 2


async def test_stale_sync_tokens_on_two_runs_are_read_again_each_time(world: World) -> None:
    """A change made in QuickBooks while each try is on its way: the first run's try and
    its re-read try meet a stale SyncToken (it needs attention), a person retries, and
    the next run meets one again; it reads the customer again and the change goes."""
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Hill Residence"}).record
    await world.sync("daily")
    remote_id = world.remote_id("customer", customer["id"])
    edits = iter(range(100))

    async def a_person_edits() -> None:
        now = await world.get("Customer", remote_id)
        await world.qb("Customer", {"Id": remote_id, "SyncToken": now["SyncToken"],
                                    "sparse": True, "Notes": f"call first ({next(edits)})"},
                       "update")

    with world.book() as book:
        book.update("customer", customer["id"], {"phone": "555-0101"})
    assert world.transport is not None
    meddling = Meddling(world.transport, 2, a_person_edits)
    first = await world.sync_over(meddling)
    result, message, op_id = _outcome(first, customer["id"])
    assert result == "failed" and op_id is not None
    assert message == ("This customer was changed in QuickBooks while ledgerbridge sent a "
                       "change, and again after it was read afresh: retry it once no one "
                       "is editing it in QuickBooks.")
    assert _op(world, op_id)["state"] == "needs_attention"
    assert _op(world, op_id)["message"] == message
    first_ids = meddling.request_ids
    assert len(set(first_ids)) == 2  # the re-read try went as a new request
    assert (await _retry_through_the_api(world, op_id))["state"] == "pending"
    meddling = Meddling(world.transport, 1, a_person_edits)
    second = await world.sync_over(meddling)
    assert second.failures() == [] and _outcome(second, customer["id"])[0] == "updated"
    # the retried try and its re-read try: new requests, neither answered as before
    assert len(set(meddling.request_ids)) == 2 and not set(meddling.request_ids) & set(
        first_ids)
    there = await world.get("Customer", remote_id)
    assert there["PrimaryPhone"]["FreeFormNumber"] == "555-0101"
    assert there["Notes"] == "call first (2)"  # the person's change, read again, kept
    assert _op(world, op_id)["attempts"] == 4


async def test_an_update_whose_answer_was_lost_goes_again_as_the_same_request(
        world: World) -> None:
    """QuickBooks carried the update out and the answer was lost: the next run sends it
    again under the same requestid, and QuickBooks answers as it did (no second
    change)."""
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Hill Residence"}).record
    await world.sync("daily")
    remote_id = world.remote_id("customer", customer["id"])
    with world.book() as book:
        book.update("customer", customer["id"], {"phone": "555-0101"})
    assert world.transport is not None
    lost = await world.sync_over(AnswersLost(world.transport))
    result, message, op_id = _outcome(lost, customer["id"])
    assert result == "retry_later" and "same request" in message and op_id is not None
    assert _op(world, op_id)["state"] == "sent"
    changed = await world.get("Customer", remote_id)
    assert changed["SyncToken"] == "1"
    recording = Meddling(world.transport)
    report = await world.sync_over(recording)
    assert report.failures() == [] and _outcome(report, customer["id"])[0] == "updated"
    assert recording.request_ids == [op_id]
    assert (await world.get("Customer", remote_id))["SyncToken"] == "1"  # done once
    assert _op(world, op_id)["attempts"] == 1


async def test_a_delete_whose_answer_was_lost_is_done_on_the_next_run(world: World) -> None:
    """The delete went in one batch with a create, both carried out, both answers lost.
    The next run finds the create, and sends the delete again alone: QuickBooks answers
    610 (no such invoice), which for a delete means done."""
    made = docs.project(world)
    await world.sync("daily")
    gone = made["invoice"]
    remote_id = world.remote_id("invoice", gone["id"])
    with world.book() as book:
        book.delete("invoice", gone["id"])
    later = docs.invoice(world, made, "1002", ("1", "50.00"))
    assert world.transport is not None
    lost = AnswersLost(world.transport)
    first = await world.sync_over(lost)
    assert lost.lost == 1  # one batch
    assert _outcome(first, gone["id"])[0] == "retry_later"
    assert set(await world.by_name("Invoice")) == {"1002"}
    report = await world.sync("daily")
    assert report.failures() == []
    result, message, op_id = _outcome(report, gone["id"])
    assert result == "deleted" and "deleted already" in message and op_id is not None
    assert _op(world, op_id)["state"] == "done"
    assert _op(world, op_id)["remote_id"] == remote_id
    assert "deleted already" in (_op(world, op_id)["message"] or "")
    link = world.link("invoice", gone["id"])
    assert link is not None and link.sent_hash == "deleted"
    assert docs.results(report, later["id"]) == ["created"]  # found, not made twice
    quiet = await world.sync("daily")
    assert quiet.failures() == []
    assert [o for o in quiet.outcomes if o.direction == "outbound"] == []
    assert set(await world.by_name("Invoice")) == {"1002"}
