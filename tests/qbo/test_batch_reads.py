"""Whole lists read through batch calls: a large company in two calls, pages ten to a
call, rows vanishing between calls read again once then RetryLaterError, a Fault in one
batch item raised as the same query alone would raise it, unless it is one to retry:
then those items are asked again, within the read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ledgerbridge.errors import LedgerbridgeError, RecordRejectedError, RetryLaterError
from ledgerbridge.qbo.batch_reads import Ask, pack
from ledgerbridge.qbo.errors import QboError
from ledgerbridge.qbo.http import RetryPolicy

from .conftest import Company, FakeTime, MakeClient, Recorder, records
from .test_budget_reads import seed

PROFILE = {"CompanyInfo": "SELECT * FROM CompanyInfo",
           "Preferences": "SELECT * FROM Preferences",
           "TaxAgency": "SELECT * FROM TaxAgency"}
LISTS = ["Customer", "Vendor", "Item", "Class", "Account"]


async def seed_company(admin: httpx.AsyncClient, realm: str, customers: int) -> None:
    await seed(admin, realm, "Customer", [
        {"DisplayName": f"Cust {i:04d}", "Active": i % 7 != 0} for i in range(customers)])
    await seed(admin, realm, "Vendor", [{"DisplayName": f"Vendor {i}"} for i in range(12)])
    await seed(admin, realm, "Item", [{"Name": f"Item {i}", "Type": "Service"}
                                      for i in range(8)])
    await seed(admin, realm, "Class", [{"Name": f"Class {i}", "Active": i != 0}
                                       for i in range(3)])


async def realm_calls(admin: httpx.AsyncClient, realm: str) -> dict[str, int]:
    calls: dict[str, int] = (await admin.get("/sandbox/stats")).json()["calls"].get(realm, {})
    return calls


async def test_a_large_company_is_read_in_two_calls(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    await seed_company(admin, company.realm, 2500)
    client = await make_client()
    found, answers = await client.read_lists(LISTS, PROFILE)
    for entity in LISTS:  # every row, inactive ones too, in Id order, once
        stored = await records(admin, company.realm, entity)
        assert [row["Id"] for row in found[entity]] == sorted(
            (row["Id"] for row in stored), key=int), entity
    assert len(found["Customer"]) == 2500
    assert answers["CompanyInfo"]["CompanyInfo"][0]["CompanyName"] == "Acme"
    assert set(answers) == set(PROFILE)
    # counted at the transport and at QuickBooks: the first batch, then one batch with
    # the two pages COUNT said remained
    assert len(recorder.requests) == len(recorder.batches()) == 2
    assert await realm_calls(admin, company.realm) == {"batch": 2}
    first, pages = (batch["body"]["BatchItemRequest"] for batch in recorder.batches())
    assert len(first) == 2 * len(LISTS) + len(PROFILE)
    assert [item["Query"] for item in pages] == [
        "SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id "
        f"STARTPOSITION {start} MAXRESULTS 1000" for start in (1001, 2001)]


async def test_a_list_of_whole_pages_asks_one_page_more_in_the_same_call(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    """A list ends at a short page: the pages asked reach one row past COUNT."""
    await seed(admin, company.realm, "Vendor", [{"DisplayName": f"V{i}"}
                                                 for i in range(2000)])
    client = await make_client()
    assert len(await client.read_all("Vendor")) == 2000
    assert len(recorder.requests) == 2
    pages = recorder.batches()[1]["body"]["BatchItemRequest"]
    starts = [item["Query"].split("STARTPOSITION ")[1].split()[0] for item in pages]
    assert starts == ["1001", "2001"]


def test_pages_go_ten_to_a_batch_call_and_a_count_stays_with_its_page() -> None:
    def page(n: int) -> Ask:
        return Ask(f"p{n}", "Customer", "SELECT", page=True)

    count = Ask("c", "Customer", "SELECT COUNT(*)")
    batches = pack([[page(n)] for n in range(25)])
    assert [len(batch) for batch in batches] == [10, 10, 5]
    openings = pack([[count, page(n)] for n in range(12)] + [[count]] * 7)
    assert [len(batch) for batch in openings] == [20, 11]  # 10 pages, then the rest
    assert all(sum(ask.page for ask in batch) <= 10 for batch in openings)
    assert max(len(batch) for batch in pack([[count]] * 70)) == 30


@dataclass
class Vanishing(httpx.AsyncBaseTransport):
    """After each of the first ``times`` batch calls that count customers, the fifth
    customer by Id leaves QuickBooks (as a merge takes one away)."""

    inner: httpx.AsyncBaseTransport
    table: dict[str, dict[str, Any]]
    times: int

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.times and b"COUNT(*) FROM Customer" in await request.aread():
            self.times -= 1
            self.table.pop(sorted(self.table, key=int)[4])
        return response


def customers_of(sandbox: Any, realm: str) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = sandbox.state.sandbox.state.companies[realm].records[
        "Customer"]
    return table


async def test_rows_vanishing_between_calls_are_read_again_once(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder, sandbox: Any) -> None:
    await seed_company(admin, company.realm, 2500)
    table = customers_of(sandbox, company.realm)
    client = await make_client(transport=Vanishing(recorder, table, times=1))
    found, _ = await client.read_lists(LISTS)
    assert [row["Id"] for row in found["Customer"]] == sorted(table, key=int)
    assert len(found["Customer"]) == 2499
    # the first read (two calls) held one row fewer than COUNT: the customers alone again
    assert len(recorder.requests) == 4
    again = recorder.batches()[2]["body"]["BatchItemRequest"]
    assert all("FROM Customer" in item["Query"] for item in again)


async def test_rows_vanishing_again_mean_retry_later(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder, sandbox: Any) -> None:
    await seed_company(admin, company.realm, 2500)
    table = customers_of(sandbox, company.realm)
    client = await make_client(transport=Vanishing(recorder, table, times=2))
    with pytest.raises(RetryLaterError, match="COUNT said 2499, the pages held 2498"):
        await client.read_lists(LISTS)
    assert len(recorder.requests) == 4  # read, read again, no third time


async def test_rows_added_behind_the_last_page_are_read_too(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder, sandbox: Any) -> None:
    """COUNT said 1999; a row added before the pages makes the last page full, so the
    next one is read as well."""
    await seed(admin, company.realm, "Customer", [{"DisplayName": f"C{i}"}
                                                   for i in range(1999)])
    table = customers_of(sandbox, company.realm)

    @dataclass
    class Adding(httpx.AsyncBaseTransport):
        inner: httpx.AsyncBaseTransport

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            if b"COUNT(*)" in await request.aread():
                last = max(table.values(), key=lambda row: int(row["Id"]))
                new_id = str(int(last["Id"]) + 1000)
                table[new_id] = {**last, "Id": new_id, "DisplayName": "Late"}
            return response

    client = await make_client(transport=Adding(recorder))
    found = await client.read_all("Customer")
    assert len(found) == 2000 and found[-1]["DisplayName"] == "Late"
    # first batch, the page COUNT called for (full), then the next one alone (short)
    assert len(recorder.requests) == 3
    assert "STARTPOSITION 2001" in recorder.requests[2].url.params["query"]


def qbo_error(exc: LedgerbridgeError) -> QboError:
    error = exc.context.extra["qbo_error"]
    assert isinstance(error, QboError)
    return error


@pytest.mark.parametrize("text", ["SELECT * FROM Nowhere", "SELECT * FRM Vendor"])
async def test_a_fault_in_one_batch_item_raises_what_the_query_alone_would(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        text: str) -> None:
    await seed(admin, company.realm, "Vendor", [{"DisplayName": "Acme Supply"}])
    client = await make_client()
    with pytest.raises(RecordRejectedError) as alone:
        await client.query(text)
    with pytest.raises(RecordRejectedError) as batched:
        await client.read_lists(["Vendor", "Customer"], {"Odd": text, **PROFILE})
    assert qbo_error(batched.value) == qbo_error(alone.value)
    assert qbo_error(batched.value).code in ("4000", "4001")
    assert str(batched.value) == str(alone.value)


class ItemFaults(httpx.AsyncBaseTransport):
    """Answers the first ``calls`` batch calls with QuickBooks' transient 10000 Fault in
    place of the items ``bids`` (the rest of each answer as the sandbox gave it)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, bids: set[str], calls: int) -> None:
        self.inner = inner
        self.bids = bids
        self.calls = calls
        self.faulted = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("/batch") or self.faulted >= self.calls:
            return response
        self.faulted += 1
        await response.aread()
        body = response.json()
        fault = {"Error": [{"Message": "An application error has occurred while processing "
                            "your request", "Detail": "System Failure Error", "code": "10000"}],
                 "type": "SystemFault"}
        body["BatchItemResponse"] = [
            {"bId": item["bId"], "Fault": fault} if item["bId"] in self.bids else item
            for item in body["BatchItemResponse"]]
        return httpx.Response(200, json=body)


