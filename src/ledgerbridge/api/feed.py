"""The bulk endpoint and the change feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ledgerbridge.api.deps import BookDep
from ledgerbridge.api.models import BulkRequest
from ledgerbridge.api.responses import BookJSONResponse
from ledgerbridge.book import bulk, changefeed

router = APIRouter()


@router.post("/bulk", tags=["bulk"], summary="Create or update up to 1000 records at once",
             description="Records are taken in order, each upserted by its external_id. "
                         "A rejected record is reported with every problem and the rest "
                         "are still written, all in one transaction.")
def bulk_load(body: BulkRequest, book: BookDep) -> BookJSONResponse:
    with book.write() as b:
        outcomes = bulk.load(b.conn, b.tenant_id, body.records, origin="api")
    return BookJSONResponse({
        "counts": bulk.summarize(outcomes),
        "results": [outcome.as_dict() for outcome in outcomes],
    })


@router.get("/changes", tags=["changes"], summary="The change feed",
            description="Every create, update and delete of this tenant's records in order. "
                        "Pass the last `id` you saw as `after` to continue.")
def changes(
    book: BookDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    kind: Annotated[list[str] | None, Query()] = None,
) -> BookJSONResponse:
    with book.read() as b:
        events = changefeed.read_changes(b.conn, b.tenant_id, after, limit, kind)
    return BookJSONResponse({
        "items": [event.as_dict() for event in events],
        "next_after": events[-1].id if events else after,
    })


@router.get("/tenant", tags=["tenant"], summary="Who am I")
def whoami(book: BookDep) -> BookJSONResponse:
    return BookJSONResponse({"id": book.tenant.id, "name": book.tenant.name})
