"""QuickBooks' throttles: requests a minute per realm, requests in flight, batch calls."""

from __future__ import annotations

from collections import Counter, deque

from .clock import Clock
from .state import Settings

MINUTE = 60.0


class RateLimiter:
    """Sliding one-minute windows per realm (a "minute" shrinks with the time scale)."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._batches: dict[str, deque[float]] = {}
        self.in_flight: Counter[str] = Counter()

    def _window(self) -> float:
        return MINUTE / max(self.settings.time_scale, 1e-9)

    @staticmethod
    def _prune(window: deque[float], oldest: float) -> None:
        while window and window[0] <= oldest:
            window.popleft()

    def admit(self, realm: str, *, batch: bool = False) -> bool:
        """Count a request in, or refuse it (the caller answers 429)."""
        limits = self.settings.limits
        now = self.clock.now()
        oldest = now - self._window()
        calls = self._calls.setdefault(realm, deque())
        self._prune(calls, oldest)
        if len(calls) >= limits.per_minute or self.in_flight[realm] >= limits.in_flight:
            return False
        if batch:
            batches = self._batches.setdefault(realm, deque())
            self._prune(batches, oldest)
            if len(batches) >= limits.batch_per_minute:
                return False
            batches.append(now)
        calls.append(now)
        self.in_flight[realm] += 1
        return True

    def release(self, realm: str) -> None:
        self.in_flight[realm] -= 1

    def reset(self) -> None:
        self._calls.clear()
        self._batches.clear()
        self.in_flight.clear()
