"""The per-realm call budget: 500 calls a minute, 10 in flight, 40 batch calls a minute.

Proactive: a call waits here until the limits allow it, so steady work never meets a 429.
A call is counted from the moment it starts until one window after its answer came (the
server counted it somewhere in between), so our count is never below the server's. A 429
closes the realm for Retry-After seconds (60 without it) for every caller.

Callers that must wait queue in arrival order, and each sleeps until the moment its own
place in the queue fits: the first until the oldest call leaves the window, the second
until the next one does. (Had they all slept until the oldest left, every one would wake
for every call admitted: at 40 batch calls a minute, a full sync's ten waiting batches
woke about five times a call.)

One :class:`RealmBudget` per realm is shared by everything in the process
(:func:`budget_for`). It holds no asyncio primitive, so any event loop may use it; the
clock and the sleep are injectable (tests and benchmarks scale or fake time).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
POLL = 0.02  # seconds between looks while every in-flight slot is taken
DEFAULT_THROTTLE_WAIT = 60.0


@dataclass(frozen=True)
class Limits:
    per_minute: int = 500
    in_flight: int = 10
    batch_per_minute: int = 40
    window: float = 60.0


@dataclass
class BudgetStats:
    calls: int = 0
    batch_calls: int = 0
    throttled: int = 0
    waited: float = 0.0


class Permit:
    """One admitted call; :meth:`release` when its answer (or failure) is in."""

    def __init__(self, budget: RealmBudget, batch: bool) -> None:
        self._budget = budget
        self.batch = batch
        self._open = True

    def release(self) -> None:
        if self._open:
            self._open = False
            self._budget._release(self.batch)


class RealmBudget:
    def __init__(self, limits: Limits | None = None, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.sleep = sleep
        self.stats = BudgetStats()
        self._lock = threading.Lock()
        self._done: deque[float] = deque()
        self._done_batches: deque[float] = deque()
        self._in_flight = 0
        self._in_flight_batches = 0
        self._closed_until = 0.0
        #: callers waiting, in arrival order (``True``: a batch call)
        self._queue: list[tuple[object, bool]] = []

    async def acquire(self, *, batch: bool = False) -> Permit:
        """Wait until a call (a batch call when ``batch``) fits in every limit, after
        the callers already waiting."""
        ticket = object()
        queued = False
        try:
            while True:
                with self._lock:
                    ahead = self._queue
                    if queued:
                        ahead = ahead[:next(n for n, (t, _) in enumerate(ahead)
                                            if t is ticket)]
                    wait = self._wait(self.clock(), batch, len(ahead),
                                      sum(1 for _, b in ahead if b))
                    if wait <= 0:
                        if queued:
                            self._leave(ticket)
                            queued = False
                        self._admit(batch)
                        return Permit(self, batch)
                    if not queued:
                        self._queue.append((ticket, batch))
                        queued = True
                self.stats.waited += wait
                await self.sleep(wait)
        finally:
            if queued:  # cancelled while waiting
                with self._lock:
                    self._leave(ticket)

    def _leave(self, ticket: object) -> None:
        self._queue = [entry for entry in self._queue if entry[0] is not ticket]

    def throttled(self, retry_after: float | None) -> None:
        """QuickBooks answered 429: nobody calls this realm for a while."""
        wait = DEFAULT_THROTTLE_WAIT if retry_after is None else max(retry_after, 0.0)
        with self._lock:
            self.stats.throttled += 1
            self._closed_until = max(self._closed_until, self.clock() + wait)

    def _wait(self, now: float, batch: bool, ahead: int = 0, batches_ahead: int = 0
              ) -> float:
        """How long a call waits that has ``ahead`` callers (``batches_ahead`` of them
        batch calls) before it; 0 when it may go now."""
        if now < self._closed_until:
            return self._closed_until - now
        limits = self.limits
        if self._in_flight + ahead >= limits.in_flight:
            return POLL
        oldest = now - limits.window
        for done in (self._done, self._done_batches):
            while done and done[0] <= oldest:
                done.popleft()
        wait = self._window_wait(self._done, self._in_flight + ahead, limits.per_minute, now)
        if batch:
            wait = max(wait, self._window_wait(self._done_batches,
                                               self._in_flight_batches + batches_ahead,
                                               limits.batch_per_minute, now))
        return wait

    def _window_wait(self, done: deque[float], taken: int, limit: int, now: float) -> float:
        """``taken``: calls in flight and callers ahead, each of which needs the window
        too."""
        leaving = len(done) + taken - limit  # finished calls that must leave first, less one
        if leaving < 0:
            return 0.0
        if leaving >= len(done):  # calls in flight must finish first
            return POLL
        # the finished calls leave the window, oldest first, just after done[n] + window
        return max(done[leaving] + self.limits.window - now, 0.0) + 1e-6

    def _admit(self, batch: bool) -> None:
        self._in_flight += 1
        self.stats.calls += 1
        if batch:
            self._in_flight_batches += 1
            self.stats.batch_calls += 1

    def _release(self, batch: bool) -> None:
        with self._lock:
            now = self.clock()
            self._in_flight -= 1
            self._done.append(now)
            if batch:
                self._in_flight_batches -= 1
                self._done_batches.append(now)


_registry: dict[str, RealmBudget] = {}
_registry_lock = threading.Lock()


def budget_for(realm_id: str) -> RealmBudget:
    """The process-wide budget of ``realm_id`` (made on first use, real time)."""
    with _registry_lock:
        budget = _registry.get(realm_id)
        if budget is None:
            budget = _registry[realm_id] = RealmBudget()
        return budget
