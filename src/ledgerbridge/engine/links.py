"""Links: which QuickBooks entity a book record is, per connection, with the version
and content hash last sent, so unchanged records are never sent again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ledgerbridge.book.codec import dumps
from ledgerbridge.engine.tables import links
from ledgerbridge.many_rows import ManyRows

#: ``sent_hash`` of a link whose QuickBooks record was deleted there (kept in the book)
GONE = "deleted-in-quickbooks"


_KEY = ("connection_id", "record_kind", "record_id")


def _upsert(dialect: Dialect) -> Insert:
    """Insert a link, or replace the record's link (the primary key) if it has one."""
    insert = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(links)
    return insert.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={c.name: insert.excluded[c.name] for c in links.columns if c.name not in _KEY})


_PUT = ManyRows(_upsert)
_DROP = ManyRows(lambda dialect: delete(links).where(
    links.c.connection_id == bindparam("b_connection"),
    links.c.record_kind == bindparam("b_kind"), links.c.record_id == bindparam("b_id")))


def content_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(dumps(dict(fields)).encode()).hexdigest()


@dataclass(slots=True)
class Link:
    record_kind: str
    record_id: str
    remote_kind: str
    remote_id: str
    remote_version: str | None
    remote_name: str | None
    sent_hash: str | None
    record_version: int | None
    how: str

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, record_kind: str, record_id: str, remote_kind: str, remote_id: str,
                 remote_version: str | None, remote_name: str | None, sent_hash: str | None,
                 record_version: int | None, how: str) -> None:
        self.record_kind = record_kind
        self.record_id = record_id
        self.remote_kind = remote_kind
        self.remote_id = remote_id
        self.remote_version = remote_version
        self.remote_name = remote_name
        self.sent_hash = sent_hash
        self.record_version = record_version
        self.how = how


def gone_message(kind: str, link: Link) -> str:
    """Why a record whose QuickBooks copy was deleted there, and kept here, is not sent,
    and what to do."""
    group = "payments" if kind == "payment" else "invoices"
    return (f"its {link.remote_kind.replace('_', ' ')} {link.remote_id} was deleted in "
            f"QuickBooks and is kept here ({group}.delete_when_deleted_in_qb is off): "
            "delete it here too, or push it to create it in QuickBooks again")


class LinkStore:
    """Links of one connection, cached for the length of a run."""

    def __init__(self, conn: Connection, connection_id: str) -> None:
        self.conn = conn
        self.connection_id = connection_id
        self._by_record: dict[tuple[str, str], Link] | None = None
        self._by_remote: dict[tuple[str, str], Link] | None = None

    def _load(self) -> dict[tuple[str, str], Link]:
        if self._by_record is None:
            rows = self.conn.execute(select(links).where(
                links.c.connection_id == self.connection_id)).mappings()
            self._by_record = {
                (row["record_kind"], row["record_id"]): _link(row) for row in rows}
        return self._by_record

    def get(self, record_kind: str, record_id: str) -> Link | None:
        return self._load().get((record_kind, record_id))

    def all(self) -> Iterable[Link]:
        return list(self._load().values())

    def by_remote(self, remote_kind: str, remote_id: str) -> Link | None:
        known = self._load()
        if self._by_remote is None:
            self._by_remote = {(link.remote_kind, link.remote_id): link
                               for link in known.values()}
        link = self._by_remote.get((remote_kind, remote_id))
        # an entry is current only while its record still has that very link
        if link is None or known.get((link.record_kind, link.record_id)) is not link:
            return None
        return link

    def put(self, link: Link) -> None:
        """Create or replace the link of ``link.record_kind``/``record_id`` (and drop any
        other link to the same QuickBooks record)."""
        self.put_many([link])

    def put_many(self, made: Sequence[Link]) -> None:
        """``put`` for many links: one upsert (a level's results at once), after
        dropping the links of other records to the same QuickBooks records (rare: a
        record re-linked; known from the run's cache of this connection's links)."""
        if not made:
            return
        known = self._load()
        taken: list[Link] = []
        for link in made:
            other = self.by_remote(link.remote_kind, link.remote_id)
            if other is not None and (other.record_kind, other.record_id) != (
                    link.record_kind, link.record_id):
                taken.append(other)
                known.pop((other.record_kind, other.record_id), None)
        _DROP.run(self.conn, [{"b_kind": other.record_kind, "b_id": other.record_id}
                              for other in taken], b_connection=self.connection_id)
        _PUT.run(self.conn, [
            {"record_kind": link.record_kind, "record_id": link.record_id,
             "remote_kind": link.remote_kind, "remote_id": link.remote_id,
             "remote_version": link.remote_version, "remote_name": link.remote_name,
             "sent_hash": link.sent_hash, "record_version": link.record_version,
             "how": link.how} for link in made],
            connection_id=self.connection_id, updated_at=datetime.now(UTC))
        for link in made:
            known[(link.record_kind, link.record_id)] = link
            if self._by_remote is not None:
                self._by_remote[(link.remote_kind, link.remote_id)] = link

    def remove(self, record_kind: str, record_id: str) -> None:
        self._load().pop((record_kind, record_id), None)
        self.conn.execute(delete(links).where(
            links.c.connection_id == self.connection_id, links.c.record_kind == record_kind,
            links.c.record_id == record_id))


def _link(row: Mapping[Any, Any]) -> Link:
    return Link(row["record_kind"], row["record_id"], row["remote_kind"], row["remote_id"],
                row["remote_version"], row["remote_name"], row["sent_hash"],
                row["record_version"], row["how"])
