"""Whole lists, several at once, and a few one-off queries, read through batch calls
(``POST /batch`` with ``{"bId", "Query"}`` items) in as few calls as QuickBooks allows.

The first batch call asks, for each entity, ``SELECT COUNT(*)`` and the first page (1000
rows by Id, inactive names included), plus the one-off queries; more than 30 items go as
several calls. An entity whose first page is short is complete (one query is one
consistent read). For the others COUNT says how many pages remain, and they are asked
for all at once: at most :data:`PAGES_PER_BATCH` pages to a batch call, the calls sent
concurrently within the realm's budget (as :func:`ledgerbridge.qbo.writes.apply` sends
its batches). Ten pages keep one answer near 10,000 rows: a few megabytes, well inside
QuickBooks' 120-second limit and our timeout, while the 40 batch calls a minute still
carry 400,000 rows.

The pages asked reach one row past COUNT, so a list still ends at a short page: if the
last page asked comes back full (rows were added meanwhile), the next one is read. If
the pages hold fewer rows than COUNT said (rows vanished between the calls, shifting
later rows into pages already read), the entity is read again once, then
:class:`~ledgerbridge.errors.RetryLaterError`. A Fault in a batch item raises the error
the same query sent alone would (:func:`ledgerbridge.qbo.errors.classify`), unless it
is one to retry (QuickBooks' 10000 "an application error has occurred", an item left
unanswered): such items are asked again, together, after the backoff a failed call gets,
as many times as a call is retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ledgerbridge.errors import RetryLaterError
from ledgerbridge.qbo.errors import Action, QboError, classify
from ledgerbridge.qbo.faults import faults_from_json
from ledgerbridge.qbo.http import QboHttp, failure
from ledgerbridge.qbo.operations import BATCH_SIZE
from ledgerbridge.qbo.reads import (
    MAX_URL,
    NAME_FIELD,
    PAGE,
    URL_ALLOWANCE,
    base_conditions,
    literal,
    moment,
    name_chunks,
    ok_body,
    time_of,
    timed_query,
    where,
)

PAGES_PER_BATCH = 10  # pages of 1000 in one batch call: an answer near 10,000 rows
Row = dict[str, Any]


@dataclass(frozen=True)
class Ask:
    """One query of a batch; its ``QueryResponse`` is filed under ``key``."""

    key: str
    entity: str  # names the record kind in error messages
    text: str
    page: bool = False


def pack(groups: Iterable[Sequence[Ask]], items: int = BATCH_SIZE,
         pages: int = PAGES_PER_BATCH) -> list[list[Ask]]:
    """Batches of at most ``items`` queries and ``pages`` pages, in order; a group (an
    entity's COUNT and first page) is never split."""
    batches: list[list[Ask]] = []
    current: list[Ask] = []
    for group in groups:
        if current and (len(current) + len(group) > items
                        or _pages(current) + _pages(group) > pages):
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches


def _pages(asks: Sequence[Ask]) -> int:
    return sum(1 for ask in asks if ask.page)


def _response(ask: Ask, item: Any) -> dict[str, Any] | QboError:
    if not isinstance(item, dict):
        return classify(None, [], transport="unanswered", entity=ask.entity)
    if "Fault" in item or "fault" in item:
        return classify(400, faults_from_json(item), entity=ask.entity)
    response = item.get("QueryResponse", {})
    return response if isinstance(response, dict) else {}


async def send(http: QboHttp, batch: Sequence[Ask], times: list[str | None] | None = None
               ) -> dict[str, dict[str, Any]]:
    """``{key: QueryResponse}`` of one batch call (a lone query goes as a plain query);
    items that failed for a passing reason are asked again. ``times`` gets QuickBooks'
    time of each answer (None when it gave none): one entry a call."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(batch)
    tries = 0
    while True:
        answered, when = await _send_once(http, pending)
        if times is not None:
            times.append(when)
        again: list[Ask] = []
        passing: QboError | None = None
        for ask in pending:
            outcome = answered[ask.key]
            if isinstance(outcome, QboError):
                if outcome.action is not Action.RETRY_LATER:
                    raise failure(outcome)
                again.append(ask)
                passing = outcome
            else:
                found[ask.key] = outcome
        if passing is None:
            return found
        tries += 1
        await http.backoff_or_fail(tries, passing)
        pending = again


async def _send_once(http: QboHttp, batch: Sequence[Ask]
                     ) -> tuple[dict[str, dict[str, Any] | QboError], str | None]:
    if len(batch) == 1:
        response, when = await timed_query(http, batch[0].text, batch[0].entity)
        return {batch[0].key: response}, when
    body = {"BatchItemRequest": [{"bId": str(i), "Query": ask.text}
                                 for i, ask in enumerate(batch)]}
    answer = await http.request("POST", "batch", json=body, batch=True,
                                entity=batch[0].entity)
    answered = ok_body(answer, batch[0].entity)
    items = {str(item.get("bId")): item for item in answered.get("BatchItemResponse", [])
             if isinstance(item, dict)}
    return ({ask.key: _response(ask, items.get(str(i))) for i, ask in enumerate(batch)},
            time_of(answered))


async def ask_all(http: QboHttp, groups: Iterable[Sequence[Ask]],
                  times: list[str | None] | None = None) -> dict[str, dict[str, Any]]:
    """Every query's ``QueryResponse`` by key: packed, the batches sent concurrently;
    the first error (once every call has ended) is raised. ``times`` gets QuickBooks'
    time of each answer, one entry a call."""
    # as many batches at once as may be in flight; the rest queue here rather than
    # every one of them polling the budget for a free slot
    slots = asyncio.Semaphore(max(1, http.budget.limits.in_flight))

    async def one(batch: list[Ask]) -> dict[str, dict[str, Any]]:
        async with slots:
            return await send(http, batch, times)

    answered = await asyncio.gather(*(one(batch) for batch in pack(groups)),
                                    return_exceptions=True)
    found: dict[str, dict[str, Any]] = {}
    for answer in answered:
        if isinstance(answer, BaseException):
            raise answer
        found.update(answer)
    return found


class _List:
    """One entity being read: its rows by Id, its COUNT and the pages of this round."""

    def __init__(self, entity: str, clause: str) -> None:
        self.entity = entity
        self.clause = clause
        self.rows: dict[str, Row] = {}
        self.expected = 0
        self.asked: list[int] = []  # STARTPOSITIONs of the pages asked this round
        self.paged = False  # pages beyond the first were read
        self.done = False

    def _page(self, start: int) -> Ask:
        return Ask(f"{self.entity}@{start}", self.entity,
                   f"SELECT * FROM {self.entity}{self.clause} ORDERBY Id "
                   f"STARTPOSITION {start} MAXRESULTS {PAGE}", page=True)

    def opening(self) -> list[Ask]:
        """COUNT, then the first page (asked in this order, so a row that vanishes in
        between shows as missing rather than going unseen)."""
        self.asked = [1]
        return [Ask(f"{self.entity}#count", self.entity,
                    f"SELECT COUNT(*) FROM {self.entity}{self.clause}"), self._page(1)]

    def take(self, answers: Mapping[str, dict[str, Any]]) -> None:
        counted = answers.get(f"{self.entity}#count")
        if counted is not None:
            self.expected = int(counted.get("totalCount", 0))
        if not self.asked:  # ended in an earlier round (others read on): stays ended
            return
        last = PAGE
        for start in self.asked:
            page = answers[self._page(start).key].get(self.entity, [])
            found = [row for row in page if isinstance(row, dict)] \
                if isinstance(page, list) else []
            self.rows.update((str(row.get("Id")), row) for row in found)
            last = len(found)
        self.done = last < PAGE

    def pages(self) -> list[Ask]:
        """The pages still to read: to one row past COUNT, and at least the next one."""
        if self.done or not self.asked:
            self.asked = []
            return []
        start = self.asked[-1] + PAGE
        self.asked = list(range(start, max(self.expected + 2, start + 1), PAGE))
        self.paged = True
        return [self._page(start) for start in self.asked]

    @property
    def vanished(self) -> bool:
        return self.done and self.paged and len(self.rows) < self.expected


async def _complete(http: QboHttp, lists: Sequence[_List],
                    answers: Mapping[str, dict[str, Any]], extra: Sequence[Ask] = (),
                    times: list[str | None] | None = None) -> dict[str, dict[str, Any]]:
    """Take the answers in, then ask for the missing pages until every list ends;
    ``extra`` queries go with the first of those calls (their answers are returned)."""
    found: dict[str, dict[str, Any]] = {}
    while True:
        for reading in lists:
            reading.take(answers)
        groups = [[page] for reading in lists for page in reading.pages()]
        groups += [[ask] for ask in extra]
        if not groups:
            return found
        answers = await ask_all(http, groups, times)
        found.update((ask.key, answers[ask.key]) for ask in extra)
        extra = ()


async def _read(http: QboHttp, lists: Sequence[_List], extra: Sequence[Ask] = (),
                times: list[str | None] | None = None) -> dict[str, dict[str, Any]]:
    answers = await ask_all(http, [reading.opening() for reading in lists]
                            + [[ask] for ask in extra], times)
    await _complete(http, lists, answers, times=times)
    return answers


async def _again_if_vanished(http: QboHttp, lists: dict[str, _List],
                             times: list[str | None] | None = None) -> None:
    """Read once more, alone, the lists whose rows vanished while they were read."""
    vanished = [reading for reading in lists.values() if reading.vanished]
    if not vanished:
        return
    again = [_List(reading.entity, reading.clause) for reading in vanished]
    await _read(http, again, times=times)
    for reading in again:
        if reading.vanished:
            raise RetryLaterError(
                f"{reading.entity} records changed in QuickBooks while they were read "
                f"(COUNT said {reading.expected}, the pages held {len(reading.rows)}); "
                "read again later")
        lists[reading.entity] = reading


def _lists(entities: Sequence[str], since: datetime | None) -> dict[str, _List]:
    return {entity: _List(entity, where(*base_conditions(entity, since)))
            for entity in dict.fromkeys(entities)}


async def read_lists(http: QboHttp, entities: Sequence[str],
                     extra: Mapping[str, str] | None = None, since: datetime | None = None
                     ) -> tuple[dict[str, list[Row]], dict[str, dict[str, Any]]]:
    """``({entity: every row}, {name: QueryResponse of extra[name]})``: each entity's
    rows (changed since ``since``), inactive ones included, in Id order."""
    lists = _lists(entities, since)
    extras = [Ask(f"?{name}", name, text) for name, text in (extra or {}).items()]
    answers = await _read(http, list(lists.values()), extras)
    await _again_if_vanished(http, lists)
    return ({entity: list(reading.rows.values()) for entity, reading in lists.items()},
            {ask.entity: answers[ask.key] for ask in extras})


@dataclass(frozen=True)
class _Known:
    """Up to a page of one entity's ids, checked against QuickBooks: their COUNT first,
    their rows only when it comes up short (some were deleted)."""

    entity: str
    ids: tuple[str, ...]
    number: int

    def _query(self, what: str, tail: str = "") -> str:
        listed = ", ".join(literal(remote_id) for remote_id in self.ids)
        clause = where(*base_conditions(self.entity, None), f"Id IN ({listed})")
        return f"SELECT {what} FROM {self.entity}{clause}{tail}"

    def count(self) -> Ask:
        return Ask(f"{self.entity}!{self.number}#count", self.entity,
                   self._query("COUNT(*)"))

    def rows(self) -> Ask:
        return Ask(f"{self.entity}!{self.number}", self.entity,
                   self._query("*", f" MAXRESULTS {PAGE}"), page=True)

    def short(self, answers: Mapping[str, dict[str, Any]]) -> bool:
        return int(answers[self.count().key].get("totalCount", 0)) < len(self.ids)

    def gone(self, answers: Mapping[str, dict[str, Any]]) -> set[str]:
        page = answers[self.rows().key].get(self.entity, [])
        there = {str(row.get("Id")) for row in page if isinstance(row, dict)} \
            if isinstance(page, list) else set()
        return set(self.ids) - there


def _known(known: Mapping[str, Iterable[str]]) -> list[_Known]:
    checks: list[_Known] = []
    for entity, ids in known.items():
        ordered = sorted({str(remote_id) for remote_id in ids}, key=lambda i: (len(i), i))
        checks += [_Known(entity, tuple(ordered[start:start + PAGE]), start // PAGE)
                   for start in range(0, len(ordered), PAGE)]
    return checks


@dataclass(frozen=True)
class Changed:
    """What :func:`read_changed` found: each entity's rows changed since the moment
    asked, the known ids QuickBooks no longer has, QuickBooks' time of the first
    answer (what was changed before it has been read) and the calls made."""

    rows: dict[str, list[Row]]
    gone: dict[str, set[str]]
    checked_at: datetime | None
    calls: int = 0


async def read_changed(http: QboHttp, entities: Sequence[str], since: datetime,
                       known: Mapping[str, Iterable[str]]) -> Changed:
    """Every row of ``entities`` changed since ``since`` (inactive names included), and
    which ``known`` ids (by entity) QuickBooks no longer has: a query cannot show
    deletions, so the known ids are counted, a COUNT per 1000, with each entity's COUNT
    and first page; then the missing pages and the rows of the ids whose COUNT came up
    short go together."""
    lists = _lists(entities, since)
    checks = _known(known)
    times: list[str | None] = []
    answers = await ask_all(http, [reading.opening() for reading in lists.values()]
                            + [[check.count()] for check in checks], times)
    short = [check for check in checks if check.short(answers)]
    found = await _complete(http, list(lists.values()), answers,
                            [check.rows() for check in short], times)
    await _again_if_vanished(http, lists, times)
    gone: dict[str, set[str]] = {}
    for check in short:
        gone.setdefault(check.entity, set()).update(check.gone(found))
    moments = [when for when in map(moment, times) if when is not None]
    return Changed({entity: list(reading.rows.values()) for entity, reading in lists.items()},
                   gone, min(moments, default=None), len(times))


async def read_all(http: QboHttp, entity: str, since: datetime | None = None) -> list[Row]:
    """Every ``entity`` (changed since ``since``), inactive ones too: one batch call
    when a page holds them all, then a batch call per ten pages."""
    found, _ = await read_lists(http, [entity], since=since)
    return found[entity]


# names ------------------------------------------------------------------------------------
def spaced(name: str) -> str:
    """A name as compared: case-insensitive, runs of spaces as one."""
    return " ".join(name.split()).casefold()


def _like_patterns(keys: Iterable[str]) -> list[str]:
    """One ``LIKE`` pattern for each name of several words ("Smith%&%Sons%": the words as
    QuickBooks may space them, and what follows, such as " (deleted)"); none for a name
    whose leading words another pattern covers already."""
    chosen: dict[tuple[str, ...], None] = {}
    for words in sorted((tuple(key.split(" ")) for key in keys if " " in key), key=len):
        if not any(words[:n] in chosen for n in range(2, len(words) + 1)):
            chosen[words] = None
    return ["%".join(words) + "%" for words in chosen]


async def find_by_names(http: QboHttp, entity: str, names: Iterable[str],
                        field: str | None = None) -> dict[str, Row]:
    """``{name asked: record}`` for the names that exist, inactive records included,
    compared case-insensitively and with runs of spaces as one. QuickBooks keeps a name's
    spaces as typed, so "Smith  &  Sons" is looked for too, for "Smith & Sons", by a
    ``LIKE`` of its words; a name of that exact spelling wins over one spaced otherwise.
    The ``IN`` lists (each within a URL's length: a lone query goes as a plain one) and
    the ``LIKE``s go in batch calls of 30 queries."""
    return (await find_by_names_many(http, {entity: names}, field)).get(entity, {})


async def find_by_names_many(http: QboHttp, names: Mapping[str, Iterable[str]],
                             field: str | None = None) -> dict[str, dict[str, Row]]:
    """``find_by_names`` for several entities (``{entity: names}``), every entity's
    queries in the same batch calls: ``{entity: {name asked: record}}``."""
    asks: list[Ask] = []
    asked = {entity: list(dict.fromkeys(wanted)) for entity, wanted in names.items()}
    columns = {entity: field or NAME_FIELD.get(entity, "Name") for entity in asked}
    for entity, wanted in asked.items():
        asks += _name_asks(entity, wanted, columns[entity])
    answers = await ask_all(http, [[ask] for ask in asks]) if asks else {}
    found: dict[str, dict[str, Row]] = {}
    for entity, wanted in asked.items():
        column = columns[entity]
        rows = [row for key, answer in answers.items() if key.startswith(f"{entity}:")
                for row in answer.get(entity, []) if isinstance(row, dict)]
        exact = {str(row.get(column, "")).casefold(): row for row in rows}
        loose = {spaced(str(row.get(column, ""))): row for row in rows}
        found[entity] = {}
        for name in wanted:
            row = exact.get(name.casefold()) or loose.get(spaced(name))
            if row is not None:
                found[entity][name] = row
    return found


def _name_asks(entity: str, asked: Sequence[str], field: str) -> list[Ask]:
    """The queries that find ``asked`` among ``entity``'s names: ``IN`` lists within a
    URL's length, and a ``LIKE`` for each name spaced otherwise."""
    base = base_conditions(entity, None)
    fixed = len(quote(f"SELECT * FROM {entity}{where(*base)} AND {field} IN () "
                      f"MAXRESULTS {PAGE}", safe=""))
    texts = [f"{field} IN ({', '.join(literal(name) for name in chunk)})"
             for chunk in name_chunks(asked, MAX_URL - URL_ALLOWANCE - fixed)]
    texts += [f"{field} LIKE {literal(pattern)}"
              for pattern in _like_patterns({spaced(name) for name in asked})]
    return [Ask(f"{entity}:names{n}", entity, f"SELECT * FROM {entity}{where(*base, text)} "
                                              f"MAXRESULTS {PAGE}")
            for n, text in enumerate(texts)]
