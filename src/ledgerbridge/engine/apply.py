"""Sending one level of records: build their fields, match names, store the
operations, send them through the ledger, and record what came back."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from ledgerbridge.book.codec import dumps
from ledgerbridge.engine import collector
from ledgerbridge.engine.context import Context
from ledgerbridge.engine.document_merge import agreed
from ledgerbridge.engine.fields import Built, build, display_name
from ledgerbridge.engine.graph import SUB_CUSTOMERS, parent
from ledgerbridge.engine.ledger import Ledger, LedgerOp, LedgerResult, RemoteKind, RemoteRecord
from ledgerbridge.engine.links import GONE, Link, content_hash, gone_message
from ledgerbridge.engine.matching import NAMESPACE, Candidate, NameIndex, decide
from ledgerbridge.engine.names import FORBIDDEN, normalize, with_suffix
from ledgerbridge.engine.operations import RECREATE, Planned, ledger_action, payload_digest
from ledgerbridge.engine.outcomes import RecordOutcome

NAME_KINDS = ("customer", "vendor", "item", "class")
#: records sent together: 100 batches of 30, ten times the batches in flight, so the
#: pipeline stays full while a chunk's payloads and answers are all that is held
SEND_CHUNK = 3000
#: what a create whose answer was lost says until the next run has looked it up
LOOKED_UP = ("Its answer was lost, so it may be in QuickBooks already: the next sync looks "
             "for it there before sending it again.")
#: what any other write whose answer was lost says until the next run sends it again
SAME_REQUEST = ("Its answer was lost, so QuickBooks may have done it already: the next "
                "sync sends it again as the same request, which QuickBooks does not carry "
                "out twice.")
#: what the outcome of a write that succeeded is called, by the ledger's action
VERBS = {"create": "created", "update": "updated", "void": "voided", "delete": "deleted"}
#: what a link keeps as sent for an action that sends no fields
SENT_MARKERS = {"void": "void", "delete": "deleted"}
#: the id of a name this run is about to create (in the name index only)
PLANNED = "planned:"
#: an inventory item's count, sent with an update only as ``_keep_their_count`` says
COUNT_FIELDS = ("qty_on_hand", "inventory_start_date")
TRANSACTIONS = ("invoice", "credit_memo", "payment", "purchase_order", "bill")
CHANGES_SETTING: Mapping[str, Callable[[Context], bool]] = {
    "customer": lambda c: c.settings.customers.send_changes,
    "location": lambda c: c.settings.jobs.send_job_changes,
    "job": lambda c: c.settings.jobs.send_job_changes,
    "service_ticket": lambda c: c.settings.jobs.send_ticket_changes,
    "work_code": lambda c: c.settings.items.send_work_code_changes,
    "invoice": lambda c: c.settings.invoices.send_changes,
}


@dataclass(slots=True)
class Entry:
    """A record the plan sends at some level (``link_only``: match it, never create)."""

    kind: str
    record: dict[str, Any]
    link_only: bool = False
    reason: str = ""
    pushed: bool = False  # asked for by hand (push one, push all)

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, kind: str, record: dict[str, Any], link_only: bool = False,
                 reason: str = "", pushed: bool = False) -> None:
        self.kind = kind
        self.record = record
        self.link_only = link_only
        self.reason = reason
        self.pushed = pushed


@dataclass(slots=True)
class Work:
    """One record on its way: what to do and with which fields."""

    kind: str
    record: dict[str, Any]
    built: Built
    link: Link | None
    action: str = "create"
    name: str | None = None
    op: dict[str, Any] | None = None
    link_only: bool = False
    reason: str = ""

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, kind: str, record: dict[str, Any], built: Built, link: Link | None,
                 action: str = "create", name: str | None = None,
                 op: dict[str, Any] | None = None, link_only: bool = False,
                 reason: str = "") -> None:
        self.kind = kind
        self.record = record
        self.built = built
        self.link = link
        self.action = action
        self.name = name
        self.op = op
        self.link_only = link_only
        self.reason = reason

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.record["id"])


class LevelRunner:
    def __init__(self, ctx: Context, ledger: Ledger, index: NameIndex, run_id: str,
                 checkpoint: Callable[[], None]) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.index = index
        self.run_id = run_id
        self.checkpoint = checkpoint
        self.outcomes: list[RecordOutcome] = []
        #: results not yet written (``_flush`` writes them together)
        self._links: list[Link] = []
        self._done: list[tuple[str, str | None, str | None]] = []
        self._superseded: list[tuple[str, str]] = []

    # deciding -------------------------------------------------------------------------
    def _prepare(self, kind: str, record: dict[str, Any], pushed: bool = False
                 ) -> Work | None:
        link = self.ctx.links.get(kind, record["id"])
        if record.get("deleted_at") is not None:
            return self._prepare_deleted(kind, record, link)
        recreate = pushed and link is not None and link.sent_hash == GONE
        if recreate:
            link = None  # deleted in QuickBooks, kept here, pushed: made there again
        built = build(self.ctx, kind, record)
        if link is not None:
            self._keep_their_count(kind, built, pushed)
        work = Work(kind, record, built, link)
        if built.problems:
            blocked = all("not in QuickBooks yet" in p.message for p in built.problems)
            self._stop(work, "blocked" if blocked else "failed",
                       "; ".join(p.as_text() for p in built.problems))
            return None
        if link is None:
            if kind == "invoice" and record["status"] == "void":
                self._note(work, "skipped", "void, and never sent")
                return None
            work.action = RECREATE if recreate else "create"
            return work
        self._keep_collision_name(work, link)
        if link.sent_hash == GONE and link.record_version == record["version"]:
            # as the settings asked: nothing to do until it changes here
            self._note(work, "skipped", "deleted in QuickBooks, kept here", link.remote_id)
            return None
        if link.sent_hash == GONE:
            self._note(work, "failed", gone_message(kind, link))
            return None
        work.action = self._change_action(kind, record, built, link)
        if work.action == "none":
            self._note(work, "unchanged", "", link.remote_id)
            return None
        return work

    def _keep_collision_name(self, work: Work, link: Link) -> None:
        """A record created under a collision name ("Acme (V)", "Main (Acme)") keeps it
        while its own name stays what it was: sending the bare name would collide."""
        name, remote = work.built.fields.get("name"), link.remote_name
        if not name or not remote or work.built.remote_kind not in NAME_KINDS \
                or normalize(str(name)) == normalize(remote):
            return
        rules = self.ctx.settings.connection
        limit = self.ctx.profile.name_limits.get(work.built.remote_kind, 100)
        above = self._candidate(work).parent_name or "sub"
        forms = [f"{name} ({above})"[:limit]]
        for start in (str(name), forms[0]):
            once = with_suffix(start, work.built.remote_kind, limit, rules)
            forms += [once, with_suffix(once, work.built.remote_kind, limit, rules)]
        if normalize(remote) in {normalize(form) for form in forms}:
            work.built.fields["name"] = remote

    def _change_action(self, kind: str, record: dict[str, Any], built: Built, link: Link
                       ) -> str:
        """What a linked record needs: void, update, or nothing."""
        if kind == "invoice" and record["status"] == "void":
            return "void" if link.sent_hash != "void" else "none"
        if link.sent_hash is None and link.record_version == record["version"]:
            # linked by name or taken in from QuickBooks, and unchanged here since:
            # QuickBooks has it; remember what it is now so later changes are seen
            if not self.ctx.dry_run:
                self.ctx.links.put(replace(link, sent_hash=content_hash(built.fields)))
            return "none"
        if content_hash(built.fields) == link.sent_hash:
            return "none"
        if built.fields.get("type") == "inventory" and "qty_on_hand" not in built.fields \
                and self._sent_but_count(built, link):
            return "none"
        # a change made here (to a record sent from here, linked by name or taken in
        # from QuickBooks alike) goes only as the settings allow
        changes_allowed = CHANGES_SETTING.get(kind)
        if changes_allowed and not changes_allowed(self.ctx):
            return "none"
        return "update"

    def _keep_their_count(self, kind: str, built: Built, pushed: bool) -> None:
        """A linked part's count goes to QuickBooks with its update only when counts are
        updated from purchase orders (``purchasing.update_inventory_counts``: the count
        here, which receiving a purchase order raises) or a person pushed the part (the
        inventory sync); otherwise the update leaves QuickBooks' count as it is. Its
        name, price and the rest go either way. A work code has no count here: its
        updates never send one."""
        if kind == "work_code" or (kind == "inventory_part" and not (
                pushed or self.ctx.settings.purchasing.update_inventory_counts)):
            for name in COUNT_FIELDS:
                built.fields.pop(name, None)

    def _sent_but_count(self, built: Built, link: Link) -> bool:
        """The item's fields, its count left out, are what was last sent with its count
        (a create, an inventory sync): nothing to send. Remembered, so later runs see it
        from the link alone."""
        last = agreed(self.ctx, link)
        if last is None or content_hash(
                {k: v for k, v in last.items() if k not in COUNT_FIELDS}) \
                != content_hash(built.fields):
            return False
        if not self.ctx.dry_run:
            self.ctx.links.put(replace(link, sent_hash=content_hash(built.fields)))
        return True

    def _prepare_deleted(self, kind: str, record: dict[str, Any], link: Link | None
                         ) -> Work | None:
        if link is None:  # (the plan sends a deleted record only when linked)
            return None
        if link.sent_hash == "deleted":
            self.outcomes.append(RecordOutcome(kind, record["id"], "unchanged",
                                               "deleted here and in QuickBooks already",
                                               link.remote_id))
            return None
        built = Built(cast(RemoteKind, link.remote_kind))
        if link.remote_kind in TRANSACTIONS:
            return Work(kind, record, built, link, action="delete")
        built.fields = {"name": link.remote_name, "active": False}
        return Work(kind, record, built, link, action="update")

    def _stop(self, work: Work, state: str, message: str) -> None:
        """Record that ``work`` cannot go (``failed`` or ``blocked``) and why."""
        if not self.ctx.dry_run:
            row = self._stage(work)
            current = row["state"]
            if current == "sent":
                self.ctx.ops.move(row["id"], "pending")
                current = "pending"
            if current == state:
                self.ctx.ops.annotate(row["id"], message)
            elif current not in ("done", "dismissed"):
                self.ctx.ops.move(row["id"], state, message=message)  # type: ignore[arg-type]
        self._note(work, "blocked" if state == "blocked" else "failed", message)

    def _note(self, work: Work, result: str, message: str = "",
              remote_id: str | None = None) -> None:
        self.outcomes.append(RecordOutcome(work.kind, work.record["id"], result,  # type: ignore[arg-type]
                                           message, remote_id,
                                           work.op["id"] if work.op is not None else None))

    # matching -------------------------------------------------------------------------
    def _candidate(self, work: Work) -> Candidate:
        remote = work.built.remote_kind
        parent_name = None
        if work.kind in SUB_CUSTOMERS:
            above = parent(self.ctx, work.kind, work.record)
            found = self.ctx.records.get(*above) if above else None
            if above and found:  # as QuickBooks has it: no colon, tab or line break
                parent_name = FORBIDDEN.sub(self.ctx.settings.connection.replacement_character,
                                            display_name(above[0], found).strip())
        return Candidate(work.key, remote, str(work.built.fields.get("name", "")),
                         work.built.fields.get("parent_id") or None,
                         work.built.fields.get("type"), work.kind == "inventory_part",
                         parent_name)

    async def _match(self, works: Sequence[Work]) -> list[Work]:
        creates = [w for w in works
                   if w.action == "create" and w.built.remote_kind in NAME_KINDS]
        wanted: dict[RemoteKind, set[str]] = {}
        rules = self.ctx.settings.connection
        for work in creates:
            name = str(work.built.fields["name"])
            limit = self.ctx.profile.name_limits.get(work.built.remote_kind, 100)
            # the name the collision rule may turn it into, so that is looked up too
            names = {name, with_suffix(name, work.built.remote_kind, limit, rules)}
            for kind in _namespace(work.built.remote_kind):
                wanted.setdefault(kind, set()).update(names)
        self.checkpoint()
        await self.index.ensure(self.ledger, {kind: sorted(names)
                                              for kind, names in wanted.items()})
        keep = []
        matching = {id(work) for work in creates}
        for work in works:
            if id(work) not in matching:
                keep.append(work)
                continue
            limit = self.ctx.profile.name_limits.get(work.built.remote_kind, 100)
            match = decide(self.index, self._candidate(work), self.ctx.settings.connection,
                           limit)
            taken = self._taken(work, match.record) if match.verdict == "link" else ""
            if match.verdict == "fail":
                self._stop(work, "failed", match.message)
            elif taken:
                self._stop(work, "failed", taken)
            elif match.verdict == "link" and match.record is not None:
                self._link(work, match.record, "matched")
            elif work.link_only:
                self._stop(work, "failed", f"'{match.name}' is not in QuickBooks, and "
                           f"{work.reason}: create it in QuickBooks (it is then linked by "
                           "name), or change the setting")
            else:
                work.built.fields["name"] = match.name
                keep.append(work)
                # later creates of this level (and run) must see the name as taken:
                # a customer and a vendor of one name, or two jobs, would collide
                self.index.add([RemoteRecord(
                    work.built.remote_kind, f"{PLANNED}{work.kind}:{work.record['id']}", "",
                    match.name, parent_id=work.built.fields.get("parent_id") or None)])
        return keep

    def _taken(self, work: Work, record: RemoteRecord | None) -> str:
        """Why ``work`` cannot link to ``record``: another book record goes (or went)
        to QuickBooks under that name; empty when it can."""
        if record is None:
            return ""
        title = f"{work.kind.replace('_', ' ')} '{record.name}'"
        if record.id.startswith(PLANNED):
            return (f"another record of the book goes to QuickBooks as {title} in this "
                    "run; QuickBooks names must be unique: rename one of them")
        other = self.ctx.links.by_remote(record.kind, record.id)
        if other is None or (other.record_kind, other.record_id) == work.key:
            return ""
        return (f"QuickBooks' {record.kind} '{record.name}' is already linked to "
                f"{other.record_kind.replace('_', ' ')} {other.record_id}; QuickBooks names "
                f"must be unique: rename one of them")

    def _link(self, work: Work, record: RemoteRecord, how: str) -> None:
        if not self.ctx.dry_run:
            self.ctx.links.put(Link(work.kind, work.record["id"], record.kind, record.id,
                                    record.version, record.name,
                                    content_hash(work.built.fields), work.record["version"],
                                    how))
            self.index.add([record])
        self._note(work, "would_link" if self.ctx.dry_run else "linked",
                   f"matched the existing {record.kind} '{record.name}'", record.id)

    # sending --------------------------------------------------------------------------
    def _stage(self, work: Work) -> dict[str, Any]:
        row = self.ctx.ops.stage(self._planned(work), self.run_id)
        work.op = row
        return row

    def _ledger_op(self, work: Work) -> LedgerOp:
        """The operation's current attempt (``sent`` already)."""
        assert work.op is not None
        # the stored payload itself: neither the ledger nor this runner changes it
        return LedgerOp(work.op["id"], ledger_action(work.action), work.built.remote_kind,
                        work.op["payload"], work.link.remote_id if work.link else None,
                        work.link.remote_version if work.link else None,
                        work.op["attempts"])

    def _planned(self, work: Work) -> Planned:
        return Planned(work.kind, work.record["id"], work.record["version"], work.action,
                       work.built.remote_kind, work.built.fields,
                       work.link.remote_id if work.link else None)

    async def send(self, works: Sequence[Work]) -> None:
        """Stage the level's operations, send them, record the answers: a few statements
        for the whole level, not a few per record."""
        ops = self.ctx.ops
        # new operations are stored as sent: they go before the next commit
        rows = ops.stage_many([self._planned(work) for work in works], self.run_id,
                              new_state="sent")
        for work, row in zip(works, rows, strict=True):
            work.op = row
        # failed here, before QuickBooks saw it, and the problem is gone now
        ops.move_many([r for r in rows if r["state"] == "failed" and r["error_action"] is None],
                      "pending", message=None)
        going: list[Work] = []
        payloads: list[tuple[str, Mapping[str, Any]]] = []
        for work, row in zip(works, rows, strict=True):
            if row["state"] in ("failed", "needs_attention"):
                self._note(work, "failed", row["message"] or "")
                continue
            if row["state"] in ("done", "dismissed"):
                self._note(work, "unchanged" if row["state"] == "done" else "skipped")
                continue
            if row["state"] != "sent" and row["payload"] != work.built.fields \
                    and dumps(row["payload"]) != dumps(work.built.fields):
                row["payload"] = dict(work.built.fields)  # not sent yet: the record as now
                row["payload_text"] = None
                payloads.append((row["id"], row["payload"]))
            # one still sent by an earlier run (its outcome unknown; a create was looked
            # up at the start of this run, and not found) goes again as the same attempt
            going.append(work)
        ops.set_payloads(payloads)
        ops.move_many([w.op for w in going if w.op and w.op["state"] == "blocked"], "pending")
        # each of the others begins a new attempt, under a request id of its own
        ops.move_many([w.op for w in going if w.op and w.op["state"] == "pending"], "sent")
        ready = [(work, self._ledger_op(work)) for work in going]
        self.checkpoint()
        collector.checkpoint()  # the chunk's work lives until it is written
        if ready:
            results = await self.ledger.apply([op for _, op in ready])
            by_id = {result.op_id: result for result in results}
            for work, op in ready:
                result = by_id[op.id]
                if result.ok:  # (most of them: no coroutine for each)
                    self._succeed(work, result, VERBS[op.action])
                else:
                    await self._settle(work, op, result)
        self._flush()
        self.checkpoint()

    def _flush(self) -> None:
        """Write what succeeded: links, operations done, older ones superseded."""
        self.ctx.links.put_many(self._links)
        self.ctx.ops.finish_many(self._done)
        self.ctx.ops.supersede_many(self._superseded, [done[0] for done in self._done])
        self._links, self._done, self._superseded = [], [], []

    async def _settle(self, work: Work, op: LedgerOp, result: LedgerResult) -> None:
        if result.ok:
            self._succeed(work, result, VERBS[op.action])
            return
        error = result.error
        assert error is not None
        if error.action == "reread_retry" and op.remote_id:
            assert work.op is not None
            fresh = await self.ledger.read(op.kind, op.remote_id)
            if fresh is not None:
                # a new attempt, with the SyncToken read now: under the request id of the
                # first attempt (or of one an earlier run made) QuickBooks would answer
                # again as it answered then
                retry = replace(op, remote_id=fresh.id, remote_version=fresh.version,
                                attempt=self.ctx.ops.next_attempt(work.op))
                again = (await self.ledger.apply([retry]))[0]
                if again.ok:
                    self._succeed(work, again, VERBS[op.action])
                    return
                error = again.error or error
            message = error.message
            if error.action == "reread_retry":  # its message promises a re-read, done now
                title = op.kind.replace("_", " ")
                message = (f"This {title} was changed in QuickBooks while ledgerbridge sent "
                           "a change, and again after it was read afresh"
                           if fresh is not None else f"This {title} was changed in "
                           "QuickBooks and could not be read there again")
                message += ": retry it once no one is editing it in QuickBooks."
            self.ctx.ops.move(op.id, "needs_attention", error_code=error.code,
                              error_action=error.action, message=message,
                              raw_error=error.raw)
            self._note(work, "failed", message)
            return
        if error.action in ("retry_later", "needs_reconnect"):
            if error.maybe_applied:
                # the answer was lost, not perhaps the write: it stays sent, and the next
                # run sends it again as the same attempt (a create is looked up in
                # QuickBooks, and linked if found, first)
                message = f"{error.message} {LOOKED_UP if op.action == 'create' else SAME_REQUEST}"
                self.ctx.ops.annotate(op.id, message, error_code=error.code,
                                      error_action=error.action, raw_error=error.raw)
                self._note(work, "retry_later", message)
                return
            # refused (throttled, say): QuickBooks did not do it; the next send is a new
            # attempt
            self.ctx.ops.move(op.id, "pending", error_code=error.code,
                              error_action=error.action, message=error.message,
                              raw_error=error.raw)
            self._note(work, "retry_later", error.message)
            return
        self.ctx.ops.move(op.id, "failed", error_code=error.code, error_action=error.action,
                          message=error.message, raw_error=error.raw)
        self._note(work, "failed", error.message)

    def _succeed(self, work: Work, result: LedgerResult, verb: str) -> None:
        record = result.record
        marker = SENT_MARKERS.get(work.action)
        # the hash of what QuickBooks was sent (a resumed operation sends its stored
        # payload, which may be older than the record now)
        sent = marker or (payload_digest(work.op) if work.op is not None
                          else content_hash(work.built.fields))
        if record is not None:
            self._links.append(Link(work.kind, work.record["id"], record.kind, record.id,
                                    record.version or None, record.name, sent,
                                    work.record["version"],
                                    work.link.how if work.link is not None else "created"))
            if record.kind in NAME_KINDS:
                self.index.add([record])
        elif work.link is not None:
            self._links.append(Link(work.kind, work.record["id"], work.link.remote_kind,
                                    work.link.remote_id, work.link.remote_version,
                                    work.link.remote_name, sent, work.record["version"],
                                    work.link.how))
        remote_id = record.id if record else work.link.remote_id if work.link else None
        self._done.append((result.op_id, remote_id, result.note or None))
        self._superseded.append(work.key)
        self._note(work, verb, result.note, remote_id)

    # the level ------------------------------------------------------------------------
    async def run(self, entries: Sequence[Entry]) -> list[RecordOutcome]:
        works = []
        for entry in entries:
            work = self._prepare(entry.kind, entry.record, entry.pushed)
            if work is not None:
                work.link_only, work.reason = entry.link_only, entry.reason
                works.append(work)
        works = await self._match(works)
        if self.ctx.dry_run:
            for work in works:
                fields = work.built.fields
                title = fields.get("name") or fields.get("doc_number") or ""
                self._note(work, "would_create" if work.action in ("create", RECREATE)
                           else "would_update",
                           f"{work.action} {work.built.remote_kind} '{title}'")
                self.ctx.planned[work.key] = "(new)"
            return self.outcomes
        # in chunks: each is staged, sent and written before the next, so a level of
        # 30,000 invoices never holds all their payloads and answers at once
        queue = deque(works)
        del works
        while queue:
            chunk = [queue.popleft() for _ in range(min(SEND_CHUNK, len(queue)))]
            await self.send(chunk)
            del chunk
            collector.checkpoint()
        return self.outcomes


def _namespace(kind: RemoteKind) -> tuple[RemoteKind, ...]:
    return NAMESPACE.get(kind, (kind,))
