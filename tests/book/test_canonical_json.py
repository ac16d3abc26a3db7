"""Canonical JSON is the same text whichever encoder makes it: content hashes stored
earlier stay valid. (NaN and infinities are not JSON; they are not generated here.)"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerbridge.book.codec import _json_default, dumps


def reference(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"), sort_keys=True)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False), st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(), st.datetimes(timezones=st.just(UTC)), st.datetimes())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=30)


@settings(max_examples=400)
@given(values)
def test_the_fast_text_is_the_canonical_text(value: Any) -> None:
    assert dumps(value) == reference(value)


def test_the_cases_where_the_encoders_differ_fall_back() -> None:
    for value in ({"big": 1e16, "small": 1e-7}, {"tiny": 1e-05, "less": -1.5e-05},
                  "caf\u00e9", "del\x7f", {"b": 1, "a": 2},
                  {"x": Decimal("1.20"), "on": date(2026, 1, 2),
                   "at": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)}, [2**70]):
        assert dumps(value) == reference(value)
