"""QuickBooks changes that change data capture cannot list, read another way, end to end
on the QuickBooks Online sandbox: a daily sync whose watermark is over CDC's 30 days
reads what changed since by query, and finds the documents deleted meanwhile among the
ones it links; a window too busy for CDC (1000 objects an answer) loses no deletion.
Nothing made, changed, paid or deleted in QuickBooks during the gap is lost."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ledgerbridge.engine import state
from ledgerbridge.engine.links import LinkStore
from ledgerbridge.engine.runner import Mode, RunReport
from ledgerbridge.sandbox.qbo.clock import format_meta
from support import qbo_documents as docs
from support.qbo_world import World
from support.recording import Recorder

Record = dict[str, Any]
DAY = 86_400.0


def age_watermark(world: World, days: float) -> None:
    """The connection's QuickBooks watermark, as if its last sync ran ``days`` ago."""
    with world.engine.begin() as conn:
        state.save(conn, world.connection_id,
                   changes_watermark=datetime.now(UTC) - timedelta(days=days))


async def sync(world: World, mode: Mode = "daily") -> tuple[RunReport, list[list[str | None]]]:
    """A sync whose QuickBooks calls are kept: ``(report, each call's queries)``."""
    assert world.transport is not None
    calls = Recorder(world.transport, accounting_only=True)
    report = await world.sync_over(calls, mode)
    return report, calls.queries()


async def at(world: World, seconds_ago: float) -> None:
    """QuickBooks' clock set back by ``seconds_ago`` (0: now again)."""
    now = (await world.admin.get("/sandbox/clock")).json()["now"]
    moved = time.time() - seconds_ago - now
    await world.admin.post("/sandbox/clock", json={"advance_seconds": moved})


async def remote_of(world: World, record: Record) -> Record:
    return await world.get("Invoice", world.remote_id("invoice", record["id"]))


async def delete_there(world: World, entity: str, remote: Record) -> None:
    await world.qb(entity, {"Id": remote["Id"], "SyncToken": remote["SyncToken"]},
                   action="delete")


def linked_to(world: World, kind: str, remote_id: str) -> Record:
    """The book record linked to QuickBooks' ``remote_id`` (it must be linked)."""
    with world.engine.connect() as conn:
        link = LinkStore(conn, world.connection_id).by_remote(kind, remote_id)
    assert link is not None, f"{kind} {remote_id} is not linked"
    return docs.get(world, link.record_id, link.record_kind)


async def test_a_daily_sync_past_the_change_window_loses_no_document_change(
        world: World) -> None:
    """The connection slept 31 days. Meanwhile, in QuickBooks, an invoice was made for
    the job, one changed, one paid and one deleted: all of it reaches the book with the
    next daily sync, in two calls (changes since, COUNT of the linked ids; then the rows
    of the ids that came up short), and the sync after goes back to CDC."""
    world.settings(invoices={"get_new_project_invoices": True,
                             "get_project_invoice_changes": True,
                             "delete_when_deleted_in_qb": True})
    made = docs.project(world)
    changed = docs.invoice(world, made, "1002", ("1", "200.00"))
    paid = docs.invoice(world, made, "1003", ("1", "120.00"))
    gone = docs.invoice(world, made, "1004", ("1", "90.00"))
    assert (await world.sync("daily")).failures() == []
    age_watermark(world, days=31)
    job = world.remote_id("job", made["job"]["id"])
    item = world.remote_id("work_code", made["code"]["id"])
    new = await world.qb("Invoice", {"CustomerRef": {"value": job}, "DocNumber": "Q-1",
                                     "TxnDate": "2026-03-15",
                                     "Line": [docs.line(item, 75.0, "Extra hinge")]})
    await docs.sparse(world, "Invoice", await remote_of(world, changed),
                      TxnDate="2026-03-20", Line=[docs.line(item, 210.0, "Cabinet, revised")])
    payment = await docs.pay_in_quickbooks(world, await remote_of(world, paid), 120.0)
    await delete_there(world, "Invoice", await remote_of(world, gone))

    report, calls = await sync(world)
    assert report.failures() == []
    taken = linked_to(world, "invoice", new["Id"])
    assert (taken["doc_number"], str(taken["total"]), taken["kind"]) == ("Q-1", "75.00",
                                                                         "project")
    now = docs.get(world, changed["id"])
    assert str(now["total"]) == "210.00" and str(now["issue_date"]) == "2026-03-20"
    assert now["lines"][0]["description"] == "Cabinet, revised"
    assert docs.get(world, paid["id"])["status"] == "paid"
    assert str(docs.get(world, paid["id"])["balance"]) == "0.00"
    assert str(linked_to(world, "payment", payment["Id"])["amount"]) == "120.00"
    assert docs.get(world, gone["id"])["deleted_at"] is not None
    assert world.link("invoice", gone["id"]) is None
    assert len(calls) == 2, calls                    # no CDC call: it cannot go back 31 days
    assert not any("LastUpdatedTime" in str(q) for q in calls[1])   # only the short ids

    report, calls = await sync(world)                 # back to CDC, and nothing to take
    assert report.failures() == [] and report.outcomes == []
    assert len(calls) == 1 and calls[0] == [None]     # the CDC call (no query)
    await docs.quiet(world, "Invoice", world.remote_id("invoice", changed["id"]))


