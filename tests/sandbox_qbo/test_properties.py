"""Property tests (Hypothesis): the query grammar and the name rules."""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ledgerbridge.sandbox.qbo import ManualClock, QboSandbox, operations, query
from ledgerbridge.sandbox.qbo.errors import QboFault
from ledgerbridge.sandbox.qbo.rules import Ctx

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
SAFE_NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                    min_size=1, max_size=60).map(str.strip).filter(bool)
OPS = {"=": operator.eq, "<": operator.lt, ">": operator.gt, "<=": operator.le,
       ">=": operator.ge}


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def fresh() -> Ctx:
    sandbox = QboSandbox(clock=ManualClock())
    return sandbox.context(sandbox.create_company(name="Props"))


@FAST
@given(TEXT)
def test_any_quoted_string_round_trips(value: str) -> None:
    parsed = query.parse(f"SELECT * FROM Customer WHERE DisplayName = '{escape(value)}'")
    assert parsed.conditions[0].values == (value,)


@FAST
@given(st.lists(SAFE_NAME.filter(lambda n: not any(c in n for c in ":\t\n")),
                min_size=1, max_size=8, unique_by=str.casefold), st.data())
def test_equality_and_like_filter_like_python(names: list[str], data: Any) -> None:
    ctx = fresh()
    for name in names:
        operations.create(ctx, "Customer", {"DisplayName": name})
    wanted = data.draw(st.sampled_from(names))
    text = f"SELECT * FROM Customer WHERE DisplayName = '{escape(wanted)}'"
    found = query.run(ctx.company, text).get("Customer", [])
    assert [c["DisplayName"] for c in found] == [wanted]
    prefix = wanted[: data.draw(st.integers(1, len(wanted)))].replace("%", "")
    like = f"SELECT * FROM Customer WHERE DisplayName LIKE '{escape(prefix)}%' MAXRESULTS 1000"
    got = sorted(c["DisplayName"] for c in query.run(ctx.company, like).get("Customer", []))
    assert got == sorted(n for n in names if n.casefold().startswith(prefix.casefold()))


@FAST
@given(st.lists(st.decimals(min_value=0, max_value=10_000, places=2), min_size=1, max_size=8),
       st.decimals(min_value=0, max_value=10_000, places=2), st.sampled_from(sorted(OPS)))
def test_numeric_comparisons_filter_like_python(prices: list[Decimal], threshold: Decimal,
                                                op: str) -> None:
    ctx = fresh()
    for number, price in enumerate(prices):
        operations.create(ctx, "Item", {"Name": f"I{number}", "UnitPrice": float(price),
                                        "IncomeAccountRef": {"value": "1"}})
    text = f"SELECT * FROM Item WHERE UnitPrice {op} '{threshold}' MAXRESULTS 1000"
    got = sorted(i["Name"] for i in query.run(ctx.company, text).get("Item", []))
    expected = sorted(f"I{n}" for n, p in enumerate(prices)
                      if OPS[op](Decimal(str(float(p))), threshold))
    assert got == expected


@FAST
@given(st.lists(st.sampled_from(["SELECT", "*", "FROM", "Customer", "WHERE", "=", "'x'",
                                 "AND", "(", ")", "IN", ",", "Id", "OR", "ORDERBY"]),
                max_size=10))
def test_token_soup_parses_or_faults_4000(tokens: list[str]) -> None:
    assert parse_outcome(" ".join(tokens)) in ("parsed", "4000")


def parse_outcome(text: str) -> str:
    try:
        query.parse(text)
    except QboFault as fault:
        return fault.spec.code
    return "parsed"


@FAST
@given(SAFE_NAME, st.sampled_from([":", "\t", "\n"]), st.sampled_from(
    ["Customer", "Vendor", "Employee"]))
def test_colon_tab_newline_are_refused(name: str, bad: str, entity: str) -> None:
    with pytest.raises(QboFault) as caught:
        operations.create(fresh(), entity, {"DisplayName": name[:10] + bad + name[10:] + "x"})
    assert caught.value.spec.code == "2040"


@FAST
@given(SAFE_NAME.filter(lambda n: not any(c in n for c in ":\t\n")),
       st.sampled_from(["Customer", "Vendor", "Employee"]),
       st.sampled_from(["Customer", "Vendor", "Employee"]), st.booleans())
def test_one_case_insensitive_namespace(name: str, first: str, second: str,
                                        deactivate: bool) -> None:
    assume(name.swapcase().casefold() == name.casefold())  # e.g. not dotless i
    ctx = fresh()
    made = operations.create(ctx, first, {"DisplayName": name})
    if deactivate:
        made = operations.update(ctx, first, {"Id": made["Id"], "SyncToken": "0",
                                              "sparse": True, "Active": False})
    with pytest.raises(QboFault) as caught:
        operations.create(ctx, second, {"DisplayName": made["DisplayName"].swapcase()})
    assert caught.value.spec.code == "6240"


@FAST
@given(st.integers(min_value=1, max_value=600))
def test_display_name_length_limit(length: int) -> None:
    ctx = fresh()
    if length <= 500:
        assert operations.create(ctx, "Customer", {"DisplayName": "n" * length})["Id"]
        return
    with pytest.raises(QboFault) as caught:
        operations.create(ctx, "Customer", {"DisplayName": "n" * length})
    assert caught.value.spec.code == "2050"
