"""Decimal arithmetic as QuickBooks does it: money to 2 places, quantities to 4,
line amount = quantity x unit price rounded half-up."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
QTY_STEP = Decimal("0.0001")
MONEY_SCALE = 100
QTY_SCALE = 10_000


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantity(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(QTY_STEP, rounding=ROUND_HALF_UP)


def line_amount(qty: Decimal, unit_price: Decimal) -> Decimal:
    return money(qty * unit_price)


def total(amounts: Iterable[Decimal]) -> Decimal:
    return money(sum(amounts, Decimal("0")))


def to_minor(value: Decimal, scale: int) -> int:
    return int((value * scale).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor(value: int, scale: int) -> Decimal:
    """``value`` minor units as a Decimal of exactly the scale's places (the integer is
    the coefficient: no division, no rounding)."""
    return Decimal(value).scaleb(-PLACES[scale])


PLACES = {MONEY_SCALE: 2, QTY_SCALE: 4}
