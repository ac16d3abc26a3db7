"""Durable operations: every write to QuickBooks is stored before it is sent, under a
deterministic id, and moves through an explicit state machine:

    pending -> sent -> done | failed | needs_attention | pending (retry later)
    pending -> blocked (a record it depends on failed) -> pending | dismissed
    failed | needs_attention -> pending (retry) | dismissed

The id is derived from (connection, record, action, record version): the same change
planned again after a crash is the same operation.

``attempts`` counts the operation's attempts, and each has its own request id
(``LedgerOp.request_id``): a move to ``sent`` begins a new attempt (a person's retry, a
re-send after a throttle or a refusal, or after a problem here was fixed), and so does a
re-read after a stale SyncToken (:meth:`OperationStore.next_attempt`). An operation still
``sent`` (its outcome unknown: a crash, a lost answer) is sent again as the same attempt,
under the same request id, so QuickBooks answers it as it did the first time instead of
doing it twice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import Connection, RowMapping, Text, bindparam, select

from ledgerbridge.book.codec import dumps
from ledgerbridge.book.types import JSONText
from ledgerbridge.engine.ledger import Action as LedgerAction
from ledgerbridge.engine.tables import operations
from ledgerbridge.errors import ConflictError, NotFoundError
from ledgerbridge.many_rows import ManyRows, ReadRows, any_of

State = Literal["pending", "sent", "done", "failed", "needs_attention", "blocked",
                "dismissed"]
ALLOWED: Mapping[str, frozenset[str]] = {
    "pending": frozenset({"sent", "blocked", "done", "failed", "dismissed"}),
    "sent": frozenset({"done", "failed", "needs_attention", "pending"}),
    "blocked": frozenset({"pending", "dismissed", "blocked", "failed", "done"}),
    "failed": frozenset({"pending", "dismissed"}),
    "needs_attention": frozenset({"pending", "dismissed"}),
    "done": frozenset(),
    "dismissed": frozenset({"pending"}),
}
OPEN_STATES = ("pending", "sent", "blocked")
#: unfinished operations a newer one of the same record replaces
SUPERSEDED_STATES = ("pending", "blocked", "failed", "needs_attention")
CHUNK = 500  # ids in one IN list
#: a document pushed by hand after QuickBooks deleted its copy (kept here) is created
#: there again, under an operation of its own (the first create's id is taken)
RECREATE = "recreate"
#: what the ledger is asked to do for an operation's action, where the two differ
_LEDGER_ACTION = {RECREATE: "create"}


def ledger_action(action: str) -> LedgerAction:
    """What the ledger is asked to do for an operation of ``action``."""
    return cast(LedgerAction, _LEDGER_ACTION.get(action, action))

#: payloads arrive as their canonical text, dumped once for the row and its hash
_INSERT = ManyRows(lambda dialect: operations.insert().values(
    payload=bindparam("payload_text", type_=Text())))
_FINISH = ManyRows(lambda dialect: operations.update().where(
    operations.c.id == bindparam("b_id"), operations.c.state == "sent").values(
    state="done", remote_id=bindparam("b_remote"), message=bindparam("b_message"),
    error_code=None, error_action=None, updated_at=bindparam("b_now")))
_SET_PAYLOAD = ManyRows(lambda dialect: operations.update().where(
    operations.c.id == bindparam("b_id"), operations.c.state != "sent").values(
    payload=bindparam("b_payload", type_=JSONText), updated_at=bindparam("b_now")))


#: operations by id, any number of ids in one read
_BY_IDS = ReadRows(lambda dialect: select(operations).where(
    any_of(operations.c.id, "ids", dialect)))


def payload_digest(row: Mapping[str, Any]) -> str:
    """The content hash of an operation's payload (what was sent, as links keep it)."""
    text = row.get("payload_text") or dumps(dict(row["payload"]))
    return hashlib.sha256(text.encode()).hexdigest()


def operation_id(connection_id: str, record_kind: str, record_id: str, action: str,
                 version: int) -> str:
    digest = hashlib.sha256(
        f"{connection_id}|{record_kind}|{record_id}|{action}|{version}".encode()).hexdigest()
    return f"op{digest[:32]}"


@dataclass(slots=True)
class Planned:
    """An operation the planner wants, before it is stored."""

    record_kind: str
    record_id: str
    record_version: int
    action: str
    remote_kind: str
    payload: Mapping[str, Any]
    remote_id: str | None = None
    direction: str = "outbound"

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, record_kind: str, record_id: str, record_version: int, action: str,
                 remote_kind: str, payload: Mapping[str, Any], remote_id: str | None = None,
                 direction: str = "outbound") -> None:
        self.record_kind = record_kind
        self.record_id = record_id
        self.record_version = record_version
        self.action = action
        self.remote_kind = remote_kind
        self.payload = payload
        self.remote_id = remote_id
        self.direction = direction


