"""The ledger protocol: what the engine needs from a QuickBooks edition (DESIGN.md,
decision 1). QuickBooks Online and Desktop each implement it; the planner, settings,
matching and log never know which one they talk to.

Everything here is neutral: ``fields`` use the engine's names (``name``,
``parent_id``, ``lines[].item_id`` ...) and references are remote ids the engine got
from its links. Each ledger translates them to its own wire format."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

RemoteKind = Literal[
    "customer", "vendor", "employee", "item", "class", "account", "tax_code", "tax_agency",
    "invoice", "credit_memo", "payment", "purchase_order", "bill",
]
NAME_KINDS: frozenset[str] = frozenset(
    {"customer", "vendor", "employee", "item", "class", "account"})
Action = Literal["create", "update", "delete", "void"]
#: what the engine should do about an error (the ledger classifies; errors are data)
ErrorAction = Literal["retry_later", "reread_retry", "record_failed", "needs_reconnect",
                      "company_problem"]


@dataclass(slots=True)
class RemoteRecord:
    kind: RemoteKind
    id: str
    version: str
    name: str | None = None
    active: bool = True
    parent_id: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    deleted: bool = False

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, kind: RemoteKind, id: str, version: str,
                 name: str | None = None, active: bool = True, parent_id: str | None = None,
                 fields: Mapping[str, Any] | None = None, updated_at: datetime | None = None,
                 deleted: bool = False) -> None:
        self.kind = kind
        self.id = id
        self.version = version
        self.name = name
        self.active = active
        self.parent_id = parent_id
        self.fields = {} if fields is None else fields
        self.updated_at = updated_at
        self.deleted = deleted


@dataclass(slots=True)
class LedgerOp:
    """One write: one attempt of an operation. Transaction creates carry ``marker``
    (derived from ``id``, the same for every attempt) in a private note, so a create
    whose outcome was lost can be found again."""

    id: str
    action: Action
    kind: RemoteKind
    fields: Mapping[str, Any] = field(default_factory=dict)
    remote_id: str | None = None
    remote_version: str | None = None
    #: which attempt of the operation this is (1 for the first)
    attempt: int = 1

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, id: str, action: Action, kind: RemoteKind,
                 fields: Mapping[str, Any] | None = None, remote_id: str | None = None,
                 remote_version: str | None = None, attempt: int = 1) -> None:
        self.id = id
        self.action = action
        self.kind = kind
        self.fields = {} if fields is None else fields
        self.remote_id = remote_id
        self.remote_version = remote_version
        self.attempt = attempt

    @property
    def marker(self) -> str:
        return f"[lb:{self.id[-12:]}]"

    @property
    def request_id(self) -> str:
        """What the ledger sends as the write's idempotency key (QuickBooks Online's
        ``requestid``): the same for a re-send of one attempt, so a write whose answer
        was lost is never carried out twice, and new for each attempt, so a retry is
        not answered with the answer an earlier attempt got. The first attempt's is the
        operation's id."""
        return self.id if self.attempt <= 1 else f"{self.id}-{self.attempt}"


#: ``LedgerOp.marker`` in a private note, with the space that joined it to the note
MARKER = re.compile(r"\[lb:[0-9a-z]{12}\] ?| ?\[lb:[0-9a-z]{12}\]")
#: what ``LedgerOp.marker`` takes of a private note: itself and the space before it
MARKER_ROOM = len(" [lb:]") + 12
#: what ends a note cut short to leave room for the marker
ELLIPSIS = "\u2026"


def fit_note(note: str | None, limit: int) -> str | None:
    """``note`` short enough that it, a space and our marker fit in ``limit`` characters
    (QuickBooks' length of a private note): cut, ending in an ellipsis, when it is not.
    The marker must be there whole (a create whose answer was lost is found by it)."""
    room = limit - MARKER_ROOM
    if note is None or len(note) <= room:
        return note
    return note[: room - len(ELLIPSIS)].rstrip() + ELLIPSIS


def without_markers(note: Any) -> str | None:
    """A private note as people wrote it: our markers taken out, None when that leaves
    nothing."""
    return MARKER.sub("", str(note or "")).strip() or None


