"""Column values read back exactly: minor units as Decimals of the scale's places, and
SQLite's date and datetime text read by the fast processors as the slow ones would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.engine import Engine

from ledgerbridge.book.money import CENT, MONEY_SCALE, QTY_SCALE, QTY_STEP, from_minor, to_minor
from ledgerbridge.book.types import ISODate, Money, Quantity, UTCDateTime
from ledgerbridge.many_rows import ReadRows


@given(st.integers(min_value=-(10**17), max_value=10**17),
       st.sampled_from([(MONEY_SCALE, CENT), (QTY_SCALE, QTY_STEP)]))
def test_minor_units_read_back_with_the_scale_places(value: int, scale: tuple[int, Decimal]
                                                     ) -> None:
    read = from_minor(value, scale[0])
    assert repr(read) == repr((Decimal(value) / scale[0]).quantize(scale[1]))
    assert to_minor(read, scale[0]) == value


def test_sqlite_datetime_text_reads_as_utc_with_or_without_a_zone() -> None:
    from sqlalchemy.dialects import sqlite

    process = UTCDateTime().dialect_impl(sqlite.dialect()).result_processor(
        sqlite.dialect(), None)
    assert process is not None
    for text, expected in (
            ("2026-11-22 06:00:00.123456", datetime(2026, 11, 22, 6, 0, 0, 123456, UTC)),
            ("2026-11-22 06:00:00", datetime(2026, 11, 22, 6, 0, 0, tzinfo=UTC)),
            ("2026-11-22 08:00:00+02:00", datetime(2026, 11, 22, 6, 0, 0, tzinfo=UTC))):
        read = process(text)
        assert read == expected and read.tzinfo is UTC
    assert process(None) is None


def test_values_read_back_the_same_through_sqlalchemy_and_read_rows(engine: Engine) -> None:
    table = Table("type_probe", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime), Column("day", ISODate), Column("amount", Money),
                  Column("qty", Quantity))
    rows = [{"id": 1, "at": datetime(2026, 11, 22, 6, 0, 0, 123456, tzinfo=UTC),
             "day": date(2026, 2, 2), "amount": Decimal("-12.30"), "qty": Decimal("1.5")},
            {"id": 2, "at": datetime(2026, 1, 1, tzinfo=UTC), "day": None, "amount": None,
             "qty": Decimal("0")}]
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
        with engine.connect() as conn:
            core = [dict(r) for r in conn.execute(select(table).order_by(table.c.id)).mappings()]
            fast = ReadRows(lambda dialect: select(table).order_by(table.c.id)).run(conn)
        assert repr(core) == repr(fast)
        assert fast[0]["at"] == rows[0]["at"] and fast[0]["at"].tzinfo is UTC
        assert fast[0]["day"] == date(2026, 2, 2) and str(fast[0]["amount"]) == "-12.30"
        assert str(fast[1]["qty"]) == "0.0000" and fast[1]["day"] is None
    finally:
        table.drop(engine)
