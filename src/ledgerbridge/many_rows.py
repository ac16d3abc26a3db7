"""Statements run for many rows at once, cheaply.

SQLAlchemy Core's ``executemany`` builds every row's parameters through its compiler
(a dict per row, each value through its type's processor, constants included): about
two thirds of the time of a many-row insert or update on SQLite. A
:class:`ManyRows` statement is compiled once per dialect; each call converts the
constants once and each row's own values with their columns' processors, then hands
the driver plain tuples (or dicts, for named paramstyles) to ``executemany``.

    FINISH = ManyRows(lambda dialect: operations.update().where(
        operations.c.id == bindparam("b_id")).values(state="done",
        updated_at=bindparam("b_now")))
    FINISH.run(conn, [{"b_id": "op1"}, {"b_id": "op2"}], b_now=now)

Only plain bound parameters are supported (no expanding ``IN`` lists). An ``INSERT``
is compiled for the columns of the first row and the constants; every row must give
the same keys.

On SQLite the constants (and values compiled into the statement) that are NULL, whole
numbers or text go into the statement's text as literals, so only the rows' own values
are bound for each row: sqlite3 binds a parameter for ~0.1 µs (a NULL through its
adapter lookup), and an operation's insert has a dozen the same in every row. Text is
quoted as SQL quotes it (a quote doubled; SQLite has no other escape), and anything else
stays a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Dialect,
    Insert,
    String,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.base import Executable

from ledgerbridge.book.types import JSONText

Processor = Callable[[Any], Any]


def _parameters(compiled: Any, dialect: Dialect
                ) -> tuple[tuple[str, ...], dict[str, Processor | None]]:
    """A compiled statement's parameter names in the driver's order, and each one's
    bind processor (None where its type has none)."""
    binds = compiled.binds
    names = tuple(compiled.positiontup) if compiled.positional else tuple(binds)
    return names, {name: binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                   for name in set(names)}


def _placeholders(sql: str) -> list[str] | None:
    """``sql`` cut at its ``?`` placeholders (none inside quotes); None when a quote is
    left open, so nothing is cut where it might not be a placeholder."""
    parts, start, quote = [], 0, ""
    for at, char in enumerate(sql):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char == "[":
            quote = "]"
        elif char == "?":
            parts.append(sql[start:at])
            start = at + 1
    if quote:
        return None
    parts.append(sql[start:])
    return parts


def sql_literal(value: Any) -> str | None:
    """``value`` as an SQLite literal, when it is NULL, a whole number or text that can be
    one; else None (it stays a bound parameter)."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # parameter names in the driver's order
    positional: bool
    processors: Mapping[str, Processor | None]
    defaults: Mapping[str, Any]  # constants compiled into the statement
    required: frozenset[str]  # parameters with no value of their own (rows' or constants)
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # the parameters' values, in order
    #: the SQL cut at each of ``names``' placeholders, where constants may be written in
    #: as literals (SQLite's ``?`` style); None elsewhere
    parts: tuple[str, ...] | None


class ManyRows:
    """One statement for many rows; ``build(dialect)`` makes it (dialects may differ,
    as an upsert does)."""

    def __init__(self, build: Callable[[Dialect], Executable]) -> None:
        self.build = build
        self._compiled: dict[tuple[str, tuple[str, ...], tuple[str, ...]], _Compiled] = {}

    def _compile(self, dialect: Dialect, keys: tuple[str, ...], constants: tuple[str, ...]
                 ) -> _Compiled:
        found = self._compiled.get((dialect.name, keys, constants))
        if found is not None:
            return found
        statement = self.build(dialect)
        columns = [*keys, *constants] if isinstance(statement, Insert) else None
        compiled = statement.compile(  # type: ignore[attr-defined]
            dialect=dialect, column_keys=columns)
        binds = compiled.binds
        names, processors = _parameters(compiled, dialect)
        defaults = {name: binds[name].effective_value for name in set(names)
                    if name not in keys}
        required = frozenset(name for name in names
                             if name not in keys and binds[name].required)
        sql = str(compiled)
        parts = _placeholders(sql) if dialect.name == "sqlite" and compiled.positional \
            else None
        found = _Compiled(sql, names, bool(compiled.positional), processors, defaults,
                          required, tuple_getter(names),
                          tuple(parts) if parts and len(parts) == len(names) + 1 else None)
        self._compiled[(dialect.name, keys, constants)] = found
        return found

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]], **constants: Any
            ) -> None:
        """Execute for every row; ``constants`` fill the same parameters in every row."""
        if not rows:
            return
        keys = tuple(rows[0])
        plan = self._compile(conn.dialect, keys, tuple(sorted(constants)))
        unknown = set(constants) - set(plan.names)
        missing = plan.required - set(constants)
        if unknown or missing:  # else dropped, or sent as NULL, without a word
            raise ValueError(f"not parameters of this statement: {sorted(unknown)}; "
                             f"parameters without a value: {sorted(missing)}")
        fixed = {**plan.defaults, **constants}
        for name, value in list(fixed.items()):
            process = plan.processors.get(name)
            fixed[name] = process(value) if process is not None else value
        sql, names, values = plan.sql, plan.names, plan.values
        if plan.parts is not None:
            literals = {name: text for name, value in fixed.items()
                        if (text := sql_literal(value)) is not None}
            if literals:
                sql = plan.parts[0] + "".join(
                    literals.get(name, "?") + part
                    for name, part in zip(names, plan.parts[1:], strict=True))
                names = tuple(name for name in names if name not in literals)
                values = tuple_getter(names)
                fixed = {name: value for name, value in fixed.items() if name not in literals}
        # each row's values over the constants, in the driver's order (by C calls: a
        # dict merge and an item getter, not a Python loop over the parameters)
        processed = [(name, process) for name in keys
                     if (process := plan.processors.get(name)) is not None]
        params: list[Any] = []
        for row in rows:
            merged = {**fixed, **row}
            for name, process in processed:
                merged[name] = process(row[name])
            params.append(values(merged) if plan.positional
                          else dict(zip(names, values(merged), strict=True)))
        conn.exec_driver_sql(sql, params)


