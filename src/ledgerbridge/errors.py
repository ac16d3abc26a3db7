"""The one exception tree of ledgerbridge, grouped by what the caller should do.

    LedgerbridgeError
    ├── ConfigurationError      fix the settings or environment, then run again
    ├── NeedsReconnectError     the QuickBooks connection must be re-authorised by a person
    ├── RetryLaterError         transient: wait (``retry_after`` seconds if known) and retry
    ├── RecordRejectedError     this record failed; ``problems`` say what and how to fix it
    │   └── ReferenceMissingError   a referenced record does not exist
    ├── ConflictError           the record changed or is in use; re-read or resolve first
    └── NotFoundError           no such record for this tenant

Each carries a user-facing ``message`` (safe to show: no secrets) and optional context
(tenant, connection, record, operation id). Third-party exceptions are converted at the
edge with ``raise ... from exc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a field path such as ``lines[2].quantity``)
    and a sentence a person understands."""

    path: str
    message: str

    def as_text(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass
class ErrorContext:
    tenant_id: str | None = None
    connection_id: str | None = None
    record_kind: str | None = None
    record_id: str | None = None
    operation_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class LedgerbridgeError(Exception):
    """Root of every error ledgerbridge raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, context: ErrorContext | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.context = context or ErrorContext()


class ConfigurationError(LedgerbridgeError):
    code = "configuration"


class NeedsReconnectError(LedgerbridgeError):
    code = "needs_reconnect"


class RetryLaterError(LedgerbridgeError):
    code = "retry_later"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        context: ErrorContext | None = None,
    ) -> None:
        super().__init__(message, context=context)
        self.retry_after = retry_after


class RecordRejectedError(LedgerbridgeError):
    code = "record_rejected"

    def __init__(
        self,
        message: str,
        problems: list[Problem] | None = None,
        *,
        context: ErrorContext | None = None,
    ) -> None:
        super().__init__(message, context=context)
        self.problems = problems or [Problem("", message)]


class ReferenceMissingError(RecordRejectedError):
    code = "reference_missing"


class ConflictError(LedgerbridgeError):
    code = "conflict"


class NotFoundError(LedgerbridgeError):
    code = "not_found"
