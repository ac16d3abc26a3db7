"""Matching before creating (DESIGN.md, decision 4): an existing link, then the exact
normalized name (inactive records included, across the customer/vendor/employee
namespace), then create. A name held by another kind follows the collision rule:
suffix the name, or fail naming the other record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ledgerbridge.engine.ledger import Ledger, RemoteKind, RemoteRecord
from ledgerbridge.engine.names import normalize, with_suffix
from ledgerbridge.settings.model import ConnectionWide

NAMESPACE: Mapping[str, tuple[RemoteKind, ...]] = {
    "customer": ("customer", "vendor", "employee"),
    "vendor": ("vendor", "customer", "employee"),
    "item": ("item",), "class": ("class",),
}
ITEM_TYPE_LABEL = {"inventory": "an inventory item", "non_inventory": "a non-inventory item",
                   "service": "a service item"}


@dataclass(slots=True)
class Candidate:
    key: tuple[str, str]
    remote_kind: str
    name: str
    parent_id: str | None = None
    item_type: str | None = None
    strict_type: bool = False
    parent_name: str | None = None

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, key: tuple[str, str], remote_kind: str, name: str,
                 parent_id: str | None = None, item_type: str | None = None,
                 strict_type: bool = False, parent_name: str | None = None) -> None:
        self.key = key
        self.remote_kind = remote_kind
        self.name = name
        self.parent_id = parent_id
        self.item_type = item_type
        self.strict_type = strict_type
        self.parent_name = parent_name


@dataclass(slots=True)
class Match:
    verdict: Literal["link", "create", "fail"]
    name: str
    record: RemoteRecord | None = None
    message: str = ""

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, verdict: Literal["link", "create", "fail"], name: str,
                 record: RemoteRecord | None = None, message: str = "") -> None:
        self.verdict = verdict
        self.name = name
        self.record = record
        self.message = message


class NameIndex:
    """Existing QuickBooks names by normalized name, filled by bulk reads or lookups."""

    def __init__(self) -> None:
        self.by_name: dict[str, dict[str, list[RemoteRecord]]] = {}
        self.looked_up: dict[str, set[str]] = {}

    def add(self, records: Iterable[RemoteRecord]) -> None:
        """Index each record by its name, and an inactive one also by the name it had
        while active (``fields["base_name"]``, when its ledger renames on deactivation),
        after any record that has that name itself."""
        for record in records:
            if record.name is None or record.deleted:
                continue
            self._put(normalize(record.name), record, first=True)
            base = record.fields.get("base_name")
            if base and normalize(str(base)) != normalize(record.name):
                self._put(normalize(str(base)), record, first=False)

    def _put(self, key: str, record: RemoteRecord, first: bool) -> None:
        same = self.by_name.setdefault(key, {}).setdefault(record.kind, [])
        if any(r.id == record.id for r in same):
            return
        if first:
            same.insert(sum(1 for r in same if normalize(r.name or "") == key), record)
        else:
            same.append(record)

    def mark_full(self, kind: str) -> None:
        self.looked_up[kind] = {"*"}

    def get(self, name: str, kind: str) -> list[RemoteRecord]:
        return self.by_name.get(normalize(name), {}).get(kind, [])

    async def ensure(self, ledger: Ledger, wanted: Mapping[RemoteKind, Sequence[str]]
                     ) -> None:
        """Look up the names not yet known, of every kind in ``wanted``, in one lookup
        (one batch call for a few names of customers, vendors and employees)."""
        missing: dict[RemoteKind, list[str]] = {}
        for kind, names in wanted.items():
            done = self.looked_up.setdefault(kind, set())
            if "*" in done:
                continue
            unknown = sorted({n for n in names if normalize(n) not in done})
            if unknown:
                missing[kind] = unknown
        if missing:
            self.add(await ledger.find_by_names(missing))
            for kind, names in missing.items():
                self.looked_up[kind].update(normalize(n) for n in names)


def _other_kind(index: NameIndex, name: str, candidate: Candidate) -> RemoteRecord | None:
    for kind in NAMESPACE.get(candidate.remote_kind, ())[1:]:
        found = index.get(name, kind)
        if found:
            return found[0]
    return None


def _same_kind(index: NameIndex, name: str, candidate: Candidate) -> RemoteRecord | None:
    for record in index.get(name, candidate.remote_kind):
        if candidate.remote_kind != "customer" or record.parent_id == candidate.parent_id:
            return record
    return None


def _taken_by_sibling(index: NameIndex, name: str, candidate: Candidate) -> bool:
    return candidate.remote_kind == "customer" and bool(index.get(name, "customer"))


def decide(index: NameIndex, candidate: Candidate, rules: ConnectionWide,
           max_length: int) -> Match:
    """Link, create (perhaps under another name), or fail, for one name."""
    name = candidate.name
    for _ in range(3):
        same = _same_kind(index, name, candidate)
        if same is not None:
            return _link_or_refuse(candidate, name, same)
        other = _other_kind(index, name, candidate)
        if other is None and not _taken_by_sibling(index, name, candidate):
            return Match("create", name)
        if other is not None and rules.name_collision == "fail":
            what = "an employee" if other.kind == "employee" else f"a {other.kind}"
            return Match("fail", name, other, (
                f"{what.capitalize()} in QuickBooks already uses the name '{name}'. Rename "
                "one of them, or set the name collision rule to suffix."))
        name = (with_suffix(name, candidate.remote_kind, max_length, rules) if other
                else f"{candidate.name} ({candidate.parent_name or 'sub'})"[:max_length])
    return Match("fail", name, None, f"'{candidate.name}' and the names tried for it are all "
                 "taken in QuickBooks; rename it")


def _link_or_refuse(candidate: Candidate, name: str, found: RemoteRecord) -> Match:
    if candidate.remote_kind != "item" or not candidate.strict_type:
        return Match("link", name, found)
    their_type = str(found.fields.get("item_type") or "")
    if their_type == candidate.item_type:
        return Match("link", name, found)
    label = ITEM_TYPE_LABEL.get(their_type, "an item of another type")
    return Match("fail", name, found, (
        f"QuickBooks has {label} named '{name}', not an inventory part. Convert it to an "
        "inventory part in QuickBooks, or run an inventory sync to create the part, then "
        "retry."))
