"""``ledgerbridge map list / set / remove / autofill`` against the QuickBooks Online
sandbox on loopback (connected with ``connect qbo --sandbox-url``), checked in the
database as well as in the output."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from click.testing import Result
from sqlalchemy import Engine
from typer.testing import CliRunner

from ledgerbridge import db
from ledgerbridge.book.store import Book
from ledgerbridge.cli import app
from ledgerbridge.config import load_config
from ledgerbridge.errors import NotFoundError, ReferenceMissingError
from ledgerbridge.qbo.connections import get_connection
from ledgerbridge.settings import mappings
from ledgerbridge.tenants import find_tenant
from support.loopback import sandbox_url

runner = CliRunner(env={"COLUMNS": "200"})  # the tables on one line a row


@pytest.fixture
def qbo_url() -> Iterator[str]:
    """A sandbox of its own (the CLI connects to its first company)."""
    with sandbox_url() as url:
        yield url


@dataclass
class Company:
    """A tenant connected to a sandbox company: the book's codes and QuickBooks' items
    and classes, ids by name."""

    engine: Engine
    connection_id: str
    codes: dict[str, str]
    qb: dict[str, str]

    def mapped(self, kind: str) -> dict[str, tuple[str, str | None]]:
        with self.engine.connect() as conn:
            return {k: (m.remote_id, m.remote_name)
                    for k, m in mappings.all_of(conn, self.connection_id, kind).items()}


@pytest.fixture
def company(qbo_url: str) -> Iterator[Company]:
    assert runner.invoke(app, ["tenants", "create", "Acme"]).exit_code == 0
    done = runner.invoke(app, ["connect", "qbo", "--tenant", "Acme", "--sandbox-url", qbo_url])
    assert done.exit_code == 0, done.output
    engine = db.engine_from_config(load_config())
    with engine.begin() as conn:
        tenant = find_tenant(conn, "Acme")
        book = Book(conn, tenant.id)
        codes = {n: book.create("cost_code", {"name": n}).record["id"]
                 for n in ("Demolition", "Framing", "Permits")}
        codes |= {n: book.create("cost_type", {"name": n}).record["id"]
                  for n in ("Labor", "Materials")}
        connection = get_connection(conn, tenant.id, done.output.split()[0])
    seeded = httpx.post(f"{qbo_url}/sandbox/companies/{connection.realm_id}/seed", json={
        "Item": [{"Name": "Demolition Work", "Type": "Service"},
                 {"Name": "Framing", "Type": "Service"},
                 {"Name": "General", "Type": "Service"},
                 {"Name": "Old Work (deleted)", "Type": "Service", "Active": False}],
        "Class": [{"Name": "Field Labor"}]}).json()
    names = ["Demolition Work", "Framing", "General", "Old Work", "Field Labor"]
    yield Company(engine, connection.id, codes,
                  dict(zip(names, seeded["Item"] + seeded["Class"], strict=True)))
    engine.dispose()


def cli(*args: str) -> Result:
    return runner.invoke(app, [*args, "--tenant", "Acme"])


def rows(output: str) -> dict[str, list[str]]:
    """The cells of each table row, by its first cell (the book's id)."""
    found = {}
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip()[1:-1].split("│")]
        if len(cells) == 5:
            found[cells[0]] = cells[1:]
    return found


