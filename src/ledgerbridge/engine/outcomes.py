"""What a run did with each record, for the summary, the CLI and the host's events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Result = Literal["created", "updated", "linked", "unchanged", "voided", "deleted", "failed",
                 "blocked", "waiting", "skipped", "imported", "changed_here", "would_create",
                 "would_update", "would_link", "retry_later"]


@dataclass(slots=True)
class RecordOutcome:
    kind: str
    record_id: str
    result: Result
    message: str = ""
    remote_id: str | None = None
    op_id: str | None = None
    direction: str = "outbound"

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, kind: str, record_id: str, result: Result, message: str = "",
                 remote_id: str | None = None, op_id: str | None = None,
                 direction: str = "outbound") -> None:
        self.kind = kind
        self.record_id = record_id
        self.result = result
        self.message = message
        self.remote_id = remote_id
        self.op_id = op_id
        self.direction = direction


def summarize(outcomes: Iterable[RecordOutcome]) -> dict[str, dict[str, int]]:
    """direction -> result -> count."""
    counts: dict[str, dict[str, int]] = {}
    for (direction, result), n in Counter((o.direction, o.result) for o in outcomes).items():
        counts.setdefault(direction, {})[result] = n
    return {direction: dict(sorted(c.items())) for direction, c in counts.items()}
