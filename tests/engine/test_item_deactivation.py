"""A work code or inventory part deleted here is made inactive in QuickBooks (an item
cannot be deleted there): a sparse update of its Id, SyncToken, Name and Active=false,
nothing else, so it stays the kind of item it was. End to end on the QuickBooks Online
sandbox."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from support.qbo_world import World

DEACTIVATION = {"Id", "SyncToken", "sparse", "Name", "Active"}


class ItemWrites(httpx.AsyncBaseTransport):
    """Every Item body written (alone or in a batch), then the request as it was."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.items: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/item"):
            self.items.append(json.loads(request.content))
        elif request.method == "POST" and path.endswith("/batch"):
            self.items += [entry["Item"] for entry in
                           json.loads(request.content).get("BatchItemRequest", [])
                           if "Item" in entry]
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(("kind", "body", "item_type"), [
    ("work_code", {"name": "Water Heater 40 gal", "rate": "900.00",
                   "item_kind": "non_inventory"}, "NonInventory"),
    ("work_code", {"name": "Tune-up", "rate": "89.00"}, "Service"),
    ("inventory_part", {"name": "Capacitor 45/5", "quantity_on_hand": "12", "cost": "8.10",
                        "price": "24.00"}, "Inventory"),
])
async def test_an_item_deleted_here_is_made_inactive_as_it_is(
        world: World, kind: str, body: dict[str, Any], item_type: str) -> None:
    with world.book() as book:
        record = book.create(kind, body).record
    assert (await world.sync("push", push=[(kind, record["id"])])).failures() == []
    remote_id = world.remote_id(kind, record["id"])
    before = await world.get("Item", remote_id)
    assert before["Type"] == item_type
    with world.book() as book:
        book.delete(kind, record["id"])
    assert world.transport is not None
    writes = ItemWrites(world.transport)
    report = await world.sync_over(writes)
    assert report.failures() == []
    assert [set(sent) for sent in writes.items] == [DEACTIVATION]
    assert writes.items[0]["Active"] is False and writes.items[0]["sparse"] is True
    after = await world.get("Item", remote_id)
    assert after["Active"] is False
    assert {k: v for k, v in after.items() if k not in ("Active", "Name", "SyncToken",
                                                         "FullyQualifiedName", "MetaData")} \
        == {k: v for k, v in before.items() if k not in ("Active", "Name", "SyncToken",
                                                          "FullyQualifiedName", "MetaData")}
