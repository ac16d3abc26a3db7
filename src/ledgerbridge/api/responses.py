"""JSON responses in which money stays exact: Decimals are written as strings."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi.responses import JSONResponse


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def encode_json(content: Any) -> bytes:
    return json.dumps(content, default=_default, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


class BookJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)


def error_body(error_type: str, message: str, problems: list[dict[str, str]] | None = None
               ) -> dict[str, Any]:
    body: dict[str, Any] = {"type": error_type, "message": message}
    if problems is not None:
        body["problems"] = problems
    return {"error": body}
