"""Reads: queries, pages of 1000 ordered by Id, name lookups with IN lists sized to fit
the URL. Whole lists, checked against COUNT, are read in batch calls by
:mod:`ledgerbridge.qbo.batch_reads`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ledgerbridge.qbo.errors import classify
from ledgerbridge.qbo.http import Answer, QboHttp, failure

PAGE = 1000
MAX_URL = 4000  # characters of the whole query URL; proxies and Intuit's edge cut longer
URL_ALLOWANCE = 200  # scheme, host, /v3/company/<realm>/query?query=, minorversion
#: entities with an ``Active`` flag: reads include inactive ones (names stay reserved)
WITH_ACTIVE = frozenset({"Customer", "Vendor", "Employee", "Item", "Class", "Account",
                         "Term", "PaymentMethod", "TaxCode", "Department", "TaxAgency"})
NAME_FIELD = {"Customer": "DisplayName", "Vendor": "DisplayName", "Employee": "DisplayName"}


def literal(value: str) -> str:
    """A quoted query literal: backslash and quote escaped with a backslash."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def ok_body(answer: Answer, entity: str) -> dict[str, Any]:
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise failure(classify(answer.status, answer.faults, entity=entity))
    return answer.body


async def query(http: QboHttp, text: str, entity: str = "") -> dict[str, Any]:
    """The ``QueryResponse`` of ``text``."""
    response, _ = await timed_query(http, text, entity)
    return response


async def timed_query(http: QboHttp, text: str, entity: str = ""
                      ) -> tuple[dict[str, Any], str | None]:
    """The ``QueryResponse`` of ``text`` and QuickBooks' ``time`` of the answer. A query
    too long for a URL (long IN lists) goes as the body of a POST, as QuickBooks allows."""
    if len(quote(text, safe="")) > MAX_URL - URL_ALLOWANCE:
        answer = await http.request("POST", "query", content=text, entity=entity)
    else:
        answer = await http.request("GET", "query", params={"query": text}, entity=entity)
    body = ok_body(answer, entity)
    response = body.get("QueryResponse", {})
    return (response if isinstance(response, dict) else {}), time_of(body)


def moment(text: Any) -> datetime | None:
    """A QuickBooks time (``2020-09-29T05:58:16.187-07:00``) as an aware datetime."""
    try:
        found = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def time_of(body: dict[str, Any]) -> str | None:
    """QuickBooks' own time of an answer (its ``time``)."""
    found = body.get("time")
    return found if isinstance(found, str) else None


async def rows(http: QboHttp, entity: str, text: str) -> list[dict[str, Any]]:
    found = (await query(http, text, entity)).get(entity, [])
    return [row for row in found if isinstance(row, dict)]


def where(*conditions: str) -> str:
    kept = [c for c in conditions if c]
    return " WHERE " + " AND ".join(kept) if kept else ""


def base_conditions(entity: str, since: datetime | None) -> list[str]:
    conditions = ["Active IN (true, false)"] if entity in WITH_ACTIVE else []
    if since is not None:
        conditions.append(f"MetaData.LastUpdatedTime >= {literal(stamp(since))}")
    return conditions


def name_chunks(names: Iterable[str], budget: int) -> list[list[str]]:
    """Names grouped so each IN list, URL-encoded, stays within ``budget`` characters."""
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for name in dict.fromkeys(names):
        size = len(quote(literal(name), safe="")) + 3  # ", " between items
        if current and (used + size > budget or len(current) >= PAGE):
            chunks.append(current)
            current, used = [], 0
        current.append(name)
        used += size
    if current:
        chunks.append(current)
    return chunks
