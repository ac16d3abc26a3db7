"""When a connection's next automatic sync is due, from its schedule setting (manual,
every N minutes, daily at a time) and the last run; a QuickBooks webhook makes it due
at once. Pure functions of their arguments, so they are tested alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from ledgerbridge.settings.model import Schedule


def next_run(schedule: Schedule, last_run: datetime | None, now: datetime,
             zone: tzinfo = UTC) -> datetime | None:
    """The time the next automatic run is due (None for manual schedules)."""
    if schedule.mode == "manual":
        return None
    if last_run is None:
        return now
    if schedule.mode == "interval":
        return last_run + timedelta(minutes=schedule.every_minutes)
    local_last = last_run.astimezone(zone)
    slot = datetime.combine(local_last.date(), schedule.daily_at, tzinfo=zone)
    if slot <= local_last:
        slot += timedelta(days=1)
    return slot.astimezone(UTC)


def is_due(schedule: Schedule, last_run: datetime | None, now: datetime, *,
           paused: bool = False, webhook_marked: bool = False, zone: tzinfo = UTC) -> bool:
    if paused:
        return False
    if webhook_marked and schedule.mode != "manual":
        return True
    due = next_run(schedule, last_run, now, zone)
    return due is not None and due <= now
