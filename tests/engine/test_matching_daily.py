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
