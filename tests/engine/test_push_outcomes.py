"""What a push, and every other root of a run, comes out with, end to end on the
QuickBooks Online sandbox: a push sends what the settings allow (a location with its
customer) and says why it sends nothing when they do not (naming the setting); a
purchase order never creates a job that waits to be invoiced or sent by hand."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ledgerbridge import tenants
from ledgerbridge.api import create_app
from support.qbo_world import World

Record = dict[str, Any]


def _customer(world: World, name: str = "Northwind Properties") -> Record:
    with world.book() as book:
        return book.create("customer", {"company_name": name}).record


def _job(world: World, customer: Record, location: Record | None = None) -> Record:
    with world.book() as book:
        return book.create("job", {"customer_id": customer["id"], "name": "Lobby renovation",
                                   "location_id": location["id"] if location else None}
                           ).record


def _location(world: World, customer: Record) -> Record:
    with world.book() as book:
        return book.create("location", {"customer_id": customer["id"],
                                        "name": "Riverside Tower"}).record


def _outcomes(report: Any, kind: str, record_id: str) -> list[tuple[str, str]]:
    return [(o.result, o.message) for o in report.outcomes
            if o.kind == kind and o.record_id == record_id]


async def _push(world: World, kind: str, record_id: str) -> Any:
    return await world.runner().run("push", push=[(kind, record_id)])


# a push the settings refuse ----------------------------------------------------------------
@pytest.mark.parametrize(("kind", "settings", "message"), [
    ("customer", {"customers": {"send": "never"}},
     "not sent: customers are never sent (only linked by name) (customers.send is never); "
     "change customers.send in the settings to send it"),
    ("job", {"jobs": {"create_jobs": "no"}},
     "not sent: jobs are not created in QuickBooks (jobs.create_jobs is no); change "
     "jobs.create_jobs in the settings to send it"),
    ("job", {"connection": {"customer_hierarchy": "customer"}},
     "not sent: jobs are not sent in the customer-only hierarchy "
     "(connection.customer_hierarchy is customer); change connection.customer_hierarchy "
     "in the settings to send it"),
])
async def test_a_push_the_settings_refuse_sends_nothing_and_says_which_setting(
        world: World, kind: str, settings: dict[str, Any], message: str) -> None:
    world.settings(**settings)
    customer = _customer(world)
    record = customer if kind == "customer" else _job(world, customer)
    report = await _push(world, kind, record["id"])
    assert _outcomes(report, kind, record["id"]) == [("skipped", message)]
    assert await world.records("Customer") == []
    assert world.link(kind, record["id"]) is None


async def test_a_refused_push_is_shown_by_the_api(world: World) -> None:
    world.settings(jobs={"create_jobs": "no"})
    job = _job(world, _customer(world))
    app = create_app(world.engine)
    app.state.qbo_transport = world.transport
    with world.engine.begin() as conn:
        key = tenants.issue_api_key(conn, world.tenant_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://book.test",
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        answer = (await client.post(f"/v1/connections/{world.connection_id}/push",
                                    json={"records": [["job", job["id"]]]})).json()
    assert answer["summary"] == {"outbound": {"skipped": 1}}
    [shown] = answer["records"]
    assert (shown["kind"], shown["record_id"], shown["result"]) == ("job", job["id"],
                                                                     "skipped")
    assert "jobs.create_jobs is no" in shown["message"]


# locations ---------------------------------------------------------------------------------
async def test_a_location_pushed_goes_with_its_customer(world: World) -> None:
    """Locations are sub-customers in the customer:location:job hierarchy: one pushed goes
    at once, and takes its customer (which would otherwise wait for a first job)."""
    world.settings(connection={"customer_hierarchy": "customer:location:job"},
                   customers={"send": "when_first_job_or_ticket_sent"})
    customer = _customer(world)
    location = _location(world, customer)
    report = await world.sync("daily")
    assert _outcomes(report, "location", location["id"]) == [
        ("waiting", "locations are sent with their first job, ticket or invoice; push it to "
                    "send it now")]
    assert _outcomes(report, "customer", customer["id"]) == [
        ("waiting", "customers are sent with their first job or ticket; push it to send it "
                    "now")]
    report = await _push(world, "location", location["id"])
    assert report.failures() == []
    assert [o.result for o in report.outcomes] == ["created", "created"]
    made = await world.by_name("Customer")
    assert made["Riverside Tower"]["ParentRef"]["value"] == made["Northwind Properties"]["Id"]
    assert world.remote_id("location", location["id"]) == made["Riverside Tower"]["Id"]


async def test_a_location_pushed_where_locations_are_not_sent_says_so(world: World) -> None:
    customer = _customer(world)
    location = _location(world, customer)
    report = await _push(world, "location", location["id"])
    assert _outcomes(report, "location", location["id"]) == [(
        "skipped", "not sent: locations are sent only in the customer:location:job hierarchy "
                   "(connection.customer_hierarchy is customer:job); change "
                   "connection.customer_hierarchy in the settings to send it")]
    assert await world.records("Customer") == []


# every root comes out with an outcome ------------------------------------------------------
async def test_roots_that_do_not_go_say_why(world: World) -> None:
    customer = _customer(world)
    with world.book() as book:
        code = book.create("cost_code", {"name": "Framing"}).record
        invoice = book.create("invoice", {
            "customer_id": customer["id"], "status": "finalized", "doc_number": "2001",
            "issue_date": "2026-05-04",
            "lines": [{"description": "Repairs", "unit_price": "80.00"}]}).record
        gone = book.create("customer", {"company_name": "Short Lived"}).record
        book.delete("customer", gone["id"])
    report = await world.sync("daily")
    assert _outcomes(report, "customer", gone["id"]) == [
        ("skipped", "not sent: deleted here before it was sent")]
    assert [r for r, _ in _outcomes(report, "cost_code", code["id"])] == ["skipped"]
    with world.book() as book:
        book.delete("invoice", invoice["id"])
    await world.sync("daily")                              # deleted in QuickBooks
    assert await world.records("Invoice") == []
    report = await world.runner().run("push", push=[("job", "job_missing"),
                                                    ("invoice", invoice["id"])])
    assert _outcomes(report, "job", "job_missing") == [
        ("skipped", "not sent: no job job_missing in the book")]
    assert _outcomes(report, "invoice", invoice["id"]) == [
        ("unchanged", "deleted here and in QuickBooks already")]


# purchase orders and the jobs they name -----------------------------------------------------
@pytest.mark.parametrize(("hierarchy", "create_jobs", "customers", "costed"), [
    ("customer:job", "when_created", "when_created", "job"),
    ("customer:job", "when_invoiced", "when_created", "customer"),
    ("customer:job", "only_by_hand", "when_created", "customer"),
    ("customer:job", "no", "when_created", "customer"),
    ("customer:location:job", "when_invoiced", "when_created", "location"),
    ("customer:job", "when_invoiced", "never", None),
])
async def test_a_purchase_order_never_creates_a_job_that_waits(
        world: World, hierarchy: str, create_jobs: str, customers: str, costed: str | None
        ) -> None:
    """A job created when invoiced or by hand is not created for a purchase order that
    names it: until it is in QuickBooks the line is for its location or customer (none,
    when customers are never sent and this one is not linked)."""
    world.settings(connection={"customer_hierarchy": hierarchy},
                   jobs={"create_jobs": create_jobs}, customers={"send": customers})
    customer = _customer(world)
    location = _location(world, customer)
    job = _job(world, customer, location)
    with world.book() as book:
        vendor = book.create("vendor", {"company_name": "Cascade Supply"}).record
        code = book.create("work_code", {"name": "Valve", "rate": "40.00"}).record
        order = book.create("purchase_order", {
            "vendor_id": vendor["id"], "status": "submitted", "number": "PO-1",
            "lines": [{"work_code_id": code["id"], "quantity": "2", "unit_cost": "12.50",
                       "job_id": job["id"]}]}).record
    report = await world.sync("daily")
    assert report.failures() == []
    assert (world.link("job", job["id"]) is not None) is (costed == "job")
    [sent] = await world.records("PurchaseOrder")
    assert sent["Id"] == world.remote_id("purchase_order", order["id"])
    line = sent["Line"][0]["ItemBasedExpenseLineDetail"]
    if costed is None:
        assert "CustomerRef" not in line and await world.records("Customer") == []
        return
    target = {"job": job, "customer": customer, "location": location}[costed]
    assert line["CustomerRef"]["value"] == world.remote_id(costed, target["id"])


async def test_a_push_left_open_ends_when_the_settings_now_refuse_it(world: World) -> None:
    """A job pushed while QuickBooks was down stays to be sent again; if jobs are then set
    not to go, the next sync says so and dismisses that operation (it no longer shows as
    retrying among the unsynced records, and is not tried again)."""
    from ledgerbridge.engine.context import Context
    from ledgerbridge.engine.operations import OperationStore
    from ledgerbridge.engine.unsynced import unsynced
    from ledgerbridge.settings import store as settings_store
    from ledgerbridge.sync_service import UNKNOWN_PROFILE

    customer = _customer(world)
    job = _job(world, customer)
    pushed = await world.push_while_down(("job", job["id"]))
    # (blocked by its customer, whose create QuickBooks refused first)
    assert [r for r, _ in _outcomes(pushed, "job", job["id"])] == ["blocked"]
    world.settings(jobs={"create_jobs": "no"})
    refusal = ("not sent: jobs are not created in QuickBooks (jobs.create_jobs is no); "
               "change jobs.create_jobs in the settings to send it")
    report = await world.sync("daily")
    assert _outcomes(report, "job", job["id"]) == [("skipped", refusal)]
    with world.engine.connect() as conn:
        ops = [op for op in OperationStore(conn, world.connection_id).in_states(
            ("pending", "blocked", "dismissed")) if op["record_id"] == job["id"]]
        assert [(op["state"], op["message"]) for op in ops] == [("dismissed", refusal)]
        settings, _ = settings_store.load(conn, world.connection_id)
        ctx = Context(conn, world.tenant_id, world.connection_id, settings, UNKNOWN_PROFILE)
        assert [u.record_id for u in unsynced(ctx, ("job",))] == []
    again = await world.sync("daily")
    assert _outcomes(again, "job", job["id"]) == []
    assert "Lobby renovation" not in await world.by_name("Customer")
