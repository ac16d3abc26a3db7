"""QuickBooks' changes to an invoice or credit memo followed into its book invoice field
by field: a three-way merge.

The base is the state the two sides last agreed on: what was last sent (the payload of
the record's last done outbound create or update) or what was last taken in from
QuickBooks (an inbound ``take`` entry of the transmission log, done at once, whose
payload is QuickBooks' document as it was taken; written here). The base, QuickBooks'
document and the book invoice (as it would be sent now) are all seen the same way, as
the book fields a QuickBooks document gives (``fields_in``): a field then compares equal
whichever side it comes from, whatever the way through does to it (a number's form, an
item read back as its work code, a credit line's sign, our marker in the private note).

For each field: QuickBooks' value differs from the base, so QuickBooks changed it, and it
is taken in; unless the book changed it too (its value differs from the base): then the
change made here is kept and goes to QuickBooks with the rest of the record. QuickBooks'
value equals the base: the book's value stays, changed here or not. The lines are one
field. With no base on record (a document taken in before merging was done), QuickBooks'
fields are taken as they were then, and the memo stays as it is here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, or_, select

from ledgerbridge.book.money import money
from ledgerbridge.engine.context import Context
from ledgerbridge.engine.fields import build
from ledgerbridge.engine.ledger import RemoteRecord
from ledgerbridge.engine.links import Link
from ledgerbridge.engine.operations import RECREATE, Planned
from ledgerbridge.engine.tables import operations

Fields = dict[str, Any]

#: the action of an inbound log entry for fields taken from QuickBooks
ACTION = "take"
#: the book fields merged, by QuickBooks document (a credit memo has no due date)
FIELDS: Mapping[str, tuple[str, ...]] = {
    "invoice": ("doc_number", "issue_date", "due_date", "memo", "lines"),
    "credit_memo": ("doc_number", "issue_date", "memo", "lines"),
}
#: the neutral fields of a sales document a log entry keeps (what ``fields_in`` reads)
SOURCE = ("doc_number", "txn_date", "due_date", "memo", "lines")
DOC_NUMBER_LIMIT = 21


def source_of(remote: RemoteRecord) -> Fields:
    """QuickBooks' document as the neutral fields of a sales document (as sent)."""
    return {**remote.fields, "doc_number": remote.name}


def text_or_none(value: Any, limit: int | None = None) -> str | None:
    """``value`` as trimmed text (at most ``limit`` characters), None when empty."""
    text = "" if value is None else str(value).strip()
    return text[:limit] or None


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def fields_in(ctx: Context, kind: str, source: Mapping[str, Any]) -> Fields:
    """The book fields of a sales document whose neutral fields are ``source`` (as sent,
    or as read from QuickBooks); ``kind``: the QuickBooks document (a credit memo is a
    negative invoice here)."""
    credit = kind == "credit_memo"
    lines = lines_in(ctx, source.get("lines") or [], negate=credit)
    if credit:
        lines = [{**line, "description": line.get("description") or "Credit"}
                 for line in lines]
    found = {"doc_number": text_or_none(source.get("doc_number"), DOC_NUMBER_LIMIT),
             "issue_date": text_or_none(source.get("txn_date")),
             "due_date": text_or_none(source.get("due_date")),
             "memo": text_or_none(source.get("memo")), "lines": lines}
    return {name: found[name] for name in FIELDS[kind]}


def lines_in(ctx: Context, lines: Sequence[Mapping[str, Any]], negate: bool = False
             ) -> list[Fields]:
    """Sales lines as book lines (a credit memo's, ``negate``, as a negative invoice's):
    items mapped back through their links (work codes) or the cost code mapping, classes
    through their links or the cost type mapping."""
    codes = {item: code for code, item in ctx.cost_code_items.items()}
    types = {class_: kind for kind, class_ in ctx.cost_type_classes.items()}
    found = []
    for line in lines:
        qty, price = line.get("quantity"), line.get("unit_price")
        if qty is None or price is None or Decimal(str(qty)) * Decimal(str(price)) \
                != Decimal(str(line.get("amount") or 0)):
            qty, price = 1, line.get("amount") or 0
        quantity = -Decimal(str(qty)) if negate else Decimal(str(qty))
        out: Fields = {"description": line.get("description"), "quantity": _number(quantity),
                       "unit_price": str(money(str(price)))}
        for remote_kind, remote, linked, mapping, mapped in (
                ("item", line.get("item_id"), "work_code", codes, "cost_code_id"),
                ("class", line.get("class_id"), "cost_type", types, "cost_type_id")):
            if not remote:
                continue
            link = ctx.links.by_remote(remote_kind, str(remote))
            if link is not None and link.record_kind == linked:
                out[f"{linked}_id"] = link.record_id
            elif str(remote) in mapping:
                out[mapped] = mapping[str(remote)]
        found.append(out)
    return found


def agreed(ctx: Context, link: Link) -> Mapping[str, Any] | None:
    """The neutral fields of the document (or payment) last agreed with QuickBooks: the
    payload last sent or the document last taken in, whichever is later (the one sent, at the same
    record version: it went after what was taken); None when there is neither."""
    table = operations.c
    payload: Mapping[str, Any] | None = ctx.conn.execute(select(table.payload).where(
        table.connection_id == ctx.connection_id, table.record_kind == link.record_kind,
        table.record_id == link.record_id, table.remote_kind == link.remote_kind,
        table.state == "done",
        or_(and_(table.direction == "outbound", table.action.in_(("create", RECREATE, "update"))),
            and_(table.direction == "inbound", table.action == ACTION)),
    ).order_by(table.record_version.desc(), case((table.direction == "outbound", 0),
                                                  else_=1)).limit(1)).scalar()
    return payload


def changes(ctx: Context, link: Link, record: Mapping[str, Any], remote: RemoteRecord
            ) -> Fields:
    """The fields to take into book invoice ``record`` from ``remote``, the change of its
    linked QuickBooks document: the ones QuickBooks changed since the base and the book
    did not."""
    kind = link.remote_kind
    theirs = fields_in(ctx, kind, source_of(remote))
    mine = fields_in(ctx, kind, build(ctx, "invoice", record).fields)
    last = agreed(ctx, link)
    base = fields_in(ctx, kind, last) if last is not None \
        else {**mine, "memo": theirs["memo"]}
    return {name: value for name, value in theirs.items()
            if value != base[name] and mine[name] == base[name]}


def remember(ctx: Context, written: Mapping[str, Any], remote: RemoteRecord,
             taken: Sequence[str]) -> None:
    """Log QuickBooks' document ``remote`` as taken into ``written`` (the book invoice
    as now written; ``taken``: the fields written): the base of the next merge."""
    source = source_of(remote)
    row = ctx.ops.stage(Planned("invoice", str(written["id"]), int(written["version"]),
                                ACTION, remote.kind, {name: source.get(name) for name in SOURCE},
                                remote.id, direction="inbound"), None)
    if row["state"] == "pending":
        ctx.ops.move(row["id"], "done", remote_id=remote.id,
                     message=f"taken from QuickBooks: {', '.join(taken)}")
