"""A change to an invoice or credit memo in QuickBooks is merged into the book field by
field against the state both sides last agreed on (what was last sent, or last taken
in): what QuickBooks changed comes here, what was changed here goes there, and a field
changed on both sides keeps the change made here, which goes to QuickBooks. The memo is
QuickBooks' private note without our ``[lb:...]`` marker. End to end on the QuickBooks
Online sandbox, for a project invoice, a credit memo sent from a negative invoice here,
and a credit memo made in QuickBooks and taken in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, select

from ledgerbridge.engine.tables import operations
from support import qbo_documents as docs
from support.qbo_world import World

Record = dict[str, Any]
MARKER = re.compile(r"\[lb:[0-9a-z]{12}\]")
#: the three kinds of document whose QuickBooks changes are followed here
KINDS = ["invoice", "credit_memo", "credit_memo_taken_in"]


@dataclass
class Doc:
    """A document on both sides: QuickBooks' (as last read) and the book's."""

    entity: str
    remote: Record
    record: Record
    made: Record
    created_here: bool

    @property
    def date(self) -> tuple[str, str]:
        """A date of the document: (QuickBooks' field, the book's)."""
        return ("DueDate", "due_date") if self.entity == "Invoice" else ("TxnDate",
                                                                         "issue_date")

    @property
    def sign(self) -> int:
        return 1 if self.entity == "Invoice" else -1

    async def there(self, world: World) -> Record:
        self.remote = await world.get(self.entity, self.remote["Id"])
        return self.remote

    def here(self, world: World) -> Record:
        return docs.get(world, self.record["id"])


async def _document(world: World, kind: str) -> Doc:
    """A project invoice or a credit memo sent from here, or a credit memo made in
    QuickBooks and taken in, whose changes in QuickBooks the settings follow."""
    world.settings(invoices={"get_project_invoice_changes": True})
    made = docs.project(world)
    if kind == "credit_memo":
        remote, record = await docs.memo_from_here(world, made)
        return Doc("CreditMemo", remote, record, made, True)
    if kind == "credit_memo_taken_in":
        await world.sync("daily")
        remote, record = await docs.memo_in_quickbooks(world, made,
                                                       PrivateNote="Damaged on delivery")
        assert record["memo"] == "Damaged on delivery"
        return Doc("CreditMemo", remote, record, made, False)
    record = docs.update(world, made["invoice"], due_date="2026-04-01")
    assert (await world.sync("daily")).failures() == []
    remote = await world.get("Invoice", world.remote_id("invoice", record["id"]))
    return Doc("Invoice", remote, record, made, True)


def _note(remote: Record) -> str:
    """QuickBooks' private note without our markers."""
    return MARKER.sub("", str(remote.get("PrivateNote") or "")).strip()


def _taken(world: World, record_id: str) -> list[str]:
    """The messages of the record's inbound log entries for fields taken in."""
    with world.engine.connect() as conn:
        return list(conn.execute(select(operations.c.message).where(
            operations.c.connection_id == world.connection_id,
            operations.c.record_id == record_id, operations.c.direction == "inbound",
            operations.c.action == "take").order_by(operations.c.record_version)).scalars())


async def _synced(world: World, doc: Doc, *results: str) -> Record:
    """A daily sync, without failures, that did ``results`` (among others) to the book
    record; the record as it left it."""
    report = await world.sync("daily")
    assert report.failures() == []
    done = docs.results(report, doc.record["id"])
    assert all(result in done for result in results), done
    return doc.here(world)


