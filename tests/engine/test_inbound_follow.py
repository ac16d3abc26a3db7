"""QuickBooks-side changes to documents followed into the book, end to end on the
QuickBooks Online sandbox: credit memos (taken in, or made from a negative invoice here)
changed or deleted in QuickBooks, and a paid invoice opened again by a payment deleted
in QuickBooks. Nothing taken in is ever sent back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ledgerbridge.engine.links import GONE, Link, LinkStore
from ledgerbridge.engine.runner import Mode
from ledgerbridge.engine.tables import operations
from ledgerbridge.settings import mappings
from support.qbo_world import World

Record = dict[str, Any]


# the book ---------------------------------------------------------------------------------
def _project(world: World) -> Record:
    """A customer, its job, a work code, and a finalized invoice of the job (which
    makes the job a QuickBooks sub-customer)."""
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Hill Residence"}).record
        job = book.create("job", {"customer_id": customer["id"],
                                  "name": "Kitchen remodel"}).record
        code = book.create("work_code", {"name": "Cabinets", "rate": "80.00"}).record
    made = {"customer": customer, "job": job, "code": code}
    made["invoice"] = _invoice(world, made, "1001", ("1", "150.00"))
    return made


def _invoice(world: World, made: Record, doc: str, *lines: tuple[str, str],
             status: str = "finalized", cost_type: str | None = None) -> Record:
    """A project invoice; each line is (quantity, unit price): ("-1", "120.00") is a
    credit line, so an invoice of only those is a negative invoice (a credit memo)."""
    body = {"customer_id": made["customer"]["id"], "job_id": made["job"]["id"],
            "kind": "project", "status": status, "doc_number": doc,
            "issue_date": "2026-03-02", "memo": "As agreed",
            "lines": [{"work_code_id": made["code"]["id"], "description": "Cabinet",
                       "quantity": quantity, "unit_price": price, "cost_type_id": cost_type}
                      for quantity, price in lines]}
    with world.book() as book:
        return book.create("invoice", body).record


def _get(world: World, record_id: str, kind: str = "invoice") -> Record:
    with world.book() as book:
        return book.page(kind, include_deleted=True, filters={"id": record_id}).items[0]


def _update(world: World, record: Record, **changes: Any) -> Record:
    with world.book() as book:
        return book.update("invoice", record["id"], changes).record


def _outbound_ops(world: World, record_id: str) -> list[tuple[str, int]]:
    """(action, record version) of every outbound operation stored for the record."""
    with world.engine.connect() as conn:
        rows = conn.execute(select(operations.c.action, operations.c.record_version).where(
            operations.c.connection_id == world.connection_id,
            operations.c.record_id == record_id,
            operations.c.direction == "outbound").order_by(operations.c.created_at))
        return [(row.action, row.record_version) for row in rows]


def _results(report: Any, record_id: str) -> list[str]:
    return [o.result for o in report.outcomes if o.record_id == record_id]


def _line(item: str, amount: float, description: str = "Damaged cabinet",
          class_: str | None = None) -> Record:
    detail: Record = {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": amount}
    if class_ is not None:
        detail["ClassRef"] = {"value": class_}
    return {"DetailType": "SalesItemLineDetail", "Amount": amount,
            "Description": description, "SalesItemLineDetail": detail}


async def _sparse(world: World, entity: str, remote: Record, **changes: Any) -> Record:
    return await world.qb(entity, {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                                   "sparse": True, **changes}, action="update")


async def _memo_in_quickbooks(world: World, made: Record) -> tuple[Record, Record]:
    """A credit memo made in QuickBooks for the job, taken in as a negative invoice."""
    job = world.remote_id("job", made["job"]["id"])
    item = world.remote_id("work_code", made["code"]["id"])
    memo = await world.qb("CreditMemo", {
        "CustomerRef": {"value": job}, "DocNumber": "CM-7", "TxnDate": "2026-03-09",
        "Line": [_line(item, 80.0)]})
    report = await world.sync("daily")
    assert report.failures() == []
    link = next(link for link in _links(world) if link.remote_id == memo["Id"])
    negative = _get(world, link.record_id)
    assert str(negative["total"]) == "-80.00" and link.how == "imported"
    return memo, negative


def _links(world: World) -> list[Link]:
    with world.engine.connect() as conn:
        return [link for link in LinkStore(conn, world.connection_id).all()
                if link.remote_kind == "credit_memo"]


async def _memo_from_here(world: World, made: Record, cost_type: str | None = None
                          ) -> tuple[Record, Record]:
    """A negative invoice of the book, sent to QuickBooks as a credit memo."""
    negative = _invoice(world, made, "C-1", ("-1", "120.00"), cost_type=cost_type)
    report = await world.sync("daily")
    assert report.failures() == []
    link = world.link("invoice", negative["id"])
    assert link is not None and link.remote_kind == "credit_memo" and link.how == "created"
    return await world.get("CreditMemo", link.remote_id), negative


async def _quiet(world: World, entity: str, remote_id: str) -> None:
    """A daily and a full sync send nothing about the record back to QuickBooks."""
    token = (await world.get(entity, remote_id))["SyncToken"]
    modes: tuple[Mode, ...] = ("daily", "full")
    for mode in modes:
        report = await world.sync(mode)
        assert report.failures() == []
        assert (await world.get(entity, remote_id))["SyncToken"] == token, mode


# credit memos made in QuickBooks ----------------------------------------------------------
async def test_a_credit_memo_changed_in_quickbooks_changes_its_negative_invoice(
        world: World) -> None:
    made = _project(world)
    await world.sync("daily")
    memo, negative = await _memo_in_quickbooks(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    changed = await _sparse(world, "CreditMemo", memo, TxnDate="2026-03-12", DocNumber="CM-8",
                            Line=[_line(item, 95.5, "Two damaged doors"), _line(item, 10.0)])
    report = await world.sync("daily")
    assert report.failures() == []
    assert "changed_here" in _results(report, negative["id"])
    now = _get(world, negative["id"])
    assert str(now["total"]) == "-105.50" and str(now["issue_date"]) == "2026-03-12"
    assert now["doc_number"] == "CM-8" and now["status"] == "finalized"
    assert [line["description"] for line in now["lines"]] == ["Two damaged doors",
                                                              "Damaged cabinet"]
    assert all(line["work_code_id"] == made["code"]["id"] for line in now["lines"])
    await _quiet(world, "CreditMemo", memo["Id"])          # not echoed back
    assert _outbound_ops(world, negative["id"]) == []
    assert (await world.get("CreditMemo", memo["Id"]))["SyncToken"] == changed["SyncToken"]
    assert len(await world.records("CreditMemo")) == 1


async def test_credit_memo_changes_stop_when_credit_memos_are_not_taken_in(
        world: World) -> None:
    made = _project(world)
    await world.sync("daily")
    memo, negative = await _memo_in_quickbooks(world, made)
    world.settings(invoices={"credit_memo_as_negative_invoice": False})
    item = world.remote_id("work_code", made["code"]["id"])
    await _sparse(world, "CreditMemo", memo, Line=[_line(item, 60.0)])
    await world.sync("daily")
    assert _get(world, negative["id"])["version"] == negative["version"]
    await _quiet(world, "CreditMemo", memo["Id"])


async def test_a_credit_memo_voided_in_quickbooks_voids_its_negative_invoice(
        world: World) -> None:
    made = _project(world)
    await world.sync("daily")
    memo, negative = await _memo_in_quickbooks(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    zero = _line(item, 0.0)          # voided in QuickBooks: amounts zeroed, noted Voided
    del zero["SalesItemLineDetail"]["Qty"], zero["SalesItemLineDetail"]["UnitPrice"]
    await _sparse(world, "CreditMemo", memo, PrivateNote="Voided", Line=[zero])
    report = await world.sync("daily")
    assert report.failures() == []
    now = _get(world, negative["id"])
    assert now["status"] == "void" and str(now["total"]) == "-80.00"
    await _quiet(world, "CreditMemo", memo["Id"])
    assert _outbound_ops(world, negative["id"]) == []


@pytest.mark.parametrize("delete", [True, False])
async def test_a_credit_memo_deleted_in_quickbooks(world: World, delete: bool) -> None:
    world.settings(invoices={"delete_when_deleted_in_qb": delete})
    made = _project(world)
    await world.sync("daily")
    memo, negative = await _memo_in_quickbooks(world, made)
    await world.qb("CreditMemo", {"Id": memo["Id"], "SyncToken": memo["SyncToken"]},
                   action="delete")
    report = await world.sync("daily")
    assert report.failures() == []
    _follows_the_deletion(world, negative, delete, report)
    await world.sync("daily")
    assert await world.records("CreditMemo") == []          # not sent again


def _follows_the_deletion(world: World, negative: Record, delete: bool, report: Any) -> None:
    kept = _get(world, negative["id"])
    link = world.link("invoice", negative["id"])
    if delete:
        assert kept["deleted_at"] is not None and link is None
        assert _results(report, negative["id"]) == ["deleted"]
    else:
        assert kept["deleted_at"] is None and kept["version"] == negative["version"]
        assert link is not None and link.sent_hash == GONE
        assert _results(report, negative["id"]) == ["skipped"]


# credit memos made from a negative invoice here --------------------------------------------
@pytest.mark.parametrize("get_changes", [True, False])
async def test_a_credit_memo_we_sent_changed_in_quickbooks(world: World, get_changes: bool
                                                           ) -> None:
    world.settings(invoices={"get_project_invoice_changes": get_changes})
    made = _project(world)
    memo, negative = await _memo_from_here(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    changed = await _sparse(world, "CreditMemo", memo, TxnDate="2026-03-20",
                            Line=[_line(item, 90.0, "Cabinet, partly")])
    report = await world.sync("daily")
    assert report.failures() == []
    now = _get(world, negative["id"])
    if get_changes:
        assert str(now["total"]) == "-90.00" and str(now["issue_date"]) == "2026-03-20"
        assert now["lines"][0]["description"] == "Cabinet, partly"
        assert now["memo"] == "As agreed" and now["doc_number"] == "C-1"
    else:
        assert now["version"] == negative["version"] and str(now["total"]) == "-120.00"
    await _quiet(world, "CreditMemo", memo["Id"])
    assert _outbound_ops(world, negative["id"]) == [("create", 1)]   # never sent back
    assert (await world.get("CreditMemo", memo["Id"]))["SyncToken"] == changed["SyncToken"]


@pytest.mark.parametrize("mapped", [True, False])
async def test_cost_types_stay_on_the_lines_taken_in(world: World, mapped: bool) -> None:
    """A cost type sent as a QuickBooks class (mapped to one, or made as one) is the
    line's cost type again when QuickBooks' lines are taken in."""
    world.settings(invoices={"get_project_invoice_changes": True})
    made = _project(world)
    with world.book() as book:
        labor = book.create("cost_type", {"name": "Labor"}).record
        if mapped:
            class_ = (await world.seed({"Class": [{"Name": "Field Labor"}]}))["Class"][0]
            mappings.put(book.conn, world.connection_id, "cost_type_class", labor["id"],
                         class_, "Field Labor")
    memo, negative = await _memo_from_here(world, made, labor["id"])
    class_id = memo["Line"][0]["SalesItemLineDetail"]["ClassRef"]["value"]
    item = world.remote_id("work_code", made["code"]["id"])
    await _sparse(world, "CreditMemo", memo, Line=[_line(item, 90.0, class_=class_id)])
    await world.sync("daily")
    now = _get(world, negative["id"])
    assert str(now["total"]) == "-90.00" and now["lines"][0]["cost_type_id"] == labor["id"]
    await _quiet(world, "CreditMemo", memo["Id"])


async def test_a_credit_memo_we_sent_changed_on_both_sides(world: World) -> None:
    """QuickBooks' amounts, lines and date are taken; a change made here meanwhile to
    what QuickBooks does not change (the memo) still goes to QuickBooks."""
    world.settings(invoices={"get_project_invoice_changes": True})
    made = _project(world)
    memo, negative = await _memo_from_here(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    await _sparse(world, "CreditMemo", memo, Line=[_line(item, 90.0)])
    _update(world, negative, memo="Refund agreed on site")
    report = await world.sync("daily")
    assert report.failures() == []
    now = _get(world, negative["id"])
    assert str(now["total"]) == "-90.00" and now["memo"] == "Refund agreed on site"
    there = await world.get("CreditMemo", memo["Id"])
    assert there["TotalAmt"] == 90.0 and "Refund agreed on site" in there["PrivateNote"]
    await _quiet(world, "CreditMemo", memo["Id"])


@pytest.mark.parametrize("delete", [True, False])
async def test_a_credit_memo_we_sent_deleted_in_quickbooks(world: World, delete: bool
                                                           ) -> None:
    world.settings(invoices={"delete_when_deleted_in_qb": delete})
    made = _project(world)
    memo, negative = await _memo_from_here(world, made)
    await world.qb("CreditMemo", {"Id": memo["Id"], "SyncToken": memo["SyncToken"]},
                   action="delete")
    report = await world.sync("daily")
    assert report.failures() == []
    _follows_the_deletion(world, negative, delete, report)
    await world.sync("daily")
    assert await world.records("CreditMemo") == []          # not made again
    if not delete:                  # changed here later: it says why it does not go
        _update(world, negative, memo="Refund")
        report = await world.sync("daily")
        failed = [o for o in report.outcomes if o.record_id == negative["id"]]
        assert [o.result for o in failed] == ["failed"]
        assert "was deleted in QuickBooks and is kept here" in failed[0].message
        assert await world.records("CreditMemo") == []


# a paid invoice opened again -----------------------------------------------------------------
@pytest.mark.parametrize(("created", "then", "reopened"), [
    ("finalized", None, "finalized"), ("finalized", "sent", "sent"), ("sent", None, "sent")])
async def test_a_payment_deleted_in_quickbooks_opens_the_invoice_as_it_was(
        world: World, created: str, then: str | None, reopened: str) -> None:
    world.settings(payments={"delete_when_deleted_in_qb": True})
    made = _project(world)
    invoice = _invoice(world, made, "1002", ("1", "200.00"), status=created)
    await world.sync("daily")
    if then is not None:
        invoice = _update(world, invoice, status=then)
        await world.sync("daily")
    remote = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    payment = await world.qb("Payment", {
        "CustomerRef": remote["CustomerRef"], "TotalAmt": 200.0,
        "Line": [{"Amount": 200.0, "LinkedTxn": [{"TxnId": remote["Id"],
                                                 "TxnType": "Invoice"}]}]})
    await world.sync("daily")
    paid = _get(world, invoice["id"])
    assert paid["status"] == "paid" and str(paid["balance"]) == "0.00"
    await world.qb("Payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
                   action="delete")
    report = await world.sync("daily")
    assert report.failures() == []
    back = _get(world, invoice["id"])
    assert back["status"] == reopened
    assert str(back["balance"]) == "200.00" and str(back["amount_paid"]) == "0.00"
    await _quiet(world, "Invoice", remote["Id"])             # not echoed back
    assert [action for action, _ in _outbound_ops(world, invoice["id"])] == ["create"]
    with world.engine.connect() as conn:         # the log says what QuickBooks changed
        logged = conn.execute(select(operations.c.payload).where(
            operations.c.record_id == invoice["id"], operations.c.direction == "inbound"
        ).order_by(operations.c.record_version)).scalars().all()
    assert logged == [{"status": "paid", "was": reopened}, {"status": reopened, "was": "paid"}]


async def test_a_change_made_here_still_goes_when_quickbooks_changes_the_invoice(
        world: World) -> None:
    """A payment in QuickBooks changes the invoice there (its balance) while it was
    changed here: taking QuickBooks' change in does not pass the change made here off as
    one QuickBooks has."""
    made = _project(world)
    invoice = _invoice(world, made, "1002", ("1", "200.00"))
    await world.sync("daily")
    remote = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    _update(world, invoice, memo="Second visit included")
    await world.qb("Payment", {
        "CustomerRef": remote["CustomerRef"], "TotalAmt": 50.0,
        "Line": [{"Amount": 50.0, "LinkedTxn": [{"TxnId": remote["Id"],
                                                "TxnType": "Invoice"}]}]})
    report = await world.sync("daily")
    assert report.failures() == []
    assert "updated" in _results(report, invoice["id"])
    there = await world.get("Invoice", remote["Id"])
    assert "Second visit included" in there["PrivateNote"] and there["Balance"] == 150.0
    assert str(_get(world, invoice["id"])["balance"]) == "150.00"
    await _quiet(world, "Invoice", remote["Id"])


async def test_a_change_made_here_still_goes_when_quickbooks_changes_the_payment(
        world: World) -> None:
    """A payment changed on both sides: QuickBooks' change is taken in, and the change
    made here (its memo, which QuickBooks' change did not touch) still goes."""
    made = _project(world)
    with world.book() as book:
        payment = book.create("payment", {
            "customer_id": made["customer"]["id"], "amount": "150.00",
            "payment_date": "2026-03-05", "reference": "CHK-1",
            "applications": [{"invoice_id": made["invoice"]["id"], "amount": "150.00"}]}
        ).record
    assert (await world.sync("daily")).failures() == []
    remote = await world.get("Payment", world.remote_id("payment", payment["id"]))
    with world.book() as book:
        book.update("payment", payment["id"], {"memo": "Paid at the door"})
    await world.qb("Payment", {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                               "sparse": True, "PaymentRefNum": "CHK-1A"}, action="update")
    report = await world.sync("daily")
    assert report.failures() == []
    assert "updated" in _results(report, payment["id"])
    there = await world.get("Payment", remote["Id"])
    assert there["PaymentRefNum"] == "CHK-1A"                 # QuickBooks' change kept
    assert "Paid at the door" in there["PrivateNote"]         # ours sent
    assert _get(world, payment["id"], "payment")["reference"] == "CHK-1A"
    await _quiet(world, "Payment", remote["Id"])
