"""Create, read, update (full and sparse), delete, void: QuickBooks' semantics, no HTTP."""

from __future__ import annotations

from typing import Any

from .entities import REGISTRY, EntitySpec
from .entities.base import READ_ONLY
from .entities.sales import void_invoice
from .entities.txn_common import bump
from .errors import QboFault
from .rules import Ctx, check_id, check_stale
from .state import is_digits

JSON = dict[str, Any]


def spec_of(entity: str) -> EntitySpec:
    return REGISTRY[entity]


def _body(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise QboFault("2010", None, field="(request body)", entity="IntuitEntity")
    return body


def save(ctx: Ctx, entity: str, body: Any) -> JSON:
    """POST to an entity: a body with an Id is an update, else a create."""
    data = _body(body)
    if data.get("Id") not in (None, ""):
        return update(ctx, entity, data)
    return create(ctx, entity, data)


def create(ctx: Ctx, entity: str, body: JSON, *, notify: bool = True) -> JSON:
    spec = spec_of(entity)
    spec.check_known(body)
    if spec.kind == "singleton":
        raise QboFault("6000", None, detail=f"{entity} cannot be created.")
    record = spec.normalize(ctx, _writable(spec, body), None)
    record["Id"] = ctx.company.next_id(entity)
    ctx.company.put(entity, record)
    spec.after_write(ctx, None, record)
    if notify:
        ctx.record_change(entity, record["Id"], "Create")
    return record


def read(ctx: Ctx, entity: str, record_id: str) -> JSON:
    check_id(record_id)
    record = ctx.company.get(entity, record_id)
    if record is None:
        raise QboFault("610", "")
    return record


def _writable(spec: EntitySpec, record: JSON) -> JSON:
    return {k: v for k, v in record.items() if k not in READ_ONLY and k not in spec.system}


def update(ctx: Ctx, entity: str, body: JSON) -> JSON:
    spec = spec_of(entity)
    spec.check_known(body)
    existing = read(ctx, entity, str(body["Id"]))
    check_stale(existing, body.get("SyncToken"))
    data = _writable(spec, body)
    if body.get("sparse") is True:
        data = {**_writable(spec, existing), **data}
    record = spec.normalize(ctx, data, existing)
    if record == existing:
        return existing
    record = bump(ctx, record)
    ctx.company.put(entity, record)
    spec.after_write(ctx, existing, record)
    ctx.record_change(entity, record["Id"], _update_kind(existing, record))
    return record


def _update_kind(old: JSON, new: JSON) -> str:
    return "Delete" if old.get("Active") is True and new.get("Active") is False else "Update"


def delete(ctx: Ctx, entity: str, body: Any) -> JSON:
    """``operation=delete``: transactions only; answers ``status: Deleted``."""
    data = _body(body)
    spec = spec_of(entity)
    if not spec.deletable:
        raise QboFault("6000", None, detail=f"{entity} cannot be deleted; make it inactive "
                       "instead.")
    if not data.get("Id"):
        raise QboFault("2020", "Id", field="Id")
    existing = read(ctx, entity, str(data["Id"]))
    check_stale(existing, data.get("SyncToken"))
    spec.before_delete(ctx, existing, None)
    tombstone = {"domain": "QBO", "status": "Deleted", "Id": existing["Id"],
                 "MetaData": {"CreateTime": existing["MetaData"]["CreateTime"],
                              "LastUpdatedTime": ctx.clock.meta_time()}}
    ctx.company.remove(entity, existing["Id"], tombstone)
    spec.after_write(ctx, existing, None)
    ctx.record_change(entity, existing["Id"], "Delete")
    return {"domain": "QBO", "status": "Deleted", "Id": existing["Id"]}


def void(ctx: Ctx, entity: str, body: Any) -> JSON:
    data = _body(body)
    spec = spec_of(entity)
    if not spec.voidable:
        raise QboFault("6000", None, detail=f"{entity} cannot be voided.")
    existing = read(ctx, entity, str(data.get("Id", "")))
    check_stale(existing, data.get("SyncToken"))
    record = bump(ctx, void_invoice(ctx, existing))
    ctx.company.put(entity, record)
    spec.after_write(ctx, existing, record)
    ctx.record_change(entity, record["Id"], "Void")
    return record


def seed(ctx: Ctx, entity: str, record: JSON) -> JSON:
    """Store an existing record as given (admin seeding); only the frame is filled in."""
    stored = dict(record)
    if not stored.get("Id"):
        stored["Id"] = ctx.company.next_id(entity)
    stored["Id"] = str(stored["Id"])
    ctx.company.bump_sequence(entity, stored["Id"])
    doc = str(stored.get("DocNumber", ""))
    if is_digits(doc):
        key = f"doc:{entity}"
        ctx.company.sequences[key] = max(ctx.company.sequences.get(key, 1000), int(doc))
    now = ctx.clock.meta_time()
    stored.setdefault("domain", "QBO")
    stored.setdefault("sparse", False)
    stored.setdefault("SyncToken", "0")
    stored.setdefault("MetaData", {"CreateTime": now, "LastUpdatedTime": now})
    ctx.company.put(entity, stored)
    return stored
