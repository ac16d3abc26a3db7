"""What one sync run of one connection works with: the book, settings, links,
operations, mappings and the company's profile, over one database connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from ledgerbridge.book.store import Book
from ledgerbridge.engine.ledger import CompanyProfile
from ledgerbridge.engine.links import LinkStore
from ledgerbridge.engine.operations import OperationStore
from ledgerbridge.settings import mappings
from ledgerbridge.settings.model import SyncSettings

Key = tuple[str, str]


@dataclass
class BookReader:
    """Book records by kind and id, read once per run (deleted ones too)."""

    book: Book
    cache: dict[Key, dict[str, Any] | None] = field(default_factory=dict)

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        """The record, deleted or not (a deleted one has ``deleted_at``)."""
        key = (kind, record_id)
        if key not in self.cache:
            found = self.book.page(kind, include_deleted=True, filters={"id": record_id},
                                   limit=1).items
            self.cache[key] = found[0] if found else None
        return self.cache[key]

    def forget(self, kind: str, record_id: str) -> None:
        self.cache.pop((kind, record_id), None)

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every live record of ``kind`` (kept for later ``get``)."""
        found = self.book.all_live(kind)
        for record in found:
            self.cache[(kind, record["id"])] = record
        return found


@dataclass
class Context:
    conn: Connection
    tenant_id: str
    connection_id: str
    settings: SyncSettings
    profile: CompanyProfile
    dry_run: bool = False
    records: BookReader = field(init=False)
    links: LinkStore = field(init=False)
    ops: OperationStore = field(init=False)
    cost_code_items: dict[str, str] = field(init=False)
    cost_type_classes: dict[str, str] = field(init=False)
    #: in a dry run, the records the plan would create (their remote id unknown yet)
    planned: dict[Key, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.records = BookReader(Book(self.conn, self.tenant_id, origin="quickbooks"))
        self.links = LinkStore(self.conn, self.connection_id)
        self.ops = OperationStore(self.conn, self.connection_id)
        self.reload_mappings()

    def reload_mappings(self) -> None:
        self.cost_code_items = {k: m.remote_id for k, m in mappings.all_of(
            self.conn, self.connection_id, "cost_code_item").items()}
        self.cost_type_classes = {k: m.remote_id for k, m in mappings.all_of(
            self.conn, self.connection_id, "cost_type_class").items()}

    def remote_id(self, kind: str, record_id: str | None) -> str | None:
        if record_id is None:
            return None
        link = self.links.get(kind, record_id)
        if link is None:
            return self.planned.get((kind, record_id))
        return link.remote_id
