"""The engine through the REST API: settings, dry run, sync, unsynced and push, the
transmission log with retry and dismiss, host events and signed webhooks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ledgerbridge import tenants
from ledgerbridge.api import create_app
from ledgerbridge.hostevents.webhooks import SIGNATURE_HEADER, verify
from support.books import SAMPLE_BODIES
from support.qbo_world import World


class Receiver(httpx.AsyncBaseTransport):
    """A host app's webhook endpoint, in process."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.received.append(request)
        return httpx.Response(200)


@pytest.fixture
async def api(world: World) -> AsyncIterator[tuple[httpx.AsyncClient, Receiver]]:
    app = create_app(world.engine)
    receiver = Receiver()
    app.state.qbo_transport = world.transport
    app.state.webhook_transport = receiver
    with world.engine.begin() as conn:
        key = tenants.issue_api_key(conn, world.tenant_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://book.test",
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        yield client, receiver


def _base(world: World) -> str:
    return f"/v1/connections/{world.connection_id}"


async def _load(client: httpx.AsyncClient, bodies: list[tuple[str, dict[str, Any]]]) -> None:
    records = [{"object": kind, **body} for kind, body in bodies]
    answer = (await client.post("/v1/bulk", json={"records": records})).json()
    assert answer["counts"]["rejected"] == 0, answer


async def test_settings_round_trip_and_validation(world: World, api: Any) -> None:
    client, _ = api
    base = _base(world)
    first = (await client.get(f"{base}/settings")).json()
    assert first["settings"]["customers"]["send"] == "when_created"
    changed = await client.patch(f"{base}/settings", json={"invoices": {"send": "when_sent"}},
                                 headers={"If-Match": str(first["version"])})
    assert changed.status_code == 200
    assert changed.json()["settings"]["invoices"]["send"] == "when_sent"
    bad = await client.patch(f"{base}/settings", json={"connection": {"invoice_lines": "single"}})
    assert bad.status_code == 422
    problem = bad.json()["error"]["problems"][0]
    assert problem["path"] == "connection.single_line_item_id"
    assert "choose one" in problem["message"]
    stale = await client.patch(f"{base}/settings", json={"paused": {}},
                               headers={"If-Match": str(first["version"])})
    assert stale.status_code in (409, 422)


async def test_dry_run_writes_nothing_then_sync_sends(world: World, api: Any) -> None:
    client, receiver = api
    base = _base(world)
    await _load(client, SAMPLE_BODIES[:5])  # customer, location, job, ticket, work code
    sub = (await client.post("/v1/webhook-subscriptions",
                             json={"url": "https://host.test/hooks"})).json()
    plan = (await client.post(f"{base}/sync", json={"mode": "full", "dry_run": True})).json()
    results = {r["kind"]: r["result"] for r in plan["records"]}
    assert results["customer"] == "would_create" and results["work_code"] == "would_create"
    assert await world.records("Customer") == []
    report = (await client.post(f"{base}/sync", json={"mode": "full"})).json()
    assert report["summary"]["outbound"]["created"] == 2
    assert {c["DisplayName"] for c in await world.records("Customer")} == {"Smith & Sons"}
    events = (await client.get("/v1/events")).json()["items"]
    assert {"sync.created", "sync.completed"} <= {e["type"] for e in events}
    assert receiver.received, "the webhook subscription got nothing"
    delivery = receiver.received[-1]
    assert verify(sub["secret"], delivery.content, delivery.headers[SIGNATURE_HEADER])
    assert not verify("wrong", delivery.content, delivery.headers[SIGNATURE_HEADER])
    sent_types = {e["type"] for r in receiver.received for e in json.loads(r.content)["events"]}
    assert "sync.created" in sent_types


async def test_unsynced_push_log_retry_and_dismiss(world: World, api: Any) -> None:
    client, _ = api
    base = _base(world)
    await client.patch(f"{base}/settings", json={
        "connection": {"go_live_date": "2026-06-01", "forbidden_characters": "fail"}})
    await _load(client, [
        ("customer", {"company_name": "Unit 4: Riverside", "external_id": "BAD"}),
        ("customer", {"company_name": "Fine Co", "external_id": "OK"}),
        ("invoice", {"customer_external_id": "OK", "status": "finalized",
                     "issue_date": "2026-01-15", "external_id": "OLD",
                     "lines": [{"description": "Old work", "unit_price": "10.00"}]}),
    ])
    await client.post(f"{base}/sync", json={"mode": "full"})
    unsynced = {u["title"]: u for u in (await client.get(f"{base}/unsynced")).json()["items"]}
    assert unsynced["Unit 4: Riverside"]["reason"] == "failed"
    assert "colon" in unsynced["Unit 4: Riverside"]["message"]
    old = next(u for u in unsynced.values() if u["kind"] == "invoice")
    assert old["reason"] == "before_go_live"
    pushed = (await client.post(f"{base}/push",
                                json={"records": [["invoice", old["record_id"]]]})).json()
    assert pushed["summary"]["outbound"]["created"] == 1
    assert len(await world.records("Invoice")) == 1
    failed = (await client.get(f"{base}/log", params={"state": "failed"})).json()["items"]
    assert len(failed) == 1 and failed[0]["record_kind"] == "customer"
    searched = (await client.get(f"{base}/log", params={"q": "colon"})).json()["items"]
    assert [op["id"] for op in searched] == [failed[0]["id"]]
    retried = await client.post(f"{base}/log/{failed[0]['id']}/retry")
    assert retried.json()["state"] == "pending"
    await client.patch(f"{base}/settings", json={"connection": {"forbidden_characters":
                                                                "replace"}})
    await client.post(f"{base}/sync", json={"mode": "daily"})
    names = {c["DisplayName"] for c in await world.records("Customer")}
    assert "Unit 4- Riverside" in names
    assert (await client.get(f"{base}/unsynced")).json()["items"] == []
    dismissed = await client.post(f"{base}/log/{failed[0]['id']}/dismiss")
    assert dismissed.status_code == 409


async def test_the_log_pages_through_every_operation_newest_first(world: World, api: Any
                                                                   ) -> None:
    client, _ = api
    base = _base(world)
    await _load(client, SAMPLE_BODIES + [
        ("customer", {"company_name": f"Log Customer {n}", "external_id": f"LC{n}"})
        for n in range(12)])
    await client.post(f"{base}/sync", json={"mode": "full"})
    whole = (await client.get(f"{base}/log", params={"limit": 1000})).json()
    assert whole["next_cursor"] is None and len(whole["items"]) > 10
    order = [(op["created_at"], op["id"]) for op in whole["items"]]
    assert order == sorted(order, reverse=True)
    paged: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        answer = (await client.get(f"{base}/log", params=params)).json()
        paged += [op["id"] for op in answer["items"]]
        if answer["next_cursor"] is None:
            break
        assert len(answer["items"]) == 3
        params["after"] = answer["next_cursor"]
    assert paged == [op["id"] for op in whole["items"]]   # each once, in the same order
    one = whole["items"][-1]
    mine = (await client.get(f"{base}/log", params={"record_id": one["record_id"]})).json()
    assert {op["record_id"] for op in mine["items"]} == {one["record_id"]}
    outbound = (await client.get(f"{base}/log", params={"direction": "outbound",
                                                       "limit": 1000})).json()["items"]
    assert {op["direction"] for op in outbound} == {"outbound"}
    assert len(outbound) == sum(op["direction"] == "outbound" for op in whole["items"])
    run = (await client.get(f"{base}/log", params={"run_id": one["run_id"],
                                                  "limit": 1000})).json()["items"]
    assert one["id"] in {op["id"] for op in run}
    assert {op["run_id"] for op in run} == {one["run_id"]}


@pytest.mark.parametrize("params", [{"after": "not a cursor"}, {"direction": "sideways"}])
async def test_the_log_refuses_what_it_cannot_read_and_says_why(world: World, api: Any,
                                                                params: dict[str, str]) -> None:
    client, _ = api
    answer = await client.get(f"{_base(world)}/log", params=params)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert [p["path"] for p in error["problems"]] == [next(iter(params))]
    assert error["message"] and all(p["message"] for p in error["problems"])


# mappings -----------------------------------------------------------------------------------
async def _codes(client: httpx.AsyncClient) -> dict[str, str]:
    """Cost codes Demolition, Framing, Permits and cost types Labor, Materials: id by
    name."""
    await _load(client, [("cost_code", {"name": n, "external_id": n})
                         for n in ("Demolition", "Framing", "Permits")]
                + [("cost_type", {"name": n, "external_id": n})
                   for n in ("Labor", "Materials")])
    found = {}
    for kind in ("cost_codes", "cost_types"):
        found |= {r["name"]: r["id"] for r in (await client.get(f"/v1/{kind}")).json()["items"]}
    return found


async def test_put_mapping_checks_the_book_and_quickbooks(world: World, api: Any) -> None:
    client, _ = api
    base = _base(world)
    codes = await _codes(client)
    items = (await world.seed({"Item": [{"Name": "Demolition Work", "Type": "Service"}]}))
    item = items["Item"][0]
    put = await client.put(f"{base}/mappings/cost_code_item", json={
        "local_id": codes["Demolition"], "remote_id": item, "remote_name": "made up"})
    assert put.status_code == 200, put.text
    assert put.json() == {"kind": "cost_code_item", "local_id": codes["Demolition"],
                          "remote_id": item, "remote_name": "Demolition Work"}
    no_code = await client.put(f"{base}/mappings/cost_code_item", json={
        "local_id": "cc_nope", "remote_id": item})
    assert no_code.status_code == 422
    assert [p["path"] for p in no_code.json()["error"]["problems"]] == ["local_id"]
    assert "no cost code with id 'cc_nope'" in no_code.json()["error"]["message"]
    no_item = await client.put(f"{base}/mappings/cost_code_item", json={
        "local_id": codes["Framing"], "remote_id": "demolition work"})
    assert no_item.status_code == 422
    error = no_item.json()["error"]
    assert [p["path"] for p in error["problems"]] == ["remote_id"]
    assert "no item with the id or the exact name 'demolition work'" in error["message"]
    assert "did you mean 'Demolition Work'?" in error["message"]
    stored = (await client.get(f"{base}/mappings/cost_code_item")).json()["items"]
    assert [m["local_id"] for m in stored] == [codes["Demolition"]]  # the refused: not


async def test_delete_mapping_then_404(world: World, api: Any) -> None:
    client, _ = api
    base = _base(world)
    codes = await _codes(client)
    classes = await world.seed({"Class": [{"Name": "Field Labor"}]})
    await client.put(f"{base}/mappings/cost_type_class", json={
        "local_id": codes["Labor"], "remote_id": "Field Labor"})
    gone = await client.delete(f"{base}/mappings/cost_type_class/{codes['Labor']}")
    assert gone.status_code == 200, gone.text
    assert gone.json()["remote_id"] == classes["Class"][0]
    assert (await client.get(f"{base}/mappings/cost_type_class")).json()["items"] == []
    again = await client.delete(f"{base}/mappings/cost_type_class/{codes['Labor']}")
    assert again.status_code == 404
    assert again.json()["error"]["type"] == "not_found"
    assert "has no class mapping" in again.json()["error"]["message"]


async def test_autofill_maps_by_name_and_says_what_stays_unmapped(world: World, api: Any
                                                                  ) -> None:
    client, _ = api
    base = _base(world)
    codes = await _codes(client)
    made = await world.seed({"Item": [{"Name": n, "Type": "Service"}
                                      for n in ("demolition", "FRAMING", "General")],
                             "Class": [{"Name": "Labor"}]})
    general = made["Item"][2]
    await client.patch(f"{base}/settings", json={"connection": {"default_item_id": general}})
    answer = await client.post(f"{base}/mappings/autofill")
    assert answer.status_code == 200, answer.text
    mapped = {(m["kind"], m["local_id"]): m["remote_id"] for m in answer.json()["mapped"]}
    assert mapped == {("cost_code_item", codes["Demolition"]): made["Item"][0],
                      ("cost_code_item", codes["Framing"]): made["Item"][1],
                      ("cost_type_class", codes["Labor"]): made["Class"][0]}
    unmapped = {u["local_name"]: u for u in answer.json()["unmapped"]}
    assert set(unmapped) == {"Permits", "Materials"}
    assert unmapped["Permits"]["kind"] == "cost_code_item"
    assert unmapped["Permits"]["fallback"] == f"default item {general}"
    assert unmapped["Materials"]["fallback"].startswith("its own class")
    listed = (await client.get(f"{base}/mappings/cost_code_item")).json()
    assert {m["local_id"] for m in listed["items"]} == {codes["Demolition"], codes["Framing"]}
    assert listed["unmapped"] == [{"kind": "cost_code_item", "local_id": codes["Permits"],
                                   "local_name": "Permits",
                                   "fallback": f"default item {general}"}]
    again = (await client.post(f"{base}/mappings/autofill")).json()
    assert again["mapped"] == []                # existing mappings are kept


async def test_autofill_leaves_inactive_items_and_classes_alone(world: World, api: Any
                                                                ) -> None:
    client, _ = api
    base = _base(world)
    codes = await _codes(client)
    made = await world.seed({"Item": [{"Name": "Framing", "Type": "Service", "Active": False},
                                      {"Name": "Demolition", "Type": "Service"}],
                             "Class": [{"Name": "Labor", "Active": False}]})
    answer = await client.post(f"{base}/mappings/autofill")
    assert answer.status_code == 200, answer.text
    mapped = {(m["kind"], m["local_id"]): m["remote_id"] for m in answer.json()["mapped"]}
    assert mapped == {("cost_code_item", codes["Demolition"]): made["Item"][1]}
    unmapped = {u["local_name"] for u in answer.json()["unmapped"]}
    assert {"Framing", "Labor"} <= unmapped
