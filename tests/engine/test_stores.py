"""The engine's stores write many rows at once (``ManyRows``): the same rows on SQLite
and PostgreSQL as Core would write, links replaced by record and by QuickBooks
record, and only the other unfinished operations of a record superseded."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, bindparam, event, select

from ledgerbridge.engine import oplog
from ledgerbridge.engine.links import Link, LinkStore
from ledgerbridge.engine.operations import OperationStore, Planned
from ledgerbridge.engine.tables import links, operations
from ledgerbridge.many_rows import ManyRows
from ledgerbridge.qbo.connections import create_connection
from ledgerbridge.qbo.environments import endpoints_for
from ledgerbridge.qbo.secrets import SecretBox

_names = itertools.count()


@pytest.fixture
def connection_id(engine: Engine, tenant_id: str) -> str:
    with engine.begin() as conn:
        return create_connection(conn, SecretBox.from_environment(), tenant_id,
                                 name=f"stores-{next(_names)}",
                                 endpoints=endpoints_for("intuit_sandbox"), client_id="id",
                                 client_secret="secret").id


def _link(record: str, remote: str, how: str = "created", version: str = "0") -> Link:
    return Link("customer", record, "customer", remote, version, f"Name {record}",
                "hash", 1, how)


def _stored_links(conn: Connection, connection_id: str) -> dict[str, tuple[str, str | None]]:
    rows = conn.execute(select(links).where(links.c.connection_id == connection_id))
    return {row.record_id: (row.remote_id, row.remote_version) for row in rows}


def test_many_rows_writes_what_core_writes(engine: Engine, connection_id: str) -> None:
    moment = datetime(2026, 5, 1, 12, 30, 15, 250000, tzinfo=UTC)
    payload = {"name": "Ünïcode & 'quotes'", "amount": "12.50", "lines": [1, 2]}
    insert = ManyRows(lambda dialect: operations.insert())
    rows = [{"id": f"op-many-{connection_id}-{n}", "record_id": f"r{n}",
             "payload": payload | {"n": n}, "message": None if n else "first"}
            for n in range(3)]
    with engine.begin() as conn:
        insert.run(conn, rows, connection_id=connection_id, run_id=None,
                   direction="outbound", record_kind="customer", record_version=1,
                   action="create", remote_kind="customer", remote_id=None, state="pending",
                   attempts=0, error_code=None, error_action=None, raw_error=None,
                   blocked_by=None, created_at=moment, updated_at=moment)
        stored = {row["id"]: row for row in conn.execute(select(operations).where(
            operations.c.connection_id == connection_id)).mappings()}
    assert set(stored) == {row["id"] for row in rows}
    for row in rows:
        got = stored[row["id"]]
        assert got["payload"] == row["payload"]  # JSON through its type, both ways
        assert got["message"] == row["message"]
        assert got["created_at"] == moment and got["created_at"].tzinfo is not None
        assert got["state"] == "pending" and got["remote_id"] is None
    later = moment + timedelta(hours=2)
    update = ManyRows(lambda dialect: operations.update().where(
        operations.c.id == bindparam("b_id")).values(
        state="done", remote_id=bindparam("b_remote"), updated_at=bindparam("b_now")))
    with engine.begin() as conn:
        update.run(conn, [{"b_id": rows[0]["id"], "b_remote": "41"},
                          {"b_id": rows[2]["id"], "b_remote": "43"}], b_now=later)
        update.run(conn, [], b_now=later)  # nothing to do is no statement
        with pytest.raises(ValueError, match="b_nwo"):
            update.run(conn, [{"b_id": rows[1]["id"], "b_remote": "42"}], b_nwo=later)
        after = {row["id"]: row for row in conn.execute(select(operations).where(
            operations.c.connection_id == connection_id)).mappings()}
    assert [(after[r["id"]]["state"], after[r["id"]]["remote_id"]) for r in rows] == [
        ("done", "41"), ("pending", None), ("done", "43")]
    assert after[rows[0]["id"]]["updated_at"] == later
    assert after[rows[1]["id"]]["updated_at"] == moment


def test_constants_go_into_sqlite_statements_as_literals(engine: Engine,
                                                          connection_id: str) -> None:
    """On SQLite, constants that are NULL, whole numbers or text are written into the
    statement (quotes doubled), so each row binds only its own values; anything else, and
    every constant on PostgreSQL, stays bound. Either way the rows stored are the same."""
    moment = datetime(2026, 5, 1, 12, 30, 15, 250000, tzinfo=UTC)
    odd = "O'Brien ? \"Co\" -- [x] `y` ; DROP TABLE operations; '"
    insert = ManyRows(lambda dialect: operations.insert())
    rows = [{"id": f"op-lit-{connection_id}-{n}", "record_id": f"r'{n}?",
             "payload": {"n": n}, "remote_id": None} for n in range(3)]
    bound: list[tuple[str, Any]] = []
    # (a NUL cannot be in an SQL literal; PostgreSQL stores none at all)
    message = "nul \x00 stays bound" if engine.dialect.name == "sqlite" else "bound"

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("INSERT INTO operations"):
            bound.append((statement, parameters))

    with engine.begin() as conn:
        event.listen(conn, "before_cursor_execute", note)
        insert.run(conn, rows, connection_id=connection_id, run_id="run-1",
                   direction="outbound", record_kind="customer", record_version=7,
                   action="create", remote_kind="customer", state="pending", attempts=0,
                   error_code=None, error_action=None, message=message,
                   raw_error=odd, blocked_by=None, created_at=moment, updated_at=moment)
        event.remove(conn, "before_cursor_execute", note)
        stored = {row["id"]: row for row in conn.execute(select(operations).where(
            operations.c.connection_id == connection_id)).mappings()}
    assert set(stored) == {row["id"] for row in rows}
    for n, row in enumerate(rows):
        got = stored[row["id"]]
        assert (got["raw_error"], got["record_id"], got["record_version"]) == (
            odd, f"r'{n}?", 7)
        assert got["message"] == message and got["error_code"] is None
        assert got["created_at"] == moment and got["payload"] == {"n": n}
    [(statement, parameters)] = bound
    if engine.dialect.name == "sqlite":
        # the rows' four values, and the one constant that cannot be a literal
        assert all(len(one) == 5 for one in parameters)
        assert "'O''Brien ? " in statement and "nul" not in statement
    else:
        assert all(len(one) == len(operations.columns) for one in parameters)


def test_links_put_many_replaces_by_record_and_by_remote(engine: Engine,
                                                         connection_id: str) -> None:
    with engine.begin() as conn:
        LinkStore(conn, connection_id).put_many([_link("a", "1"), _link("b", "2")])
    with engine.begin() as conn:
        store = LinkStore(conn, connection_id)
        # a's link changes version; c takes QuickBooks record 2 from b
        store.put_many([_link("a", "1", version="5"), _link("c", "2", how="matched")])
        assert store.get("customer", "b") is None
        assert store.by_remote("customer", "2") == _link("c", "2", how="matched")
        assert _stored_links(conn, connection_id) == {"a": ("1", "5"), "c": ("2", "0")}
    with engine.begin() as conn:  # a fresh store reads what was written
        store = LinkStore(conn, connection_id)
        assert store.get("customer", "a") == _link("a", "1", version="5")
        assert store.get("customer", "c") == _link("c", "2", how="matched")


def test_supersede_many_dismisses_only_other_unfinished_operations(
        engine: Engine, connection_id: str) -> None:
    def planned(record: str, version: int) -> Planned:
        return Planned("customer", record, version, "create", "customer", {"v": version})

    with engine.begin() as conn:
        ops = OperationStore(conn, connection_id)
        old_a, old_b, done_c = ops.stage_many(
            [planned("a", 1), planned("b", 1), planned("c", 1)], "run-1")
        ops.move_many([old_b], "sent")
        ops.move_many([old_b], "failed", message="no")
        ops.move_many([done_c], "sent")
        ops.finish_many([(done_c["id"], "9", None)])
        new_a, new_b, new_c = ops.stage_many(
            [planned("a", 2), planned("b", 2), planned("c", 2)], "run-2")
        ops.supersede_many([("customer", "a"), ("customer", "b"), ("customer", "c")],
                           [new_a["id"], new_b["id"], new_c["id"]])
        states = {row["id"]: (row["state"], row["message"]) for row in ops.in_states(
            ["pending", "failed", "done", "dismissed"])}
    superseded = ("dismissed", "superseded by a newer change")
    assert states[old_a["id"]] == superseded and states[old_b["id"]] == superseded
    assert states[done_c["id"]] == ("done", None)  # finished work stays as it was
    assert {states[op["id"]] for op in (new_a, new_b, new_c)} == {("pending", None)}


def test_supersede_sees_what_was_left_unfinished_after_its_first_read(
        engine: Engine, connection_id: str) -> None:
    """The store reads which records have unfinished operations once, then keeps that
    current with its own writes: operations stored as sent are not unfinished, ones
    moved to failed or pending later are."""
    def planned(record: str, version: int) -> Planned:
        return Planned("customer", record, version, "create", "customer", {"v": version})

    with engine.begin() as conn:
        ops = OperationStore(conn, connection_id)
        ops.supersede_many([], [])  # the first read: nothing unfinished yet
        old_a, old_b, old_c = ops.stage_many(
            [planned("a", 1), planned("b", 1), planned("c", 1)], "run-1", new_state="sent")
        assert (old_a["state"], old_a["attempts"], old_a["new"]) == ("sent", 1, True)
        ops.move_many([old_a], "failed", message="no")
        ops.move(old_b["id"], "pending")
        new = ops.stage_many([planned("a", 2), planned("b", 2), planned("c", 2)], "run-1",
                             new_state="sent")
        ops.supersede_many([("customer", r) for r in "abc"], [op["id"] for op in new])
        states = {row["id"]: (row["state"], row["attempts"]) for row in ops.in_states(
            ["sent", "pending", "failed", "dismissed"])}
        again = ops.stage_many([planned("a", 2)], "run-2", new_state="sent")[0]
    assert states[old_a["id"]][0] == states[old_b["id"]][0] == "dismissed"
    assert states[old_c["id"]] == ("sent", 1)  # sent, its outcome unknown: not replaced
    assert {states[op["id"]] for op in new} == {("sent", 1)}
    assert "new" not in again and again["state"] == "sent"  # stored before: as it was


def test_staging_many_operations_again_finds_every_one_in_one_read(
        engine: Engine, connection_id: str) -> None:
    """Thousands of ids are looked up as one list parameter (JSON on SQLite, an array on
    PostgreSQL), past SQLite's limit on bound parameters: none is stored twice."""
    planned = [Planned("customer", f"r{n}", 1, "create", "customer", {"n": n})
               for n in range(2500)]
    with engine.begin() as conn:
        first = OperationStore(conn, connection_id).stage_many(planned, "run-1")
    with engine.begin() as conn:
        again = OperationStore(conn, connection_id).stage_many(planned, "run-2")
        stored = len(OperationStore(conn, connection_id).in_states(["pending"]))
    assert [row["id"] for row in again] == [row["id"] for row in first]
    assert not any(row.get("new") for row in again) and stored == 2500
    assert again[7]["payload"] == {"n": 7} and again[7]["run_id"] == "run-1"


