"""Every error the API returns has one shape:
``{"error": {"type", "message", "problems": [{"path", "message"}]}}``.
Internal details (stack traces, SQL, secrets) never reach the response."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ledgerbridge.api.responses import BookJSONResponse, error_body
from ledgerbridge.book.validation import problems_from_errors, rejection_message
from ledgerbridge.errors import (
    ConflictError,
    LedgerbridgeError,
    NeedsReconnectError,
    NotFoundError,
    RecordRejectedError,
    RetryLaterError,
)

log = logging.getLogger("ledgerbridge.api")

#: a QuickBooks connection that must be authorized again is the caller's to fix (409,
#: as a conflict with the connection's state); QuickBooks down, throttling or a lock
#: held is passing (503, with Retry-After when QuickBooks said how long)
STATUS = {RecordRejectedError: 422, NotFoundError: 404, ConflictError: 409,
          NeedsReconnectError: 409, RetryLaterError: 503}
LOCATIONS = {"body", "query", "path", "header"}


def _status_of(exc: LedgerbridgeError) -> int:
    for error_type, status in STATUS.items():
        if isinstance(exc, error_type):
            return status
    return 500


async def on_ledgerbridge_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LedgerbridgeError)
    problems = getattr(exc, "problems", None)
    body = error_body(exc.code, exc.message,
                      [p.as_dict() for p in problems] if problems is not None else None)
    if isinstance(exc, ConflictError) and exc.context.extra.get("users"):
        body["error"]["used_by"] = exc.context.extra["users"]
    headers = {}
    if isinstance(exc, RetryLaterError) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return BookJSONResponse(body, status_code=_status_of(exc), headers=headers)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{**e, "loc": [p for p in e["loc"] if p not in LOCATIONS]} for e in exc.errors()]
    problems = problems_from_errors(errors)
    return BookJSONResponse(
        error_body("validation_failed", rejection_message("request", problems),
                   [p.as_dict() for p in problems]),
        status_code=422)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    kind = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "http_error")
    return BookJSONResponse(error_body(kind, str(exc.detail)), status_code=exc.status_code,
                            headers=exc.headers)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s %s: %s", request.method, request.url.path,
              type(exc).__name__)
    return BookJSONResponse(
        error_body("internal", "something went wrong on our side; the request changed "
                   "nothing, and it is safe to retry"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LedgerbridgeError, on_ledgerbridge_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
