"""``ledgerbridge connect qbo --sandbox-url`` against a sandbox served on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from typer.testing import CliRunner

from ledgerbridge.cli import app
from support.loopback import sandbox_url as serving


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serving() as url:
        yield url


def test_connect_list_disconnect_remove(sandbox_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["tenants", "create", "Acme"]).exit_code == 0
    done = runner.invoke(app, ["connect", "qbo", "--tenant", "Acme", "--sandbox-url",
                               sandbox_url, "--name", "Local"])
    assert done.exit_code == 0, done.output
    assert "connected" in done.output and "Sandbox Company" in done.output
    connection_id = done.output.split()[0]
    company = httpx.get(f"{sandbox_url}/sandbox/companies").json()[0]
    assert company["tax_agency"]  # made ready for invoices and bills
    assert company["preferences"]["class_tracking_per_line"] is True
    listed = runner.invoke(app, ["connections", "list", "--tenant", "Acme"])
    assert connection_id in listed.output and "RT01" not in listed.output
    off = runner.invoke(app, ["connections", "disconnect", connection_id, "--tenant", "Acme"])
    assert "disconnected" in off.output and "revoked" in off.output
    gone = runner.invoke(app, ["connections", "remove", connection_id, "--tenant", "Acme"])
    assert gone.exit_code == 0
    assert connection_id not in runner.invoke(app, ["connections", "list", "--tenant",
                                                    "Acme"]).output


def test_connect_with_a_go_live_date_then_clear_it(sandbox_url: str) -> None:
    """The go-live date is the day of the connection unless given; `settings set` with
    an empty value clears it."""
    runner = CliRunner()
    assert runner.invoke(app, ["tenants", "create", "Acme"]).exit_code == 0
    done = runner.invoke(app, ["connect", "qbo", "--tenant", "Acme", "--sandbox-url",
                               sandbox_url, "--name", "Dated", "--go-live", "2025-07-01"])
    assert done.exit_code == 0, done.output

    def go_live() -> object:
        shown = runner.invoke(app, ["settings", "get", "--tenant", "Acme"])
        assert shown.exit_code == 0, shown.output
        return json.loads(shown.output)["settings"]["connection"]["go_live_date"]

    assert go_live() == "2025-07-01"
    cleared = runner.invoke(app, ["settings", "set", "connection.go_live_date=",
                                  "--tenant", "Acme"])
    assert cleared.exit_code == 0, cleared.output
    assert go_live() is None
    before = datetime.now(UTC).date().isoformat()
    again = runner.invoke(app, ["connect", "qbo", "--tenant", "Acme", "--sandbox-url",
                                sandbox_url, "--name", "Today"])
    assert again.exit_code == 0, again.output
    shown = runner.invoke(app, ["settings", "get", "--tenant", "Acme", "--connection",
                                again.output.split()[0]])
    assert json.loads(shown.output)["settings"]["connection"]["go_live_date"] in (
        before, datetime.now(UTC).date().isoformat())


def test_settings_set_reaches_a_nested_setting(sandbox_url: str) -> None:
    """`settings set connection.schedule.timezone=...` changes that one field; the rest of
    the schedule stays as it was."""
    runner = CliRunner()
    assert runner.invoke(app, ["tenants", "create", "Acme"]).exit_code == 0
    done = runner.invoke(app, ["connect", "qbo", "--tenant", "Acme", "--sandbox-url",
                               sandbox_url, "--name", "Nested"])
    assert done.exit_code == 0, done.output

    def schedule() -> dict[str, object]:
        shown = runner.invoke(app, ["settings", "get", "--tenant", "Acme"])
        assert shown.exit_code == 0, shown.output
        found: dict[str, object] = json.loads(shown.output)["settings"]["connection"][
            "schedule"]
        return found

    before = schedule()
    changed = runner.invoke(app, ["settings", "set", "connection.schedule.timezone="
                                  "America/Chicago", "invoices.send_changes=false",
                                  "--tenant", "Acme"])
    assert changed.exit_code == 0, changed.output
    assert schedule() == {**before, "timezone": "America/Chicago"}
    wrong = runner.invoke(app, ["settings", "set", "connection.schedule.timezone=Mars/Base",
                                "--tenant", "Acme"])
    assert wrong.exit_code != 0  # (`ledgerbridge` prints the error; the runner keeps it)
    assert "'Mars/Base' is not a time zone" in str(wrong.exception)
    assert schedule()["timezone"] == "America/Chicago"
    both = runner.invoke(app, ["settings", "set", "connection.schedule=null",
                               "connection.schedule.timezone=UTC", "--tenant", "Acme"])
    assert both.exit_code != 0 and "sets a part of 'schedule'" in both.output
