"""What stands before every Accounting API call: stats, bearer auth, throttles, injected
faults and latency. Rendering of JSON, fault and throttle answers lives here too."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import AUTH_CHALLENGE, QboFault, auth_fault_body, fault_body, throttle_xml
from .faults import ConnectionDropped
from .oauth import check_access_token
from .runtime import QboSandbox
from .state import Company

JSON = dict[str, Any]
Handler = Callable[[Request, QboSandbox, Company], Awaitable[Response]]
JSON_TYPE = "application/json;charset=utf-8"


def json_response(body: Any, status: int = 200, media_type: str = JSON_TYPE) -> Response:
    headers = {"intuit_tid": secrets.token_hex(12)}
    return Response(json.dumps(body).encode(), status_code=status, media_type=media_type,
                    headers=headers)


def fault_response(sandbox: QboSandbox, fault: QboFault) -> Response:
    return json_response(fault_body(fault, sandbox.clock.response_time()), fault.status,
                         "application/json")


def throttled_response(sandbox: QboSandbox) -> Response:
    return Response(throttle_xml(sandbox.clock.response_time()), status_code=429,
                    media_type="application/xml")


def unauthorized(sandbox: QboSandbox, detail: str) -> Response:
    body = auth_fault_body(detail, sandbox.clock.epoch_ms())
    return Response(json.dumps(body).encode(), status_code=401, media_type="application/json",
                    headers={"WWW-Authenticate": AUTH_CHALLENGE})


def forbidden(sandbox: QboSandbox) -> Response:
    fault = QboFault("3100", None, detail="The application is not authorized for this "
                     "company (realm).")
    return fault_response(sandbox, fault)


class DroppedConnection:
    """Starts an answer, then drops the connection (a real server closes the socket)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"1024")]})
        raise ConnectionDropped("the sandbox dropped the connection (injected fault)")


def _authorize(sandbox: QboSandbox, request: Request, realm: str) -> Response | None:
    if not sandbox.auth_required:
        return None
    token, problem = check_access_token(sandbox, request.headers.get("authorization"))
    if token is None:
        return unauthorized(sandbox, problem)
    if token.realm_id != realm:
        return forbidden(sandbox)
    return None


async def _injected(sandbox: QboSandbox, kind: str) -> Response | None:
    settings = sandbox.state.settings.faults
    if kind == "429":
        return throttled_response(sandbox)
    if kind == "500":
        return fault_response(sandbox, QboFault("10000", None, detail="injected fault"))
    if kind == "503":
        return Response("Service Unavailable", status_code=503, media_type="text/html")
    if kind == "drop":
        return DroppedConnection()  # type: ignore[return-value]
    await asyncio.sleep(settings.hang_seconds if kind == "hang" else settings.slow_seconds)
    return None


async def guarded(request: Request, label: str, handler: Handler, *, batch: bool = False,
                  ) -> Response:
    """Run one Accounting API call through stats, auth, throttles and faults."""
    sandbox: QboSandbox = request.app.state.sandbox
    realm = request.path_params["realm"]
    sandbox.state.stats.calls[(realm, label)] += 1
    denied = _authorize(sandbox, request, realm)
    if denied is not None:
        return denied
    company = sandbox.state.companies.get(realm)
    if company is None:
        return forbidden(sandbox)
    if not sandbox.limiter.admit(realm, batch=batch):
        sandbox.state.stats.throttled[realm] += 1
        return throttled_response(sandbox)
    try:
        return await _run(request, sandbox, company, handler)
    finally:
        sandbox.limiter.release(realm)


async def _run(request: Request, sandbox: QboSandbox, company: Company, handler: Handler,
               ) -> Response:
    kind = sandbox.injector.pick()
    if kind is not None:
        sandbox.state.stats.faults_injected[kind] += 1
        injected = await _injected(sandbox, kind)
        if injected is not None:
            return injected
    latency = sandbox.state.settings.latency_ms
    if latency > 0:
        await asyncio.sleep(latency / 1000.0)
    try:
        return await handler(request, sandbox, company)
    except QboFault as fault:
        return fault_response(sandbox, fault)
