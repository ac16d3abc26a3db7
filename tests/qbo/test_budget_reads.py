"""The budget (proactive limits, 429 waited out), reads (pages, COUNT, IN lists that fit
the URL) and CDC (read by query past 1000, 30 days)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ledgerbridge.qbo.budget import Limits, Permit, RealmBudget
from ledgerbridge.qbo.errors import Action
from ledgerbridge.qbo.operations import Operation
from ledgerbridge.sandbox.qbo import ManualClock
from ledgerbridge.sandbox.qbo.clock import format_meta

from .conftest import Company, FakeTime, MakeClient, Recorder


async def test_a_429_with_its_xml_body_is_waited_out(
        make_client: MakeClient, admin: httpx.AsyncClient, fake_time: FakeTime,
        recorder: Recorder) -> None:
    await admin.put("/sandbox/settings", json={"limits": {"per_minute": 3}})
    client = await make_client()
    for i in range(4):
        [result] = await client.apply([Operation(f"op{i}", "create", "Customer",
                                                 {"DisplayName": f"C{i}"})])
        assert result.ok
    throttled = [r for r in recorder.requests if r.url.path.endswith("/customer")]
    assert len(throttled) == 5  # the fourth create met one 429, then went through
    assert client.http.budget.stats.throttled == 1
    assert 60.0 in fake_time.slept  # no Retry-After: 60 seconds


async def test_steady_work_never_meets_a_429(make_client: MakeClient,
                                             admin: httpx.AsyncClient) -> None:
    client = await make_client()
    ops = [Operation(f"op{i:04d}", "create", "Customer", {"DisplayName": f"C{i:04d}"})
           for i in range(1500)]  # 50 batch calls: more than 40 a minute
    results = await client.apply(ops)
    assert all(r.ok for r in results)
    stats = (await admin.get("/sandbox/stats")).json()
    assert stats["total_throttled"] == 0 and stats["calls"]
    assert client.http.budget.stats.waited >= 59


async def test_the_budget_holds_ten_in_flight_and_honours_retry_after() -> None:
    clock = ManualClock(0)
    time = FakeTime(clock)
    budget = RealmBudget(Limits(), clock=time.clock, sleep=time.sleep)
    permits = [await budget.acquire() for _ in range(10)]
    assert budget._wait(time.now, False) > 0  # the eleventh waits
    permits[0].release()
    assert budget._wait(time.now, False) == 0
    budget.throttled(12.5)
    await budget.acquire()
    assert time.slept == [12.5]


async def test_callers_waiting_for_the_window_each_wake_once_in_turn() -> None:
    """Five calls finished 20 ms apart fill a window of five; five more callers wait.
    Each sleeps until its own place frees, not all of them for every call admitted
    (that would be 5 + 4 + 3 + 2 + 1 sleeps)."""
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    budget = RealmBudget(Limits(per_minute=5, window=0.3), sleep=sleep)
    for _ in range(5):
        (await budget.acquire()).release()
        await asyncio.sleep(0.02)
    order: list[int] = []

    async def caller(n: int) -> Permit:
        permit = await budget.acquire()
        order.append(n)
        return permit

    permits = await asyncio.gather(*(caller(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]  # in arrival order
    assert len(sleeps) <= 6, sleeps  # one each (and a timer's rounding, at most)
    assert budget._wait(budget.clock(), False) > 0  # the window is full again
    for permit in permits:
        permit.release()


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    budget = RealmBudget(Limits(per_minute=1, window=30))
    (await budget.acquire()).release()
    waiting = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0.01)
    assert len(budget._queue) == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert budget._queue == []


async def seed(admin: httpx.AsyncClient, realm: str, entity: str, records: list[Any]) -> None:
    response = await admin.post(f"/sandbox/companies/{realm}/seed", json={entity: records})
    assert response.status_code == 200, response.text


async def test_read_all_pages_by_1000_and_includes_inactive(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    await seed(admin, company.realm, "Customer", [
        {"DisplayName": f"Cust {i}", "Active": i % 10 != 0} for i in range(2345)])
    client = await make_client()
    found = await client.read_all("Customer")
    assert len(found) == 2345 and len({c["Id"] for c in found}) == 2345
    # one batch call: COUNT and the first page; one more: the other two pages
    assert len(recorder.requests) == len(recorder.batches()) == 2
    queries = [item["Query"] for batch in recorder.batches()
               for item in batch["body"]["BatchItemRequest"]]
    assert sum("STARTPOSITION" in q for q in queries) == 3
    assert sum("COUNT(*)" in q for q in queries) == 1


async def test_a_list_that_fits_one_page_costs_one_call(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    await seed(admin, company.realm, "Vendor", [{"DisplayName": f"Vendor {i}"}
                                                 for i in range(40)])
    client = await make_client()
    before = len(recorder.requests)
    found = await client.read_all("Vendor")
    assert len(found) == 40
    assert len(recorder.requests) - before == 1  # COUNT and the page in one batch call


async def test_find_by_names_splits_in_lists_to_fit_the_url(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    """Names of one word: only IN lists, each short enough for a query's URL (a lone one
    goes as a plain GET), together in one batch call."""
    names = [f"Vendor-O'Brien-&-Sons-number-{i:04d}-of-a-long-list" for i in range(300)]
    await seed(admin, company.realm, "Vendor", [{"DisplayName": n, "Active": True}
                                                 for n in names])
    client = await make_client()
    asked = [n.upper() for n in names[:250]] + ["Nobody-At-All"]
    before = len(recorder.requests)
    found = await client.find_by_names("Vendor", asked)
    assert set(found) == set(asked[:250])
    sent = recorder.requests[before:]
    assert [r.url.path.rsplit("/", 1)[-1] for r in sent] == ["batch"]
    queries = [item["Query"] for item in json.loads(sent[0].content)["BatchItemRequest"]]
    assert len(queries) > 1 and all("LIKE" not in q for q in queries)
    alone = [httpx.URL(f"https://quickbooks.api.intuit.com/v3/company/{company.realm}/query",
                       params={"query": q, "minorversion": "75"}) for q in queries]
    assert max(len(str(url)) for url in alone) <= 4000  # were it to go alone


async def test_find_by_names_finds_names_spaced_otherwise(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    """QuickBooks keeps spaces as typed: a name of several words is also looked for by
    a LIKE of its words, in the same batch call; the exact spelling wins."""
    await seed(admin, company.realm, "Vendor", [
        {"DisplayName": "Smith  &  Sons", "Active": True},
        {"DisplayName": "Harbor  View", "Active": True},
        {"DisplayName": "Harbor View", "Active": True},
        {"DisplayName": "Smith & Sons Supply", "Active": True}])
    client = await make_client()
    before = len(recorder.requests)
    found = await client.find_by_names("Vendor", ["Smith & Sons", "harbor view", "Nobody"])
    assert {name: row["DisplayName"] for name, row in found.items()} == {
        "Smith & Sons": "Smith  &  Sons", "harbor view": "Harbor View"}
    assert len(recorder.requests) - before == 1


def spread(count: int, start: float, step: float, make: Any) -> list[Any]:
    return [{**make(i), "MetaData": {"CreateTime": format_meta(start + i * step),
                                      "LastUpdatedTime": format_meta(start + i * step)}}
            for i in range(count)]


async def test_cdc_reads_windows_past_1000(make_client: MakeClient, admin: httpx.AsyncClient,
                                            company: Company, clock: ManualClock) -> None:
    now = clock.now()
    since = datetime.fromtimestamp(now - 86_400, UTC)
    await seed(admin, company.realm, "Customer", spread(
        1700, now - 80_000, 40, lambda i: {"DisplayName": f"Cust {i}", "Active": True}))
    await seed(admin, company.realm, "Vendor", spread(
        400, now - 80_000, 150, lambda i: {"DisplayName": f"Vend {i}", "Active": True}))
    client = await make_client()
    changes = await client.changes_since(["Customer", "Vendor"], since)
    assert len(changes.of("Customer")) == 1700 and len(changes.of("Vendor")) == 400
    assert changes.calls >= 3 and changes.full_read_due == ()
    assert changes.checked_at is not None


async def test_cdc_reports_deletions_and_a_due_full_read(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        clock: ManualClock) -> None:
    client = await make_client()
    since = datetime.fromtimestamp(clock.now() - 60, UTC)
    [customer] = await client.apply([Operation("c", "create", "Customer", {"DisplayName": "X"})])
    assert customer.ok
    changes = await client.changes_since(["Customer"], since)
    assert [c.id for c in changes.changes] == [customer.entity_id]
    old = await client.changes_since(["Customer"], since - timedelta(days=31))
    assert old.full_read_due == ("Customer",) and old.calls == 0


def invoices(count: int, when: float, first: int = 1) -> list[dict[str, Any]]:
    return [{"Id": str(first + i), "CustomerRef": {"value": "1"}, "TotalAmt": 5.0,
             "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 5.0,
                       "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}],
             "MetaData": {"CreateTime": format_meta(when), "LastUpdatedTime": format_meta(when)}}
            for i in range(count)]


async def test_a_burst_past_1000_is_read_by_query_and_its_deletions_unseen(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        clock: ManualClock) -> None:
    """1200 invoices changed in one second: CDC's answer is cut at 1000, so the window
    is read by query (every change there), and the invoices' deletions there are said to
    be unseen: nothing is given up."""
    since = datetime.fromtimestamp(clock.now() - 3600, UTC)
    await seed(admin, company.realm, "Invoice", invoices(1200, clock.now() - 60))
    await seed(admin, company.realm, "Customer", [{"DisplayName": "Walk-in", "Active": True}])
    client = await make_client()
    changes = await client.changes_since(["Customer", "Invoice"], since)
    assert len(changes.of("Invoice")) == 1200 and len(changes.of("Customer")) == 1
    assert changes.full_read_due == () and changes.deletions_unseen == ("Invoice",)


async def test_a_window_past_1000_reads_each_change_once(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        clock: ManualClock, recorder: Recorder) -> None:
    """2500 invoices and 30 customers changed through a day: CDC's answer is cut at
    1000, and the entities are read by query instead, each change once: three calls (the
    CDC call; every entity's COUNT and first page; the missing pages), and no object
    read more than twice (the 1000 of the CDC answer, again by query). What changed
    before the window is not read; the invoices' deletions are said to be unseen."""
    now = clock.now()
    since = datetime.fromtimestamp(now - 86_400, UTC)
    await seed(admin, company.realm, "Invoice", invoices(200, now - 90_000, first=9001))
    await seed(admin, company.realm, "Invoice", [
        {**invoice, "MetaData": {"CreateTime": format_meta(now - 80_000 + i * 30),
                                 "LastUpdatedTime": format_meta(now - 80_000 + i * 30)}}
        for i, invoice in enumerate(invoices(2500, now))])
    await seed(admin, company.realm, "Customer", spread(
        30, now - 70_000, 2000, lambda i: {"DisplayName": f"Cust {i}", "Active": True}))
    client = await make_client()
    recorder.keep_answers = True
    before = len(recorder.requests)
    changes = await client.changes_since(["Customer", "Invoice", "Payment"], since)
    assert sorted(int(c.id) for c in changes.of("Invoice")) == list(range(1, 2501))
    assert len(changes.of("Customer")) == 30 and changes.of("Payment") == []
    read = recorder.objects_read()
    assert not any(int(remote_id) > 9000 for entity, remote_id in read if entity == "Invoice")
    assert len(read) == 2530 and max(read.values()) <= 2
    assert sum(read.values()) <= 2530 + 1000
    assert len(recorder.requests) - before == changes.calls == 3
    assert changes.deletions_unseen == ("Invoice", "Payment")
    assert changes.checked_at is not None


async def test_read_changed_counts_the_known_ids_and_reads_only_the_short_ones(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        clock: ManualClock, recorder: Recorder) -> None:
    """What changed since a moment, by query, and which known ids are gone: one batch
    call (the changes' COUNT and first page, a COUNT per 1000 known ids), then the rows
    of the one thousand whose COUNT came up short, as a POST (too long for a URL)."""
    await seed(admin, company.realm, "Invoice", invoices(2500, clock.now() - 600))
    since = datetime.fromtimestamp(clock.now() - 60, UTC)
    await seed(admin, company.realm, "Invoice", invoices(1, clock.now(), first=7))
    client = await make_client()
    before = len(recorder.requests)
    known = [str(i) for i in range(1, 2501)] + ["2601", "2602"]  # deleted meanwhile
    found = await client.read_changed(["Invoice"], since, {"Invoice": known})
    assert [row["Id"] for row in found.rows["Invoice"]] == ["7"]
    assert found.gone == {"Invoice": {"2601", "2602"}} and found.checked_at is not None
    calls = recorder.requests[before:]
    assert [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in calls] == [
        ("POST", "batch"), ("POST", "query")]
    first = recorder.batches()[-1]["body"]["BatchItemRequest"]
    assert sum("COUNT(*)" in item["Query"] and "Id IN" in item["Query"]
               for item in first) == 3
    assert "'2001'" in calls[1].content.decode() and "'1'," not in calls[1].content.decode()


@pytest.mark.parametrize(("code", "action"), [("6190", Action.COMPANY_PROBLEM),
                                               ("6210", Action.COMPANY_PROBLEM),
                                               ("3100", Action.NEEDS_RECONNECT),
                                               ("5010", Action.REREAD_AND_RETRY),
                                               ("3001", Action.RETRY_LATER)])
def test_the_table_names_an_action_for_each_code(code: str, action: Action) -> None:
    from ledgerbridge.qbo.errors import classify
    from ledgerbridge.qbo.faults import Fault

    error = classify(400, [Fault(code, "m", "d")], entity="Invoice")
    assert error.action is action and error.code == code and "?" not in error.message
