"""One QuickBooks Online call, done properly: budgeted, timed out, retried, authorised.

Every call goes through the realm's :class:`~ledgerbridge.qbo.budget.RealmBudget`. A 429
closes the realm for Retry-After (60 s without it) and is retried; 5xx, timeouts and
dropped connections are retried with exponential backoff and full jitter; a 401 refreshes
the token once. Writes always carry a ``requestid``, so retrying them is safe. Calls go
out on a :mod:`~ledgerbridge.qbo.wire` (aiohttp, or an httpx transport when one is
given). No transport exception leaves this module: failures become
:class:`~ledgerbridge.qbo.errors.QboError` data raised as ledgerbridge errors
(``context.extra["qbo_error"]``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import orjson

from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.qbo.answers import Reader
from ledgerbridge.qbo.budget import RealmBudget, Sleep, budget_for
from ledgerbridge.qbo.errors import Action, QboError, classify
from ledgerbridge.qbo.faults import Fault, parse_body
from ledgerbridge.qbo.secrets import redact_realm
from ledgerbridge.qbo.wire import AiohttpWire, HttpxWire, Wire, WireError

log = logging.getLogger("ledgerbridge.qbo")
MINOR_VERSION = "75"
USER_AGENT = "ledgerbridge-qbo/0.1"


class TokenSource(Protocol):
    """Where access tokens come from (see :mod:`ledgerbridge.qbo.tokens`)."""

    async def access_token(self) -> str: ...

    async def refresh(self, rejected: str) -> str: ...

    async def lost(self, message: str) -> None: ...


class StaticToken:
    """A fixed access token (tools and tests that hold a token already)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def access_token(self) -> str:
        return self._token

    async def refresh(self, rejected: str) -> str:
        return self._token

    async def lost(self, message: str) -> None:
        return None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # tries of one call through 5xx, timeouts and drops
    throttles: int = 8  # 429s met by one call before it gives up
    base: float = 0.5  # first backoff ceiling, seconds; doubles each try
    cap: float = 30.0


@dataclass
class Answer:
    status: int
    body: Any
    faults: list[Fault] = field(default_factory=list)
    retry_after: float | None = None


def retry_after_of(value: str | None) -> float | None:
    """Seconds from a Retry-After header (None when absent or not a number)."""
    value = (value or "").strip()
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def failure(error: QboError) -> LedgerbridgeError:
    exc = error.to_exception()
    exc.context.extra["qbo_error"] = error
    return exc


class QboHttp:
    """Calls for one realm, on aiohttp unless ``transport`` (any httpx async transport:
    the sandbox's ``httpx.ASGITransport`` in tests) or another ``wire`` is given;
    ``budget`` defaults to the process-wide one."""

    def __init__(self, *, api_base: str, realm_id: str, tokens: TokenSource,
                 transport: httpx.AsyncBaseTransport | None = None,
                 budget: RealmBudget | None = None, timeout: float = 60.0,
                 retry: RetryPolicy | None = None, sleep: Sleep | None = None,
                 rng: random.Random | None = None, wire: Wire | None = None) -> None:
        self.realm_id = realm_id
        self.tokens = tokens
        self.budget = budget or budget_for(realm_id)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep or self.budget.sleep
        self._rng = rng or random.Random()
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if wire is not None and transport is not None:
            raise ValueError("give a wire or an httpx transport, not both")
        self._base = f"{api_base.rstrip('/')}/v3/company/{realm_id}"
        self._wire: Wire = wire or (HttpxWire(transport, headers=headers, timeout=timeout)
                                    if transport is not None else AiohttpWire(headers=headers))

    async def aclose(self) -> None:
        await self._wire.aclose()

    async def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                      json: Any = None, content: str | None = None, batch: bool = False,
                      entity: str = "", read: Reader | None = None) -> Answer:
        """The final answer (2xx or a 4xx that retrying cannot change); raises a
        ledgerbridge error when retries run out or the connection is lost. ``read``
        parses a successful answer's body instead of the ordinary parse (which it may
        leave the body to by answering None; see :mod:`ledgerbridge.qbo.answers`)."""
        query = {**(params or {}), "minorversion": MINOR_VERSION}
        token = await self.tokens.access_token()
        refreshed = False
        tries = throttles = 0
        maybe_applied = False  # by any try: the error given up on says so
        while True:
            answer, transport_error = await self._once(method, path, query, json, content,
                                                       token, batch, read)
            if transport_error is not None:
                tries += 1
                maybe_applied = True
                error = classify(None, [], transport=transport_error, entity=entity)
                await self.backoff_or_fail(tries, error)
                continue
            assert answer is not None
            if answer.status < 400:  # done: nothing below applies to it
                return answer
            if answer.status == 401 and not refreshed:
                token = await self.tokens.refresh(token)
                refreshed = True
                continue
            error = classify(answer.status, answer.faults, entity=entity,
                             retry_after=answer.retry_after)
            if maybe_applied and not error.maybe_applied:  # an earlier try's doubt holds
                error = dataclasses.replace(error, maybe_applied=True)
            maybe_applied = error.maybe_applied
            if answer.status == 429:
                throttles += 1
                self.budget.throttled(answer.retry_after)
                if throttles >= self.retry.throttles:
                    raise failure(error)
                continue
            if answer.status >= 500 or error.action is Action.RETRY_LATER:
                tries += 1
                await self.backoff_or_fail(tries, error)
                continue
            if answer.status in (401, 403):
                await self.tokens.lost(error.message)
                raise failure(classify(answer.status, answer.faults, entity=entity)
                              if answer.status == 403 else _reconnect(error))
            return answer

    async def backoff_or_fail(self, tries: int, error: QboError) -> None:
        """Sleep before try ``tries + 1`` (a jittered, doubling backoff), or raise
        ``error`` when the policy's tries are used up."""
        if tries >= self.retry.attempts:
            raise failure(error)
        ceiling = min(self.retry.cap, self.retry.base * 2 ** (tries - 1))
        delay = self._rng.uniform(0, ceiling)
        log.debug("QuickBooks call to realm %s failed (%s); retrying in %.2fs",
                  redact_realm(self.realm_id), error.code, delay)
        await self._sleep(delay)

    async def _once(self, method: str, path: str, params: Mapping[str, str], json: Any,
                    content: str | None, token: str, batch: bool, read: Reader | None
                    ) -> tuple[Answer | None, str | None]:
        permit = await self.budget.acquire(batch=batch)
        headers = {"Authorization": f"Bearer {token}"}
        sent: bytes | str | None = content
        if content is not None:
            headers["Content-Type"] = "application/text"
        elif json is not None:  # orjson: a batch of 30 encodes ~5x faster than json
            headers["Content-Type"] = "application/json"
            sent = orjson.dumps(json)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._wire.send(method, f"{self._base}/{path.lstrip('/')}",
                                                 params=params, body=sent, headers=headers)
        except TimeoutError:
            return None, "timeout"
        except WireError as exc:
            return None, exc.kind
        finally:
            permit.release()
        slim = read(response.content) if read is not None and response.status < 300 else None
        body, faults = (slim, []) if slim is not None else parse_body(response.content)
        return Answer(response.status, body, faults,
                      retry_after_of(response.retry_after)), None


def _reconnect(error: QboError) -> QboError:
    return QboError(action=Action.NEEDS_RECONNECT, code=error.code, message=error.message,
                    detail=error.detail, status=error.status)
