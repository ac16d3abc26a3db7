"""The Accounting API routes: ``/v3/company/{realm}/...`` as QuickBooks answers them."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import batch, cdc, operations, query
from .entities import by_path
from .errors import QboFault
from .gateway import JSON_TYPE, fault_response, guarded, json_response
from .runtime import QboSandbox
from .state import Company

JSON = dict[str, Any]
REQUEST_CACHE_SIZE = 10_000
PUBLIC_BASE = "https://sandbox-quickbooks.api.intuit.com"


def _stamp(sandbox: QboSandbox, body: JSON) -> JSON:
    body["time"] = sandbox.clock.response_time()
    return body


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise QboFault("2010", None, field="(malformed JSON)", entity="IntuitEntity") from exc


def _include(request: Request) -> frozenset[str]:
    text = request.query_params.get("include", "")
    return frozenset(part.strip().lower() for part in text.split(",") if part.strip())


def _cached(company: Company, request_id: str | None) -> Response | None:
    if request_id and request_id in company.request_cache:
        status, body = company.request_cache[request_id]
        return json_response(body, status, "application/json" if status >= 400 else JSON_TYPE)
    return None


def _remember(company: Company, request_id: str | None, status: int, body: JSON) -> None:
    if not request_id:
        return
    company.request_cache[request_id] = (status, body)
    while len(company.request_cache) > REQUEST_CACHE_SIZE:
        company.request_cache.pop(next(iter(company.request_cache)))


async def _idempotent(request: Request, sandbox: QboSandbox, company: Company, work: Any,
                      ) -> Response:
    """Run a write once per ``requestid``; a repeat gets the original answer."""
    request_id = request.query_params.get("requestid") or None
    cached = _cached(company, request_id)
    if cached is not None:
        return cached
    ctx = sandbox.context(company, _include(request))
    try:
        body = _stamp(sandbox, await work(ctx))
        status = 200
    except QboFault as fault:
        response = fault_response(sandbox, fault)
        _remember(company, request_id, fault.status, json.loads(bytes(response.body)))
        sandbox.commit(ctx)
        return response
    _remember(company, request_id, status, body)
    sandbox.commit(ctx)
    return json_response(body, status)


def _entity(request: Request) -> str:
    spec = by_path(request.path_params["entity"])
    if spec is None:
        raise _unsupported(request)
    return spec.name


def _unsupported(request: Request) -> QboFault:
    relative = request.url.path
    return QboFault("500", None, path=relative, url=PUBLIC_BASE + relative)


async def _post_entity(request: Request, sandbox: QboSandbox, company: Company) -> Response:
    entity = _entity(request)
    operation = request.query_params.get("operation", "").lower()
    actions = {"": operations.save, "update": operations.save,
               "delete": operations.delete, "void": operations.void}
    if operation not in actions:
        raise _unsupported(request)
    action = actions[operation]

    async def work(ctx: Any) -> JSON:
        body = await _json_body(request)
        return {entity: action(ctx, entity, body)}

    return await _idempotent(request, sandbox, company, work)


async def _get_entity(request: Request, sandbox: QboSandbox, company: Company) -> Response:
    entity = _entity(request)
    record_id = request.path_params.get("record_id")
    if entity in ("CompanyInfo", "Preferences"):
        if entity == "CompanyInfo" and record_id != company.realm_id:
            raise QboFault("610", "")
        record_id = "1"
    elif record_id is None:
        raise _unsupported(request)
    ctx = sandbox.context(company)
    return json_response(_stamp(sandbox, {entity: operations.read(ctx, entity, record_id)}))


async def _query(request: Request, sandbox: QboSandbox, company: Company) -> Response:
    text = request.query_params.get("query")
    if request.method == "POST":
        text = (await request.body()).decode("utf-8", errors="replace")
    if not text:
        raise QboFault("4000", None, detail="query is empty")
    body = {"QueryResponse": query.run(company, text)}
    return json_response(_stamp(sandbox, body))


async def _batch(request: Request, sandbox: QboSandbox, company: Company) -> Response:
    limit = sandbox.state.settings.limits.batch_max_items

    async def work(ctx: Any) -> JSON:
        return batch.run(ctx, await _json_body(request), limit)

    return await _idempotent(request, sandbox, company, work)


async def _cdc(request: Request, sandbox: QboSandbox, company: Company) -> Response:
    params = request.query_params
    body = cdc.changes(company, sandbox.clock, params.get("entities"), params.get("changedSince"))
    return json_response(_stamp(sandbox, body))


async def _unknown(request: Request, sandbox: QboSandbox, company: Company) -> Response:
    raise _unsupported(request)


def _label(request: Request, name: str) -> str:
    return f"{request.method} {name}"


async def post_entity(request: Request) -> Response:
    return await guarded(request, _label(request, request.path_params["entity"].lower()),
                         _post_entity)


async def get_entity(request: Request) -> Response:
    return await guarded(request, _label(request, request.path_params["entity"].lower()),
                         _get_entity)


async def query_route(request: Request) -> Response:
    return await guarded(request, "query", _query)


async def batch_route(request: Request) -> Response:
    return await guarded(request, "batch", _batch, batch=True)


async def cdc_route(request: Request) -> Response:
    return await guarded(request, "cdc", _cdc)


async def unknown_route(request: Request) -> Response:
    return await guarded(request, _label(request, "unsupported"), _unknown)


BASE = "/v3/company/{realm}"
ROUTES = [
    Route(BASE + "/query", query_route, methods=["GET", "POST"]),
    Route(BASE + "/batch", batch_route, methods=["POST"]),
    Route(BASE + "/cdc", cdc_route, methods=["GET"]),
    Route(BASE + "/{entity}", post_entity, methods=["POST"]),
    Route(BASE + "/{entity}", get_entity, methods=["GET"]),
    Route(BASE + "/{entity}/{record_id}", get_entity, methods=["GET"]),
    Route(BASE + "/{rest:path}", unknown_route, methods=["GET", "POST"]),
]
