"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import BigInteger, Date, DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

from ledgerbridge.book.money import MONEY_SCALE, PLACES, QTY_SCALE, from_minor, to_minor


class _ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal kept as an exact integer of minor units (cents, ten-thousandths)."""

    impl = BigInteger
    cache_ok = True
    scale = MONEY_SCALE

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else to_minor(Decimal(value), self.scale)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_minor(int(value), self.scale)

    def result_processor(self, dialect: Dialect, coltype: object
                         ) -> Callable[[Any], Decimal | None]:
        exponent = -PLACES[self.scale]  # one call a value, not the impl's and then ours

        def process(value: Any) -> Decimal | None:
            # (``from_minor`` inlined: a full sync reads every record's amounts)
            return None if value is None else Decimal(int(value)).scaleb(exponent)

        return process


class Money(_ScaledDecimal):
    cache_ok = True
    scale = MONEY_SCALE


class Quantity(_ScaledDecimal):
    cache_ok = True
    scale = QTY_SCALE


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object
                         ) -> Callable[[Any], datetime | None]:
        wrapped = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return wrapped or (lambda value: value)

        def process(value: Any) -> datetime | None:
            # SQLite's naive UTC text ("2026-11-22 06:00:00.000000") read by one C call,
            # with its zone in the text: ``.replace(tzinfo=UTC)`` costs ~2 us, the
            # parse ~0.3 (a full sync reads three datetimes of every record)
            if isinstance(value, str):
                try:
                    return datetime.fromisoformat(value + "+00:00")
                except ValueError:  # text that names its own zone
                    return datetime.fromisoformat(value).astimezone(UTC)
            return wrapped(value) if wrapped is not None else value

        return process


class ISODate(TypeDecorator[date]):
    """A date; on SQLite its ISO text is read by one C call."""

    impl = Date
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object
                         ) -> Callable[[Any], date | None] | None:
        wrapped = self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return wrapped

        def process(value: Any) -> date | None:
            if isinstance(value, str):
                return date.fromisoformat(value)
            return wrapped(value) if wrapped is not None else value

        return process


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
    return (not text.isascii() or b"\x7f" in text or b"0.0000" in text
            or b"0e" in text.translate(_DIGITS_AS_ZERO))


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


class JSONText(TypeDecorator[Any]):
    """JSON kept as canonical text (sorted keys, Decimals as strings) so that equal
    content is equal text on every backend, and change detection is a text compare."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else dumps(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else _loads(value)

    def result_processor(self, dialect: Dialect, coltype: object
                         ) -> Callable[[Any], Any]:
        return _loads_or_none  # one call a value (the text needs no driver processing)


def _loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)  # the same values as json.loads, several times faster
    except orjson.JSONDecodeError:  # what orjson refuses (integers past 64 bits)
        return json.loads(text)


def _loads_or_none(value: Any) -> Any:
    return None if value is None else _loads(value)
