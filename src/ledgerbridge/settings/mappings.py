"""Mappings a user chooses per connection: cost code -> QuickBooks item, cost type ->
class. Autofill maps the codes whose names equal an item's name (normalized). Checking a
mapping before it is stored (the book's code exists, the QuickBooks item is there and
active) is here too; reading QuickBooks for it is ``mapping_service``'s."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from ledgerbridge.book.store import Book
from ledgerbridge.engine.ledger import RemoteRecord
from ledgerbridge.engine.names import normalize
from ledgerbridge.engine.tables import mappings
from ledgerbridge.errors import ErrorContext, NotFoundError, Problem, ReferenceMissingError

#: mapping kind -> (the book's kind, the QuickBooks kind)
KINDS = {"cost_code_item": ("cost_code", "item"), "cost_type_class": ("cost_type", "class")}
#: the book kind's name (singular or plural, as the records API names it) for its mapping
ALIASES = {"cost_code": "cost_code_item", "cost_codes": "cost_code_item",
           "cost_type": "cost_type_class", "cost_types": "cost_type_class"}
PLURAL = {"item": "items", "class": "classes"}
#: where a person finds the list in QuickBooks Online
WHERE = {"item": "Sales > Products and services", "class": "Settings > All lists > Classes"}


@dataclass(frozen=True)
class Mapping_:
    kind: str
    local_id: str
    remote_id: str
    remote_name: str | None


@dataclass(frozen=True)
class Row:
    """A cost code (type) and its QuickBooks item (class), or what its lines get without
    one (``fallback``). ``local_name`` is None for a mapping whose code left the book."""

    kind: str
    local_id: str
    local_name: str | None
    remote_id: str | None = None
    remote_name: str | None = None
    fallback: str | None = None


def kind_named(name: str) -> str:
    """The mapping kind ``name`` means: its own name, or its book kind's (``cost_code``,
    ``cost-types``)."""
    wanted = name.strip().lower().replace("-", "_")
    found = wanted if wanted in KINDS else ALIASES.get(wanted)
    if found is None:
        raise KeyError(f"unknown mapping kind '{name}' (known: {', '.join(KINDS)}; "
                       "or cost_code, cost_type)")
    return found


def label(kind_name: str) -> str:
    """``cost_code`` -> ``cost code``."""
    return kind_name.replace("_", " ")


def all_of(conn: Connection, connection_id: str, kind: str) -> dict[str, Mapping_]:
    rows = conn.execute(select(mappings).where(
        mappings.c.connection_id == connection_id, mappings.c.kind == kind)).mappings()
    return {row["local_id"]: Mapping_(kind, row["local_id"], row["remote_id"],
                                      row["remote_name"]) for row in rows}


def put(conn: Connection, connection_id: str, kind: str, local_id: str, remote_id: str,
        remote_name: str | None = None) -> None:
    if kind not in KINDS:
        raise KeyError(f"unknown mapping kind '{kind}' (known: {', '.join(KINDS)})")
    remove(conn, connection_id, kind, local_id)
    conn.execute(mappings.insert().values(
        connection_id=connection_id, kind=kind, local_id=local_id, remote_id=remote_id,
        remote_name=remote_name, updated_at=datetime.now(UTC)))


def remove(conn: Connection, connection_id: str, kind: str, local_id: str) -> bool:
    """Forget the mapping; whether there was one."""
    done = conn.execute(delete(mappings).where(
        mappings.c.connection_id == connection_id, mappings.c.kind == kind,
        mappings.c.local_id == local_id))
    return bool(done.rowcount)


def remove_existing(conn: Connection, connection_id: str, kind: str, local_id: str
                    ) -> Mapping_:
    """Forget the mapping and return it; NotFoundError when there is none."""
    found = all_of(conn, connection_id, kind).get(local_id)
    if found is None:
        local_kind, remote_kind = KINDS[kind]
        raise NotFoundError(f"{label(local_kind)} '{local_id}' has no {remote_kind} mapping",
                            context=ErrorContext(connection_id=connection_id,
                                                 record_kind=local_kind, record_id=local_id))
    remove(conn, connection_id, kind, local_id)
    return found


def autofill(conn: Connection, connection_id: str, kind: str,
             locals_: Iterable[tuple[str, str]], remotes: Iterable[tuple[str, str]]
             ) -> list[Mapping_]:
    """Map each unmapped local (id, name) to the remote (id, name) of the same name;
    return the mappings made. Existing mappings are kept."""
    existing = all_of(conn, connection_id, kind)
    by_name: Mapping[str, tuple[str, str]] = {normalize(name): (rid, name)
                                              for rid, name in remotes}
    made = []
    for local_id, name in locals_:
        if local_id in existing or normalize(name) not in by_name:
            continue
        remote_id, remote_name = by_name[normalize(name)]
        put(conn, connection_id, kind, local_id, remote_id, remote_name)
        made.append(Mapping_(kind, local_id, remote_id, remote_name))
    return made


def rows(kind: str, locals_: Iterable[tuple[str, str]], mapped: Mapping[str, Mapping_],
         fallback: Callable[[str], str]) -> list[Row]:
    """Every local (id, name), mapped or not (then with ``fallback(id)``), and after them
    the mappings whose local is gone from the book."""
    found = []
    for local_id, name in locals_:
        done = mapped.get(local_id)
        found.append(Row(kind, local_id, name, done.remote_id, done.remote_name) if done
                     else Row(kind, local_id, name, fallback=fallback(local_id)))
    seen = {row.local_id for row in found}
    found += [Row(kind, m.local_id, None, m.remote_id, m.remote_name)
              for m in mapped.values() if m.local_id not in seen]
    return found


# checks before a mapping is stored ---------------------------------------------------------
def _missing(kind: str, local_id: str, path: str, message: str) -> ReferenceMissingError:
    return ReferenceMissingError(message, [Problem(path, message)], context=ErrorContext(
        record_kind=KINDS[kind][0], record_id=local_id, extra={"mapping": kind}))


def check_local(conn: Connection, tenant_id: str, kind: str, local_id: str
                ) -> dict[str, Any]:
    """The book's cost code (cost type) ``local_id``; refused when it has none (or a
    deleted one)."""
    local_kind = KINDS[kind][0]
    try:
        return Book(conn, tenant_id).get(local_kind, local_id)
    except NotFoundError as exc:
        raise _missing(kind, local_id, "local_id", (
            f"the book has no {label(local_kind)} with id '{local_id}' (or it was deleted); "
            f"give the id of one of its {label(local_kind)}s: `ledgerbridge map list "
            f"{kind}` or GET /v1/{local_kind}s lists them")) from exc


def resolve_remote(kind: str, local_id: str, records: Sequence[RemoteRecord], remote: str
                   ) -> RemoteRecord:
    """The QuickBooks item (class) ``remote`` names: the one with that id, else the one
    with exactly that name. Refused, saying how to fix it, when there is none, when the
    name is several's, or when it is inactive."""
    what = KINDS[kind][1]
    live = [r for r in records if not r.deleted]
    found = [r for r in live if r.id == remote] or [r for r in live if r.name == remote]
    if not found:
        raise _missing(kind, local_id, "remote_id", _not_found(what, remote, live))
    if len(found) > 1:
        ids = ", ".join(r.id for r in found)
        raise _missing(kind, local_id, "remote_id", (
            f"{len(found)} QuickBooks {PLURAL[what]} are named '{remote}' (ids {ids}); give the id "
            "of the one to use"))
    if not found[0].active:
        raise _missing(kind, local_id, "remote_id", (
            f"the QuickBooks {what} '{found[0].name}' (id {found[0].id}) is inactive; make "
            f"it active in QuickBooks ({WHERE[what]}) or choose another {what}"))
    return found[0]


def _not_found(what: str, remote: str, live: Sequence[RemoteRecord]) -> str:
    names = [r.name for r in live if r.active and r.name]
    names = list(dict.fromkeys(names))
    near = [n for n in names if normalize(n) == normalize(remote)] or \
        difflib.get_close_matches(remote, names, n=3)
    hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
    return (f"QuickBooks has no {what} with the id or the exact name '{remote}'{hint}; give "
            f"the id of an active {what}, or its name exactly as QuickBooks shows it "
            f"({WHERE[what]})")
