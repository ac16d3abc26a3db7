"""Turning pydantic's validation errors into Problems a person understands
(``lines[2].quantity: must be a number``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ledgerbridge.errors import Problem, RecordRejectedError

M = TypeVar("M", bound=BaseModel)

_SIMPLE = {
    "missing": "is required",
    "extra_forbidden": "is not a known field; remove it or check its spelling",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "finite_number": "must be a finite number",
    "decimal_max_digits": "is too large",
    "decimal_whole_digits": "is too large",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "must be a date without a time (YYYY-MM-DD)",
    "date_type": "must be a date (YYYY-MM-DD)",
    "datetime_parsing": "must be a date and time (ISO 8601)",
    "datetime_from_date_parsing": "must be a date and time (ISO 8601)",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "json_invalid": "the body is not valid JSON",
}


_BOUNDS = {
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def format_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


COMPUTED_INPUTS = frozenset({"total", "balance", "amount_paid", "unapplied", "amount"})


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = error.get("loc") or ()
    if kind == "extra_forbidden" and loc and loc[-1] in COMPUTED_INPUTS:
        return "is computed by ledgerbridge from the lines; leave it out"
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "decimal_max_places":
        places = ctx.get("decimal_places")
        return f"must have at most {places} decimal places"
    if kind == "string_too_long":
        have = len(error["input"]) if isinstance(error.get("input"), str) else "more"
        return f"must be at most {ctx.get('max_length')} characters (it has {have})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind == "literal_error":
        return f"must be one of: {ctx.get('expected')}"
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        return f"must be {word} {ctx.get(key)}"
    return str(error["msg"])[:1].lower() + str(error["msg"])[1:]


def problems_from_errors(
    errors: Iterable[Mapping[str, Any]], prefix: Sequence[int | str] = ()
) -> list[Problem]:
    problems = []
    for error in errors:
        loc = [*prefix, *(p for p in error["loc"] if p != "body")]
        if error["type"] == "json_invalid":
            loc = list(prefix)
        problems.append(Problem(format_path(loc), _message(error)))
    return problems


def validate(model: type[M], data: Any, label: str) -> M:
    """``model`` from ``data``, or RecordRejectedError listing every problem."""
    if not isinstance(data, Mapping):
        raise RecordRejectedError(f"a {label} must be a JSON object",
                                  [Problem("", "must be a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_errors(exc.errors())
        raise RecordRejectedError(rejection_message(label, problems), problems) from exc


def rejection_message(label: str, problems: Sequence[Problem]) -> str:
    listed = "; ".join(p.as_text() for p in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"the {label} was rejected: {listed}{more}"
