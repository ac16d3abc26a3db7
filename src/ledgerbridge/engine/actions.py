"""Actions a person starts besides syncing: import QuickBooks' customers and vendors
into the book (so they are linked, never duplicated), and the inventory sync (every
part's count sent now)."""

from __future__ import annotations

from sqlalchemy import Engine

from ledgerbridge.engine.inbound import Inbound
from ledgerbridge.engine.ledger import Ledger, RemoteKind
from ledgerbridge.engine.outcomes import RecordOutcome
from ledgerbridge.engine.runner import RunReport, SyncRunner
from ledgerbridge.engine.state import load as load_state
from ledgerbridge.settings import store as settings_store

NAMES: tuple[RemoteKind, ...] = ("customer", "vendor")


async def import_names(engine: Engine, tenant_id: str, connection_id: str, ledger: Ledger,
                       kinds: tuple[RemoteKind, ...] = NAMES) -> list[RecordOutcome]:
    """Every top-level QuickBooks customer and vendor into the book: linked to the
    book record of the same name, or created there."""
    from ledgerbridge.engine.context import Context

    with engine.connect() as conn:
        saved = load_state(conn, connection_id).profile
    # the names and (when none is saved) the company's profile in one round trip
    lists = await ledger.read_lists(kinds, with_profile=saved is None)
    found = [r for kind in kinds for r in lists.records[kind] if not r.parent_id]
    with engine.connect() as conn:
        settings, _ = settings_store.load(conn, connection_id)
        profile = saved or lists.profile or await ledger.company()
        ctx = Context(conn, tenant_id, connection_id, settings, profile)
        outcomes = Inbound(ctx, take_all_names=True).apply(found)
        conn.commit()
    return outcomes


async def inventory_sync(engine: Engine, tenant_id: str, connection_id: str,
                         ledger: Ledger) -> RunReport:
    """Send every inventory part now: counts of linked parts updated, the others created
    (or linked by name)."""
    runner = SyncRunner(engine, tenant_id, connection_id, ledger)
    from ledgerbridge.book.store import Book

    with engine.connect() as conn:
        book = Book(conn, tenant_id)
        keys, cursor = [], None
        while True:
            page = book.page("inventory_part", after=cursor, limit=1000)
            keys += [("inventory_part", part["id"]) for part in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return await runner.run("push", push=keys)