def tuple_getter(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A C-level ``lambda row: tuple(row[k] for k in keys)``, for any number of keys
    (``itemgetter`` of one key gives the value, not a tuple; of none, an error)."""
    if len(keys) == 1:
        only = keys[0]
        return lambda row: (row[only],)
    return itemgetter(*keys) if keys else (lambda row: ())


def any_of(column: ColumnElement[str], name: str, dialect: Dialect) -> ColumnElement[bool]:
    """``column`` is one of the list of strings bound as ``name``: a single parameter
    however long the list (an array on PostgreSQL, JSON text on SQLite), so the
    statement compiles once instead of once per list length."""
    if dialect.name == "postgresql":
        return column == func.any(bindparam(name, type_=ARRAY(String())))
    return column.in_(select(literal_column("value")).select_from(
        func.json_each(bindparam(name, type_=JSONText()))))


@dataclass(frozen=True)
class _CompiledRead:
    sql: str
    names: tuple[str, ...]  # parameter names in the driver's order
    positional: bool
    processors: Mapping[str, Processor | None]
    columns: tuple[str, ...]
    results: tuple[tuple[int, Processor], ...]  # (column index, its result processor)


class ReadRows:
    """A ``SELECT`` read cheaply: compiled once per dialect, its rows fetched as plain
    driver tuples and returned as dicts, each value through its column type's result
    processor only where the type has one (SQLAlchemy's result objects cost about as
    much again as the query on SQLite, for a read of thousands of rows).

        LIVE = ReadRows(lambda dialect: select(table).where(
            table.c.tenant_id == bindparam("tenant")).order_by(table.c.id))
        rows = LIVE.run(conn, tenant="t1")
    """

    def __init__(self, build: Callable[[Dialect], Executable]) -> None:
        self.build = build
        self._compiled: dict[str, _CompiledRead] = {}

    def _compile(self, dialect: Dialect) -> _CompiledRead:
        found = self._compiled.get(dialect.name)
        if found is not None:
            return found
        statement = self.build(dialect)
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        names, processors = _parameters(compiled, dialect)
        selected = list(statement.selected_columns)  # type: ignore[attr-defined]
        results = []
        for index, column in enumerate(selected):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((index, process))
        found = _CompiledRead(str(compiled), names, bool(compiled.positional), processors,
                              tuple(column.key for column in selected), tuple(results))
        self._compiled[dialect.name] = found
        return found

    def run(self, conn: Connection, **params: Any) -> list[dict[str, Any]]:
        columns, found = self.run_lists(conn, **params)
        return [dict(zip(columns, row, strict=True)) for row in found]

    def run_lists(self, conn: Connection, **params: Any
                  ) -> tuple[tuple[str, ...], list[list[Any]]]:
        """The column keys, and each row as a list of converted values in their order
        (for a caller that shapes rows itself, with no dict in between)."""
        plan = self._compile(conn.dialect)
        if set(params) != set(plan.names):
            raise ValueError(f"parameters given: {sorted(params)}; the statement's: "
                             f"{sorted(set(plan.names))}")
        values = []
        for name in plan.names:
            process = plan.processors.get(name)
            values.append(process(params[name]) if process is not None else params[name])
        driver: Any = tuple(values) if plan.positional else dict(zip(plan.names, values,
                                                                      strict=True))
        result = conn.exec_driver_sql(plan.sql, driver)
        try:  # the driver's rows as they are: no result row made of each, then undone
            fetched = result.cursor.fetchall()
        finally:
            result.close()
        results = plan.results
        out = []
        for row in fetched:
            converted = list(row)
            for index, process in results:
                converted[index] = process(converted[index])
            out.append(converted)
        return plan.columns, out
