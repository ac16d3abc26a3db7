"""Matching in a daily sync, where only the names at hand are looked up in QuickBooks
(no bulk read): the name the collision rule would give counts too."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ledgerbridge.engine import runner
from ledgerbridge.engine.links import LinkStore
from support.qbo_world import World

EXISTING = {"Vendor": [{"DisplayName": "Acme Mechanical"}],
            "Customer": [{"DisplayName": "Acme Mechanical (C)"}]}


async def _customer_is_linked_to(world: World, remote_id: str) -> None:
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Acme Mechanical"}).record
    report = await world.sync("daily")
    assert report.failures() == []
    with world.engine.connect() as conn:
        link = LinkStore(conn, world.connection_id).get("customer", customer["id"])
    assert link is not None
    assert (link.remote_id, link.how) == (remote_id, "matched")
    assert len(await world.records("Customer")) == 1


async def test_sending_looks_up_the_suffixed_name(world: World,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """QuickBooks had "Acme Mechanical (C)" long before (no change to report): the daily
    sync's lookup asks for the suffixed name too, and links it."""
    monkeypatch.setattr(runner, "OVERLAP", timedelta(0))  # the seeding is "long before"
    world.settings(customers={"get_new": False})
    seeded = await world.seed(EXISTING, mode="create")
    await asyncio.sleep(1.1)  # QuickBooks stamps whole seconds
    await world.sync("full")  # the book is empty: nothing to match yet
    await _customer_is_linked_to(world, seeded["Customer"][0])


async def test_taking_in_knows_the_suffixed_name(world: World) -> None:
    """A new QuickBooks customer "Acme Mechanical (C)" is the book's "Acme Mechanical"
    (named so because a vendor has the name), not a new customer."""
    await world.sync("full")
    seeded = await world.seed(EXISTING, mode="create")
    await _customer_is_linked_to(world, seeded["Customer"][0])
    with world.book() as book:
        assert len(book.page("customer").items) == 1


async def test_a_name_spaced_otherwise_in_quickbooks_is_linked_not_made_again(
        world: World) -> None:
    """QuickBooks keeps a name's spaces as typed ("Smith  &  Sons Property"); the book's
    "Smith & Sons Property" is the same name: a daily sync links it, as a full sync does,
    in the one call of its lookup, instead of making a second customer."""
    made = await world.qb("Customer", {"DisplayName": "Smith  &  Sons Property"})
    await world.qb("Customer", {"DisplayName": "Smith & Sons Property Management"})
    world.settings(customers={"send": "when_created"})
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Smith & Sons Property"}).record
    calls = await world.calls()
    report = await world.sync("daily")
    assert report.failures() == []
    assert [o.result for o in report.outcomes if o.record_id == customer["id"]] == ["linked"]
    assert world.link("customer", customer["id"]).remote_id == made["Id"]  # type: ignore[union-attr]
    assert sorted(await world.by_name("Customer")) == [
        "Smith  &  Sons Property", "Smith & Sons Property Management"]
    # the change feed, and one batch call for the lookup: every kind of the shared name
    # space (customers, vendors, employees), each with its IN list and LIKE
    assert await world.calls() - calls == 2


async def test_the_exact_spelling_wins_over_one_spaced_otherwise(world: World) -> None:
    await world.qb("Customer", {"DisplayName": "Harbor  View Marina"})
    exact = await world.qb("Customer", {"DisplayName": "Harbor View Marina"})
    world.settings(customers={"send": "when_created"})
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Harbor View Marina"}).record
    report = await world.sync("daily")
    assert report.failures() == []
    assert world.link("customer", customer["id"]).remote_id == exact["Id"]  # type: ignore[union-attr]