async def test_past_the_change_window_with_nothing_deleted_costs_one_call(
        world: World) -> None:
    """The linked ids are all still there (their COUNT says so): one batch call reads
    the changes since the watermark and checks the ids."""
    made = docs.project(world)
    assert (await world.sync("daily")).failures() == []
    age_watermark(world, days=45)
    item = world.remote_id("work_code", made["code"]["id"])
    await docs.sparse(world, "Invoice", await remote_of(world, made["invoice"]),
                      Line=[docs.line(item, 160.0)])
    report, calls = await sync(world)
    assert report.failures() == []
    # project invoice changes are off (the default): the link follows QuickBooks' version
    assert str(docs.get(world, made["invoice"]["id"])["total"]) == "150.00"
    link = world.link("invoice", made["invoice"]["id"])
    assert link is not None
    assert link.remote_version == (await remote_of(world, made["invoice"]))["SyncToken"]
    [queries] = calls
    assert all("LastUpdatedTime" in str(q) or "Id IN" in str(q) for q in queries), queries


async def test_a_payment_deleted_past_the_change_window_is_found(world: World) -> None:
    world.settings(payments={"delete_when_deleted_in_qb": True})
    made = docs.project(world)
    assert (await world.sync("daily")).failures() == []
    payment = await docs.pay_in_quickbooks(world, await remote_of(world, made["invoice"]),
                                           150.0)
    assert (await world.sync("daily")).failures() == []
    taken = linked_to(world, "payment", payment["Id"])
    assert docs.get(world, made["invoice"]["id"])["status"] == "paid"
    age_watermark(world, days=31)
    await delete_there(world, "Payment", await world.get("Payment", payment["Id"]))
    report, _ = await sync(world)
    assert report.failures() == []
    assert docs.get(world, taken["id"], "payment")["deleted_at"] is not None
    back = docs.get(world, made["invoice"]["id"])
    assert back["status"] == "finalized" and str(back["balance"]) == "150.00"


def busy_invoices(customer: str, count: int, start: float, step: float) -> list[Record]:
    """Invoices of a customer the book does not follow, changed ``step`` seconds apart
    from ``start`` (epoch seconds): a busy day in QuickBooks."""
    return [{"CustomerRef": {"value": customer}, "DocNumber": f"B-{i}", "TxnDate": "2026-03-01",
             "TotalAmt": 10.0, "Balance": 10.0,
             "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 10.0,
                       "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1,
                                               "UnitPrice": 10.0}}],
             "MetaData": {"CreateTime": format_meta(start + i * step),
                          "LastUpdatedTime": format_meta(start + i * step)}}
            for i in range(count)]


async def test_a_window_too_busy_for_cdc_loses_no_deletion(world: World) -> None:
    """Over 1000 invoices changed in the last hours: CDC's answer is cut short, so the
    window is read by query, which cannot show deletions. The linked invoices are
    checked instead: the one deleted early in the window is deleted here, the one
    changed then is taken in."""
    world.settings(invoices={"get_project_invoice_changes": True,
                             "delete_when_deleted_in_qb": True})
    made = docs.project(world)
    gone = docs.invoice(world, made, "1002", ("1", "90.00"))
    assert (await world.sync("daily")).failures() == []
    age_watermark(world, days=1)
    item = world.remote_id("work_code", made["code"]["id"])
    await at(world, 20 * 3600)                       # early in the window
    await docs.sparse(world, "Invoice", await remote_of(world, made["invoice"]),
                      Line=[docs.line(item, 170.0, "Cabinet, wider")])
    await delete_there(world, "Invoice", await remote_of(world, gone))
    await at(world, 0)
    walk_in = (await world.seed({"Customer": [{"DisplayName": "Walk-in"}]}))["Customer"][0]
    await world.seed({"Invoice": busy_invoices(walk_in, 1100, time.time() - 10 * 3600, 30)})

    report, calls = await sync(world)
    assert report.failures() == []
    now = docs.get(world, made["invoice"]["id"])
    assert str(now["total"]) == "170.00" and now["lines"][0]["description"] == "Cabinet, wider"
    assert docs.get(world, gone["id"])["deleted_at"] is not None
    assert world.link("invoice", gone["id"]) is None
    checks = [q for call in calls for q in call if q and "Id IN" in q]
    assert len(checks) == 2, checks          # COUNT of the linked ids, then their rows
    assert all("FROM Invoice " in q for q in checks)


