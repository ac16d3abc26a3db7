"""An httpx client for the API app, in-process through ASGI."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from ledgerbridge.api import create_app

_apps: WeakKeyDictionary[Engine, FastAPI] = WeakKeyDictionary()


def api_client(engine: Engine, key: str | None) -> httpx.AsyncClient:
    """A client of the app on ``engine`` (one app per engine: building it is the slow
    part), authenticated with ``key``."""
    if engine not in _apps:
        _apps[engine] = create_app(engine)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_apps[engine]),
                             base_url="http://book.test", headers=headers)
