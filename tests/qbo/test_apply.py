"""apply(): batches of at most 30 with deterministic requestids, every answer mapped back
to its operation, errors as data; exactly once under injected faults."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.errors import Action
from ledgerbridge.qbo.http import RetryPolicy
from ledgerbridge.qbo.operations import Operation, Result, batch_request_id, pack

from .conftest import Company, MakeClient, Recorder, records


class LosesAnswers(httpx.AsyncBaseTransport):
    """Passes every request on, but throws away the answer of every ``every``-th write
    (the write happened; the client only sees the connection drop)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, every: int) -> None:
        self.inner = inner
        self.every = every
        self.writes = 0
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            self.writes += 1
            if self.writes % self.every == 0 and response.status_code == 200:
                self.lost += 1
                raise httpx.RemoteProtocolError("connection dropped after the write")
        return response


def creates(count: int, prefix: str = "Customer") -> list[Operation]:
    return [Operation(id=f"op-{prefix}-{i:05d}", action="create", entity="Customer",
                      payload={"DisplayName": f"{prefix} {i:05d}"}) for i in range(count)]


async def test_batches_hold_at_most_30_with_stable_request_ids(
        make_client: MakeClient, recorder: Recorder, admin: httpx.AsyncClient,
        company: Company) -> None:
    ops = creates(95)
    client = await make_client()
    results = await client.apply(list(reversed(ops)))

    assert [r.operation_id for r in results] == [op.id for op in reversed(ops)]
    assert all(r.ok and r.entity_id and r.sync_token == "0" for r in results)
    batches = recorder.batches()
    assert [len(b["body"]["BatchItemRequest"]) for b in batches] == [30, 30, 30, 5]
    expected_ids = {batch_request_id(group) for group in pack(ops)}
    assert {b["params"]["requestid"] for b in batches} == expected_ids
    assert all(len(b["params"]["requestid"]) <= 36 for b in batches)
    assert all(len(item["bId"]) <= 10 for b in batches for item in b["body"]["BatchItemRequest"])
    assert all(b["params"]["minorversion"] == "75" for b in batches)
    stored = await records(admin, company.realm, "Customer")
    by_name = {r["DisplayName"]: r["Id"] for r in stored}
    assert {r.operation_id: r.entity_id for r in results} == {
        op.id: by_name[op.payload["DisplayName"]] for op in ops}


async def test_a_resent_apply_repeats_nothing(make_client: MakeClient, admin: httpx.AsyncClient,
                                              company: Company) -> None:
    ops = [*creates(40), Operation("op-lone", "create", "Vendor", {"DisplayName": "Lone"})]
    client = await make_client()
    first = await client.apply(ops)
    again = await client.apply(ops)  # a crash before the answers were kept

    assert [r.entity_id for r in first] == [r.entity_id for r in again]
    assert len(await records(admin, company.realm, "Customer")) == 40
    assert len(await records(admin, company.realm, "Vendor")) == 1



class _LostThenThrottled(httpx.AsyncBaseTransport):
    """The first write is carried out and its answer lost (502); every later try is
    throttled (429), or every try when ``lose_first`` is off."""

    def __init__(self, inner: httpx.AsyncBaseTransport, lose_first: bool) -> None:
        self.inner, self.lose_first, self.tries = inner, lose_first, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return await self.inner.handle_async_request(request)
        self.tries += 1
        if self.tries == 1 and self.lose_first:
            await self.inner.handle_async_request(request)
            return httpx.Response(502, text="Bad Gateway")
        return httpx.Response(429, text="Too Many Requests")


@pytest.mark.parametrize("lose_first", [True, False])
async def test_a_doubt_from_an_earlier_try_stays_with_the_error_given_up_on(
        make_client: MakeClient, recorder: Recorder, lose_first: bool) -> None:
    """A call that may have been carried out on one try, then throttled until the client
    gives up, says so (a create is then looked up, not sent again blindly); one throttled
    on every try was certainly not carried out."""
    wire = _LostThenThrottled(recorder, lose_first)
    client = await make_client(transport=wire, retry=RetryPolicy(attempts=3, throttles=2))
    [result] = await client.apply([Operation("c1", "create", "Customer",
                                             {"DisplayName": "Maybe Made"})])
    assert result.error is not None and result.error.code == "http:429"
    assert result.error.action is Action.RETRY_LATER
    assert result.error.maybe_applied is lose_first
    assert wire.tries == (3 if lose_first else 2)

