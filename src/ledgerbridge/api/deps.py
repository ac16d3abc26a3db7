"""What every request needs: the database engine and the calling tenant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from ledgerbridge.book.store import Book
from ledgerbridge.db import read_only
from ledgerbridge.tenants import Tenant, tenant_for_key

bearer = HTTPBearer(auto_error=False, description="An API key from `ledgerbridge tenants create`")


def get_engine(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


def get_tenant(
    engine: Annotated[Engine, Depends(get_engine)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Tenant:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "send your API key as 'Authorization: Bearer <key>'",
                            headers=challenge)
    with engine.connect() as conn:
        tenant = tenant_for_key(read_only(conn), credentials.credentials)
    if tenant is None:
        raise HTTPException(401, "this API key is not valid (unknown or revoked)",
                            headers=challenge)
    return tenant


class TenantBook:
    """Opens one transaction per request for the calling tenant."""

    def __init__(self, engine: Engine, tenant: Tenant) -> None:
        self.engine = engine
        self.tenant = tenant

    @contextmanager
    def write(self) -> Iterator[Book]:
        with self.engine.begin() as conn:
            yield Book(conn, self.tenant.id, origin="api")

    @contextmanager
    def read(self) -> Iterator[Book]:
        with self.engine.connect() as conn:
            yield Book(read_only(conn), self.tenant.id, origin="api")


def get_book(
    engine: Annotated[Engine, Depends(get_engine)],
    tenant: Annotated[Tenant, Depends(get_tenant)],
) -> TenantBook:
    return TenantBook(engine, tenant)


BookDep = Annotated[TenantBook, Depends(get_book)]
