"""Batch: up to 30 operations (configurable) in one call; a Fault per failed bId."""

from __future__ import annotations

from typing import Any

from . import operations, query
from .entities import REGISTRY
from .errors import QboFault
from .rules import Ctx

JSON = dict[str, Any]
ITEM_KEYS = ("bId", "operation", "optionsData")


def _entity_of(item: JSON) -> str:
    for key in item:
        if key not in ITEM_KEYS and key in REGISTRY:
            return key
    unknown = next((k for k in item if k not in ITEM_KEYS), "(none)")
    raise QboFault("2010", None, field=unknown, entity="BatchItemRequest")


def _run_item(ctx: Ctx, item: JSON) -> JSON:
    if "Query" in item:
        return {"QueryResponse": query.run(ctx.company, str(item["Query"]))}
    entity = _entity_of(item)
    operation = str(item.get("operation", "create")).lower()
    body = item[entity]
    if operation == "create":
        return {entity: operations.create(ctx, entity, body)}
    if operation == "update":
        return {entity: operations.update(ctx, entity, body)}
    if operation == "delete":
        return {entity: operations.delete(ctx, entity, body)}
    if operation == "void":
        return {entity: operations.void(ctx, entity, body)}
    raise QboFault("2010", None, field="operation", entity="BatchItemRequest")


def run(ctx: Ctx, body: Any, max_items: int) -> JSON:
    """The ``BatchItemResponse`` body (without ``time``)."""
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise QboFault("2020", "BatchItemRequest", field="BatchItemRequest")
    if len(items) > max_items:
        raise QboFault("6000", None, detail=f"Batch size limit exceeded: at most {max_items} "
                       "items per batch request.")
    responses = []
    for item in items:
        bid = str(item.get("bId", "")) if isinstance(item, dict) else ""
        try:
            if not isinstance(item, dict):
                raise QboFault("2010", None, field="BatchItemRequest", entity="Batch")
            result = _run_item(ctx, item)
        except QboFault as fault:
            result = {"Fault": fault.fault(batch=True)}
        responses.append({**result, "bId": bid})
    return {"BatchItemResponse": responses}
