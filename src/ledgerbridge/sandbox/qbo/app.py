"""``create_app``: the sandbox as an ASGI application (Starlette)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from . import admin, api, oauth
from .clock import Clock
from .runtime import QboSandbox


def create_app(*, state_file: str | None = None, clock: Clock | None = None,
               auth_required: bool = True,
               webhook_transport: httpx.AsyncBaseTransport | None = None,
               webhook_autoflush: bool = False, seed_demo: bool = False) -> Starlette:
    """A local QuickBooks Online: the Accounting API, OAuth 2 and the ``/sandbox`` admin API.

    ``state_file``: a SQLite file to keep state in (memory when None). ``clock``: any object
    with ``now() -> epoch seconds`` (tests pass a ``ManualClock``). ``webhook_transport``:
    the httpx transport webhooks are posted through. ``webhook_autoflush``: deliver
    webhooks in the background after each change (else on ``POST /sandbox/webhooks/flush``).
    The ``QboSandbox`` is at ``app.state.sandbox``.
    """
    sandbox = QboSandbox(state_file=state_file, clock=clock, auth_required=auth_required,
                         webhook_transport=webhook_transport,
                         webhook_autoflush=webhook_autoflush)
    if seed_demo and not sandbox.state.companies:
        from .demo import seed_demo_company

        seed_demo_company(sandbox)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    app = Starlette(routes=[*api.ROUTES, *oauth.ROUTES, *admin.ROUTES], lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
