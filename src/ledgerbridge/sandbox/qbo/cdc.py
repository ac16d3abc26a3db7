"""Change data capture: what changed since a moment, at most 30 days back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .clock import SandboxClock, parse_time
from .entities import by_name
from .errors import QboFault
from .state import Company

JSON = dict[str, Any]
MAX_OBJECTS = 1000
MAX_AGE = timedelta(days=30)


def _since(clock: SandboxClock, text: str | None) -> datetime:
    if not text:
        raise QboFault("2020", "changedSince", field="changedSince")
    try:
        since = parse_time(text)
    except ValueError as exc:
        raise QboFault("4000", None, detail=f"changedSince is not a date-time: {text}") from exc
    if since < clock.local() - MAX_AGE:
        raise QboFault("4001", None, detail="changedSince must be within the last 30 days")
    return since


def _changed(records: dict[str, JSON], since: datetime) -> list[JSON]:
    out = []
    for record in records.values():
        stamp = record.get("MetaData", {}).get("LastUpdatedTime")
        if stamp and parse_time(stamp) >= since:
            out.append(record)
    return out


def changes(company: Company, clock: SandboxClock, entities: str | None, since_text: str | None,
            ) -> JSON:
    """The ``CDCResponse`` body (without ``time``)."""
    names = [n.strip() for n in (entities or "").split(",") if n.strip()]
    if not names:
        raise QboFault("2020", "entities", field="entities")
    since = _since(clock, since_text)
    budget = MAX_OBJECTS
    responses: list[JSON] = []
    for name in names:
        spec = by_name(name)
        if spec is None:
            raise QboFault("4001", None, detail=f"invalid context declaration: {name}")
        found = _changed(company.records.get(spec.name, {}), since)
        found += _changed(company.deleted.get(spec.name, {}), since)
        found = found[:budget]
        budget -= len(found)
        responses.append({spec.name: found, "startPosition": 1, "maxResults": len(found)}
                         if found else {})
    return {"CDCResponse": [{"QueryResponse": responses}]}
