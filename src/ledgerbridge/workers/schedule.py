"""When a connection's next automatic sync is due, from its schedule setting (manual,
every N minutes, daily at a time in the schedule's time zone) and the last run; a
QuickBooks webhook makes it due at once. Pure functions of their arguments (and, for a
schedule without a time zone, the machine's local one), so they are tested alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from ledgerbridge.settings.model import Schedule


def _zone(schedule: Schedule) -> tzinfo | None:
    """The zone of ``daily_at``; None: the machine's local one."""
    return ZoneInfo(schedule.timezone) if schedule.timezone else None


def _at(day: date, when: time, zone: tzinfo | None) -> datetime:
    """``day`` at ``when`` in ``zone`` (None: local time, with that day's offset)."""
    if zone is None:
        return datetime.combine(day, when).astimezone()
    return datetime.combine(day, when, tzinfo=zone)


def next_run(schedule: Schedule, last_run: datetime | None, now: datetime
             ) -> datetime | None:
    """The time the next automatic run is due (None for manual schedules)."""
    if schedule.mode == "manual":
        return None
    if last_run is None:
        return now
    if schedule.mode == "interval":
        return last_run + timedelta(minutes=schedule.every_minutes)
    zone = _zone(schedule)
    local_last = last_run.astimezone(zone)
    slot = _at(local_last.date(), schedule.daily_at, zone)
    if slot <= local_last:
        slot = _at(local_last.date() + timedelta(days=1), schedule.daily_at, zone)
    return slot.astimezone(UTC)


def is_due(schedule: Schedule, last_run: datetime | None, now: datetime, *,
           paused: bool = False, webhook_marked: bool = False) -> bool:
    if paused:
        return False
    if webhook_marked and schedule.mode != "manual":
        return True
    due = next_run(schedule, last_run, now)
    return due is not None and due <= now
