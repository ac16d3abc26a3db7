"""ledgerbridge: keeps a field-service business and its QuickBooks company in step."""

from ledgerbridge.errors import (
    ConfigurationError,
    ConflictError,
    LedgerbridgeError,
    NeedsReconnectError,
    NotFoundError,
    RecordRejectedError,
    RetryLaterError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "ConflictError",
    "LedgerbridgeError",
    "NeedsReconnectError",
    "NotFoundError",
    "RecordRejectedError",
    "RetryLaterError",
    "__version__",
]
