"""Fixtures for tests of the book and its API: one migrated database per test module
and backend, and a fresh tenant per test (tenants isolate data, so tests stay apart)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ledgerbridge import db, tenants
from ledgerbridge.book.store import Book

_names = itertools.count()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Engine]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('book') / Path('book.db')}"
        else:
            server = request.getfixturevalue("postgres_server")
            url = stack.enter_context(server.fresh_database())
        made = db.make_engine(url)
        stack.callback(made.dispose)
        db.upgrade(made)
        yield made


@pytest.fixture
def tenant_id(engine: Engine) -> str:
    with engine.begin() as conn:
        return tenants.create_tenant(conn, f"tenant-{next(_names)}").id


@pytest.fixture
def book(engine: Engine, tenant_id: str) -> Iterator[Book]:
    """A Book in one transaction, committed at the end of the test."""
    with engine.begin() as conn:
        yield Book(conn, tenant_id)


#: one valid body of every kind, in dependency order, referring by external id
SAMPLE_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("customer", {"company_name": "Smith & Sons", "external_id": "C1",
                  "billing_address": {"line1": "1 Main St", "city": "Tulsa"}}),
    ("location", {"customer_external_id": "C1", "name": "Warehouse", "external_id": "L1"}),
    ("job", {"customer_external_id": "C1", "location_external_id": "L1",
             "name": "Rooftop units", "number": "J-100", "external_id": "J1"}),
    ("service_ticket", {"customer_external_id": "C1", "location_external_id": "L1",
                        "job_external_id": "J1", "number": "T-1", "external_id": "T1"}),
    ("work_code", {"name": "Labor", "rate": "95.00", "external_id": "W1"}),
    ("cost_code", {"code": "01-100", "name": "Labor", "external_id": "CC1"}),
    ("cost_type", {"name": "Materials", "external_id": "CT1"}),
    ("vendor", {"company_name": "Cascade Supply", "external_id": "V1"}),
    ("inventory_part", {"name": "Capacitor 45/5", "quantity_on_hand": "12",
                        "cost": "8.10", "price": "24.00", "external_id": "P1"}),
    ("invoice", {"customer_external_id": "C1", "job_external_id": "J1", "kind": "project",
                 "status": "finalized", "doc_number": "1001", "external_id": "I1",
                 "lines": [{"work_code_external_id": "W1", "quantity": "2",
                            "unit_price": "95.00", "cost_type_external_id": "CT1"},
                           {"description": "Trip charge", "unit_price": "45.00"}]}),
    ("payment", {"customer_external_id": "C1", "amount": "100.00",
                 "payment_date": "2026-03-01", "method": "check", "external_id": "PAY1",
                 "applications": [{"invoice_external_id": "I1", "amount": "100.00"}]}),
    ("purchase_order", {"vendor_external_id": "V1", "status": "submitted",
                        "external_id": "PO1",
                        "lines": [{"inventory_part_external_id": "P1", "quantity": "10",
                                   "unit_cost": "8.10", "job_external_id": "J1"}]}),
    ("bill", {"vendor_external_id": "V1", "job_external_id": "J1", "status": "finalized",
              "external_id": "B1",
              "lines": [{"cost_code_external_id": "CC1", "unit_cost": "300.00"}]}),
]


def make_all(book: Book) -> dict[str, dict[str, Any]]:
    """One record of every kind, each referring to the ones before it."""
    return {kind: book.create(kind, body).record for kind, body in SAMPLE_BODIES}
