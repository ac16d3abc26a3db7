"""The change feed: every change of every record kind writes its event in the same
transaction, even when the change bypasses the store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text

from ledgerbridge.book import changefeed
from ledgerbridge.book.kinds import KINDS
from ledgerbridge.book.store import Book
from ledgerbridge.book.tables import change_events
from ledgerbridge.book.triggers import field_groups
from support.books import make_all


def _events(engine: Engine, tenant_id: str) -> list[changefeed.ChangeEvent]:
    with engine.connect() as conn:
        return changefeed.read_changes(conn, tenant_id)


def test_store_writes_one_event_per_change(engine: Engine, tenant_id: str) -> None:
    with engine.begin() as conn:
        book = Book(conn, tenant_id, origin="import")
        made = make_all(book)
        book.update("customer", made["customer"]["id"], {"phone": "555", "email": "a@b.c"})
        book.update("customer", made["customer"]["id"], {"phone": "555"})  # unchanged
        book.delete("bill", made["bill"]["id"])
    events = _events(engine, tenant_id)
    creates = [e for e in events if e.op == "create"]
    assert [e.kind for e in creates] == list(KINDS)
    assert all(e.version == 1 and e.origin == "import" for e in creates)
    balance = [e for e in events if e.kind == "invoice" and e.op == "update"]
    assert [(e.version, e.fields) for e in balance] == [(2, ["amount_paid", "balance"])]
    customer = [e for e in events if e.kind == "customer" and e.op == "update"]
    assert [(e.version, sorted(e.fields)) for e in customer] == [(2, ["email", "phone"])]
    deleted = [e for e in events if e.op == "delete"]
    assert [(e.kind, e.record_id, e.version) for e in deleted] == [
        ("bill", made["bill"]["id"], 2)]
    assert [e.id for e in events] == sorted(e.id for e in events)


def test_rolled_back_changes_leave_no_event(engine: Engine, tenant_id: str) -> None:
    with engine.connect() as conn:
        transaction = conn.begin()
        Book(conn, tenant_id).create("customer", {"company_name": "Ghost"})
        transaction.rollback()
    assert _events(engine, tenant_id) == []


def test_lines_changes_are_named(engine: Engine, tenant_id: str) -> None:
    with engine.begin() as conn:
        book = Book(conn, tenant_id)
        made = make_all(book)
        book.update("invoice", made["invoice"]["id"], {"lines": [
            {"description": "only line", "unit_price": "10.00"}]})
    last = _events(engine, tenant_id)[-1]
    assert last.kind == "invoice" and {"lines", "total", "balance"} <= set(last.fields)


@pytest.mark.parametrize("kind", list(KINDS))
def test_raw_sql_cannot_skip_the_event(engine: Engine, tenant_id: str, kind: str) -> None:
    """Even a statement that goes around the store writes the event: the database's
    triggers, not our code, record every change of every kind."""
    with engine.begin() as conn:
        made = make_all(Book(conn, tenant_id))
    record_id = made[kind]["id"]
    table = KINDS[kind].table
    field, columns = next((f, c) for f, c in field_groups(table).items() if f != "external_id")
    column = table.c[columns[0]]
    with engine.begin() as conn:
        before = conn.execute(select(func.count()).select_from(change_events)).scalar_one()
        conn.execute(table.update().where(table.c.id == record_id)
                     .values(external_id="changed-behind-our-back"))
        conn.execute(table.update().where(table.c.id == record_id)
                     .values({column: column}))  # a no-op write still leaves its trace
        conn.execute(text(f"UPDATE {table.name} SET version = version + 5 WHERE id = :id"),
                     {"id": record_id})
        after = conn.execute(select(func.count()).select_from(change_events)).scalar_one()
    assert after - before == 3
    mine = [e for e in _events(engine, tenant_id) if e.record_id == record_id][-3:]
    assert mine[0].fields == ["external_id"] and mine[0].op == "update"
    assert mine[1].fields == [] and mine[2].fields == []
    assert field  # the table has content fields the trigger compares


def test_raw_delete_writes_a_purge_event(engine: Engine, tenant_id: str) -> None:
    with engine.begin() as conn:
        customer = Book(conn, tenant_id).create("customer", {"company_name": "Gone"}).record
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM customers WHERE id = :id"), {"id": customer["id"]})
    last = _events(engine, tenant_id)[-1]
    assert (last.op, last.record_id, last.version, last.origin) == (
        "purge", customer["id"], 2, "database")


def test_raw_update_names_each_changed_field(engine: Engine, tenant_id: str) -> None:
    with engine.begin() as conn:
        made = make_all(Book(conn, tenant_id))
    part = made["inventory_part"]["id"]
    with engine.begin() as conn:
        conn.execute(KINDS["inventory_part"].table.update()
                     .where(KINDS["inventory_part"].table.c.id == part)
                     .values(quantity_on_hand=Decimal("3"), sku="SKU-9"))
    last = _events(engine, tenant_id)[-1]
    assert sorted(last.fields) == ["quantity_on_hand", "sku"]


def test_feed_reads_after_a_cursor_and_by_kind(engine: Engine, tenant_id: str) -> None:
    with engine.begin() as conn:
        make_all(Book(conn, tenant_id))
    with engine.connect() as conn:
        everything = changefeed.read_changes(conn, tenant_id)
        later = changefeed.read_changes(conn, tenant_id, after=everything[4].id)
        jobs = changefeed.read_changes(conn, tenant_id, kinds=["job"])
        assert changefeed.last_change_id(conn, tenant_id) == everything[-1].id
    assert later == everything[5:]
    assert [e.kind for e in jobs] == ["job"]
