"""Small helpers shared by the sample generators: money and quantity formatting,
dates relative to the fixed anchor, addresses and phone numbers."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from ledgerbridge.sample.names import CITIES, STREETS

T = TypeVar("T")
Record = dict[str, object]

#: Everything is dated relative to this day, never to ``date.today()``.
ANCHOR = date(2026, 6, 30)
#: About 18 months of history before the anchor.
HISTORY_START = date(2025, 1, 1)
CENT = Decimal("0.01")


def record(object_kind: str, external_id: str, **fields: object) -> Record:
    """A bulk-load record (``object`` names its kind); fields left as ``None`` are
    omitted."""
    return {
        "object": object_kind,
        "external_id": external_id,
        **{k: v for k, v in fields.items() if v is not None},
    }


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal) -> str:
    return f"{cents(value):.2f}"


def fmt_qty(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def line_total(lines: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Sum of quantity x unit price, each rounded half-up to cents."""
    return sum((cents(q * p) for q, p in lines), Decimal("0.00"))


def iso(day: date) -> str:
    return day.isoformat()


def random_day(rng: random.Random, start: date = HISTORY_START, end: date = ANCHOR) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def days_after(day: date, days: int, cap: date = ANCHOR) -> date:
    return min(day + timedelta(days=days), cap)


def weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights)[0]


def phone(rng: random.Random) -> str:
    area = rng.choice(("503", "971", "360"))
    return f"({area}) 555-{rng.randint(100, 199):04d}"


def make_address(rng: random.Random, line2: str | None = None) -> dict[str, str]:
    city, state, postal = rng.choice(CITIES)
    address = {
        "line1": f"{rng.randint(100, 19999)} {rng.choice(STREETS)}",
        "city": city,
        "state": state,
        "postal_code": postal,
        "country": "US",
    }
    if line2:
        address["line2"] = line2
    return address


def email_slug(name: str) -> str:
    """Lower-case ASCII letters and digits of a name (accents dropped)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())[:30]
