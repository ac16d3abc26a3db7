"""A level is sent in chunks (staged, sent and written one chunk after another): every
record still goes once, with a batch call per chunk."""

from __future__ import annotations

import pytest

from ledgerbridge.engine import apply
from support.qbo_world import World

LINES = [{"description": "Service call", "quantity": "1", "unit_price": "120.00"}]


async def test_a_level_larger_than_a_chunk_goes_chunk_by_chunk(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apply, "SEND_CHUNK", 2)
    with world.book() as book:
        for n in range(5):
            book.create("customer", {"company_name": f"Chunk Customer {n}",
                                     "external_id": f"C{n}"})
            book.create("invoice", {"customer_external_id": f"C{n}", "status": "finalized",
                                    "doc_number": f"CH-{n}", "lines": LINES})
    before = await world.calls()
    report = await world.sync("full")
    assert report.failures() == []
    created = sorted((o.kind, o.result) for o in report.outcomes
                     if o.direction == "outbound" and o.result == "created")
    assert created == [("customer", "created")] * 5 + [("invoice", "created")] * 5
    assert sorted(c["DisplayName"] for c in await world.records("Customer")) == [
        f"Chunk Customer {n}" for n in range(5)]
    assert sorted(i["DocNumber"] for i in await world.records("Invoice")) == [
        f"CH-{n}" for n in range(5)]
    # the list read, then 5 customers and 5 invoices in chunks of 2: 3 calls a level
    assert await world.calls() - before == 1 + 3 + 3
