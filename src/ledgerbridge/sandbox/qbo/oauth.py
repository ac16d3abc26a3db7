"""OAuth 2: authorize page, token endpoint (both grants, both client auth methods),
refresh-token rotation, revoke. Times come from the sandbox's clock."""

from __future__ import annotations

import base64
import binascii
import html
import secrets
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .runtime import QboSandbox
from .state import App, Token

JSON = dict[str, Any]
ACCESS_TTL = 3600
REFRESH_TTL = 8_726_400  # 101 days, as Intuit answers
CODE_TTL = 600
SCOPE = "com.intuit.quickbooks.accounting"


def _new(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def issue_tokens(sandbox: QboSandbox, client_id: str, realm_id: str) -> JSON:
    """A new access token and refresh token for an app on a realm."""
    now = sandbox.clock.now()
    access = Token(_new("AB01"), "access", client_id, realm_id, now + ACCESS_TTL)
    refresh = Token(_new("RT01"), "refresh", client_id, realm_id, now + REFRESH_TTL)
    for token in (access, refresh):
        sandbox.state.tokens[token.value] = token
        sandbox.store.save_token(token)
    return {"token_type": "bearer", "access_token": access.value, "expires_in": ACCESS_TTL,
            "refresh_token": refresh.value, "x_refresh_token_expires_in": REFRESH_TTL,
            "realmId": realm_id}


def check_access_token(sandbox: QboSandbox, header: str | None) -> tuple[Token | None, str]:
    """The token of an ``Authorization: Bearer`` header, or None and why not."""
    if not header or not header.lower().startswith("bearer "):
        return None, "Authorization header missing or not a bearer token"
    value = header[7:].strip()
    token = sandbox.state.tokens.get(value)
    if token is None or token.kind != "access":
        return None, f"Token invalid: {value[:50]}"
    if token.revoked:
        return None, f"Token revoked: {value[:50]}"
    if sandbox.clock.now() >= token.expires_at:
        return None, f"Token expired: {value[:50]}"
    return token, ""


def _oauth_error(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


def _client(sandbox: QboSandbox, request: Request, form: dict[str, str]) -> App | None:
    """client_secret_basic (Authorization: Basic) or client_secret_post (form fields)."""
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
    app = sandbox.state.apps.get(client_id or "")
    if app is None or not secrets.compare_digest(app.client_secret, secret or ""):
        return None
    return app


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


def _sandbox(request: Request) -> QboSandbox:
    sandbox: QboSandbox = request.app.state.sandbox
    return sandbox


async def token_endpoint(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await _form(request)
    app = _client(sandbox, request, form)
    if app is None:
        return _oauth_error("invalid_client", 401)
    grant = form.get("grant_type")
    if grant == "authorization_code":
        return _exchange_code(sandbox, app, form)
    if grant == "refresh_token":
        return _refresh(sandbox, app, form.get("refresh_token", ""))
    return _oauth_error("unsupported_grant_type")


def _exchange_code(sandbox: QboSandbox, app: App, form: dict[str, str]) -> Response:
    code = sandbox.state.tokens.get(form.get("code", ""))
    if (code is None or code.kind != "code" or code.revoked or code.client_id != app.client_id
            or sandbox.clock.now() >= code.expires_at):
        return _oauth_error("invalid_grant")
    if code.redirect_uri != form.get("redirect_uri"):
        return _oauth_error("invalid_grant")
    code.revoked = True
    sandbox.store.save_token(code)
    return JSONResponse(_public(issue_tokens(sandbox, app.client_id, code.realm_id)))


def _public(tokens: JSON) -> JSON:
    return {k: v for k, v in tokens.items() if k != "realmId"}


def _refresh(sandbox: QboSandbox, app: App, value: str) -> Response:
    """Each refresh answers a new refresh token; the old one stops working at once."""
    token = sandbox.state.tokens.get(value)
    if (token is None or token.kind != "refresh" or token.revoked
            or token.client_id != app.client_id or sandbox.clock.now() >= token.expires_at):
        return _oauth_error("invalid_grant")
    token.revoked = True
    sandbox.store.save_token(token)
    return JSONResponse(_public(issue_tokens(sandbox, app.client_id, token.realm_id)))


async def revoke_endpoint(request: Request) -> Response:
    """Revoking either token of a connection ends the whole connection."""
    sandbox = _sandbox(request)
    try:
        body = await request.json()
    except ValueError:
        body = await _form(request)
    app = _client(sandbox, request, {})
    if app is None:
        return _oauth_error("invalid_client", 401)
    token = sandbox.state.tokens.get(str(body.get("token", "")))
    if token is None or token.client_id != app.client_id:
        return _oauth_error("invalid_request")
    for other in sandbox.state.tokens.values():
        if other.client_id == token.client_id and other.realm_id == token.realm_id:
            other.revoked = True
            sandbox.store.save_token(other)
    return Response(status_code=200)


PAGE = """<!doctype html><html><head><title>Connect to QuickBooks (sandbox)</title></head>
<body><h1>Connect {client} to a sandbox company</h1>
<form method="post" action="/connect/oauth2">{hidden}
<label>Company <select name="realm_id">{options}</select></label>
<button type="submit" name="decision" value="approve">Connect</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form></body></html>"""


def _authorize_params(params: dict[str, str], sandbox: QboSandbox) -> tuple[App | None, str]:
    app = sandbox.state.apps.get(params.get("client_id", ""))
    if app is None:
        return None, "Unknown client_id"
    if params.get("redirect_uri") not in app.redirect_uris:
        return None, "redirect_uri is not registered for this app"
    if params.get("response_type", "code") != "code":
        return None, "response_type must be code"
    if SCOPE not in params.get("scope", SCOPE).split():
        return None, f"scope must include {SCOPE}"
    return app, ""


async def authorize_page(request: Request) -> Response:
    sandbox = _sandbox(request)
    params = dict(request.query_params)
    app, problem = _authorize_params(params, sandbox)
    if app is None:
        return HTMLResponse(f"<p>{html.escape(problem)}</p>", status_code=400)
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items())
    options = "".join(f'<option value="{html.escape(c.realm_id)}">{html.escape(c.name)} '
                      f"({html.escape(c.realm_id)})</option>"
                      for c in sandbox.state.companies.values())
    return HTMLResponse(PAGE.format(client=html.escape(app.client_id), hidden=hidden,
                                    options=options))


async def authorize_decision(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await _form(request)
    app, problem = _authorize_params(form, sandbox)
    if app is None:
        return HTMLResponse(f"<p>{html.escape(problem)}</p>", status_code=400)
    redirect = form["redirect_uri"]
    state = form.get("state", "")
    if form.get("decision") == "deny":
        return RedirectResponse(_with_query(redirect, {"error": "access_denied",
                                                       "state": state}), 302)
    realm = form.get("realm_id", "")
    if realm not in sandbox.state.companies:
        return HTMLResponse("<p>Unknown company</p>", status_code=400)
    code = Token(_new("AB11"), "code", app.client_id, realm, sandbox.clock.now() + CODE_TTL,
                 redirect_uri=redirect)
    sandbox.state.tokens[code.value] = code
    sandbox.store.save_token(code)
    query = {"code": code.value, "state": state, "realmId": realm}
    return RedirectResponse(_with_query(redirect, query), 302)


def _with_query(url: str, params: dict[str, str]) -> str:
    joiner = "&" if "?" in url else "?"
    return url + joiner + urlencode(params)


async def discovery(request: Request) -> Response:
    """Intuit's OpenID discovery document, pointing at this sandbox's endpoints."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse({
        "issuer": base, "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "jwks_uri": f"{base}/oauth2/v1/keys",
        "response_types_supported": ["code"], "scopes_supported": [SCOPE, "openid"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                  "client_secret_post"]})


ROUTES = [
    Route("/.well-known/openid_sandbox_configuration", discovery, methods=["GET"]),
    Route("/.well-known/openid_configuration", discovery, methods=["GET"]),
    Route("/connect/oauth2", authorize_page, methods=["GET"]),
    Route("/connect/oauth2", authorize_decision, methods=["POST"]),
    Route("/oauth2/v1/tokens/bearer", token_endpoint, methods=["POST"]),
    Route("/v2/oauth2/tokens/revoke", revoke_endpoint, methods=["POST"]),
]
