"""What the engine asks QuickBooks Online to do, and what came of it: plain data.

An :class:`Operation` has a deterministic ``id`` (made by the engine from connection,
record, action and version, and the attempt after the first; at most 50 characters),
which is sent as QuickBooks' ``requestid`` so that a resend is never applied twice. A
:class:`Result` says, for one operation, what QuickBooks answered: the new Id and
SyncToken, or a classified error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ledgerbridge.errors import ConfigurationError
from ledgerbridge.qbo.errors import QboError

ActionName = Literal["create", "update", "delete", "void"]
ACTIONS: tuple[ActionName, ...] = ("create", "update", "delete", "void")
MAX_OPERATION_ID = 50
BATCH_SIZE = 30
BATCH_REQUEST_ID_LENGTH = 32  # QuickBooks allows 36 for a batch


@dataclass(slots=True)
class Operation:
    """One write: ``payload`` is the QuickBooks JSON of the entity (for delete and void
    ``{"Id", "SyncToken"}``)."""

    id: str
    action: ActionName
    entity: str
    payload: Mapping[str, Any]

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, id: str, action: ActionName, entity: str,
                 payload: Mapping[str, Any]) -> None:
        self.id = id
        self.action = action
        self.entity = entity
        self.payload = payload
        self.__post_init__()

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > MAX_OPERATION_ID:
            raise ConfigurationError(f"an operation id must have 1 to {MAX_OPERATION_ID} "
                                     f"characters (QuickBooks' requestid): '{self.id}'")
        if self.action not in ACTIONS:
            raise ConfigurationError(f"unknown action '{self.action}'; use one of {ACTIONS}")

    @property
    def path_params(self) -> dict[str, str]:
        """Query parameters of the single (non-batch) call."""
        params = {"requestid": self.id}
        if self.action in ("delete", "void"):
            params["operation"] = self.action
        return params


@dataclass(slots=True)
class Result:
    """What became of one operation."""

    operation_id: str
    ok: bool
    entity_id: str | None = None
    sync_token: str | None = None
    object: dict[str, Any] | None = field(default=None, compare=False)
    error: QboError | None = None

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, operation_id: str, ok: bool, entity_id: str | None = None,
                 sync_token: str | None = None, object: dict[str, Any] | None = None,
                 error: QboError | None = None) -> None:
        self.operation_id = operation_id
        self.ok = ok
        self.entity_id = entity_id
        self.sync_token = sync_token
        self.object = object
        self.error = error

    @property
    def outcome(self) -> str:
        return "done" if self.ok else self.error.action.value if self.error else "failed"


def pack(operations: Sequence[Operation], size: int = BATCH_SIZE) -> list[list[Operation]]:
    """Batches of at most ``size``, by operation id: the same operations always make the
    same batches (so a resend after a crash repeats each batch's requestid)."""
    ordered = sorted(operations, key=lambda op: op.id)
    ids = [op.id for op in ordered]
    if len(set(ids)) != len(ids):
        raise ConfigurationError("two operations share an id; operation ids must be unique")
    return [ordered[start:start + size] for start in range(0, len(ordered), size)]


def batch_request_id(batch: Sequence[Operation]) -> str:
    """A batch's requestid: a hash of its operation ids, in order (32 characters)."""
    digest = hashlib.sha256("\n".join(op.id for op in batch).encode()).hexdigest()
    return digest[:BATCH_REQUEST_ID_LENGTH]


def json_payload(op: Operation) -> dict[str, Any]:
    """The payload as JSON is encoded from (a dict; a copy only when it is another
    mapping: the payload is read, never changed)."""
    payload = op.payload
    return payload if isinstance(payload, dict) else dict(payload)


def batch_item(bid: str, op: Operation) -> dict[str, Any]:
    return {"bId": bid, "operation": op.action, op.entity: json_payload(op)}


def batch_body(batch: Sequence[Operation]) -> dict[str, Any]:
    """``BatchItemRequest`` with bIds "0".."29" (a bId has at most 10 characters)."""
    return {"BatchItemRequest": [batch_item(str(i), op) for i, op in enumerate(batch)]}


def success(op: Operation, answer: Mapping[str, Any]) -> Result:
    """The Result of an answer ``{"Customer": {...}}`` (or a deletion's status object)."""
    obj = answer.get(op.entity)
    if not isinstance(obj, dict):
        obj = next((v for v in answer.values() if isinstance(v, dict)), {})
    # positional: made for every record written, where keywords cost a third more
    return Result(op.id, True, _text(obj.get("Id")), _text(obj.get("SyncToken")), obj)


def failure(op: Operation, error: QboError) -> Result:
    return Result(operation_id=op.id, ok=False, error=error)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
