"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

from ledgerbridge.book.codec import (
    dumps,
    loads,
    loads_or_none,
    scaled_reader,
    sqlite_date_reader,
    sqlite_datetime_reader,
)
from ledgerbridge.book.money import MONEY_SCALE, PLACES, QTY_SCALE, from_minor, to_minor

__all__ = ["ISODate", "JSONText", "Money", "Quantity", "UTCDateTime", "dumps"]


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
        # one call a value, not the impl's and then ours (``from_minor`` inlined: a full
        # sync reads every record's amounts)
        return scaled_reader(-PLACES[self.scale])


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
        return sqlite_datetime_reader(wrapped)  # (three datetimes of every record)


class ISODate(TypeDecorator[date]):
    """A date; on SQLite its ISO text is read by one C call."""

    impl = Date
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object
                         ) -> Callable[[Any], date | None] | None:
        wrapped = self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return wrapped
        return sqlite_date_reader(wrapped)


class JSONText(TypeDecorator[Any]):
    """JSON kept as canonical text (sorted keys, Decimals as strings) so that equal
    content is equal text on every backend, and change detection is a text compare."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else dumps(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else loads(value)

    def result_processor(self, dialect: Dialect, coltype: object
                         ) -> Callable[[Any], Any]:
        return loads_or_none  # one call a value (the text needs no driver processing)


