"""What a full sync reads from QuickBooks: every list and the company's profile in one
batch call of queries (the profile saved unless it is a dry run), and a daily sync
whose watermark is too old for CDC reads what changed since it the same way
(test_changes_fallback.py: the documents)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from ledgerbridge.engine import state
from ledgerbridge.engine.runner import Mode, RunReport, SyncRunner
from ledgerbridge.ledgers.qbo.ledger import QboLedger
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.secrets import SecretBox
from support.books import engine, tenant_id  # noqa: F401
from support.qbo_world import World, make_world
from support.recording import Recorder

LISTED = ("Customer", "Vendor", "Employee", "Item", "Class", "Account")


@pytest.fixture
async def world(engine: Engine, tenant_id: str) -> AsyncIterator[World]:  # noqa: F811
    async for made in make_world(engine, tenant_id, tax_agency=None):
        yield made


async def sync(world: World, mode: Mode = "full", dry_run: bool = False
               ) -> tuple[RunReport, list[list[str]]]:
    """A run whose QuickBooks calls are kept: ``(report, each call's queries)``."""
    assert world.transport is not None
    calls = Recorder(world.transport, accounting_only=True)
    client = QboClient.for_connection(world.engine, world.connection_id,
                                      box=SecretBox.from_environment(), transport=calls)
    try:
        runner = SyncRunner(world.engine, world.tenant_id, world.connection_id,
                            QboLedger(client))
        report = await runner.run(mode, dry_run)
    finally:
        await client.aclose()
    return report, calls.queries()


def profile_of(world: World) -> Any:
    with world.engine.connect() as conn:
        return state.load(conn, world.connection_id).profile


async def seed_lists(world: World) -> dict[str, list[str]]:
    return await world.seed({
        "Customer": [{"DisplayName": f"Customer {i}", "Active": i != 3} for i in range(6)],
        "Vendor": [{"DisplayName": "Cascade Supply"}],
        "Item": [{"Name": "General", "Type": "Service"}],
        "Class": [{"Name": "Install"}]})


def imported(report: RunReport, kind: str) -> set[str | None]:
    return {o.remote_id for o in report.outcomes
            if o.direction == "inbound" and o.kind == kind and o.result == "imported"}


async def test_a_full_sync_reads_lists_and_profile_in_one_call(world: World) -> None:
    seeded = await seed_lists(world)
    report, calls = await sync(world)
    assert report.failures() == []
    assert len(calls) == 1, calls  # no query per list, none for the profile
    [queries] = calls
    assert all(queries)  # a batch of queries only
    for entity in LISTED:
        assert sum(f"FROM {entity} " in q for q in queries) == 2, entity  # COUNT, page
    assert {"SELECT * FROM CompanyInfo", "SELECT * FROM Preferences",
            "SELECT * FROM TaxAgency"} <= set(queries)
    profile = profile_of(world)
    assert profile.name == "Test Heating Co" and profile.has_tax_agency is False
    assert profile.income_account_id is not None
    # the customers were taken in from that same read
    assert imported(report, "customer") == set(seeded["Customer"])
    assert imported(report, "work_code") == set(seeded["Item"])


async def test_the_profile_read_with_the_lists_is_saved_but_not_by_a_dry_run(
        world: World) -> None:
    await seed_lists(world)
    await sync(world)
    await world.seed({"TaxAgency": [{"DisplayName": "California"}]})  # set up meanwhile
    _, calls = await sync(world, dry_run=True)
    assert len(calls) == 1 and profile_of(world).has_tax_agency is False
    _, calls = await sync(world)
    assert len(calls) == 1 and profile_of(world).has_tax_agency is True


async def test_a_daily_sync_past_the_change_window_reads_the_changes_in_one_call(
        world: World) -> None:
    await seed_lists(world)
    await sync(world)
    with world.engine.begin() as conn:
        state.save(conn, world.connection_id,
                   changes_watermark=datetime.now(UTC) - timedelta(days=40))
    later = await world.seed({"Customer": [{"DisplayName": "Arrived Later"}]})
    report, calls = await sync(world, "daily")
    assert report.failures() == []
    [queries] = calls  # the changes (no CDC call, no profile: a daily sync keeps its own)
    assert "SELECT * FROM CompanyInfo" not in queries
    assert sum("FROM Customer " in q and "LastUpdatedTime >=" in q for q in queries) == 2
    assert imported(report, "customer") == set(later["Customer"])
