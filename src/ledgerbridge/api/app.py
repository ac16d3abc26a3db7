"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from ledgerbridge import __version__
from ledgerbridge.api import (
    connections,
    errors,
    events,
    feed,
    oauth_qbo,
    records,
    sync,
    webhooks_qbo,
)
from ledgerbridge.api.responses import BookJSONResponse

DESCRIPTION = """
The book of a field-service business: customers, locations, jobs, service tickets,
work and cost codes, vendors, parts, invoices, payments, purchase orders and bills.
ledgerbridge keeps it in step with QuickBooks.

Authenticate with `Authorization: Bearer <API key>`. Money is sent and returned as
decimal strings with at most 2 places (quantities 4). Errors always look like
`{"error": {"type", "message", "problems": [{"path", "message"}]}}`.
"""


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(title="ledgerbridge", version=__version__, description=DESCRIPTION,
                  default_response_class=BookJSONResponse)
    app.state.engine = engine
    errors.install(app)
    for router in records.all_kind_routers():
        app.include_router(router, prefix="/v1")
    app.include_router(feed.router, prefix="/v1")
    app.include_router(connections.router, prefix="/v1")
    app.include_router(sync.router, prefix="/v1")
    app.include_router(events.router, prefix="/v1")
    app.include_router(oauth_qbo.router)
    app.include_router(webhooks_qbo.router)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
