"""``GET /oauth/qbo/callback``: where QuickBooks sends the person back after approving.
The ``state`` (single use, 15 minutes) says which tenant and connection it completes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine

from ledgerbridge.api.connections import public, qbo_transport
from ledgerbridge.api.deps import get_engine
from ledgerbridge.api.responses import BookJSONResponse
from ledgerbridge.qbo import authorize
from ledgerbridge.qbo.secrets import SecretBox

router = APIRouter(tags=["QuickBooks"])


@router.get("/oauth/qbo/callback", name="qbo_callback", summary="QuickBooks OAuth redirect")
async def qbo_callback(request: Request, engine: Engine = Depends(get_engine)
                       ) -> BookJSONResponse:
    connection = await authorize.complete(engine, SecretBox.from_environment(),
                                          str(request.url), transport=qbo_transport(request))
    return BookJSONResponse({"connected": True, "connection": public(connection)})
