"""A QuickBooks condition met while answering a request is not a server fault: a
connection to authorize again is the caller's to fix (409), QuickBooks down or
throttling is passing (503, with Retry-After when known); each keeps its type and
message."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine

from ledgerbridge.api import create_app
from ledgerbridge.errors import (
    ConfigurationError,
    LedgerbridgeError,
    NeedsReconnectError,
    RetryLaterError,
)
from support.books import engine  # noqa: F401

CASES = [
    (NeedsReconnectError("QuickBooks refused the connection's tokens: connect it again"),
     409, "needs_reconnect", None),
    (RetryLaterError("QuickBooks is throttling this company", retry_after=2.2), 503,
     "retry_later", "3"),
    (RetryLaterError("QuickBooks did not answer"), 503, "retry_later", None),
    (ConfigurationError("no encryption key is set on this server"), 500, "configuration",
     None),
]


@pytest.mark.parametrize(("error", "status", "kind", "retry_after"), CASES)
async def test_quickbooks_conditions_have_their_own_status(
        engine: Engine, error: LedgerbridgeError, status: int, kind: str,  # noqa: F811
        retry_after: str | None) -> None:
    app = create_app(engine)

    @app.get("/raises")
    def raises() -> None:
        raise error

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/raises")
    assert answer.status_code == status
    assert answer.json()["error"]["type"] == kind
    assert answer.json()["error"]["message"] == error.message
    assert answer.headers.get("retry-after") == retry_after
