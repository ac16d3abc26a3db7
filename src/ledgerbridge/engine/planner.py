"""The plan of a run: which records go to QuickBooks, in which order, and why the
others wait. Roots come from the change feed (daily), the whole book (full) or a
person (push); each root pulls in what it depends on, as the settings allow. Every root
comes out of the plan sent, or with an outcome that says why not: ``waiting`` (for its
trigger, or for a record it needs) or ``skipped`` (the settings keep it out of
QuickBooks, naming the setting; deleted before it was sent; not a record that goes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ledgerbridge.engine.apply import Entry
from ledgerbridge.engine.context import Context, Key
from ledgerbridge.engine.graph import LEVEL, REMOTE_KIND, dependencies
from ledgerbridge.engine.outcomes import RecordOutcome, Result
from ledgerbridge.engine.triggers import trigger

#: kinds QuickBooks knows by name: one that is never sent may still be linked by name
LINKABLE = frozenset({"customer", "vendor", "item", "class"})
#: why a root of a kind that never goes to QuickBooks on its own does not go
NOT_SENT = {"cost_code": "not sent: cost codes do not go to QuickBooks; a line with a "
                         "cost code goes with the item it is mapped to (or the default item)"}


@dataclass(slots=True)
class Root:
    key: Key
    pushed: bool = False

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, key: Key, pushed: bool = False) -> None:
        self.key = key
        self.pushed = pushed


@dataclass
class Plan:
    levels: dict[int, list[Entry]] = field(default_factory=dict)
    waiting: list[RecordOutcome] = field(default_factory=list)
    #: roots that do not go at all, with why
    skipped: list[RecordOutcome] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.levels.setdefault(LEVEL[entry.kind], []).append(entry)

    def count(self) -> int:
        return sum(len(entries) for entries in self.levels.values())


class Planner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.plan = Plan()
        self.added: set[Key] = set()
        self.seen: set[tuple[Key, bool]] = set()
        self.held: dict[Key, RecordOutcome] = {}
        #: why a record that was asked for does not go (for its dependents' messages)
        self.why: dict[Key, str] = {}
        self.roots: dict[Key, None] = {}
        #: what a root that is neither sent nor held comes out with (``finish``)
        self.quiet: dict[Key, RecordOutcome] = {}

    def root(self, root: Root) -> None:
        self.roots.setdefault(root.key)
        self.visit(root.key, pushed=root.pushed)

    def visit(self, key: Key, pulled: bool = False, pushed: bool = False) -> None:
        """Decide for ``key``; a record first seen on its own and later pulled in by a
        dependent is decided again (its trigger may be "when its dependent is sent")."""
        kind, record_id = key
        if key in self.added or (key, pulled) in self.seen:
            return
        self.seen.add((key, pulled))
        if kind not in LEVEL:
            label = kind.replace("_", " ")
            self._quiet(key, "skipped", NOT_SENT.get(kind, f"not sent: {label} records "
                                                           "do not go to QuickBooks"))
            return
        record = self.ctx.records.get(kind, record_id)
        if record is None:
            label = kind.replace("_", " ")
            self._quiet(key, "skipped", f"not sent: no {label} {record_id} in the book")
            return
        link = self.ctx.links.get(kind, record_id)
        if record.get("deleted_at") is not None:
            if link is not None:
                self._add(Entry(kind, record))
            else:
                self._quiet(key, "skipped", "not sent: deleted here before it was sent")
            return
        verdict = trigger(kind, record, self.ctx.settings, pushed)
        goes = verdict.verdict == "send" or (verdict.verdict == "pull" and pulled)
        if link is not None and (verdict.verdict in ("send", "pull") or verdict.new_only):
            goes = True
        if goes:
            deps = dependencies(self.ctx, kind, record)
            for dep in deps:
                self.visit(dep, pulled=True)
            waits = self._waits_for(deps)
            if waits and link is None:
                self.held[key] = RecordOutcome(kind, record_id, "waiting", waits)
                self.why[key] = waits
            else:
                self._add(Entry(kind, record, pushed=pushed))
        elif pulled and verdict.verdict in ("never", "wait") and \
                REMOTE_KIND[kind] in LINKABLE:
            # matched by name in this run, or failed with why (its dependents blocked)
            self.why.pop(key, None)
            self._add(Entry(kind, record, link_only=True, reason=verdict.why()))
        elif link is None and verdict.verdict in ("never", "wait"):
            self.why[key] = verdict.reason
            if verdict.verdict == "wait":
                self.held[key] = RecordOutcome(kind, record_id, "waiting", verdict.reason)
            else:
                self._quiet(key, "skipped", verdict.refusal())
        elif verdict.verdict == "never":  # in QuickBooks already; the settings stop it now
            self._quiet(key, "skipped", verdict.refusal())
        else:  # waits for its trigger, or for a record that needs it to be sent
            self._quiet(key, "waiting", verdict.reason)

    def _quiet(self, key: Key, result: Result, message: str) -> None:
        self.quiet[key] = RecordOutcome(key[0], key[1], result, message)

    def _waits_for(self, deps: list[Key]) -> str:
        """Why a record cannot go yet: a record it needs waits and is not linked."""
        for dep in deps:
            if dep in self.why and self.ctx.links.get(*dep) is None:
                label = dep[0].replace("_", " ")
                return f"waits for its {label} {dep[1]}: {self.why[dep]}"
        return ""

    def _add(self, entry: Entry) -> None:
        key = (entry.kind, entry.record["id"])
        self.added.add(key)
        self.held.pop(key, None)
        self.plan.add(entry)

    def finish(self) -> Plan:
        self.plan.waiting = list(self.held.values())
        for key in self.roots:
            found = self.quiet.get(key)
            if key in self.added or key in self.held or found is None:
                continue
            (self.plan.waiting if found.result == "waiting" else self.plan.skipped
             ).append(found)
        return self.plan


def make_plan(ctx: Context, roots: Iterable[Root]) -> Plan:
    planner = Planner(ctx)
    for root in roots:
        planner.root(root)
    return planner.finish()
