from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import Engine

from ledgerbridge import tenants
from support.api import api_client
from support.books import book, engine, tenant_id  # noqa: F401


@pytest.fixture
def api_key(engine: Engine, tenant_id: str) -> str:  # noqa: F811
    with engine.begin() as conn:
        return tenants.issue_api_key(conn, tenant_id)


@pytest.fixture
async def client(engine: Engine, api_key: str) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with api_client(engine, api_key) as made:
        yield made
