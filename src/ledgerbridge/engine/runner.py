"""One sync run of one connection: freeze the watermarks, take QuickBooks' changes in,
plan and send the book's changes level by level, save the state. Full sync reads the
QuickBooks lists in bulk and reconciles everything; daily sync takes the change feed
since the last run and QuickBooks' changes since the watermark (a quiet day costs one
QuickBooks call)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine

from ledgerbridge.book import changefeed
from ledgerbridge.engine import collector, state
from ledgerbridge.engine.apply import LevelRunner
from ledgerbridge.engine.collector import fewer_collections
from ledgerbridge.engine.context import Context, Key
from ledgerbridge.engine.graph import LEVEL
from ledgerbridge.engine.inbound import Inbound
from ledgerbridge.engine.ledger import (
    ChangeSet,
    CompanyProfile,
    FullReadDue,
    Ledger,
    Lists,
    RemoteKind,
    RemoteRecord,
)
from ledgerbridge.engine.links import GONE
from ledgerbridge.engine.matching import NameIndex
from ledgerbridge.engine.operations import OPEN_STATES
from ledgerbridge.engine.outcomes import RecordOutcome, summarize
from ledgerbridge.engine.page_cache import run_page_cache
from ledgerbridge.engine.planner import Root, make_plan
from ledgerbridge.engine.recovery import recover
from ledgerbridge.engine.run_lock import RunLock
from ledgerbridge.settings import store as settings_store

Mode = Literal["full", "daily", "push"]
OVERLAP = timedelta(minutes=5)
INBOUND: tuple[RemoteKind, ...] = ("customer", "item", "invoice", "credit_memo", "payment")
LISTS: tuple[RemoteKind, ...] = ("customer", "vendor", "employee", "item", "class")
Progress = Callable[[str, int, int], None]


@dataclass
class RunReport:
    run_id: str | None
    mode: Mode
    dry_run: bool
    outcomes: list[RecordOutcome] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, int]]:
        return summarize(self.outcomes)

    def failures(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if o.result in ("failed", "blocked")]


class SyncRunner:
    def __init__(self, engine: Engine, tenant_id: str, connection_id: str, ledger: Ledger,
                 progress: Progress | None = None) -> None:
        self.engine = engine
        self.tenant_id = tenant_id
        self.connection_id = connection_id
        self.ledger = ledger
        self.progress = progress or (lambda phase, done, total: None)
        self._checked_at: datetime | None = None

    async def run(self, mode: Mode = "daily", dry_run: bool = False,
                  push: Sequence[Key] = ()) -> RunReport:
        with RunLock(self.engine, self.connection_id), fewer_collections(), \
                self.engine.connect() as conn, run_page_cache(conn):
            try:
                return await self._run(conn, mode, dry_run, push)
            finally:
                conn.rollback()

    async def _context(self, conn: Connection, dry_run: bool, refresh: bool = False,
                       fresh: CompanyProfile | None = None
                       ) -> tuple[Context, state.SyncState]:
        """``refresh``: read the company's profile again (a full sync or a push, after
        the user fixed the company: a tax agency set up, class tracking turned on);
        ``fresh``: the profile a full sync read with the lists, so nothing is asked."""
        settings, _ = settings_store.load(conn, self.connection_id)
        saved = state.load(conn, self.connection_id)
        profile = fresh or saved.profile
        if profile is None or (refresh and fresh is None):
            conn.commit()
            profile = await self.ledger.company()
        if profile is not saved.profile and not dry_run:
            state.save(conn, self.connection_id, profile=profile)
        return Context(conn, self.tenant_id, self.connection_id, settings, profile,
                       dry_run), saved

    async def _run(self, conn: Connection, mode: Mode, dry_run: bool, push: Sequence[Key]
                   ) -> RunReport:
        # frozen before anything is read: what changes from here on is the next run's
        feed_to = changefeed.last_change_id(conn, self.tenant_id)
        changes_to = datetime.now(UTC)
        # a full sync reads the lists and the company's profile in one round trip
        lists = await self._read_lists(conn, with_profile=True) if mode == "full" else None
        ctx, saved = await self._context(conn, dry_run, refresh=mode in ("full", "push"),
                                         fresh=lists.profile if lists else None)
        since = saved.changes_watermark - OVERLAP if saved.changes_watermark else None
        run_id = None if dry_run else state.start_run(
            conn, self.connection_id, mode, saved.feed_cursor, feed_to, since, changes_to)
        conn.commit()
        report = RunReport(run_id, mode, dry_run)
        report.outcomes += await recover(ctx, self.ledger)  # creates a crash left unknown
        index = NameIndex()
        if lists is not None:
            report.outcomes += self._take_lists(ctx, lists, index)
        elif mode == "daily" and since is not None:
            report.outcomes += await self._changes(ctx, since, index)
        roots = self._roots(ctx, mode, saved.feed_cursor, feed_to, push)
        report.outcomes += await self._outbound(ctx, index, roots, run_id or "dry-run")
        if dry_run:
            conn.rollback()
            return report
        # QuickBooks' own clock when it told us (a skewed local clock must not make the
        # next window start after changes it has not seen)
        self._save(conn, mode, feed_to, self._checked_at or changes_to, report)
        return report

    async def _read_lists(self, conn: Connection, with_profile: bool = False) -> Lists:
        """Every list of :data:`LISTS` (and the profile) in one ``read_lists`` call."""
        conn.commit()
        self.progress("read QuickBooks lists", 0, len(LISTS))
        lists = await self.ledger.read_lists(LISTS, with_profile=with_profile)
        self.progress("read QuickBooks lists", len(LISTS), len(LISTS))
        return lists

    def _take_lists(self, ctx: Context, lists: Lists, index: NameIndex
                    ) -> list[RecordOutcome]:
        inbound: list[RemoteRecord] = []
        for kind in LISTS:
            records = lists.records[kind]
            index.add(records)
            index.mark_full(kind)
            if kind in INBOUND:
                inbound += records
        return [] if ctx.dry_run else Inbound(ctx).apply(inbound)

    async def _changes(self, ctx: Context, since: datetime, index: NameIndex
                       ) -> list[RecordOutcome]:
        changes = await self._changes_since(ctx, since)
        index.add(changes.records)
        self._checked_at = changes.until
        return [] if ctx.dry_run else Inbound(ctx).apply(changes.records)

    async def _changes_since(self, ctx: Context, since: datetime) -> ChangeSet:
        """QuickBooks' changes since ``since``, deletions included. Past what the change
        feed covers (30 days for QuickBooks Online) they are read another way, and the
        documents deleted meanwhile are found among the ones linked here; a window too
        busy for it loses its deletions only, which are found the same way."""
        ctx.conn.commit()
        try:
            changes = await self.ledger.changes_since(INBOUND, since)
        except FullReadDue:
            return await self.ledger.read_changes(INBOUND, since, self._linked(ctx, INBOUND))
        if not changes.deletions_unseen:
            return changes
        gone = await self.ledger.read_changes(
            (), since, self._linked(ctx, changes.deletions_unseen))
        return replace(changes, records=changes.records + gone.records, deletions_unseen=())

    @staticmethod
    def _linked(ctx: Context, kinds: Sequence[RemoteKind]) -> dict[RemoteKind, list[str]]:
        """The remote ids of ``kinds`` linked here, but those known to be deleted there
        (by a person there, or by our own delete: a COUNT would come up short for them
        every time); read, then committed: no transaction stays open while QuickBooks
        is asked."""
        linked: dict[RemoteKind, list[str]] = {kind: [] for kind in kinds}
        for link in ctx.links.all():
            if link.remote_kind in linked and link.sent_hash not in (GONE, "deleted"):
                linked[link.remote_kind].append(link.remote_id)
        ctx.conn.commit()
        return linked

    def _roots(self, ctx: Context, mode: Mode, feed_from: int, feed_to: int,
               push: Sequence[Key]) -> list[Root]:
        if mode == "push":
            return [Root(key, pushed=True) for key in push]
        keys: dict[Key, bool] = {}  # the record, and whether a person pushed it
        if mode == "full":
            for kind in LEVEL:
                keys.update(((kind, r["id"]), False) for r in ctx.records.all(kind))
        else:
            for event in self._events(ctx.conn, feed_from, feed_to):
                keys[(event.kind, event.record_id)] = False
        # operations still open go again; one a person pushed (a push that met a passing
        # error, a document made again after QuickBooks deleted it) goes as pushed, or the
        # triggers would hold back what the person asked for
        unfinished = ctx.ops.in_states(OPEN_STATES)
        pushed = state.push_runs(ctx.conn, {op["run_id"] for op in unfinished})
        for op in unfinished:
            key = (op["record_kind"], op["record_id"])
            keys[key] = keys.get(key, False) or op["run_id"] in pushed
        return [Root(key, pushed=by_hand) for key, by_hand in keys.items()]

    def _events(self, conn: Connection, after: int, until: int
                ) -> list[changefeed.ChangeEvent]:
        found: list[changefeed.ChangeEvent] = []
        while after < until:
            batch = changefeed.read_changes(conn, self.tenant_id, after, 10_000)
            batch = [e for e in batch if e.id <= until]
            if not batch:
                break
            found += [e for e in batch if e.origin != "quickbooks"]
            after = batch[-1].id
        return found

    async def _outbound(self, ctx: Context, index: NameIndex, roots: list[Root], run_id: str
                        ) -> list[RecordOutcome]:
        plan = make_plan(ctx, roots)
        outcomes = plan.waiting + plan.skipped
        if not ctx.dry_run:
            self._dismiss_refused(ctx, plan.skipped)
        levels = sorted(plan.levels)
        for n, level in enumerate(levels):
            collector.checkpoint()  # the plan and the levels done stay alive to the end
            self.progress("send to QuickBooks", n, len(levels))
            runner = LevelRunner(ctx, self.ledger, index, run_id, ctx.conn.commit)
            outcomes += await runner.run(plan.levels[level])
        self.progress("send to QuickBooks", len(levels), len(levels))
        return outcomes

    @staticmethod
    def _dismiss_refused(ctx: Context, skipped: Sequence[RecordOutcome]) -> None:
        """An operation not yet sent (a push that met a passing error, or blocked) whose
        record the settings now keep out of QuickBooks is dismissed, saying why: it
        would otherwise wait as "retrying" for ever. One that may have reached
        QuickBooks (``sent``) stays, to be settled."""
        if not skipped:
            return
        why = {(o.kind, o.record_id): o.message for o in skipped}
        for op in ctx.ops.in_states(("pending", "blocked")):
            message = why.get((op["record_kind"], op["record_id"]))
            if message is not None:
                ctx.ops.move(op["id"], "dismissed", message=message, blocked_by=None)

    def _save(self, conn: Connection, mode: Mode, feed_to: int, changes_to: datetime,
              report: RunReport) -> None:
        values: dict[str, object] = {"last_run_at": datetime.now(UTC)}
        if mode != "push":
            values |= {"feed_cursor": feed_to, "changes_watermark": changes_to}
        if mode == "full":
            values["last_full_sync_at"] = changes_to
        state.save(conn, self.connection_id, **values)
        status = "failed" if report.failures() else "done"
        if report.run_id:
            state.finish_run(conn, report.run_id, status, report.summary())
        conn.commit()
