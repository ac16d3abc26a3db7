"""The query language: parsed with Lark into a ``Query``, then run over a company."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput
from lark.exceptions import VisitError

from .clock import parse_time
from .entities import EntitySpec, by_name
from .errors import QboFault
from .state import Company, is_digits

JSON = dict[str, Any]
DEFAULT_MAX = 100
MAX_RESULTS = 1000
GRAMMAR = (Path(__file__).with_name("query_grammar.lark")).read_text(encoding="utf-8")
PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "=", "<", ">", "<=", ">=", "!=", "IN", "LIKE"
    values: tuple[Any, ...]


@dataclass
class Query:
    entity: str
    count: bool = False
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start_position: int = 1
    max_results: int = DEFAULT_MAX


def unescape(token: str) -> str:
    """``'Amy\\'s'`` -> ``Amy's``: a backslash escapes the next character."""
    return re.sub(r"\\(.)", r"\1", token[1:-1])


class _Build(Transformer[Token, Query]):
    def start(self, items: list[Any]) -> Query:
        query = Query(entity=str(items[3]))
        query.count = items[1] == "count"
        for item in items[4:]:
            self._apply(query, item)
        return query

    @staticmethod
    def _apply(query: Query, item: Any) -> None:
        if isinstance(item, tuple) and item[0] == "where":
            query.conditions = list(item[1])
        elif isinstance(item, tuple) and item[0] == "order":
            query.order = list(item[1])
        elif isinstance(item, tuple) and item[0] == "start":
            query.start_position = max(1, item[1])
        elif isinstance(item, tuple) and item[0] == "max":
            query.max_results = item[1]

    def star(self, _: list[Any]) -> str:
        return "star"

    def count(self, _: list[Any]) -> str:
        return "count"

    def where(self, items: list[Any]) -> tuple[str, list[Condition]]:
        return ("where", [i for i in items if isinstance(i, Condition)])

    def field(self, items: list[Token]) -> str:
        return ".".join(str(t) for t in items)

    def compare(self, items: list[Any]) -> Condition:
        return Condition(items[0], str(items[1]), (items[2],))

    def in_list(self, items: list[Any]) -> Condition:
        return Condition(items[0], "IN", tuple(items[2:]))

    def like(self, items: list[Any]) -> Condition:
        return Condition(items[0], "LIKE", (unescape(str(items[2])),))

    def string(self, items: list[Token]) -> str:
        return unescape(str(items[0]))

    def number(self, items: list[Token]) -> Decimal:
        return Decimal(str(items[0]))

    def true(self, _: list[Any]) -> bool:
        return True

    def false(self, _: list[Any]) -> bool:
        return False

    def orderby(self, items: list[Any]) -> tuple[str, list[tuple[str, bool]]]:
        return ("order", [i for i in items if isinstance(i, tuple)])

    def order_key(self, items: list[Any]) -> tuple[str, bool]:
        descending = len(items) > 1 and str(items[1]).lower() == "desc"
        return (items[0], descending)

    def start_position(self, items: list[Token]) -> tuple[str, int]:
        return ("start", int(items[1]))

    def max_results(self, items: list[Token]) -> tuple[str, int]:
        return ("max", int(items[1]))


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Query:
    try:
        tree = PARSER.parse(text)
        return _Build().transform(tree)
    except UnexpectedInput as exc:
        detail = f"Encountered an unexpected token at line {exc.line}, column {exc.column}."
        raise QboFault("4000", None, detail=detail) from exc
    except VisitError as exc:
        raise QboFault("4000", None, detail=str(exc.orig_exc)) from exc


def parse(text: str) -> Query:
    """Parse a query (4000 on a syntax error); a fresh copy each time."""
    cached = _parse_cached(text.strip())
    return Query(cached.entity, cached.count, list(cached.conditions), list(cached.order),
                 cached.start_position, cached.max_results)


def validate(query: Query) -> EntitySpec:
    """4001 for an unknown entity or a property that cannot be queried."""
    spec = by_name(query.entity)
    if spec is None:
        raise QboFault("4001", None, detail=f"invalid context declaration: {query.entity}")
    for name in [c.field for c in query.conditions] + [o[0] for o in query.order]:
        if not spec.queryable(name):
            raise QboFault("4001", None, detail=f"property '{name}' is not queryable")
    if query.max_results > MAX_RESULTS:
        query.max_results = MAX_RESULTS
    return spec


def field_value(record: JSON, name: str) -> Any:
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _coerce(left: Any, right: Any) -> tuple[Any, Any]:
    """Compare like QuickBooks: numbers as numbers, dates as dates, text case-insensitively."""
    if isinstance(left, bool) or isinstance(right, bool):
        return str(left).lower(), str(right).lower()
    if isinstance(left, int | float | Decimal):
        try:
            return Decimal(str(left)), Decimal(str(right))
        except InvalidOperation:
            return str(left), str(right)
    text = str(left)
    if _looks_like_time(text) and _looks_like_time(str(right)):
        return _as_time(text), _as_time(str(right))
    if is_digits(text) and is_digits(str(right)):
        return int(text), int(str(right))
    return text.casefold(), str(right).casefold()


def _looks_like_time(text: str) -> bool:
    return len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" and is_digits(text[:4])


def _as_time(text: str) -> datetime:
    return parse_time(text)


def _like(value: Any, pattern: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("%"))
    return re.fullmatch(regex, str(value), flags=re.IGNORECASE | re.DOTALL) is not None


def matches(record: JSON, condition: Condition) -> bool:
    value = field_value(record, condition.field)
    if value is None and condition.field == "Active":
        value = True  # QuickBooks names are active unless said otherwise
    if value is None:
        return False
    if condition.op == "LIKE":
        return _like(value, str(condition.values[0]))
    if condition.op == "IN":
        return any(_equal(value, v) for v in condition.values)
    left, right = _coerce(value, condition.values[0])
    return bool(_OPS[condition.op](left, right))


def _equal(value: Any, other: Any) -> bool:
    left, right = _coerce(value, other)
    return bool(left == right)


_OPS: dict[str, Any] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
}


def _asks_for_inactive(query: Query) -> bool:
    return any(c.field == "Active" for c in query.conditions)


def _default_sort(spec: EntitySpec, records: list[JSON]) -> list[JSON]:
    if spec.kind in ("name", "list"):
        return sorted(records, key=lambda r: str(r.get("FullyQualifiedName")
                                                 or r.get("DisplayName") or r.get("Name", "")))
    return sorted(records, key=lambda r: (r.get("MetaData", {}).get("LastUpdatedTime", ""),
                                          int(r["Id"]) if is_digits(str(r["Id"])) else 0),
                  reverse=True)


def _sort_key(name: str) -> Any:
    def key(record: JSON) -> tuple[int, Any]:
        value = field_value(record, name)
        if value is None:
            return (1, "")
        if isinstance(value, int | float) or (name == "Id" and is_digits(str(value))):
            return (0, Decimal(str(value)))
        return (0, str(value).casefold())
    return key


def _candidates(table: dict[str, JSON], query: Query) -> list[JSON]:
    """Records worth testing: looked up directly when the query names Ids."""
    for condition in query.conditions:
        if condition.field == "Id" and condition.op in ("=", "IN"):
            wanted = (str(v) for v in condition.values)
            return [table[i] for i in dict.fromkeys(wanted) if i in table]
    return list(table.values())


def select(company: Company, query: Query) -> list[JSON]:
    """All matching records, sorted (before paging)."""
    spec = validate(query)
    records = _candidates(company.records.get(spec.name, {}), query)
    if spec.has_active and not _asks_for_inactive(query):
        records = [r for r in records if r.get("Active", True) is not False]
    for condition in query.conditions:
        records = [r for r in records if matches(r, condition)]
    records = _default_sort(spec, records)
    for name, descending in reversed(query.order):
        records.sort(key=_sort_key(name), reverse=descending)
    return records


def run(company: Company, text: str) -> JSON:
    """A ``QueryResponse`` body (without ``time``)."""
    query = parse(text)
    records = select(company, query)
    spec = validate(query)
    if query.count:
        return {"totalCount": len(records)}
    first = query.start_position - 1
    page = records[first:first + query.max_results]
    if not page:
        return {}
    return {spec.name: page, "startPosition": query.start_position, "maxResults": len(page)}
