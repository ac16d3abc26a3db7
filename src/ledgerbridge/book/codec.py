"""Conversions a sync makes for every record, kept apart so the compiled build compiles
them: the canonical JSON text (payloads, content hashes, JSON columns) and JSON read back,
and SQLite's stored text read back as datetimes, dates and scaled decimals (a full sync
reads every record's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


_FAST = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
#: every digit made "0", so that one search finds a digit followed by an "e"
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _maybe_different(text: bytes) -> bool:
    """Whether orjson's text may differ from the canonical one: non-ASCII (``json``
    escapes it), DEL (``ensure_ascii`` escapes it too), a float in exponent form
    (``1e16`` against ``1e+16``: a digit then ``e``) or one from 1e-5 up to 1e-4, which
    orjson writes out (``0.00001``) and ``json`` in exponent form (``1e-05``). A string
    that holds such text only costs the slower encoder, never a different text."""
    # ``find``, not ``in``: ``bytes in bytes`` first tries the needle as an integer and
    # raises (and clears) a TypeError each time, dearer than the search itself
    return (not text.isascii() or text.find(b"\x7f") >= 0 or text.find(b"0.0000") >= 0
            or text.translate(_DIGITS_AS_ZERO).find(b"0e") >= 0)


def dumps(value: Any) -> str:
    """The canonical text: ``json.dumps`` with sorted keys, compact separators, ASCII
    only (Decimals as strings, dates in ISO form). Made by orjson when its text is
    certainly the same (see ``_maybe_different``), else by ``json``; content hashes
    stored earlier stay valid."""
    try:
        fast = orjson.dumps(value, default=_json_default, option=_FAST)
    except TypeError:  # what orjson refuses (integers past 64 bits, NaN keys...)
        fast = b""
    if fast and not _maybe_different(fast):
        return fast.decode()
    return json.dumps(value, default=_json_default, separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)  # the same values as json.loads, several times faster
    except orjson.JSONDecodeError:  # what orjson refuses (integers past 64 bits)
        return json.loads(text)


def loads_or_none(value: Any) -> Any:
    return None if value is None else loads(value)


def scaled_reader(exponent: int) -> Callable[[Any], Decimal | None]:
    """Stored minor units (an integer) back to a Decimal of ``10 ** exponent`` units."""
    def read(value: Any) -> Decimal | None:
        return None if value is None else Decimal(int(value)).scaleb(exponent)

    return read


def sqlite_datetime_reader(other: Callable[[Any], Any] | None
                           ) -> Callable[[Any], datetime | None]:
    """SQLite's naive UTC text ("2026-11-22 06:00:00.000000") back to an aware datetime
    by one C call, with its zone in the text (``.replace(tzinfo=UTC)`` costs ~2 us, the
    parse ~0.3); any other value through ``other``."""
    def read(value: Any) -> datetime | None:
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value + "+00:00")
            except ValueError:  # text that names its own zone
                return datetime.fromisoformat(value).astimezone(UTC)
        return other(value) if other is not None else value  # type: ignore[no-any-return]

    return read


def sqlite_date_reader(other: Callable[[Any], Any] | None) -> Callable[[Any], date | None]:
    """SQLite's ISO date text back to a date by one C call; any other value through
    ``other``."""
    def read(value: Any) -> date | None:
        if isinstance(value, str):
            return date.fromisoformat(value)
        return other(value) if other is not None else value  # type: ignore[no-any-return]

    return read
