"""An invoice's status taken from QuickBooks (invoices.get_status): void when voided
there, paid when its balance there is cleared, open again when a payment is taken off.

The book keeps one status per invoice and no history of its values (the change feed
names the fields that changed, not what they were), so when QuickBooks makes an
invoice paid the status it replaced is remembered here: every status taken from
QuickBooks is written to the transmission log as an inbound entry, done at once, with
the status it replaced. A paid invoice opened again in QuickBooks goes back to the
status it had when QuickBooks made it paid (``sent`` or ``finalized``); one made paid
here, not by QuickBooks, goes back to ``finalized``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ledgerbridge.engine.context import Context
from ledgerbridge.engine.ledger import RemoteRecord
from ledgerbridge.engine.operations import Planned
from ledgerbridge.engine.tables import operations

#: the action of an inbound log entry for a status taken from QuickBooks
ACTION = "status"
#: statuses a paid invoice can go back to (a draft or a void one is never paid there)
OPEN = ("finalized", "sent")


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def status_there(ctx: Context, record: Mapping[str, Any], remote: RemoteRecord) -> str:
    """The status ``record`` has once QuickBooks' invoice ``remote`` is taken in."""
    body = remote.fields
    total, balance = _amount(body.get("total")) or Decimal(0), _amount(body.get("balance"))
    status = str(record["status"])
    if body.get("voided"):
        return "void"
    if balance is not None and balance == 0 and total > 0:
        return "paid"
    if status == "paid" and balance is not None and balance > 0:
        return before_paid(ctx, str(record["id"]))  # a payment was taken off there
    return status


def remember(ctx: Context, written: Mapping[str, Any], was: str, remote: RemoteRecord
             ) -> None:
    """Log the status QuickBooks gave ``written`` (the invoice as now written), with the
    one it replaced."""
    status = str(written["status"])
    row = ctx.ops.stage(Planned("invoice", str(written["id"]), int(written["version"]),
                                ACTION, remote.kind, {"status": status, "was": was},
                                remote.id, direction="inbound"), None)
    if row["state"] == "pending":
        ctx.ops.move(row["id"], "done", remote_id=remote.id,
                     message=f"status from QuickBooks: {was} -> {status}")


def before_paid(ctx: Context, invoice_id: str) -> str:
    """The status the invoice had when QuickBooks last made it paid; ``finalized`` when
    QuickBooks never did (it was made paid here)."""
    table = operations.c
    entries = ctx.conn.execute(select(table.payload).where(
        table.connection_id == ctx.connection_id, table.record_kind == "invoice",
        table.record_id == invoice_id, table.direction == "inbound", table.action == ACTION,
    ).order_by(table.record_version.desc())).scalars()
    for payload in entries:
        if payload.get("status") == "paid":
            was = payload.get("was")
            return str(was) if was in OPEN else "finalized"
    return "finalized"
