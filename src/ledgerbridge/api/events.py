"""Events for the host app, and webhook subscriptions that push them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from ledgerbridge.api.deps import BookDep
from ledgerbridge.api.responses import BookJSONResponse
from ledgerbridge.hostevents import store, webhooks
from ledgerbridge.qbo.secrets import SecretBox

router = APIRouter(tags=["events"])


@router.get("/events", summary="QuickBooks-side changes and sync outcomes",
            description="Pass the last `id` you saw as `after` to continue. Types: "
                        "quickbooks.created / changed / linked / deleted / failed, "
                        "sync.created / updated / linked / voided / deleted / failed / "
                        "blocked / completed.")
def list_events(book: BookDep, after: Annotated[int, Query(ge=0)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                type: Annotated[list[str] | None, Query()] = None) -> BookJSONResponse:
    with book.engine.connect() as conn:
        items = store.read(conn, book.tenant.id, after, limit, type)
    return BookJSONResponse({"items": items,
                             "next_after": items[-1]["id"] if items else after})


class SubscriptionIn(BaseModel):
    url: str = Field(max_length=2000)
    types: list[str] | None = Field(None, description="Only these event types (all if "
                                                      "left out)")
    from_start: bool = Field(False, description="Also deliver the events already there")


@router.post("/webhook-subscriptions", status_code=201, summary="Subscribe to events",
             description="The answer holds the signing secret, shown only this once. Each "
                         "POST carries `X-Ledgerbridge-Signature: t=<unix>,v1=<hex "
                         "HMAC-SHA256(secret, t + '.' + body)>`.")
def subscribe(body: SubscriptionIn, book: BookDep) -> BookJSONResponse:
    with book.engine.begin() as conn:
        sub, secret = webhooks.subscribe(conn, SecretBox.from_environment(), book.tenant.id,
                                         body.url, body.types, body.from_start)
    return BookJSONResponse({**sub.as_dict(), "secret": secret}, status_code=201)


@router.get("/webhook-subscriptions", summary="Webhook subscriptions")
def subscriptions(book: BookDep) -> BookJSONResponse:
    with book.engine.connect() as conn:
        found = webhooks.list_all(conn, book.tenant.id)
    return BookJSONResponse({"items": [s.as_dict() for s in found]})


@router.delete("/webhook-subscriptions/{sub_id}", status_code=204, summary="Unsubscribe")
def unsubscribe(sub_id: str, book: BookDep) -> Response:
    with book.engine.begin() as conn:
        webhooks.unsubscribe(conn, book.tenant.id, sub_id)
    return Response(status_code=204)