def test_stage_many_finds_what_is_stored_once_the_first_operation_is_in(
        engine: Engine, connection_id: str) -> None:
    """A connection with no operations yet is looked up once, not per chunk; from the
    first insert on, staging the same operation again finds it (in the same store and in
    the next run's)."""
    def planned(record: str) -> Planned:
        return Planned("customer", record, 1, "create", "customer", {"name": record})

    with engine.begin() as conn:
        ops = OperationStore(conn, connection_id)
        [first] = ops.stage_many([planned("a")], "run-1", new_state="sent")
        assert first["new"] is True
        again, other = ops.stage_many([planned("a"), planned("b")], "run-1")
        assert again["id"] == first["id"] and "new" not in again and again["state"] == "sent"
        assert other["new"] is True and other["state"] == "pending"
    with engine.begin() as conn:
        [later] = OperationStore(conn, connection_id).stage_many([planned("a")], "run-2")
        assert (later["id"], later["state"], later["run_id"]) == (first["id"], "sent", "run-1")
        count = conn.execute(select(operations.c.id).where(
            operations.c.connection_id == connection_id)).all()
    assert len(count) == 2


def test_a_first_sync_reads_no_operation_back_chunk_after_chunk(
        engine: Engine, connection_id: str) -> None:
    """On a connection that had no operations, later chunks look up only the ids the
    store inserted itself: a chunk of new operations reads nothing back, and one that
    repeats an earlier operation still finds it."""
    def planned(record: str) -> Planned:
        return Planned("customer", record, 1, "create", "customer", {"name": record})

    reads: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "operations" in statement:
            reads.append(statement)

    with engine.begin() as conn:
        ops = OperationStore(conn, connection_id)
        event.listen(conn, "before_cursor_execute", note)
        ops.stage_many([planned(f"a{n}") for n in range(50)], "run-1", new_state="sent")
        assert len(reads) == 1  # is there any operation at all? (none)
        ops.stage_many([planned(f"b{n}") for n in range(50)], "run-1", new_state="sent")
        assert len(reads) == 1  # nothing read for ids it never stored
        again, fresh = ops.stage_many([planned("a7"), planned("c")], "run-1")
        event.remove(conn, "before_cursor_execute", note)
    assert len(reads) == 2
    assert "new" not in again and again["state"] == "sent" and again["record_id"] == "a7"
    assert fresh["new"] is True and fresh["state"] == "pending"


