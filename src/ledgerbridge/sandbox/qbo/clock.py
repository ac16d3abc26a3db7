"""Injectable clocks and QuickBooks' time formats."""

from __future__ import annotations

import time
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

COMPANY_TZ = ZoneInfo("America/Los_Angeles")


class Clock(Protocol):
    """Anything that tells the time in epoch seconds."""

    def now(self) -> float: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set(self, epoch_seconds: float) -> None:
        self._now = epoch_seconds


class SandboxClock:
    """The sandbox's clock: a base clock plus an offset the admin API can move."""

    def __init__(self, base: Clock | None = None) -> None:
        self.base: Clock = base or SystemClock()
        self.offset = 0.0

    def now(self) -> float:
        return self.base.now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def local(self) -> datetime:
        return datetime.fromtimestamp(self.now(), COMPANY_TZ)

    def today(self) -> date:
        return self.local().date()

    def meta_time(self) -> str:
        """``MetaData`` style: ``2020-09-29T05:58:16-07:00``."""
        return format_meta(self.now())

    def response_time(self) -> str:
        """The ``time`` of a response: ``2020-09-29T05:58:16.187-07:00``."""
        now = self.now()
        second = int(now // 1)
        millis = int((now - second) * 1000)
        text = format_meta(second)
        return f"{text[:19]}.{millis:03d}{text[19:]}"

    def epoch_ms(self) -> int:
        return int(self.now() * 1000)


def _offset(stamp: datetime) -> str:
    text = stamp.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


@lru_cache(maxsize=256)
def _format_second(second: int) -> str:
    stamp = datetime.fromtimestamp(second, COMPANY_TZ)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + _offset(stamp)


def format_meta(epoch_seconds: float) -> str:
    """Company time to the second with its offset (cached per second: it is hot)."""
    return _format_second(int(epoch_seconds // 1))


def parse_time(text: str) -> datetime:
    """Parse a QuickBooks date or date-time; naive values are company time."""
    cleaned = text.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COMPANY_TZ)
    return parsed
