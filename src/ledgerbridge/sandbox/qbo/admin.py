"""The admin API under ``/sandbox``: companies, apps, tokens, seeding, reset, settings,
clock, stats, webhooks. Not part of QuickBooks; for tests and tools."""

from __future__ import annotations

import dataclasses
import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import operations
from .entities import REGISTRY
from .errors import QboFault
from .oauth import issue_tokens
from .runtime import QboSandbox
from .state import App, Company, FaultSettings, Limits
from .webhooks import WebhookDispatcher

JSON = dict[str, Any]
DEFAULT_CLIENT = "sandbox-default-client"


def _sandbox(request: Request) -> QboSandbox:
    sandbox: QboSandbox = request.app.state.sandbox
    return sandbox


async def _body(request: Request) -> JSON:
    raw = await request.body()
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def company_json(company: Company) -> JSON:
    return {"realm_id": company.realm_id, "name": company.name, "country": company.country,
            "preferences": company.prefs.to_json(), "tax_agency": company.tax_agency,
            "counts": {entity: len(records) for entity, records in company.records.items()}}


def _company(request: Request) -> Company:
    realm = request.path_params["realm"]
    company = _sandbox(request).state.companies.get(realm)
    if company is None:
        raise KeyError(f"no company {realm}")
    return company


async def create_company(request: Request) -> Response:
    data = await _body(request)
    company = _sandbox(request).create_company(
        name=str(data.get("name", "Sandbox Company")), country=str(data.get("country", "US")),
        realm_id=data.get("realm_id"), preferences=data.get("preferences"),
        tax_agency=data.get("tax_agency"))
    return JSONResponse(company_json(company), status_code=201)


async def list_companies(request: Request) -> Response:
    return JSONResponse([company_json(c) for c in _sandbox(request).state.companies.values()])


async def get_company(request: Request) -> Response:
    return JSONResponse(company_json(_company(request)))


async def reset_company(request: Request) -> Response:
    company = _sandbox(request).reset_company(_company(request).realm_id)
    return JSONResponse(company_json(company))


async def seed_company(request: Request) -> Response:
    """``{"Customer": [{...}], ...}``; ``?mode=raw`` (default) stores records as given,
    ``?mode=create`` runs them through QuickBooks' rules like a POST would."""
    sandbox = _sandbox(request)
    company = _company(request)
    mode = request.query_params.get("mode", "raw")
    data = await _body(request)
    ctx = sandbox.context(company)
    created: dict[str, list[str]] = {}
    try:
        for entity, records in data.items():
            if entity not in REGISTRY:
                return _error(f"unknown entity {entity}")
            for record in records:
                stored = (operations.create(ctx, entity, record) if mode == "create"
                          else operations.seed(ctx, entity, record))
                created.setdefault(entity, []).append(stored["Id"])
    except QboFault as fault:
        sandbox.commit(ctx)
        return JSONResponse({"error": "a record was refused", "created": created,
                             "Fault": fault.fault()}, status_code=400)
    sandbox.commit(ctx)
    return JSONResponse(created)


async def list_records(request: Request) -> Response:
    company = _company(request)
    entity = request.path_params["entity"]
    return JSONResponse({"records": list(company.records.get(entity, {}).values()),
                         "deleted": list(company.deleted.get(entity, {}).values())})


async def register_app(request: Request) -> Response:
    data = await _body(request)
    if data.get("webhook_format", "legacy") not in ("legacy", "cloudevents"):
        return _error("webhook_format must be legacy or cloudevents")
    app = App(client_id=str(data.get("client_id") or "AB" + secrets.token_hex(16)),
              client_secret=str(data.get("client_secret") or secrets.token_hex(20)),
              redirect_uris=list(data.get("redirect_uris", [])),
              webhook_url=data.get("webhook_url"),
              verifier_token=data.get("verifier_token") or secrets.token_hex(16),
              webhook_format=str(data.get("webhook_format", "legacy")))
    _sandbox(request).register_app(app)
    return JSONResponse(app.to_json(), status_code=201)


async def list_apps(request: Request) -> Response:
    return JSONResponse([app.to_json() for app in _sandbox(request).state.apps.values()])


