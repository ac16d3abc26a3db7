"""Managing a connection's mappings (cost code -> item, cost type -> class) for the CLI
and the API: list them with what unmapped codes fall back to, set one (checked against
the book and QuickBooks), remove one, autofill by name. Each reads QuickBooks at most
once, through the ledger, as a full sync reads its lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import httpx
from sqlalchemy import Engine

from ledgerbridge.engine.context import Context
from ledgerbridge.engine.ledger import RemoteKind
from ledgerbridge.qbo.connections import get_connection
from ledgerbridge.settings import mappings
from ledgerbridge.settings.mappings import KINDS, Mapping_, Row
from ledgerbridge.sync_service import UNKNOWN_PROFILE, context, with_ledger


@dataclass(frozen=True)
class Autofilled:
    """What autofill mapped, and what stays unmapped (with its fallback)."""

    made: list[Mapping_]
    unmapped: list[Row]


def _default_item(ctx: Context) -> Callable[[str], str]:
    item = ctx.settings.connection.default_item_id
    if not item:
        return lambda _: "fails: no item"
    link = ctx.links.by_remote("item", item)
    named = link.remote_name if link else next(
        (m.remote_name for m in mappings.all_of(ctx.conn, ctx.connection_id,
                                                "cost_code_item").values()
         if m.remote_id == item), None)
    text = f"default item {item}" + (f" '{named}'" if named else "")
    return lambda _: text


def _own_class(ctx: Context) -> Callable[[str], str]:
    """An unmapped cost type goes to QuickBooks as a class of its own (when class
    tracking is on)."""
    if ctx.profile is not UNKNOWN_PROFILE and not ctx.profile.class_tracking:
        return lambda _: "no class (class tracking is off in QuickBooks)"

    def own(local_id: str) -> str:
        link = ctx.links.get("cost_type", local_id)
        if link is None:
            return "its own class, sent by the next sync that needs it"
        return f"its own class {link.remote_id} '{link.remote_name or ''}'"

    return own


def _rows(ctx: Context, kind: str) -> list[Row]:
    local_kind = KINDS[kind][0]
    locals_ = [(r["id"], r["name"]) for r in ctx.records.all(local_kind)]
    fallback = _default_item(ctx) if kind == "cost_code_item" else _own_class(ctx)
    return mappings.rows(kind, locals_, mappings.all_of(ctx.conn, ctx.connection_id, kind),
                         fallback)


def mapping_rows(engine: Engine, tenant_id: str, connection_id: str, kind: str
                 ) -> list[Row]:
    """Every cost code (type) of the book with its mapping, or its fallback; and the
    mappings whose code left the book. Reads only the database."""
    with context(engine, tenant_id, connection_id) as ctx:
        return _rows(ctx, kind)


async def set_mapping(engine: Engine, tenant_id: str, connection_id: str, kind: str,
                      local_id: str, remote: str,
                      transport: httpx.AsyncBaseTransport | None = None) -> Mapping_:
    """Map the book's ``local_id`` to the QuickBooks item (class) whose id, else exact
    name, is ``remote``: refused (nothing stored) unless both exist and it is active.
    One read of the QuickBooks list; its name is stored with its id."""
    with engine.connect() as conn:
        mappings.check_local(conn, tenant_id, kind, local_id)
    remote_kind = cast(RemoteKind, KINDS[kind][1])
    lists = await with_ledger(engine, tenant_id, connection_id, transport,
                              lambda ledger: ledger.read_lists((remote_kind,)))
    found = mappings.resolve_remote(kind, local_id, lists.records[remote_kind], remote)
    with engine.begin() as conn:
        mappings.put(conn, connection_id, kind, local_id, found.id, found.name)
    return Mapping_(kind, local_id, found.id, found.name)


def remove_mapping(engine: Engine, tenant_id: str, connection_id: str, kind: str,
                   local_id: str) -> Mapping_:
    """Forget one mapping (NotFoundError when there is none); its code then falls back."""
    with engine.begin() as conn:
        get_connection(conn, tenant_id, connection_id)  # the tenant's, or NotFound
        return mappings.remove_existing(conn, connection_id, kind, local_id)


async def autofill(engine: Engine, tenant_id: str, connection_id: str,
                   transport: httpx.AsyncBaseTransport | None = None) -> Autofilled:
    """Map every unmapped cost code to the active QuickBooks item, and cost type to the
    active class, of the same name (existing mappings are kept); one read of QuickBooks'
    lists."""
    lists = (await with_ledger(engine, tenant_id, connection_id, transport,
                               lambda ledger: ledger.read_lists(("item", "class")))).records
    made: list[Mapping_] = []
    unmapped: list[Row] = []
    with context(engine, tenant_id, connection_id) as ctx:
        for kind, (local_kind, remote_kind) in KINDS.items():
            locals_ = [(r["id"], r["name"]) for r in ctx.records.all(local_kind)]
            # active ones only: a mapping set by hand must name an active item (class)
            # too, and lines sent with an inactive one are refused by QuickBooks
            remotes = [(r.id, r.name or "") for r in lists[cast(RemoteKind, remote_kind)]
                       if r.active and not r.deleted]
            made += mappings.autofill(ctx.conn, connection_id, kind, locals_, remotes)
            unmapped += [row for row in _rows(ctx, kind) if row.fallback is not None]
    return Autofilled(made, unmapped)