# one side changes ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
async def test_a_memo_changed_in_quickbooks_comes_here_without_our_marker(
        world: World, kind: str) -> None:
    doc = await _document(world, kind)
    marker = MARKER.search(str(doc.remote.get("PrivateNote") or ""))
    assert (marker is not None) == doc.created_here            # what we made is marked
    note = "Call before the visit" + (f" {marker.group()}" if marker else "")
    changed = await docs.sparse(world, doc.entity, doc.remote, PrivateNote=note)
    now = await _synced(world, doc, "changed_here")
    assert now["memo"] == "Call before the visit"
    assert now["total"] == doc.record["total"] and now["lines"] == doc.record["lines"]
    assert str(now["issue_date"]) == str(doc.record["issue_date"])
    assert _taken(world, doc.record["id"])[-1] == "taken from QuickBooks: memo"
    await docs.quiet(world, doc.entity, doc.remote["Id"])      # not echoed back
    there = await doc.there(world)
    assert there["SyncToken"] == changed["SyncToken"] and there["PrivateNote"] == note
    assert [action for action, _ in docs.outbound_ops(world, doc.record["id"])] == (
        ["create"] if doc.created_here else [])


@pytest.mark.parametrize("kind", KINDS)
async def test_a_memo_changed_here_goes_while_a_date_changed_in_quickbooks_comes(
        world: World, kind: str) -> None:
    doc = await _document(world, kind)
    there_date, here_date = doc.date
    docs.update(world, doc.record, memo="Gate code 4411")
    await docs.sparse(world, doc.entity, doc.remote, **{there_date: "2026-04-15"})
    now = await _synced(world, doc, "changed_here", "updated")
    assert str(now[here_date]) == "2026-04-15" and now["memo"] == "Gate code 4411"
    there = await doc.there(world)
    assert there[there_date] == "2026-04-15" and _note(there) == "Gate code 4411"
    link = world.link("invoice", doc.record["id"])        # still known as taken in or not
    assert link is not None and link.how == ("created" if doc.created_here else "imported")
    await docs.quiet(world, doc.entity, doc.remote["Id"])


@pytest.mark.parametrize("kind", ["invoice", "credit_memo"])
async def test_a_document_made_in_quickbooks_comes_with_its_note(world: World, kind: str
                                                                 ) -> None:
    """A project invoice or credit memo made in QuickBooks is taken in with its private
    note as the memo."""
    world.settings(invoices={"get_new_project_invoices": True})
    made = docs.project(world)
    assert (await world.sync("daily")).failures() == []
    entity = "Invoice" if kind == "invoice" else "CreditMemo"
    item = world.remote_id("work_code", made["code"]["id"])
    remote = await world.qb(entity, {
        "CustomerRef": {"value": world.remote_id("job", made["job"]["id"])},
        "DocNumber": "QB-9", "TxnDate": "2026-03-09", "PrivateNote": "Measured on site",
        "Line": [docs.line(item, 80.0)]})
    assert (await world.sync("daily")).failures() == []
    with world.engine.connect() as conn:
        record_id = conn.execute(select(operations.c.record_id).where(
            operations.c.connection_id == world.connection_id,
            operations.c.remote_id == remote["Id"], operations.c.action == "take")).scalar()
    assert record_id is not None
    taken = docs.get(world, record_id)
    assert taken["memo"] == "Measured on site" and taken["doc_number"] == "QB-9"
    await docs.quiet(world, entity, remote["Id"])


# both sides change the same field ----------------------------------------------------------------
def _both_sides(doc: Doc, field: str, item: str) -> tuple[Record, Record]:
    """The change made here to ``field`` and the one made in QuickBooks."""
    if field == "memo":
        marker = MARKER.search(str(doc.remote.get("PrivateNote") or ""))
        return ({"memo": "Refund agreed on site"},
                {"PrivateNote": "Refund by cheque" + (f" {marker.group()}" if marker else "")})
    if field == "date":
        there_date, here_date = doc.date
        return {here_date: "2026-04-20"}, {there_date: "2026-04-15"}
    two = {"work_code_id": doc.made["code"]["id"], "description": "Two cabinets",
           "quantity": str(2 * doc.sign), "unit_price": "150.00"}
    return {"lines": [two]}, {"Line": [docs.line(item, 90.0)]}


