"""QuickBooks' changes to a payment followed into its book payment field by field: the
three-way merge of ``document_merge``, for payments.

The base is what the two sides last agreed on (the payload last sent, or the payment
last taken in, logged as an inbound ``take``). Each side is seen as the book fields a
QuickBooks payment gives (``fields_in``), so a field compares equal whichever side it
comes from (an amount's form, an invoice read back through its link, our marker in the
private note). A field QuickBooks changed since the base is taken in unless the book
changed it too; then the change made here stays and goes to QuickBooks. With no base on
record (a payment taken in before merging was done), QuickBooks' fields are taken, and
the memo stays as it is here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgerbridge.book.money import money
from ledgerbridge.engine.context import Context
from ledgerbridge.engine.document_merge import ACTION, agreed, text_or_none
from ledgerbridge.engine.fields import build
from ledgerbridge.engine.ledger import RemoteRecord
from ledgerbridge.engine.links import Link
from ledgerbridge.engine.operations import Planned

Fields = dict[str, Any]
#: the neutral fields of a payment a log entry keeps (what ``fields_in`` reads)
SOURCE = ("customer_id", "amount", "txn_date", "reference", "memo", "applied")


def _amount(value: Any) -> str:
    return str(money(str(value if value is not None else 0)))


def fields_in(ctx: Context, source: Mapping[str, Any]) -> Fields:
    """The book fields of a payment whose neutral fields are ``source`` (as sent, or as
    read from QuickBooks); applications to invoices not linked here are left out."""
    applications = []
    for applied in source.get("applied") or []:
        link = ctx.links.by_remote("invoice", str(applied.get("invoice_id")))
        if link is not None:
            applications.append({"invoice_id": link.record_id,
                                 "amount": _amount(applied.get("amount"))})
    return {"amount": _amount(source.get("amount")),
            "payment_date": text_or_none(source.get("txn_date")),
            "reference": text_or_none(source.get("reference")),
            "memo": text_or_none(source.get("memo")),
            "applications": sorted(applications, key=lambda a: (a["invoice_id"],
                                                                 a["amount"]))}


def changes(ctx: Context, link: Link, record: Mapping[str, Any], remote: RemoteRecord
            ) -> Fields:
    """The fields to take into book payment ``record`` from ``remote``, the change of its
    linked QuickBooks payment: the ones QuickBooks changed since the base and the book
    did not."""
    theirs = fields_in(ctx, remote.fields)
    last = agreed(ctx, link)
    if last is None:  # taken in before merging was done: QuickBooks' fields, memo kept
        return {name: value for name, value in theirs.items() if name != "memo"}
    base = fields_in(ctx, last)
    mine = fields_in(ctx, build(ctx, "payment", record).fields)
    return {name: value for name, value in theirs.items()
            if value != base[name] and mine[name] == base[name]}


def remember(ctx: Context, written: Mapping[str, Any], remote: RemoteRecord,
             taken: list[str]) -> None:
    """Log QuickBooks' payment ``remote`` as taken into ``written`` (the book payment as
    now written; ``taken``: the fields written): the base of the next merge."""
    row = ctx.ops.stage(Planned("payment", str(written["id"]), int(written["version"]),
                                ACTION, "payment",
                                {name: remote.fields.get(name) for name in SOURCE},
                                remote.id, direction="inbound"), None)
    if row["state"] == "pending":
        ctx.ops.move(row["id"], "done", remote_id=remote.id,
                     message=f"taken from QuickBooks: {', '.join(taken) or 'nothing new'}")
