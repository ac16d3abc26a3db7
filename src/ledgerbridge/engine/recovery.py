"""After a crash or a lost answer: creates that were sent but whose answer was never
recorded (still in state ``sent``) are looked up in QuickBooks before anything else
happens in the run (DESIGN.md decision 2). Before QuickBooks' records are taken into the
book, or names matched, or anything re-sent: otherwise a record our own lost create made
would come back as a "new" QuickBooks record (imported into the book, or matched under a
suffixed name) or be created a second time.

Found: the record is linked and its operation is done. Not found: the operation stays
sent, and the run sends it again as the same attempt, under the same request id (so
QuickBooks answers it as it answered the first time, should the lookup have missed what
it made). Any other write left sent goes again the same way. One whose record changed
since goes back to pending instead: the newer change goes, and replaces it once done."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import RowMapping

from ledgerbridge.engine.context import Context
from ledgerbridge.engine.ledger import NAME_KINDS, Ledger, LedgerOp, RemoteKind, RemoteRecord
from ledgerbridge.engine.links import Link, content_hash
from ledgerbridge.engine.names import normalize
from ledgerbridge.engine.operations import ledger_action
from ledgerbridge.engine.outcomes import RecordOutcome

FOUND = "found in QuickBooks: it was made by a run that stopped before recording it"
NOT_FOUND = "sent before, not found in QuickBooks"
CHANGED = "its record changed since: the newer change goes instead"


def _ledger_op(row: RowMapping) -> LedgerOp:
    return LedgerOp(row["id"], ledger_action(row["action"]),
                    row["remote_kind"], dict(row["payload"]), row["remote_id"], None)


async def _find_names(ledger: Ledger, rows: Sequence[RowMapping]
                      ) -> dict[str, RemoteRecord | None]:
    """One lookup, of every QuickBooks kind, for every unresolved create of a name."""
    wanted: dict[RemoteKind, set[str]] = {}
    for row in rows:
        wanted.setdefault(row["remote_kind"], set()).add(str(row["payload"].get("name") or ""))
    asked = {kind: sorted(names - {""}) for kind, names in wanted.items() if names - {""}}
    records = await ledger.find_by_names(asked) if asked else []
    by_name = {(r.kind, normalize(r.name or "")): r for r in records if not r.deleted}
    return {row["id"]: by_name.get((row["remote_kind"],
                                    normalize(str(row["payload"].get("name") or ""))))
            for row in rows}


def _changed_since(ctx: Context, row: RowMapping) -> bool:
    """Whether the operation's record changed (or went) since the operation was made."""
    record = ctx.records.get(row["record_kind"], row["record_id"])
    return record is None or record["version"] != row["record_version"]


async def recover(ctx: Context, ledger: Ledger) -> list[RecordOutcome]:
    """Settle every write left ``sent`` by an earlier run; commit; say what was found."""
    sent = [row for row in ctx.ops.in_states(("sent",)) if row["direction"] == "outbound"]
    if not sent or ctx.dry_run:
        return []
    ctx.conn.commit()
    rows = [row for row in sent if ledger_action(row["action"]) == "create"]
    for row in sent:
        if ledger_action(row["action"]) != "create" and _changed_since(ctx, row):
            ctx.ops.move(row["id"], "pending", message=CHANGED)
    names = [row for row in rows if row["remote_kind"] in NAME_KINDS]
    others = [row for row in rows if row["remote_kind"] not in NAME_KINDS]
    found = await _find_names(ledger, names)
    looked = await asyncio.gather(*(ledger.find_created(_ledger_op(row)) for row in others))
    found.update({row["id"]: record for row, record in zip(others, looked, strict=True)})
    outcomes = []
    for row in rows:
        record = found.get(row["id"])
        if record is None and _changed_since(ctx, row):
            ctx.ops.move(row["id"], "pending", message=f"{NOT_FOUND}; {CHANGED}")
            continue
        if record is None:
            ctx.ops.annotate(row["id"], f"{NOT_FOUND}: it is sent again, as the same request")
            continue
        taken = ctx.links.by_remote(record.kind, record.id)
        if taken is not None and (taken.record_kind, taken.record_id) != (
                row["record_kind"], row["record_id"]):
            # the name belongs to another book record's QuickBooks record: ours was
            # never made (QuickBooks refused the name); send again and let it explain
            ctx.ops.move(row["id"], "pending")
            continue
        ctx.links.put(Link(row["record_kind"], row["record_id"], record.kind, record.id,
                           record.version or None, record.name,
                           content_hash(row["payload"]), row["record_version"], "created"))
        ctx.ops.move(row["id"], "done", remote_id=record.id, message=FOUND)
        ctx.ops.supersede(row["record_kind"], row["record_id"], keep=row["id"])
        outcomes.append(RecordOutcome(row["record_kind"], row["record_id"], "created", FOUND,
                                      record.id, row["id"]))
    ctx.conn.commit()
    return outcomes