@pytest.mark.parametrize("field", ["memo", "date", "lines"])
@pytest.mark.parametrize("kind", KINDS)
async def test_a_field_changed_on_both_sides_keeps_the_change_made_here(
        world: World, kind: str, field: str) -> None:
    """The change made here is kept and goes to QuickBooks (as it does when QuickBooks
    changes another field); QuickBooks' value of that field is not taken."""
    doc = await _document(world, kind)
    item = world.remote_id("work_code", doc.made["code"]["id"])
    here, there = _both_sides(doc, field, item)
    docs.update(world, doc.record, **here)
    await docs.sparse(world, doc.entity, doc.remote, **there)
    now = await _synced(world, doc, "updated")
    remote = await doc.there(world)
    if field == "memo":
        assert now["memo"] == "Refund agreed on site" == _note(remote)
    elif field == "date":
        there_date, here_date = doc.date
        assert str(now[here_date]) == "2026-04-20" == remote[there_date]
    else:
        assert [line["description"] for line in now["lines"]] == ["Two cabinets"]
        assert str(now["total"]) == f"{300 * doc.sign}.00" and remote["TotalAmt"] == 300.0
        assert [line["Description"] for line in remote["Line"]
                if line["DetailType"] == "SalesItemLineDetail"] == ["Two cabinets"]
    assert _taken(world, doc.record["id"]) == (
        [] if doc.created_here else ["taken from QuickBooks: doc_number, issue_date, memo, "
                                     "lines"])                 # only the first take-in
    await docs.quiet(world, doc.entity, doc.remote["Id"])


# the base: the last agreement, whichever way it went ---------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
async def test_a_memo_changed_back_here_goes_against_the_last_agreement(
        world: World, kind: str) -> None:
    """The memo changed here back to a value it had: it goes, whether the last agreement
    was a change sent (against an older memo taken in, QuickBooks' note would look
    changed) or a change taken in (against the older memo sent, likewise)."""
    doc = await _document(world, kind)
    there_date, here_date = doc.date
    first = doc.record["memo"]
    # 1. the memo goes, the date comes: sent last, at the version taken in
    docs.update(world, doc.record, memo="Gate code 4411")
    await docs.sparse(world, doc.entity, doc.remote, **{there_date: "2026-04-15"})
    await _synced(world, doc, "updated")
    # 2. back here; the number changed there
    docs.update(world, doc.record, memo=first)
    await docs.sparse(world, doc.entity, await doc.there(world), DocNumber="X-2")
    now = await _synced(world, doc, "changed_here", "updated")
    assert now["doc_number"] == "X-2" and now["memo"] == first
    assert _note(await doc.there(world)) == first
    # 3. the memo changed there: taken in last
    marker = MARKER.search(str(doc.remote.get("PrivateNote") or ""))
    await docs.sparse(world, doc.entity, doc.remote, PrivateNote="Call first" + (
        f" {marker.group()}" if marker else ""))
    assert (await _synced(world, doc, "changed_here"))["memo"] == "Call first"
    # 4. back here; the date changed there
    docs.update(world, doc.record, memo=first)
    await docs.sparse(world, doc.entity, await doc.there(world), **{there_date: "2026-04-30"})
    now = await _synced(world, doc, "changed_here", "updated")
    assert str(now[here_date]) == "2026-04-30" and now["memo"] == first
    there = await doc.there(world)
    assert _note(there) == first and there[there_date] == "2026-04-30"
    await docs.quiet(world, doc.entity, doc.remote["Id"])


async def test_with_no_agreement_on_record_quickbooks_fields_come_and_the_memo_stays(
        world: World) -> None:
    """A credit memo taken in before take-ins were logged has no base: QuickBooks'
    fields are taken as they were then, and the memo (never taken then) stays."""
    doc = await _document(world, "credit_memo_taken_in")
    with world.engine.begin() as conn:
        conn.execute(delete(operations).where(
            operations.c.connection_id == world.connection_id,
            operations.c.record_id == doc.record["id"]))
    await docs.sparse(world, doc.entity, doc.remote, TxnDate="2026-03-20",
                      PrivateNote="Call first")
    now = await _synced(world, doc, "changed_here")
    assert str(now["issue_date"]) == "2026-03-20" and now["memo"] == "Damaged on delivery"
    assert _taken(world, doc.record["id"]) == ["taken from QuickBooks: issue_date"]
    await docs.quiet(world, doc.entity, doc.remote["Id"])
