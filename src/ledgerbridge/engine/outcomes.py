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


def summarize(outcomes: Iterable[RecordOutcome]) -> dict[str, dict[str, int]]:
    """direction -> result -> count."""
    counts: dict[str, dict[str, int]] = {}
    for (direction, result), n in Counter((o.direction, o.result) for o in outcomes).items():
        counts.setdefault(direction, {})[result] = n
    return {direction: dict(sorted(c.items())) for direction, c in counts.items()}