async def test_failures_are_classified_per_operation(make_client: MakeClient) -> None:
    client = await make_client()
    [vendor] = await client.apply([Operation("v1", "create", "Vendor",
                                             {"DisplayName": "Acme Supply"})])
    ops = [Operation("c1", "create", "Customer", {"DisplayName": "acme supply"}),
           Operation("c2", "create", "Customer", {"DisplayName": "Bad: colon"}),
           Operation("c3", "create", "Customer", {"DisplayName": "Fine"}),
           Operation("c4", "update", "Vendor", {"Id": vendor.entity_id, "SyncToken": "7",
                                                "DisplayName": "Acme"})]
    by_id = {r.operation_id: r for r in await client.apply(ops)}

    clash = by_id["c1"].error
    assert clash is not None and clash.code == "6240" and clash.action is Action.RECORD_FAILED
    assert clash.message == ("A vendor in QuickBooks already uses the name 'acme supply'. "
                             "Rename one of them, or set the name collision rule to suffix.")
    colon = by_id["c2"].error
    assert colon is not None and colon.code == "2040" and "colon" in colon.message
    assert by_id["c3"].ok
    stale = by_id["c4"].error
    assert stale is not None and stale.code == "5010"
    assert stale.action is Action.REREAD_AND_RETRY


async def _two_invoices(client: QboClient, admin: httpx.AsyncClient, company: Company
                        ) -> list[Result]:
    [customer] = await client.apply([Operation("c", "create", "Customer",
                                               {"DisplayName": "Payer"})])
    line = {"Amount": 10, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": 10}}
    items = (await admin.get(f"/sandbox/companies/{company.realm}/records/Item")).json()
    if not items["records"]:
        await admin.post(f"/sandbox/companies/{company.realm}/seed?mode=create",
                         json={"Item": [{"Name": "Labor", "Type": "Service",
                                         "IncomeAccountRef": {"value": "1"}}]})
        items = (await admin.get(f"/sandbox/companies/{company.realm}/records/Item")).json()
    line["SalesItemLineDetail"]["ItemRef"] = {"value": items["records"][0]["Id"]}
    invoice = {"CustomerRef": {"value": customer.entity_id}, "Line": [line]}
    made = await client.apply([Operation("i1", "create", "Invoice", invoice),
                               Operation("i2", "create", "Invoice", invoice)])
    assert all(r.ok for r in made), [r.error for r in made]
    return made


async def test_delete_and_void_map_back(make_client: MakeClient, admin: httpx.AsyncClient,
                                        company: Company) -> None:
    client = await make_client()
    made = await _two_invoices(client, admin, company)
    done = await client.apply([
        Operation("d1", "delete", "Invoice", {"Id": made[0].entity_id, "SyncToken": "0"}),
        Operation("v2", "void", "Invoice", {"Id": made[1].entity_id, "SyncToken": "0"})])
    assert done[0].ok and done[0].entity_id == made[0].entity_id
    assert done[0].object is not None and done[0].object["status"] == "Deleted"
    assert done[1].ok and done[1].sync_token == "1"


async def test_a_delete_or_void_of_what_is_gone_is_done_an_update_is_not(
        make_client: MakeClient, admin: httpx.AsyncClient, company: Company) -> None:
    """610 (object not found) answering a delete or a void names the very invoice: it
    is gone already, so the work is done; answering an update it stays a failure."""
    client = await make_client()
    made = await _two_invoices(client, admin, company)
    gone = {"Id": made[0].entity_id, "SyncToken": "0"}
    [deleted] = await client.apply([Operation("d1", "delete", "Invoice", gone)])
    assert deleted.ok
    by_id = {r.operation_id: r for r in await client.apply([
        Operation("d1-2", "delete", "Invoice", gone),
        Operation("v1", "void", "Invoice", gone),
        Operation("u1", "update", "Invoice", {**gone, "sparse": True, "PrivateNote": "x"})])}
    for op_id, says in (("d1-2", "deleted already"), ("v1", "nothing left to void")):
        error = by_id[op_id].error
        assert error is not None and error.code == "610"
        assert error.action is Action.ALREADY_DONE and says in error.message
    update = by_id["u1"].error
    assert update is not None and update.code == "610"
    assert update.action is Action.RECORD_FAILED and "Reactivate it" in update.message


@pytest.mark.parametrize("seed", [4, 7])
async def test_every_operation_exactly_once_under_faults(
        seed: int, make_client: MakeClient, admin: httpx.AsyncClient, company: Company,
        recorder: Recorder) -> None:
    await admin.put("/sandbox/settings", json={"faults": {
        "rate": 0.1, "kinds": ["429", "500", "503", "hang", "drop"], "seed": seed,
        "hang_seconds": 30}})
    lossy = LosesAnswers(recorder, every=9)
    client = await make_client(timeout=0.2, transport=lossy)
    ops = creates(300)
    groups = [ops[i:i + 7] for i in range(0, 280, 7)] + [[op] for op in ops[280:]]
    results = [r for group in groups for r in await client.apply(group)]

    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    stored = await records(admin, company.realm, "Customer")
    names = Counter(r["DisplayName"] for r in stored)
    assert names == Counter(op.payload["DisplayName"] for op in ops)  # none lost, no twins
    injected = (await admin.get("/sandbox/stats")).json()["faults_injected"]
    assert set(injected) == {"429", "500", "503", "hang", "drop"}, injected
    assert max(len(b["body"]["BatchItemRequest"]) for b in recorder.batches()) <= 30
    assert lossy.lost >= 5  # writes done whose answers never came back, then resent