async def test_a_busy_window_reads_each_change_once_and_loses_nothing(world: World) -> None:
    """2500 invoices changed through the day in QuickBooks, and among them a linked
    invoice changed, another deleted, and a payment taken in earlier deleted: the change
    and both deletions reach the book. CDC's cut answer is not asked again in smaller
    windows: the kinds are read by query, each object once (twice for the 1000 of the
    CDC answer, and the linked ids checked for deletions), in five calls: CDC; every
    kind's COUNT and first page; the missing pages; the COUNT of the linked ids; the
    rows of those among which some are gone."""
    world.settings(invoices={"get_project_invoice_changes": True,
                             "delete_when_deleted_in_qb": True},
                   payments={"delete_when_deleted_in_qb": True})
    made = docs.project(world)
    gone = docs.invoice(world, made, "1002", ("1", "90.00"))
    paid = docs.invoice(world, made, "1003", ("1", "120.00"))
    assert (await world.sync("daily")).failures() == []
    payment = await docs.pay_in_quickbooks(world, await remote_of(world, paid), 120.0)
    assert (await world.sync("daily")).failures() == []
    taken = linked_to(world, "payment", payment["Id"])
    age_watermark(world, days=1)
    item = world.remote_id("work_code", made["code"]["id"])
    walk_in = (await world.seed({"Customer": [{"DisplayName": "Walk-in"}]}))["Customer"][0]
    await world.seed({"Invoice": busy_invoices(walk_in, 2500, time.time() - 22 * 3600, 30)})
    await at(world, 15 * 3600)
    await docs.sparse(world, "Invoice", await remote_of(world, made["invoice"]),
                      Line=[docs.line(item, 170.0, "Cabinet, wider")])
    await at(world, 8 * 3600)
    await delete_there(world, "Invoice", await remote_of(world, gone))
    await at(world, 3600)
    await delete_there(world, "Payment", await world.get("Payment", payment["Id"]))
    await at(world, 0)

    assert world.transport is not None
    calls = Recorder(world.transport, accounting_only=True, keep_answers=True)
    report = await world.sync_over(calls)
    assert report.failures() == []
    now = docs.get(world, made["invoice"]["id"])
    assert str(now["total"]) == "170.00" and now["lines"][0]["description"] == "Cabinet, wider"
    assert docs.get(world, gone["id"])["deleted_at"] is not None
    assert docs.get(world, taken["id"], "payment")["deleted_at"] is not None
    assert str(docs.get(world, paid["id"])["balance"]) == "120.00"
    read = calls.objects_read()
    assert sum(1 for entity, _ in read if entity == "Invoice") >= 2500
    linked = 3 + 1  # the invoices and the payment, read again by the deletion check
    assert max(read.values()) <= 3
    assert sum(read.values()) <= len(read) + 1000 + linked, sum(read.values())
    assert len(calls.requests) == 5, calls.queries()


async def test_an_invoice_we_deleted_is_not_looked_for_past_the_change_window(
        world: World) -> None:
    """Our own delete is known: its id is left out of the linked ids counted, so a COUNT
    does not come up short for it (and read the ids again) on every such sync."""
    made = docs.project(world)
    later = docs.invoice(world, made, "1002", ("1", "50.00"))
    assert (await world.sync("daily")).failures() == []
    with world.book() as book:
        book.delete("invoice", made["invoice"]["id"])
    sent = await world.sync("daily")
    assert docs.results(sent, made["invoice"]["id"]) == ["deleted"]
    age_watermark(world, days=45)
    report, calls = await sync(world)
    assert report.failures() == []
    [queries] = calls                                # one batch call: nothing came up short
    counted = " ".join(str(q) for q in queries if "Id IN" in str(q))
    assert world.remote_id("invoice", later["id"]) in counted
    assert f"'{world.link('invoice', made['invoice']['id']).remote_id}'" not in counted  # type: ignore[union-attr]
