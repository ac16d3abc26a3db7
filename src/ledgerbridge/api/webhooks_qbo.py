"""``POST /webhooks/qbo``: QuickBooks change notifications (signed, either format)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from ledgerbridge.api.deps import get_engine
from ledgerbridge.api.responses import BookJSONResponse, error_body
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.qbo.webhooks import BadSignatureError, receive

log = logging.getLogger("ledgerbridge.webhooks")
router = APIRouter(tags=["QuickBooks"])


@router.post("/webhooks/qbo", summary="QuickBooks Online change notifications")
async def qbo_webhook(request: Request, engine: Engine = Depends(get_engine)
                      ) -> BookJSONResponse:
    """Checks ``intuit-signature``, marks the realms for the next incremental run and
    answers at once. A bad signature gets 401; its body is neither logged nor kept."""
    body = await request.body()
    header = request.headers.get("intuit-signature")
    try:
        marked = await run_in_threadpool(receive, engine, SecretBox.from_environment(), body,
                                         header)
    except BadSignatureError:
        log.warning("rejected a QuickBooks webhook: bad or missing intuit-signature "
                    "(%d bytes, body not logged)", len(body))
        return BookJSONResponse(error_body("unauthorized", "bad intuit-signature"),
                                status_code=401)
    return BookJSONResponse({"received": True, "connections_marked": marked})