@dataclass(frozen=True)
class LedgerError:
    action: ErrorAction
    code: str
    message: str
    raw: str = ""
    retry_after: float | None = None
    #: the ledger may have carried the operation out (its answer was lost): a create is
    #: looked up before it is sent again
    maybe_applied: bool = False


@dataclass(slots=True)
class LedgerResult:
    op_id: str
    record: RemoteRecord | None = None
    error: LedgerError | None = None
    #: a success the ledger did not answer as one, and why it counts (a delete of what
    #: is deleted already); ``record`` is then None: the record is as the engine knew it
    note: str = ""

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, op_id: str, record: RemoteRecord | None = None,
                 error: LedgerError | None = None, note: str = "") -> None:
        self.op_id = op_id
        self.record = record
        self.error = error
        self.note = note

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class CompanyProfile:
    """What the engine must know about the company before it sends anything."""

    name: str
    class_tracking: bool
    custom_txn_numbers: bool
    has_tax_agency: bool
    income_account_id: str | None
    expense_account_id: str | None
    asset_account_id: str | None
    name_limits: Mapping[str, int]
    #: the longest private note (a document's memo and our marker together)
    note_limit: int = 4000
    #: ISO country of the company (US companies need a tax agency before documents)
    country: str = "US"


@dataclass(frozen=True)
class ChangeSet:
    """What changed, to ``until`` (the ledger's own time: the next window's start).
    ``deletions_unseen``: kinds whose adds and changes are all here but whose deletions
    in part of the window may be missing (a window too busy for the change feed); the
    engine asks :meth:`Ledger.read_changes` which of the ids it links are gone."""

    records: list[RemoteRecord]
    until: datetime
    deletions_unseen: tuple[RemoteKind, ...] = ()


@dataclass(frozen=True)
class Lists:
    """Several kinds' records read together and, when asked, the company's profile from
    the same answers."""

    records: Mapping[RemoteKind, list[RemoteRecord]]
    profile: CompanyProfile | None = None


class FullReadDue(Exception):
    """The watermark is too old for the change feed; read what changed another way
    (:meth:`Ledger.read_changes`)."""


class Ledger(Protocol):
    """One QuickBooks company, as the engine sees it."""

    edition: str

    async def company(self) -> CompanyProfile: ...

    async def read_all(self, kind: RemoteKind) -> list[RemoteRecord]: ...

    async def read_lists(self, kinds: Sequence[RemoteKind], with_profile: bool = False
                         ) -> Lists:
        """Every record of each kind (inactive ones too) and, when ``with_profile``, the
        company's profile, in as few calls as the edition can (a full sync's reads)."""
        ...

    async def find_by_names(self, wanted: Mapping[RemoteKind, Sequence[str]]
                            ) -> list[RemoteRecord]:
        """The records of these names, inactive ones too, for several kinds at once (the
        kinds of a shared name space, say) in as few calls as the edition can."""
        ...

    async def apply(self, ops: Sequence[LedgerOp]) -> list[LedgerResult]:
        """One result per op, in order; a success's record carries what identifies it
        (id, version, name, active, parent), not its fields."""
        ...

    async def read(self, kind: RemoteKind, remote_id: str) -> RemoteRecord | None: ...

    async def find_created(self, op: LedgerOp) -> RemoteRecord | None:
        """The record a create whose outcome is unknown made, if QuickBooks has it
        (names by name; transactions by their party, date and the op's marker)."""
        ...

    async def changes_since(self, kinds: Sequence[RemoteKind], since: datetime
                            ) -> ChangeSet:
        """What changed since ``since``, deletions included (``deleted`` records);
        raises :class:`FullReadDue` when the change feed cannot go back that far."""
        ...

    async def read_changes(self, kinds: Sequence[RemoteKind], since: datetime,
                           known: Mapping[RemoteKind, Collection[str]]) -> ChangeSet:
        """What changed since ``since`` without the change feed: every record of
        ``kinds`` changed since then, and a ``deleted`` record for each id of ``known``
        (the remote ids the engine links, by kind) that the ledger no longer has (of the
        kinds it deletes). In as few calls as the edition can."""
        ...
