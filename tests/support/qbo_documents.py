"""For tests of QuickBooks-side changes to documents (invoices and credit memos): a
project in the book, its invoices and negative invoices, changes made by a person in
QuickBooks, and what the engine sent about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ledgerbridge.engine.links import Link, LinkStore
from ledgerbridge.engine.runner import Mode
from ledgerbridge.engine.tables import operations
from support.qbo_world import World

Record = dict[str, Any]


# the book ---------------------------------------------------------------------------------
def project(world: World) -> Record:
    """A customer, its job, a work code, and a finalized invoice of the job (which
    makes the job a QuickBooks sub-customer)."""
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Hill Residence"}).record
        job = book.create("job", {"customer_id": customer["id"],
                                  "name": "Kitchen remodel"}).record
        code = book.create("work_code", {"name": "Cabinets", "rate": "80.00"}).record
    made = {"customer": customer, "job": job, "code": code}
    made["invoice"] = invoice(world, made, "1001", ("1", "150.00"))
    return made


def invoice(world: World, made: Record, doc: str, *lines: tuple[str, str],
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


def get(world: World, record_id: str, kind: str = "invoice") -> Record:
    with world.book() as book:
        return book.page(kind, include_deleted=True, filters={"id": record_id}).items[0]


def update(world: World, record: Record, **changes: Any) -> Record:
    with world.book() as book:
        return book.update("invoice", record["id"], changes).record


# what the engine did ------------------------------------------------------------------------
def outbound_ops(world: World, record_id: str) -> list[tuple[str, int]]:
    """(action, record version) of every outbound operation stored for the record."""
    with world.engine.connect() as conn:
        rows = conn.execute(select(operations.c.action, operations.c.record_version).where(
            operations.c.connection_id == world.connection_id,
            operations.c.record_id == record_id,
            operations.c.direction == "outbound").order_by(operations.c.created_at))
        return [(row.action, row.record_version) for row in rows]


def results(report: Any, record_id: str) -> list[str]:
    return [o.result for o in report.outcomes if o.record_id == record_id]


def credit_links(world: World) -> list[Link]:
    with world.engine.connect() as conn:
        return [link for link in LinkStore(conn, world.connection_id).all()
                if link.remote_kind == "credit_memo"]


async def quiet(world: World, entity: str, remote_id: str) -> None:
    """A daily and a full sync send nothing about the record back to QuickBooks."""
    token = (await world.get(entity, remote_id))["SyncToken"]
    modes: tuple[Mode, ...] = ("daily", "full")
    for mode in modes:
        report = await world.sync(mode)
        assert report.failures() == []
        assert (await world.get(entity, remote_id))["SyncToken"] == token, mode


# QuickBooks ---------------------------------------------------------------------------------
def line(item: str, amount: float, description: str = "Damaged cabinet",
         class_: str | None = None) -> Record:
    detail: Record = {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": amount}
    if class_ is not None:
        detail["ClassRef"] = {"value": class_}
    return {"DetailType": "SalesItemLineDetail", "Amount": amount,
            "Description": description, "SalesItemLineDetail": detail}


async def pay_in_quickbooks(world: World, invoice: Record, amount: float) -> Record:
    """A payment made in QuickBooks for QuickBooks' ``invoice``, applied to it."""
    return await world.qb("Payment", {
        "CustomerRef": invoice["CustomerRef"], "TotalAmt": amount,
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"],
                                                  "TxnType": "Invoice"}]}]})


async def sparse(world: World, entity: str, remote: Record, **changes: Any) -> Record:
    """A person's change to ``remote`` in QuickBooks (a sparse update)."""
    return await world.qb(entity, {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                                   "sparse": True, **changes}, action="update")


async def memo_in_quickbooks(world: World, made: Record, **extra: Any
                             ) -> tuple[Record, Record]:
    """A credit memo made in QuickBooks for the job (``extra``: more of its fields),
    taken in as a negative invoice."""
    job = world.remote_id("job", made["job"]["id"])
    item = world.remote_id("work_code", made["code"]["id"])
    memo = await world.qb("CreditMemo", {
        "CustomerRef": {"value": job}, "DocNumber": "CM-7", "TxnDate": "2026-03-09",
        "Line": [line(item, 80.0)], **extra})
    report = await world.sync("daily")
    assert report.failures() == []
    link = next(link for link in credit_links(world) if link.remote_id == memo["Id"])
    negative = get(world, link.record_id)
    assert str(negative["total"]) == "-80.00" and link.how == "imported"
    return memo, negative


async def memo_from_here(world: World, made: Record, cost_type: str | None = None
                         ) -> tuple[Record, Record]:
    """A negative invoice of the book, sent to QuickBooks as a credit memo."""
    negative = invoice(world, made, "C-1", ("-1", "120.00"), cost_type=cost_type)
    report = await world.sync("daily")
    assert report.failures() == []
    link = world.link("invoice", negative["id"])
    assert link is not None and link.remote_kind == "credit_memo" and link.how == "created"
    return await world.get("CreditMemo", link.remote_id), negative