async def issue(request: Request) -> Response:
    sandbox = _sandbox(request)
    company = _company(request)
    data = await _body(request)
    client_id = str(data.get("client_id") or DEFAULT_CLIENT)
    if client_id not in sandbox.state.apps:
        if data.get("client_id"):
            return _error(f"unknown client_id {client_id}")
        sandbox.register_app(App(DEFAULT_CLIENT, secrets.token_hex(20)))
    return JSONResponse(issue_tokens(sandbox, client_id, company.realm_id), status_code=201)


def settings_json(sandbox: QboSandbox) -> JSON:
    return dataclasses.asdict(sandbox.state.settings)


async def get_settings(request: Request) -> Response:
    return JSONResponse(settings_json(_sandbox(request)))


async def put_settings(request: Request) -> Response:
    sandbox = _sandbox(request)
    data = await _body(request)
    settings = sandbox.state.settings
    if "limits" in data:
        settings.limits = Limits(**{**dataclasses.asdict(settings.limits), **data["limits"]})
    if "faults" in data:
        faults = FaultSettings(**{**dataclasses.asdict(settings.faults), **data["faults"]})
        sandbox.injector.configure(faults)
        settings.faults = faults
    for key in ("time_scale", "latency_ms", "webhook_attempts", "webhook_backoff_s"):
        if key in data:
            setattr(settings, key, type(getattr(settings, key))(data[key]))
    if settings.time_scale <= 0:
        settings.time_scale = 1.0
        return _error("time_scale must be positive")
    return JSONResponse(settings_json(sandbox))


async def clock(request: Request) -> Response:
    sandbox = _sandbox(request)
    if request.method == "POST":
        data = await _body(request)
        sandbox.clock.advance(float(data.get("advance_seconds", 0)))
    return JSONResponse({"now": sandbox.clock.now(), "time": sandbox.clock.response_time()})


async def stats(request: Request) -> Response:
    sandbox = _sandbox(request)
    if request.method == "DELETE":
        for counter in (sandbox.state.stats.calls, sandbox.state.stats.throttled,
                        sandbox.state.stats.faults_injected):
            counter.clear()
    return JSONResponse(sandbox.state.stats.to_json())


async def reset_all(request: Request) -> Response:
    _sandbox(request).reset_all()
    return JSONResponse({"reset": True})


async def flush_webhooks(request: Request) -> Response:
    dispatcher: WebhookDispatcher = _sandbox(request).webhooks
    return JSONResponse({"deliveries": await dispatcher.flush()})


async def webhook_log(request: Request) -> Response:
    dispatcher = _sandbox(request).webhooks
    return JSONResponse({"pending": len(dispatcher.pending), "deliveries": dispatcher.deliveries})


def _guard(handler: Any) -> Any:
    async def wrapped(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except KeyError as exc:
            return _error(str(exc.args[0]), 404)
        except (ValueError, TypeError) as exc:
            return _error(str(exc))
        return response
    return wrapped


ROUTES = [Route(path, _guard(handler), methods=methods) for path, handler, methods in (
    ("/sandbox/companies", create_company, ["POST"]),
    ("/sandbox/companies", list_companies, ["GET"]),
    ("/sandbox/companies/{realm}", get_company, ["GET"]),
    ("/sandbox/companies/{realm}/reset", reset_company, ["POST"]),
    ("/sandbox/companies/{realm}/seed", seed_company, ["POST"]),
    ("/sandbox/companies/{realm}/records/{entity}", list_records, ["GET"]),
    ("/sandbox/companies/{realm}/tokens", issue, ["POST"]),
    ("/sandbox/apps", register_app, ["POST"]),
    ("/sandbox/apps", list_apps, ["GET"]),
    ("/sandbox/settings", get_settings, ["GET"]),
    ("/sandbox/settings", put_settings, ["PUT", "POST"]),
    ("/sandbox/clock", clock, ["GET", "POST"]),
    ("/sandbox/stats", stats, ["GET", "DELETE"]),
    ("/sandbox/reset", reset_all, ["POST"]),
    ("/sandbox/webhooks/flush", flush_webhooks, ["POST"]),
    ("/sandbox/webhooks", webhook_log, ["GET"]),
)]