def test_the_log_is_read_in_its_index_order_not_sorted(engine: Engine, connection_id: str
                                                      ) -> None:
    """A page of the log walks the (connection, created_at, id) index: no sort of all of
    a connection's operations, on the first page or one after a cursor."""
    planned = [Planned("customer", f"r{n}", 1, "create", "customer", {"n": n})
               for n in range(300)]
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ORDER BY" in statement:
            statements.append((statement, parameters))

    with engine.begin() as conn:
        OperationStore(conn, connection_id).stage_many(planned, "run-1")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE operations")
    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", capture)
        first = oplog.page(conn, connection_id, limit=10)
        second = oplog.page(conn, connection_id, after=first.next_cursor, limit=10)
        event.remove(conn, "before_cursor_execute", capture)
        assert len(first.items) == len(second.items) == 10
        assert {r["id"] for r in first.items}.isdisjoint(r["id"] for r in second.items)
        for statement, parameters in statements:
            if engine.dialect.name == "sqlite":
                plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {statement}", parameters))
                assert "ix_operations_connection_created" in plan and "TEMP B-TREE" not in plan
            else:
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan = " ".join(str(row[0]) for row in conn.exec_driver_sql(
                    f"EXPLAIN {statement}", parameters))
                assert "ix_operations_connection_created" in plan and "Sort" not in plan
    assert len(statements) == 2
