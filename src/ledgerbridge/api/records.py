"""Create, upsert, read, update, delete and list for every record kind, generated from
the kind registry. (No ``from __future__ import annotations`` here: FastAPI reads the
body types from the annotations at runtime.)"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query

from ledgerbridge.api.deps import BookDep
from ledgerbridge.api.models import patch_model
from ledgerbridge.api.responses import BookJSONResponse
from ledgerbridge.book.kinds import KINDS, KindSpec
from ledgerbridge.book.store import MAX_PAGE
from ledgerbridge.errors import Problem, RecordRejectedError

IfMatch = Annotated[int | None, Header(description="Only write if the record is at this version")]

FILTERS = ("external_id", "customer_id", "vendor_id", "job_id", "location_id")


def _created_or_ok(outcome: str) -> int:
    return 201 if outcome == "created" else 200


def kind_router(spec: KindSpec) -> APIRouter:
    router = APIRouter(prefix=f"/{spec.plural}", tags=[spec.plural])
    Model = spec.model
    Patch = patch_model(Model)
    filters = [f for f in FILTERS if f in spec.table.c]

    @router.post("", status_code=201, summary=f"Create a {spec.label}")
    def create(body: Model, book: BookDep) -> BookJSONResponse:  # type: ignore[valid-type]
        with book.write() as b:
            result = b.create(spec.name, body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
        return BookJSONResponse(result.record, status_code=201)

    @router.put("/by-external-id/{external_id}",
                summary=f"Create or replace the {spec.label} with this external id")
    def upsert(external_id: str, body: Model, book: BookDep) -> BookJSONResponse:  # type: ignore[valid-type]
        with book.write() as b:
            result = b.upsert(spec.name, external_id, body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
        return BookJSONResponse(result.record, status_code=_created_or_ok(result.outcome),
                                headers={"X-Outcome": result.outcome})

    @router.get("/by-external-id/{external_id}", summary=f"Read a {spec.label} by external id")
    def read_external(external_id: str, book: BookDep) -> BookJSONResponse:
        with book.read() as b:
            return BookJSONResponse(b.get_by_external(spec.name, external_id))

    @router.get("/{record_id}", summary=f"Read a {spec.label}")
    def read(record_id: str, book: BookDep) -> BookJSONResponse:
        with book.read() as b:
            return BookJSONResponse(b.get(spec.name, record_id))

    @router.patch("/{record_id}", summary=f"Change some fields of a {spec.label}")
    def update(record_id: str, body: Patch, book: BookDep,  # type: ignore[valid-type]
               if_match: IfMatch = None) -> BookJSONResponse:
        with book.write() as b:
            result = b.update(spec.name, record_id, body.model_dump(exclude_unset=True),  # type: ignore[attr-defined]
                              expected_version=if_match)
        return BookJSONResponse(result.record, headers={"X-Outcome": result.outcome})

    @router.delete("/{record_id}", summary=f"Delete a {spec.label}",
                   description="Refused with 409, naming them, while other records refer "
                               "to it; otherwise a soft delete (it leaves lists and reads, "
                               "and its change event tells the sync engine).")
    def delete(record_id: str, book: BookDep, if_match: IfMatch = None) -> BookJSONResponse:
        with book.write() as b:
            result = b.delete(spec.name, record_id, expected_version=if_match)
        return BookJSONResponse(result.record)

    @router.get("", summary=f"List {spec.plural.replace('_', ' ')}")
    def list_records(
        book: BookDep,
        after: Annotated[str | None, Query(description="The cursor from the last page")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        updated_since: Annotated[datetime | None, Query()] = None,
        status: Annotated[str | None, Query(description=", ".join(spec.statuses))] = None,
        include_deleted: bool = False,
        external_id: str | None = None,
        customer_id: str | None = None,
        vendor_id: str | None = None,
        job_id: str | None = None,
        location_id: str | None = None,
    ) -> BookJSONResponse:
        given = {"external_id": external_id, "customer_id": customer_id,
                 "vendor_id": vendor_id, "job_id": job_id, "location_id": location_id}
        chosen = {k: v for k, v in given.items() if v is not None}
        wrong = [Problem(k, f"is not a filter for {spec.plural}") for k in chosen
                 if k not in filters]
        if wrong:
            raise RecordRejectedError("unknown filter", wrong)
        with book.read() as b:
            page = b.page(spec.name, after=after, limit=limit, updated_since=updated_since,
                          status=status, include_deleted=include_deleted, filters=chosen)
        return BookJSONResponse({"items": page.items, "next_cursor": page.next_cursor})

    return router


def all_kind_routers() -> list[APIRouter]:
    return [kind_router(spec) for spec in KINDS.values()]
