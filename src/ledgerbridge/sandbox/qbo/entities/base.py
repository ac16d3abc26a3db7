"""What every entity shares: its spec, the registry, the common frame of a record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import QboFault
from ..rules import Ctx

JSON = dict[str, Any]
Normalizer = Callable[[Ctx, JSON, JSON | None], JSON]
Hook = Callable[[Ctx, JSON | None, JSON | None], None]

FRAME = ("domain", "sparse", "Id", "SyncToken", "MetaData")
READ_ONLY = frozenset({"domain", "sparse", "Id", "SyncToken", "MetaData", "status"})


def _no_hook(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
    return None


@dataclass(frozen=True)
class EntitySpec:
    """How one QuickBooks entity is named, checked and built."""

    name: str
    kind: str  # "name" | "list" | "txn" | "singleton"
    fields: frozenset[str]
    normalize: Normalizer
    system: frozenset[str] = frozenset()
    keep_on_update: frozenset[str] = frozenset()
    after_write: Hook = _no_hook
    before_delete: Hook = _no_hook
    deactivate_key: str | None = None
    voidable: bool = False
    queryable_extra: frozenset[str] = field(default_factory=frozenset)

    @property
    def path(self) -> str:
        return self.name.lower()

    @property
    def has_active(self) -> bool:
        return "Active" in self.fields

    @property
    def deletable(self) -> bool:
        return self.kind == "txn"

    def check_known(self, body: JSON) -> None:
        """2010 for a property QuickBooks does not know on this entity."""
        for key in body:
            if key not in self.fields and key not in READ_ONLY and key not in self.system:
                raise QboFault("2010", None, field=key, entity=self.name)

    def queryable(self, name: str) -> bool:
        root = name.split(".", 1)[0]
        return (root in self.fields or root in READ_ONLY or root in self.system
                or name in self.queryable_extra)


REGISTRY: dict[str, EntitySpec] = {}
_BY_LOWER: dict[str, EntitySpec] = {}


def register(spec: EntitySpec) -> EntitySpec:
    REGISTRY[spec.name] = spec
    _BY_LOWER[spec.name.lower()] = spec
    return spec


def by_path(segment: str) -> EntitySpec | None:
    """The entity of a URL segment (``customer``) or a query's FROM (case-insensitive)."""
    return _BY_LOWER.get(segment.lower())


by_name = by_path


def framed(ctx: Ctx, body: JSON, existing: JSON | None) -> JSON:
    """The frame every record starts with: domain, sparse, Id, SyncToken, MetaData."""
    now = ctx.clock.meta_time()
    if existing is None:
        return {"domain": "QBO", "sparse": False, "Id": "", "SyncToken": "0",
                "MetaData": {"CreateTime": now, "LastUpdatedTime": now}}
    return {"domain": "QBO", "sparse": False, "Id": existing["Id"],
            "SyncToken": existing["SyncToken"], "MetaData": dict(existing["MetaData"])}


def copy_fields(target: JSON, source: JSON, names: tuple[str, ...] | frozenset[str]) -> None:
    for name in names:
        if source.get(name) is not None:
            target[name] = source[name]


def ordered(record: JSON, first: tuple[str, ...]) -> JSON:
    """Put the listed keys first, as QuickBooks does; drop None values."""
    out = {key: record[key] for key in first if record.get(key) is not None}
    out.update({k: v for k, v in record.items() if k not in out and v is not None})
    return out
