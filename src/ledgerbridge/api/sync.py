"""Sync settings, mappings, runs, unsynced records and the transmission log of a
connection."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from ledgerbridge import mapping_service
from ledgerbridge.api.connections import qbo_transport
from ledgerbridge.api.deps import BookDep, TenantBook
from ledgerbridge.api.responses import BookJSONResponse
from ledgerbridge.engine import oplog
from ledgerbridge.engine.operations import OperationStore
from ledgerbridge.engine.unsynced import unsynced
from ledgerbridge.settings import mappings
from ledgerbridge.settings import store as settings_store
from ledgerbridge.settings.model import SyncSettings
from ledgerbridge.sync_service import (
    context,
    find_connection,
    import_names,
    inventory_sync,
    run_sync,
)

router = APIRouter(prefix="/connections/{connection_id}", tags=["sync"])


def _webhook_transport(request: Request) -> httpx.AsyncBaseTransport | None:
    """Where event webhooks go out through (tests put an in-process receiver here)."""
    found = getattr(request.app.state, "webhook_transport", None)
    return found if isinstance(found, httpx.AsyncBaseTransport) else None


def _connection(book: TenantBook, connection_id: str) -> str:
    with book.engine.connect() as conn:
        return find_connection(conn, book.tenant.id, connection_id).id


@router.get("/settings", summary="The connection's sync settings")
def get_settings(connection_id: str, book: BookDep) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    with book.engine.connect() as conn:
        settings, version = settings_store.load(conn, cid)
    return BookJSONResponse({"version": version, "settings": settings.model_dump(mode="json")})


@router.patch("/settings", summary="Change some settings",
              description="Send the groups and fields to change, e.g. "
                          '`{"invoices": {"send": "when_sent"}}`; the rest stay.')
def patch_settings(connection_id: str, body: dict[str, Any], book: BookDep,
                   if_match: Annotated[int | None, Header()] = None) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    with book.engine.begin() as conn:
        settings, version = settings_store.update(conn, cid, body, if_match)
    return BookJSONResponse({"version": version, "settings": settings.model_dump(mode="json")})


@router.get("/settings/schema", summary="Every setting, its values and default")
def settings_schema(connection_id: str, book: BookDep) -> BookJSONResponse:
    return BookJSONResponse(SyncSettings.model_json_schema())


MappingKind = Literal["cost_code_item", "cost_type_class"]


class MappingIn(BaseModel):
    local_id: str = Field(description="The cost code or cost type id")
    remote_id: str = Field(description="The QuickBooks item or class id (or its exact name)")
    remote_name: str | None = Field(None, description="Ignored: the name QuickBooks has is "
                                                     "stored")


def _unmapped(row: mappings.Row) -> dict[str, Any]:
    return {"kind": row.kind, "local_id": row.local_id, "local_name": row.local_name,
            "fallback": row.fallback}


@router.get("/mappings/{kind}", summary="Cost code -> item, cost type -> class",
            description="``items``: the mappings stored. ``unmapped``: every cost code "
                        "(type) of the book without one, with what its lines get instead "
                        "(the default item, a class of its own, or a failure).")
def get_mappings(connection_id: str, kind: MappingKind, book: BookDep) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    # one read: the rows hold every stored mapping (those whose code left the book too)
    rows = mapping_service.mapping_rows(book.engine, book.tenant.id, cid, kind)
    return BookJSONResponse({
        "items": [{"kind": r.kind, "local_id": r.local_id, "remote_id": r.remote_id,
                   "remote_name": r.remote_name} for r in rows if r.fallback is None],
        "unmapped": [_unmapped(r) for r in rows if r.fallback is not None]})


@router.put("/mappings/{kind}", summary="Map one cost code or cost type",
            description="Checked before it is stored: the cost code (type) must be the "
                        "book's and the item (class) must exist in QuickBooks and be "
                        "active (one read of QuickBooks' list; 422 naming the field "
                        "otherwise). QuickBooks' name for it is stored with its id.")
async def put_mapping(connection_id: str, kind: MappingKind, body: MappingIn, request: Request,
                      book: BookDep) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    made = await mapping_service.set_mapping(book.engine, book.tenant.id, cid, kind,
                                             body.local_id, body.remote_id,
                                             transport=qbo_transport(request))
    return BookJSONResponse(asdict(made))


@router.delete("/mappings/{kind}/{local_id}", summary="Forget one mapping",
               description="404 when the cost code (type) has none. Its lines then get "
                           "the default item (a cost type: its own class).")
def delete_mapping(connection_id: str, kind: MappingKind, local_id: str, book: BookDep
                   ) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    gone = mapping_service.remove_mapping(book.engine, book.tenant.id, cid, kind, local_id)
    return BookJSONResponse(asdict(gone))


@router.post("/mappings/autofill", summary="Map codes to QuickBooks items and classes of "
                                           "the same name",
             description="Every unmapped cost code to the item, and cost type to the "
                         "class, of the same name (compared ignoring case and runs of "
                         "spaces); existing mappings are kept. Returns the mappings made "
                         "and what stays unmapped, with what its lines get instead.")
async def autofill_mappings(connection_id: str, request: Request, book: BookDep
                            ) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    done = await mapping_service.autofill(book.engine, book.tenant.id, cid,
                                          transport=qbo_transport(request))
    return BookJSONResponse({"mapped": [asdict(m) for m in done.made],
                             "unmapped": [_unmapped(r) for r in done.unmapped]})


class SyncIn(BaseModel):
    mode: Literal["daily", "full"] = "daily"
    dry_run: bool = False


def _report(report: Any) -> dict[str, Any]:
    return {"run_id": report.run_id, "mode": report.mode, "dry_run": report.dry_run,
            "summary": report.summary(),
            "records": [asdict(o) for o in report.outcomes]}


@router.post("/sync", summary="Sync now (daily) or a full sync",
             description="With dry_run, the plan is returned and nothing is written to "
                         "QuickBooks.")
async def sync_now(connection_id: str, body: SyncIn, request: Request, book: BookDep
                   ) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    report = await run_sync(book.engine, book.tenant.id, cid, mode=body.mode,
                            dry_run=body.dry_run, transport=qbo_transport(request),
                            webhook_transport=_webhook_transport(request))
    return BookJSONResponse(_report(report))


@router.get("/unsynced", summary="Records that should be in QuickBooks and are not")
def list_unsynced(connection_id: str, book: BookDep,
                  kind: Annotated[list[str] | None, Query()] = None) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    with context(book.engine, book.tenant.id, cid) as ctx:
        items = [u.as_dict() for u in unsynced(ctx, tuple(kind) if kind else None)]
    return BookJSONResponse({"items": items})


class PushIn(BaseModel):
    records: list[tuple[str, str]] | None = Field(
        None, description="[kind, id] pairs; leave out to push every unsynced record")


@router.post("/push", summary="Push one, some, or all unsynced records now")
async def push(connection_id: str, body: PushIn, request: Request, book: BookDep
               ) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    keys = body.records
    if keys is None:
        with context(book.engine, book.tenant.id, cid) as ctx:
            keys = [(u.kind, u.record_id) for u in unsynced(ctx)]
    report = await run_sync(book.engine, book.tenant.id, cid, mode="push", push=keys,
                            transport=qbo_transport(request),
                            webhook_transport=_webhook_transport(request))
    return BookJSONResponse(_report(report))


@router.post("/import-names", summary="Import QuickBooks customers and vendors",
             description="Every top-level QuickBooks customer and vendor comes into the "
                         "book, linked to the record of the same name or created, so "
                         "nothing is duplicated later.")
async def import_quickbooks_names(connection_id: str, request: Request, book: BookDep
                                  ) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    outcomes = await import_names(book.engine, book.tenant.id, cid,
                                  transport=qbo_transport(request))
    return BookJSONResponse({"records": [asdict(o) for o in outcomes]})


@router.post("/inventory-sync", summary="Send every inventory part's count now")
async def inventory(connection_id: str, request: Request, book: BookDep) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    report = await inventory_sync(book.engine, book.tenant.id, cid,
                                  transport=qbo_transport(request))
    return BookJSONResponse(_report(report))


LOG_FIELDS = ("id", "run_id", "direction", "record_kind", "record_id", "record_version",
              "action", "remote_kind", "remote_id", "state", "attempts", "error_code",
              "error_action", "message", "raw_error", "created_at", "updated_at")


@router.get("/log", summary="The transmission log, newest first, page by page")
def log(connection_id: str, book: BookDep,
        state: Annotated[list[str] | None, Query()] = None, kind: str | None = None,
        record_id: str | None = None,
        direction: Annotated[str | None, Query(description="outbound or inbound")] = None,
        run_id: str | None = None,
        q: Annotated[str | None, Query(description="search messages and ids")] = None,
        after: Annotated[str | None, Query(description="The cursor from the last page")] = None,
        limit: Annotated[int, Query(ge=1, le=oplog.MAX_LIMIT)] = 100) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    wanted = oplog.LogFilter(states=state or (), record_kind=kind, record_id=record_id,
                             direction=direction, run_id=run_id, search=q)
    with book.engine.connect() as conn:
        found = oplog.page(conn, cid, wanted, after=after, limit=limit)
    return BookJSONResponse({"items": [{f: row[f] for f in LOG_FIELDS} for row in found.items],
                             "next_cursor": found.next_cursor})


@router.post("/log/{op_id}/{action}", summary="Retry or dismiss an operation")
def log_action(connection_id: str, op_id: str, action: Literal["retry", "dismiss"],
               book: BookDep) -> BookJSONResponse:
    cid = _connection(book, connection_id)
    with book.engine.begin() as conn:
        ops = OperationStore(conn, cid)
        if action == "retry":
            ops.retry(op_id)
        else:
            ops.dismiss(op_id)
        row = ops.get(op_id)
    return BookJSONResponse({f: row[f] for f in LOG_FIELDS})