def test_set_by_name_and_by_id_list_then_remove(company: Company) -> None:
    codes, qb = company.codes, company.qb
    by_name = cli("map", "set", "cost_code_item", codes["Demolition"], "Demolition Work")
    assert by_name.exit_code == 0, by_name.output
    assert f"-> item {qb['Demolition Work']} 'Demolition Work'" in by_name.output
    by_id = cli("map", "set", "cost-code", codes["Framing"], qb["Framing"])  # an alias
    assert by_id.exit_code == 0, by_id.output
    assert company.mapped("cost_code_item") == {
        codes["Demolition"]: (qb["Demolition Work"], "Demolition Work"),
        codes["Framing"]: (qb["Framing"], "Framing")}

    listed = cli("map", "list", "cost_code_item")
    assert listed.exit_code == 0, listed.output
    table = rows(listed.output)
    assert table[codes["Demolition"]] == ["Demolition", qb["Demolition Work"],
                                          "Demolition Work", ""]
    assert table[codes["Permits"]] == ["Permits", "", "", "fails: no item"]
    assert "2 mapped, 1 unmapped" in listed.output
    assert cli("settings", "set", f"connection.default_item_id=\"{qb['General']}\""
               ).exit_code == 0
    fallback = rows(cli("map", "list", "cost_code").output)[codes["Permits"]]
    assert fallback == ["Permits", "", "", f"default item {qb['General']}"]

    removed = cli("map", "remove", "cost_code_item", codes["Demolition"])
    assert removed.exit_code == 0, removed.output
    assert "no longer mapped (was" in removed.output
    assert set(company.mapped("cost_code_item")) == {codes["Framing"]}
    table = rows(cli("map", "list", "cost_code_item").output)
    assert table[codes["Demolition"]][1:3] == ["", ""]
    again = cli("map", "remove", "cost_code_item", codes["Demolition"])
    assert again.exit_code == 1
    assert isinstance(again.exception, NotFoundError)
    assert "has no item mapping" in again.exception.message


def test_a_mapping_whose_code_left_the_book_is_listed_and_can_be_removed(
        company: Company) -> None:
    code = company.codes["Framing"]
    assert cli("map", "set", "cost_code_item", code, "Framing").exit_code == 0
    with company.engine.begin() as conn:
        Book(conn, find_tenant(conn, "Acme").id).delete("cost_code", code)
    table = rows(cli("map", "list", "cost_code_item").output)
    assert table[code] == ["(not in the book)", company.qb["Framing"], "Framing", ""]
    assert cli("map", "remove", "cost_code_item", code).exit_code == 0
    assert company.mapped("cost_code_item") == {}


def test_cost_types_map_to_classes_and_unmapped_ones_get_their_own(company: Company) -> None:
    done = cli("map", "set", "cost_type_class", company.codes["Labor"], "Field Labor")
    assert done.exit_code == 0, done.output
    table = rows(cli("map", "list", "cost_type_class").output)
    assert table[company.codes["Labor"]] == ["Labor", company.qb["Field Labor"],
                                             "Field Labor", ""]
    assert table[company.codes["Materials"]][3] == \
        "its own class, sent by the next sync that needs it"


@pytest.mark.parametrize(("local", "remote", "says"), [
    ("Framing", "demolition work",
     "QuickBooks has no item with the id or the exact name 'demolition work' (did you mean "
     "'Demolition Work'?); give the id of an active item, or its name exactly as "
     "QuickBooks shows it"),
    ("Framing", "999", "QuickBooks has no item with the id or the exact name '999'"),
    ("Framing", "Old Work", "is inactive; make it active in QuickBooks"),
    (None, "Framing", "the book has no cost code with id 'cc_nope'"),
])
def test_set_refuses_what_is_not_there_and_stores_nothing(
        company: Company, local: str | None, remote: str, says: str) -> None:
    given = company.qb.get(remote, remote) if remote == "Old Work" else remote
    result = cli("map", "set", "cost_code_item",
                 company.codes[local] if local else "cc_nope", given)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, ReferenceMissingError)
    assert says in result.exception.message
    assert company.mapped("cost_code_item") == {}


def test_an_unknown_kind_is_a_usage_error() -> None:
    result = cli("map", "list", "work_code_item")
    assert result.exit_code == 2
    assert "unknown mapping kind 'work_code_item'" in result.output


def test_autofill_says_what_it_mapped_and_what_stays_unmapped(company: Company) -> None:
    result = cli("map", "autofill")
    assert result.exit_code == 0, result.output
    assert f"mapped 1: {company.codes['Framing']} -> Framing" in result.output
    assert "unmapped 4: Demolition (fails: no item), Permits (fails: no item)" in \
        result.output
    assert company.mapped("cost_code_item") == {
        company.codes["Framing"]: (company.qb["Framing"], "Framing")}