class OperationStore:
    def __init__(self, conn: Connection, connection_id: str) -> None:
        self.conn = conn
        self.connection_id = connection_id
        #: records that may have operations a newer one supersedes: read at the first
        #: ``supersede_many`` and kept current by this store's own writes (a run's
        #: store is the only writer while it runs), so a run whose records have none,
        #: as a first full sync, reads nothing per chunk
        self._unfinished: set[tuple[str, str]] | None = None
        #: whether the connection had any operation stored when this store first staged
        #: (asked once). If not, only the ids this store has inserted since (``_mine``)
        #: can be stored: a first sync's ``stage_many`` looks up none of its new ids, in
        #: any chunk (a run holds the connection's lock, so no other writer adds any
        #: meanwhile)
        self._asked = False
        self._mine: set[str] | None = None

    def get(self, op_id: str) -> RowMapping:
        row = self.conn.execute(select(operations).where(
            operations.c.id == op_id, operations.c.connection_id == self.connection_id)
        ).mappings().first()
        if row is None:
            raise NotFoundError(f"no operation '{op_id}' on this connection")
        return row

    def stage(self, planned: Planned, run_id: str | None) -> dict[str, Any]:
        """Store ``planned`` unless the same operation exists; return the stored row."""
        return self.stage_many([planned], run_id)[0]

    def stage_many(self, planned: Sequence[Planned], run_id: str | None,
                   new_state: Literal["pending", "sent"] = "pending"
                   ) -> list[dict[str, Any]]:
        """``stage`` for a level's operations: one read, one insert; the rows in order
        (plain dicts that ``move_many`` keeps current). New operations are stored in
        ``new_state``: ``sent`` (one attempt) when the caller sends them before its
        next commit, which saves moving every one of them from ``pending``; a row stored
        so has ``"new": True`` (not a column) to tell it from one sent by an earlier run."""
        ids = [operation_id(self.connection_id, p.record_kind, p.record_id, p.action,
                            p.record_version) for p in planned]
        if not self._asked:
            self._asked = True
            if self.conn.execute(select(operations.c.id).where(
                    operations.c.connection_id == self.connection_id).limit(1)).first() is None:
                self._mine = set()
        mine = self._mine
        wanted = ids if mine is None else [op_id for op_id in ids if op_id in mine]
        known = {row["id"]: row for row in _BY_IDS.run(self.conn, ids=wanted)} if wanted \
            else {}
        now = datetime.now(UTC)
        fresh: list[tuple[dict[str, Any], Planned]] = []
        for op_id, item in zip(ids, planned, strict=True):
            if op_id not in known:
                known[op_id] = {
                    "id": op_id, "run_id": run_id, "direction": item.direction,
                    "record_kind": item.record_kind, "record_id": item.record_id,
                    "record_version": item.record_version, "action": item.action,
                    "remote_kind": item.remote_kind, "remote_id": item.remote_id,
                    "payload_text": dumps(dict(item.payload))}
                fresh.append((known[op_id], item))
        attempts = 1 if new_state == "sent" else 0
        stored = {"connection_id": self.connection_id, "state": new_state, "attempts": attempts,
                  "error_code": None, "error_action": None, "message": None,
                  "raw_error": None, "blocked_by": None, "created_at": now,
                  "updated_at": now}
        _INSERT.run(self.conn, [row for row, _ in fresh], **stored)
        if mine is not None:
            mine.update(row["id"] for row, _ in fresh)
        for row, item in fresh:
            row.update(stored, payload=dict(item.payload), new=True)
        self._note_unfinished((row, new_state) for row, _ in fresh)
        return [known[op_id] for op_id in ids]

    def _note_unfinished(self, moves: Iterable[tuple[Mapping[str, Any], str]]) -> None:
        if self._unfinished is None:
            return
        self._unfinished.update((row["record_kind"], row["record_id"]) for row, state in moves
                                if state in SUPERSEDED_STATES)

    def move_many(self, rows: Sequence[dict[str, Any]], to: State, **values: Any) -> None:
        """Move every row to ``to`` in one statement (each transition checked)."""
        if not rows:
            return
        for row in rows:
            if to not in ALLOWED[row["state"]]:
                raise ConflictError(f"operation {row['id']} cannot go from {row['state']} "
                                    f"to {to}")
        now = datetime.now(UTC)
        extra = {"attempts": operations.c.attempts + 1} if to == "sent" else {}
        ids = [row["id"] for row in rows]
        for start in range(0, len(ids), CHUNK):
            self.conn.execute(operations.update().where(
                operations.c.id.in_(ids[start:start + CHUNK])).values(
                state=to, updated_at=now, **extra, **values))
        for row in rows:
            row.update(state=to, updated_at=now, **values)
            if to == "sent":
                row["attempts"] += 1
        self._note_unfinished((row, to) for row in rows)

    def finish_many(self, done: Sequence[tuple[str, str | None, str | None]]) -> None:
        """Mark sent operations done, each with the remote id it made or changed and a
        note (None for most)."""
        _FINISH.run(self.conn, [{"b_id": op_id, "b_remote": remote, "b_message": note}
                                for op_id, remote, note in done], b_now=datetime.now(UTC))

    def next_attempt(self, row: dict[str, Any]) -> int:
        """Begin a new attempt of an operation that stays ``sent`` (its last one was
        answered: a stale SyncToken, re-read to go again); its number, which ``row``
        keeps too."""
        if row["state"] != "sent":
            raise ConflictError(f"operation {row['id']} is {row['state']}, not sent")
        row["attempts"] += 1
        self.conn.execute(operations.update().where(operations.c.id == row["id"]).values(
            attempts=row["attempts"], updated_at=datetime.now(UTC)))
        return int(row["attempts"])

    def supersede_many(self, records: Sequence[tuple[str, str]], keep: Sequence[str]
                       ) -> None:
        """``supersede`` for many records at once (``keep[i]`` is record i's op): one
        indexed read per kind and chunk finds the few records that have other
        unfinished operations, one update dismisses them."""
        if self._unfinished is None:
            table = operations.c
            # (rows as mappings: a Row is typed as a tuple, which it is not)
            self._unfinished = {(row["record_kind"], row["record_id"]) for row in self.conn.execute(
                select(table.record_kind, table.record_id).distinct().where(
                    table.connection_id == self.connection_id,
                    table.state.in_(SUPERSEDED_STATES))).mappings()}
        kept = {record: op_id for record, op_id in zip(records, keep, strict=True)
                if record in self._unfinished}
        by_kind: dict[str, list[str]] = {}
        for kind, record_id in kept:
            by_kind.setdefault(kind, []).append(record_id)
        table = operations.c
        stale: list[str] = []
        for kind, record_ids in by_kind.items():
            for start in range(0, len(record_ids), CHUNK):
                stale += [row["id"] for row in self.conn.execute(
                    select(table.id, table.record_id).where(
                        table.connection_id == self.connection_id, table.record_kind == kind,
                        table.record_id.in_(record_ids[start:start + CHUNK]),
                        table.state.in_(SUPERSEDED_STATES))).mappings()
                    if row["id"] != kept[(kind, row["record_id"])]]
        for start in range(0, len(stale), CHUNK):
            self.conn.execute(operations.update().where(
                table.id.in_(stale[start:start + CHUNK]),
                table.state.in_(SUPERSEDED_STATES)).values(
                state="dismissed", message="superseded by a newer change",
                updated_at=datetime.now(UTC)))

    def set_payloads(self, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """New payloads for operations not sent yet."""
        _SET_PAYLOAD.run(self.conn, [{"b_id": op_id, "b_payload": dict(payload)}
                                     for op_id, payload in changes],
                         b_now=datetime.now(UTC))

    def move(self, op_id: str, to: State, **values: Any) -> None:
        row = self.get(op_id)
        if to not in ALLOWED[row["state"]]:
            raise ConflictError(f"operation {op_id} cannot go from {row['state']} to {to}")
        extra = {"attempts": row["attempts"] + 1} if to == "sent" else {}
        self.conn.execute(operations.update().where(operations.c.id == op_id).values(
            state=to, updated_at=datetime.now(UTC), **extra, **values))
        self._note_unfinished([(dict(row), str(to))])

    def annotate(self, op_id: str, message: str, **error: str | None) -> None:
        """Change an operation's message (and ``error_code``, ``error_action``,
        ``raw_error`` when given) without moving it."""
        unknown = set(error) - {"error_code", "error_action", "raw_error"}
        if unknown:
            raise ValueError(f"not error fields of an operation: {sorted(unknown)}")
        self.conn.execute(operations.update().where(operations.c.id == op_id).values(
            message=message, updated_at=datetime.now(UTC), **error))

    def supersede(self, record_kind: str, record_id: str, keep: str) -> None:
        """Dismiss the record's other unfinished operations: ``keep`` replaced them."""
        self.supersede_many([(record_kind, record_id)], [keep])

    def open_for_record(self, record_kind: str, record_id: str) -> list[RowMapping]:
        return list(self.conn.execute(select(operations).where(
            operations.c.connection_id == self.connection_id,
            operations.c.record_kind == record_kind, operations.c.record_id == record_id,
            operations.c.state.in_((*OPEN_STATES, "failed", "needs_attention")),
        ).order_by(operations.c.created_at)).mappings())

    def in_states(self, states: Iterable[str]) -> list[RowMapping]:
        return list(self.conn.execute(select(operations).where(
            operations.c.connection_id == self.connection_id,
            operations.c.state.in_(list(states)),
        ).order_by(operations.c.created_at, operations.c.id)).mappings())

    def retry(self, op_id: str) -> None:
        self.move(op_id, "pending", error_code=None, error_action=None, message=None,
                  blocked_by=None)

    def dismiss(self, op_id: str) -> None:
        self.move(op_id, "dismissed")
