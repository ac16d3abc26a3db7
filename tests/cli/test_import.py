"""``ledgerbridge import``: JSON and CSV files into a tenant's book, checked in the
database (not only in the output)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from ledgerbridge import db, tenants
from ledgerbridge.book.store import Book
from ledgerbridge.cli import app
from ledgerbridge.config import load_config

TENANT = "acme"

CUSTOMERS_CSV = (
    "\ufeffexternal_id,company_name,email,active,billing_address.line1,"
    "billing_address.city,billing_address.postal_code\n"
    "C1,Smith & Sons,office@smith.test,,1 Main St,Tulsa,74103\n"
    "C2,Bob's Plumbing,,false,,Tulsa,\n"
    "C3,\"Comma, Inc.\",,,,,\n"
)

INVOICES_CSV = (
    "external_id,customer_external_id,status,issue_date,line.description,line.quantity,"
    "line.unit_price,line.work_code_external_id\n"
    "I1,C1,finalized,2026-01-05,Labor,2,95.00,W1\n"
    "I1,,,,Filter,3,12.50,\n"
    "I1,,,,Trip charge,1,40,\n"
    "I2,C2,draft,2026-01-06,Call-out,1.5,80.00,W1\n"
)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LEDGERBRIDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGERBRIDGE_DATABASE_URL", raising=False)
    return CliRunner()


@pytest.fixture
def engine(runner: CliRunner) -> Iterator[Engine]:
    """The CLI's database with the tenant created through the CLI."""
    created = runner.invoke(app, ["tenants", "create", TENANT])
    assert created.exit_code == 0, created.output
    made = db.engine_from_config(load_config())
    yield made
    made.dispose()


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, ["import", *(str(a) for a in args), "--tenant", TENANT])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def records(engine: Engine, kind: str) -> list[dict[str, Any]]:
    """Every live record of ``kind``, read page by page."""
    found: list[dict[str, Any]] = []
    with engine.connect() as conn:
        book = Book(conn, tenants.find_tenant(conn, TENANT).id)
        cursor = None
        while True:
            page = book.page(kind, after=cursor, limit=1000)
            found += page.items
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor


def by_external(engine: Engine, kind: str, external_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        book = Book(conn, tenants.find_tenant(conn, TENANT).id)
        return book.get_by_external(kind, external_id)


def test_json_import(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    body = {"records": [
        {"object": "customer", "external_id": "C1", "company_name": "Smith & Sons"},
        {"kind": "location", "external_id": "L1", "customer_external_id": "C1",
         "name": "Warehouse"},
        {"object": "job", "external_id": "J1", "customer_external_id": "C1", "name": "RTU"},
        {"object": "work_code", "external_id": "W1", "name": "Labor", "rate": "95.00"},
        {"object": "invoice", "external_id": "I1", "kind": "project",
         "customer_external_id": "C1", "job_external_id": "J1",
         "lines": [{"work_code_external_id": "W1", "quantity": "2", "unit_price": "95.00"}]},
    ]}
    result = run(runner, write(tmp_path / "book.json", json.dumps(body)))
    assert result.exit_code == 0, result.output
    assert "5 records in = 5 created + 0 updated + 0 unchanged + 0 rejected" in result.output
    customer = by_external(engine, "customer", "C1")
    assert by_external(engine, "location", "L1")["customer_id"] == customer["id"]
    invoice = by_external(engine, "invoice", "I1")
    assert invoice["kind"] == "project"
    assert invoice["job_id"] == by_external(engine, "job", "J1")["id"]
    assert invoice["total"] == Decimal("190.00")
    assert invoice["lines"][0]["work_code_id"] == by_external(engine, "work_code", "W1")["id"]


def test_json_list_with_kind_option(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    body = [{"external_id": f"V{n}", "company_name": f"Vendor {n}"} for n in range(3)]
    result = run(runner, write(tmp_path / "v.json", json.dumps(body)), "--kind", "vendors")
    assert result.exit_code == 0, result.output
    assert sorted(v["external_id"] for v in records(engine, "vendor")) == ["V0", "V1", "V2"]


def test_csv_customers_with_dotted_address(runner: CliRunner, engine: Engine,
                                           tmp_path: Path) -> None:
    result = run(runner, write(tmp_path / "customers.csv", CUSTOMERS_CSV))
    assert result.exit_code == 0, result.output
    smith = by_external(engine, "customer", "C1")
    assert smith["company_name"] == "Smith & Sons"  # the BOM did not reach the header
    assert smith["billing_address"] == {"line1": "1 Main St", "line2": None, "city": "Tulsa",
                                        "state": None, "postal_code": "74103",
                                        "country": None}
    assert smith["active"] is True  # an empty cell is left out: the default holds
    bob = by_external(engine, "customer", "C2")
    assert (bob["email"], bob["active"]) == (None, False)
    assert bob["billing_address"]["city"] == "Tulsa"
    assert by_external(engine, "customer", "C3")["billing_address"] is None


def test_csv_invoices_lines_grouped_by_external_id(runner: CliRunner, engine: Engine,
                                                   tmp_path: Path) -> None:
    assert run(runner, write(tmp_path / "customers.csv", CUSTOMERS_CSV)).exit_code == 0
    codes = write(tmp_path / "work-codes.csv", "external_id,name,rate\nW1,Labor,95\n")
    assert run(runner, codes).exit_code == 0
    result = run(runner, write(tmp_path / "invoices.csv", INVOICES_CSV))
    assert result.exit_code == 0, result.output
    assert "2 records in (from 4 rows) = 2 created" in result.output
    first = by_external(engine, "invoice", "I1")
    assert first["status"] == "finalized"
    assert [line["description"] for line in first["lines"]] == ["Labor", "Filter",
                                                                "Trip charge"]
    assert [line["amount"] for line in first["lines"]] == [Decimal("190.00"),
                                                           Decimal("37.50"), Decimal("40.00")]
    assert first["total"] == Decimal("267.50")
    second = by_external(engine, "invoice", "I2")
    assert (len(second["lines"]), second["total"]) == (1, Decimal("120.00"))
    assert second["customer_id"] == by_external(engine, "customer", "C2")["id"]


def test_csv_payments_applications(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    run(runner, write(tmp_path / "customers.csv", CUSTOMERS_CSV))
    run(runner, write(tmp_path / "work_codes.csv", "external_id,name\nW1,Labor\n"))
    run(runner, write(tmp_path / "invoices.csv", INVOICES_CSV))
    payments = write(tmp_path / "payments.csv",
                     "external_id,customer_external_id,amount,payment_date,"
                     "application.invoice_external_id,application.amount\n"
                     "P1,C1,300.00,2026-02-01,I1,200.00\n")
    result = run(runner, payments)
    assert result.exit_code == 0, result.output
    payment = by_external(engine, "payment", "P1")
    assert payment["unapplied"] == Decimal("100.00")
    assert by_external(engine, "invoice", "I1")["balance"] == Decimal("67.50")


def test_rejected_rows_reported_and_the_rest_land(runner: CliRunner, engine: Engine,
                                                  tmp_path: Path) -> None:
    source = write(tmp_path / "customers.csv",
                   "external_id,company_name,active,billing_address.city\n"
                   "C1,Good One,,\n"
                   "C2,,maybe,Tulsa\n"
                   "C3,Good Two,,\n"
                   "C4,Bad Address,,Tulsa,extra\n")
    report = tmp_path / "rejected.csv"
    result = run(runner, source, "--report", report)
    assert result.exit_code == 1, result.output
    assert "line 3: customer external_id 'C2'" in result.output
    assert "company_name: is required" in result.output
    assert "active: must be true or false" in result.output
    assert "line 5: customer external_id 'C4'" in result.output
    assert "has 5 cells but the header names 4 columns" in result.output
    assert "4 records in = 2 created + 0 updated + 0 unchanged + 2 rejected" in result.output
    assert sorted(c["external_id"] for c in records(engine, "customer")) == ["C1", "C3"]
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["position"], r["external_id"]) for r in rows] == [("line 3", "C2"),
                                                                ("line 5", "C4")]
    assert "company_name: is required" in rows[0]["problems"]
    assert "active: must be true or false" in rows[0]["problems"]


def test_document_rows_that_disagree_are_rejected(runner: CliRunner, engine: Engine,
                                                  tmp_path: Path) -> None:
    run(runner, write(tmp_path / "customers.csv", CUSTOMERS_CSV))
    invoices = write(tmp_path / "invoices.csv",
                     "external_id,customer_external_id,line.description,line.unit_price\n"
                     "I1,C1,Labor,10\n"
                     "I1,C2,Parts,5\n")
    result = run(runner, invoices)
    assert result.exit_code == 1, result.output
    assert "lines 2-3: invoice external_id 'I1'" in result.output
    assert "customer_external_id: line 3 gives 'C2' but line 2 gave 'C1'" in result.output
    assert records(engine, "invoice") == []


def test_reimport_is_all_unchanged(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    source = write(tmp_path / "customers.csv", CUSTOMERS_CSV)
    assert run(runner, source).exit_code == 0
    again = run(runner, source)
    assert again.exit_code == 0, again.output
    assert "3 records in = 0 created + 0 updated + 3 unchanged + 0 rejected" in again.output
    assert {c["version"] for c in records(engine, "customer")} == {1}


def test_dry_run_writes_nothing(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    body = [{"object": "customer", "external_id": f"C{n}", "company_name": f"Co {n}"}
            for n in range(3)]
    body += [{"object": "location", "external_id": "L1", "customer_external_id": "C0",
              "name": "Shop"}]
    source = write(tmp_path / "book.json", json.dumps(body))
    # chunks of 2: the location in the second chunk still finds C0 from the first
    result = run(runner, source, "--dry-run", "--chunk-size", "2")
    assert result.exit_code == 0, result.output
    assert "4 records in = 4 created + 0 updated + 0 unchanged + 0 rejected" in result.output
    assert "dry run, nothing was written" in result.output
    assert records(engine, "customer") == []
    assert records(engine, "location") == []


def test_bad_json_exits_2_with_position(runner: CliRunner, engine: Engine,
                                        tmp_path: Path) -> None:
    source = write(tmp_path / "broken.json",
                   '[\n  {"object": "customer", "company_name": "A"},\n  {"object": }\n]\n')
    result = run(runner, source)
    assert result.exit_code == 2
    assert "broken.json" in result.output
    assert "line 3, column 14" in result.output
    assert records(engine, "customer") == []


@pytest.mark.parametrize(("name", "text", "extra", "expected"), [
    ("stuff.csv", "name\nx\n", [], "cannot tell the kind from the file name"),
    ("things.csv", "name\nx\n", ["--kind", "gizmo"], "unknown kind 'gizmo'"),
    ("book.json", '[{"object": "customer", "company_name": "A"}, {"object": "gizmo"}]', [],
     "index 1: unknown kind 'gizmo'"),
    ("customers.csv", "external_id,company_name,external_id\n", [], "named twice"),
    ("customers.csv", "company_name,line.quantity\nA,1\n", [], "a customer has no lines"),
])
def test_unusable_files_exit_2_and_write_nothing(
    runner: CliRunner, engine: Engine, tmp_path: Path, name: str, text: str,
    extra: list[str], expected: str,
) -> None:
    result = run(runner, write(tmp_path / name, text), *extra)
    assert result.exit_code == 2, result.output
    assert name in result.output
    assert expected in result.output
    assert records(engine, "customer") == []


def test_2500_rows_go_in_three_chunks(runner: CliRunner, engine: Engine,
                                      tmp_path: Path) -> None:
    lines = ["external_id,company_name,billing_address.city"]
    bad = {7, 1500, 2499}
    lines += [f"C{n},{'' if n in bad else f'Company {n}'},City {n % 17}" for n in range(2500)]
    source = write(tmp_path / "customers.csv", "\n".join(lines) + "\n")
    commits: list[Engine] = []

    def count_commit(conn: Any) -> None:
        commits.append(conn.engine)

    event.listen(Engine, "commit", count_commit)
    try:
        result = run(runner, source)
    finally:
        event.remove(Engine, "commit", count_commit)
    assert result.exit_code == 1, result.output
    assert ("2500 records in = 2497 created + 0 updated + 0 unchanged + 3 rejected; "
            "loaded in 3 chunks") in result.output
    assert len(commits) == 3  # one transaction per chunk of 1000
    for n in sorted(bad):
        assert f"line {n + 2}: customer external_id 'C{n}'" in result.output
    stored = records(engine, "customer")
    assert len(stored) == 2497
    assert {c["external_id"] for c in stored} == {f"C{n}" for n in range(2500)} - {
        f"C{n}" for n in bad}
