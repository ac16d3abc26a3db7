"""Unsynced records: every record that should be in QuickBooks and is not, with why
(before go-live, waiting to be sent by hand, failed with the message, blocked by a
record it needs, deleted in QuickBooks and kept here, or simply due at the next sync)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from ledgerbridge.engine.context import Context
from ledgerbridge.engine.fields import display_name
from ledgerbridge.engine.graph import LEVEL
from ledgerbridge.engine.links import GONE, gone_message
from ledgerbridge.engine.planner import Planner
from ledgerbridge.engine.triggers import trigger

Reason = Literal["before_go_live", "waiting", "failed", "blocked", "due", "retrying",
                 "deleted_in_quickbooks"]
OP_REASON: dict[str, Reason] = {"failed": "failed", "needs_attention": "failed",
                                "blocked": "blocked", "pending": "retrying",
                                "sent": "retrying"}


@dataclass(frozen=True)
class Unsynced:
    kind: str
    record_id: str
    title: str
    reason: Reason
    message: str
    op_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "record_id": self.record_id, "title": self.title,
                "reason": self.reason, "message": self.message, "op_id": self.op_id}


def _title(kind: str, record: dict[str, Any]) -> str:
    try:
        return display_name(kind, record)
    except KeyError:
        return str(record.get("doc_number") or record.get("number") or record["id"])


def _latest_ops(ctx: Context) -> dict[tuple[str, str], Any]:
    latest: dict[tuple[str, str], Any] = {}
    for op in ctx.ops.in_states(("failed", "needs_attention", "blocked", "pending", "sent")):
        latest[(op["record_kind"], op["record_id"])] = op
    return latest


def unsynced(ctx: Context, kinds: tuple[str, ...] | None = None) -> Iterator[Unsynced]:
    ops = _latest_ops(ctx)
    planner = Planner(ctx)
    for kind in kinds or tuple(LEVEL):
        for record in ctx.records.all(kind):
            link = ctx.links.get(kind, record["id"])
            gone = gone_message(kind, link) if link and link.sent_hash == GONE else None
            if link is not None and gone is None:
                continue
            found = _why(ctx, planner, kind, record, ops.get((kind, record["id"])), gone)
            if found is not None:
                yield found


def _why(ctx: Context, planner: Planner, kind: str, record: dict[str, Any], op: Any,
         gone: str | None) -> Unsynced | None:
    """Why ``record`` is not in QuickBooks; ``gone``: why not, when it was deleted there
    and kept here."""
    title = _title(kind, record)
    if op is not None:  # (a kept one pushed: failing, or to be pushed again)
        return Unsynced(kind, record["id"], title, OP_REASON[op["state"]],
                        op["message"] or gone or "will be sent again by the next sync",
                        op["id"])
    if gone is not None:
        return Unsynced(kind, record["id"], title, "deleted_in_quickbooks", gone)
    verdict = trigger(kind, record, ctx.settings)
    if verdict.verdict == "send":
        planner.visit((kind, record["id"]))
        held = planner.held.get((kind, record["id"]))
        if held is not None:  # it needs a record that waits (one before go-live, say)
            return Unsynced(kind, record["id"], title, "waiting", held.message)
        return Unsynced(kind, record["id"], title, "due", "will be sent by the next sync")
    if verdict.verdict == "wait" and not verdict.reason.startswith("a draft"):
        reason: Reason = "before_go_live" if "go-live" in verdict.reason else "waiting"
        return Unsynced(kind, record["id"], title, reason, verdict.reason)
    return None
