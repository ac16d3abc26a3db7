"""Reading and writing a connection's settings (one JSON document, versioned).

A new connection starts with its settings stored (:func:`start`): the defaults, with
go-live on the day it was made. A connection without stored settings (one made before
go-live defaulted to that day, and never changed since) reads the defaults, which have
no go-live."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select

from ledgerbridge.book.validation import problems_from_errors, rejection_message
from ledgerbridge.engine.tables import sync_settings
from ledgerbridge.errors import ConflictError, Problem, RecordRejectedError
from ledgerbridge.settings.model import ConnectionWide, SyncSettings


def load(conn: Connection, connection_id: str) -> tuple[SyncSettings, int]:
    """The connection's settings and their version (defaults, version 0, if never set)."""
    row = conn.execute(select(sync_settings.c.settings, sync_settings.c.version).where(
        sync_settings.c.connection_id == connection_id)).first()
    if row is None:
        return SyncSettings(), 0
    return SyncSettings.model_validate(row.settings), int(row.version)


def _validated(data: Mapping[str, Any]) -> SyncSettings:
    try:
        return SyncSettings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error.get("msg", ""))
            if error["type"] == "value_error" and ": " in message:
                path, text = message.removeprefix("Value error, ").split(": ", 1)
                problems.append(Problem(path, text))
            else:
                problems += problems_from_errors([error])
        raise RecordRejectedError(rejection_message("settings", problems), problems) from exc


def merge(current: SyncSettings, changes: Mapping[str, Any]) -> SyncSettings:
    """``current`` with the fields in ``changes`` replaced, validated whole: a group (or a
    nested part of one, as ``connection.schedule``) given in part keeps its other
    fields."""
    return _validated(_merged(current.model_dump(mode="json"), changes))


def _merged(data: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    for name, value in changes.items():
        if isinstance(value, Mapping) and isinstance(data.get(name), dict):
            data[name] = _merged(dict(data[name]), value)
        else:
            data[name] = value
    return data


def save(conn: Connection, connection_id: str, settings: SyncSettings,
         expected_version: int | None = None) -> int:
    """Store ``settings``; return the new version."""
    _, version = load(conn, connection_id)
    if expected_version is not None and expected_version != version:
        raise ConflictError(f"the settings are at version {version}, not {expected_version}; "
                            "read them again and reapply your change")
    values = {"settings": settings.model_dump(mode="json"), "version": version + 1,
              "updated_at": datetime.now(UTC)}
    if version == 0:
        conn.execute(sync_settings.insert().values(connection_id=connection_id, **values))
    else:
        conn.execute(sync_settings.update().where(
            sync_settings.c.connection_id == connection_id).values(**values))
    return version + 1


def start(conn: Connection, connection_id: str, go_live_date: date) -> int:
    """The settings a new connection starts with: the defaults, and ``go_live_date``, so
    only records dated from then on go without a push (SYNC-SETTINGS.md: "default:
    connection date")."""
    settings = SyncSettings(connection=ConnectionWide(go_live_date=go_live_date))
    return save(conn, connection_id, settings)


def update(conn: Connection, connection_id: str, changes: Mapping[str, Any],
           expected_version: int | None = None) -> tuple[SyncSettings, int]:
    current, _ = load(conn, connection_id)
    merged = merge(current, changes)
    return merged, save(conn, connection_id, merged, expected_version)
