from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from support.books import engine, tenant_id  # noqa: F401
from support.qbo_world import World, make_world


@pytest.fixture
async def world(engine: Engine, tenant_id: str) -> AsyncIterator[World]:  # noqa: F811
    async for made in make_world(engine, tenant_id):
        yield made
