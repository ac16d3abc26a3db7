"""Request models derived from the book's input models (partial updates, bulk)."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, Field, create_model

from ledgerbridge.book.bulk import MAX_BULK
from ledgerbridge.book.schemas import RecordIn, Strict


def patch_model(model: type[RecordIn]) -> type[BaseModel]:
    """The same fields as ``model``, every one optional: only the fields sent change
    (``null`` clears a field; a document's ``lines`` are replaced whole)."""
    fields: dict[str, Any] = {
        name: (Optional[info.annotation], Field(None, description=info.description))  # noqa: UP045
        for name, info in model.model_fields.items()
    }
    return create_model(model.__name__.removesuffix("In") + "Patch", __base__=Strict,
                        **fields)


class BulkRequest(BaseModel):
    records: list[dict[str, Any]] = Field(
        ..., max_length=MAX_BULK,
        description="Records in dependency order, each naming its kind in `object` "
                    "(customer, location, job, ...) beside the fields of that kind. A record "
                    "with an external_id is upserted; references may use *_external_id.",
    )