async def test_a_passing_fault_in_batch_items_is_asked_again_within_the_read(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder, fake_time: FakeTime) -> None:
    """The first page and COUNT of customers fail with 10000 in the first call: those two
    are asked again after a backoff, the others are not, and the lists come out whole."""
    await seed_company(admin, company.realm, 40)
    faults = ItemFaults(recorder, {"0", "1"}, calls=1)
    client = await make_client(transport=faults)
    rows, answers = await client.read_lists(LISTS, PROFILE)
    assert faults.faulted == 1 and len(fake_time.slept) == 1
    for entity in ("Customer", "Vendor", "Item", "Class"):
        assert sorted(r["Id"] for r in rows[entity]) == sorted(
            r["Id"] for r in await records(admin, company.realm, entity))
    assert answers["CompanyInfo"]["CompanyInfo"]
    batches = [r for r in recorder.requests if r.url.path.endswith("/batch")]
    assert len(batches) == 2
    first, again = ([item["Query"] for item in json.loads(call.content)["BatchItemRequest"]]
                    for call in batches)
    assert again == first[:2] and "COUNT(*) FROM Customer" in again[0]


async def test_a_fault_that_keeps_coming_back_ends_in_retry_later(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder, fake_time: FakeTime) -> None:
    await seed_company(admin, company.realm, 5)
    faults = ItemFaults(recorder, {"0", "1"}, calls=1000)
    client = await make_client(transport=faults, retry=RetryPolicy(attempts=3, throttles=3))
    with pytest.raises(RetryLaterError) as raised:
        await client.read_lists(LISTS, PROFILE)
    assert qbo_error(raised.value).code == "10000"
    assert faults.faulted == 3 and len(fake_time.slept) == 2  # three tries, two backoffs
