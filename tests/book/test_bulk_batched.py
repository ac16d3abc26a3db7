"""The batched bulk load gives the outcomes and records of the per-record load.

Each test loads the same records into two tenants, one the batched way (the default)
and one record by record (``batched=False``), and compares them with ids and time
stamps replaced by what they name (``customer:CUST-0001``)."""

from __future__ import annotations

import copy
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from ledgerbridge import tenants
from ledgerbridge.book import bulk, bulk_batch, changefeed, ids
from ledgerbridge.book.kinds import KINDS
from ledgerbridge.book.resolve import Resolver
from ledgerbridge.book.store import Book
from ledgerbridge.sample.company import sample_company

ID = re.compile(r"\b[a-z]+_[0-9A-Z]{26}\b")
BALANCE = ["amount_paid", "balance"]
Snapshot = tuple[dict[str, str], dict[str, dict[str, Any]]]


def second_tenant(engine: Engine) -> str:
    with engine.begin() as conn:
        return tenants.create_tenant(conn, f"per-record-{ids.new_id('t')}").id


def load(engine: Engine, tenant_id: str, records: list[Any], *, batched: bool
         ) -> list[bulk.BulkOutcome]:
    seen: list[bulk.BulkOutcome] = []
    with engine.begin() as conn:
        outcomes = bulk.load(conn, tenant_id, copy.deepcopy(records), origin="import",
                             progress=seen.append, batched=batched)
    assert seen == outcomes
    return outcomes


def snapshot(engine: Engine, tenant_id: str) -> Snapshot:
    """(id -> name, name -> record) of every record of the tenant."""
    names: dict[str, str] = {}
    found: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        book = Book(conn, tenant_id)
        for kind in KINDS:
            after = None
            while True:
                page = book.page(kind, after=after, limit=1000, include_deleted=True)
                for record in page.items:
                    name = f"{kind}:{record['external_id'] or '-'}"
                    assert name not in found, f"two records are {name}"
                    names[record["id"]] = name
                    found[name] = record
                if page.next_cursor is None:
                    break
                after = page.next_cursor
    return names, found


def canon(value: Any, names: dict[str, str]) -> Any:
    """``value`` with ids replaced by names, without line ids and time stamps."""
    if isinstance(value, dict):
        return {k: canon(v, names) for k, v in value.items()
                if k not in {"id", "created_at", "updated_at", "version"}}
    if isinstance(value, list):
        return [canon(v, names) for v in value]
    if isinstance(value, str):
        return ID.sub(lambda m: names.get(m.group(), "<id>"), value)
    return value


def outcomes_of(outcomes: list[bulk.BulkOutcome], names: dict[str, str]) -> list[Any]:
    return [(o.index, o.kind, o.status, names.get(o.id) if o.id else None, o.external_id,
             canon(o.message, names), [(p.path, canon(p.message, names)) for p in o.problems])
            for o in outcomes]


def events_of(engine: Engine, tenant_id: str, names: dict[str, str], after: int = 0
              ) -> list[Any]:
    with engine.connect() as conn:
        events = changefeed.read_changes(conn, tenant_id, after, limit=10_000)
    return [(e.kind, names[e.record_id], e.op, e.version, e.fields, e.origin) for e in events]


def compare(engine: Engine, fast_tenant: str, slow_tenant: str,
            fast: list[bulk.BulkOutcome], slow: list[bulk.BulkOutcome]
            ) -> tuple[Snapshot, Snapshot]:
    fast_snap, slow_snap = snapshot(engine, fast_tenant), snapshot(engine, slow_tenant)
    assert outcomes_of(fast, fast_snap[0]) == outcomes_of(slow, slow_snap[0])
    assert fast_snap[1].keys() == slow_snap[1].keys()
    for name, record in fast_snap[1].items():
        assert canon(record, fast_snap[0]) == canon(slow_snap[1][name], slow_snap[0]), name
    return fast_snap, slow_snap


def bad_and_odd_records() -> list[tuple[int, dict[str, Any] | str]]:
    """(position, record) to put among the sample company's records."""
    return [
        (0, {"object": "widget", "external_id": "W-1"}),
        (1, "not an object"),
        (2, {"object": "location", "external_id": "LOC-EARLY", "name": "Too early",
             "customer_external_id": "CUST-0050"}),  # the customer comes later
        (60, {"object": "customer", "external_id": "CUST-0001",
              "company_name": "Cascade Supply Co"}),  # changes it: the per-record way
        (61, {"object": "job", "customer_external_id": "CUST-0002", "name": "No location",
              "status": "open"}),  # no external id: created all the same
        (62, {"object": "job", "external_id": "JOB-BAD", "name": "No customer"}),
        (63, {"object": "job", "external_id": 5, "customer_external_id": "CUST-0002",
              "name": "Numeric external id"}),
        (64, {"object": "job", "external_id": "", "customer_external_id": "CUST-0002",
              "name": "Empty external id"}),
        (65, {"object": "location", "external_id": "LOC-0001", "name": "Renamed",
              "customer_external_id": "CUST-0001"}),
    ]


def later_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records for the end of the call: repeats, changes and broken rules."""
    first = {r["object"]: r for r in reversed(records)}
    invoice = next(r for r in records if r["object"] == "invoice"
                   and r["status"] == "finalized")
    paid = {a["invoice_external_id"] for r in records if r["object"] == "payment"
            for a in r["applications"]}
    unpaid = next(r for r in records if r["object"] == "invoice" and r["status"] == "sent"
                  and r["external_id"] not in paid)
    elsewhere = next(r for r in records if r["object"] == "location"
                     and r["customer_external_id"] != unpaid["customer_external_id"])
    other = elsewhere["customer_external_id"]  # not the unpaid invoice's customer
    payment = {"object": "payment", "customer_external_id": unpaid["customer_external_id"],
               "amount": "10.00", "payment_date": "2026-01-02"}
    return [
        dict(first["work_code"]),  # the same again: unchanged
        dict(first["bill"]),  # new line ids: updated
        {**invoice, "memo": "Changed after its payments"},  # the per-record way
        {**payment, "external_id": "PAY-A", "applications": [
            {"invoice_external_id": unpaid["external_id"], "amount": "10.00"}]},
        {**payment, "external_id": "PAY-B", "applications": [
            {"invoice_external_id": unpaid["external_id"], "amount": "10.00"}]},
        {**payment, "external_id": "PAY-TOO-MUCH", "amount": "99999999.00", "applications": [
            {"invoice_external_id": unpaid["external_id"], "amount": "99999999.00"}]},
        {**payment, "external_id": "PAY-OTHER", "customer_external_id": other,
         "applications": [{"invoice_external_id": unpaid["external_id"], "amount": "1.00"}]},
        {**payment, "external_id": "PAY-A", "memo": "changed"},  # the per-record way
        {**invoice, "external_id": "INV-BAD", "lines": [{"unit_price": "1.001"}]},
        {"object": "invoice", "external_id": "INV-NEW", "status": "finalized",
         "customer_external_id": unpaid["customer_external_id"],
         "location_external_id": elsewhere["external_id"],  # not the customer's
         "lines": [{"description": "Visit", "unit_price": "50.00"}]},
        {"object": "job", "external_id": "JOB-0001", "name": "Renamed", "status": "open",
         "customer_external_id": "CUST-0003"},
    ]


def test_sample_company_with_bad_records_loads_the_same_both_ways(
        engine: Engine, tenant_id: str) -> None:
    records: list[Any] = sample_company()
    for position, record in bad_and_odd_records():
        records.insert(position, record)
    records += later_records(sample_company())
    slow_tenant = second_tenant(engine)
    fast = load(engine, tenant_id, records, batched=True)
    slow = load(engine, slow_tenant, records, batched=False)
    counts = bulk.summarize(fast)
    assert counts["created"] > 1000 and counts["updated"] >= 3 and counts["unchanged"] >= 1
    assert counts["rejected"] == 10
    fast_snap, slow_snap = compare(engine, tenant_id, slow_tenant, fast, slow)

    # one create event per new record, in the same order, with the same fields
    fast_events = events_of(engine, tenant_id, fast_snap[0])
    slow_events = events_of(engine, slow_tenant, slow_snap[0])
    assert [e for e in fast_events if e[2] == "create"] == \
        [e for e in slow_events if e[2] == "create"]
    # the same updates, but payments on invoices still waiting to be inserted are in
    # the invoice's create (not an update per payment), so its version stays lower
    fast_updates = [e[:3] + e[4:] for e in fast_events if e[2] != "create" and e[4] != BALANCE]
    slow_updates = [e[:3] + e[4:] for e in slow_events if e[2] != "create" and e[4] != BALANCE]
    assert fast_updates == slow_updates
    assert {e[1] for e in fast_events if e[4] == BALANCE} <= \
        {e[1] for e in slow_events if e[4] == BALANCE}
    for name, record in fast_snap[1].items():
        slow_version = slow_snap[1][name]["version"]
        if name.startswith("invoice:"):
            assert record["version"] <= slow_version
        else:
            assert record["version"] == slow_version, name


def test_payments_on_stored_invoices_update_them_once_each(
        engine: Engine, tenant_id: str) -> None:
    slow_tenant = second_tenant(engine)
    company = sample_company()
    load(engine, tenant_id, company, batched=False)
    load(engine, slow_tenant, company, batched=False)
    _, stored = snapshot(engine, tenant_id)
    with engine.connect() as conn:
        after = changefeed.last_change_id(conn, tenant_id)
    names = {r["id"]: name.split(":", 1)[1] for name, r in stored.items()}
    open_invoices = [r for r in stored.values() if r["object"] == "invoice"
                     and r["status"] in ("finalized", "sent") and r["balance"] > 0]
    payments: list[Any] = [
        {"object": "payment", "external_id": f"LATE-{n}", "payment_date": "2026-02-01",
         "customer_external_id": names[inv["customer_id"]], "amount": str(inv["balance"]),
         "applications": [{"invoice_external_id": inv["external_id"],
                           "amount": str(inv["balance"])}]}
        for n, inv in enumerate(open_invoices[:40])
    ]
    payments.insert(5, {**payments[0], "external_id": "LATE-AGAIN"})  # nothing left open
    payments.insert(9, dict(company[0]))  # unchanged
    payments.insert(12, {**company[1], "company_name": "New name"})  # updated
    fast = load(engine, tenant_id, payments, batched=True)
    slow = load(engine, slow_tenant, payments, batched=False)
    assert Counter(o.status for o in fast) == {"created": 40, "rejected": 1, "unchanged": 1,
                                              "updated": 1}
    assert fast[5].status == "rejected" and "more than invoice" in str(fast[5].message)
    fast_snap, slow_snap = compare(engine, tenant_id, slow_tenant, fast, slow)
    for name, record in fast_snap[1].items():  # one payment each: versions agree too
        assert record["version"] == slow_snap[1][name]["version"], name
    fast_events = events_of(engine, tenant_id, fast_snap[0])
    slow_events = events_of(engine, slow_tenant, slow_snap[0])
    assert Counter(map(str, fast_events)) == Counter(map(str, slow_events))
    late = events_of(engine, tenant_id, fast_snap[0], after)
    assert Counter(e[2] for e in late) == {"create": 40, "update": 41}  # invoices, a customer


def test_two_payments_on_one_stored_invoice_in_one_call(engine: Engine,
                                                        tenant_id: str) -> None:
    records: list[Any] = [
        {"object": "customer", "external_id": "C1", "company_name": "Smith & Sons"},
        {"object": "invoice", "external_id": "I1", "customer_external_id": "C1",
         "status": "finalized", "lines": [{"description": "Visit", "unit_price": "100.00"}]},
    ]
    load(engine, tenant_id, records, batched=True)
    pay = {"object": "payment", "customer_external_id": "C1", "payment_date": "2026-03-01",
           "amount": "30.00", "applications": [{"invoice_external_id": "I1",
                                                "amount": "30.00"}]}
    outcomes = load(engine, tenant_id, [{**pay, "external_id": "P1"},
                                        {**pay, "external_id": "P2"},
                                        {**pay, "external_id": "P3"},
                                        {**pay, "external_id": "P4"}], batched=True)
    assert [o.status for o in outcomes] == ["created", "created", "created", "rejected"]
    message = outcomes[3].problems[0].message
    assert message.startswith("30.00 is more than invoice") and message.endswith("(10.00)")
    with engine.connect() as conn:
        invoice = Book(conn, tenant_id).get_by_external("invoice", "I1")
        events = changefeed.read_changes(conn, tenant_id, kinds=["invoice"])
    assert (invoice["amount_paid"], invoice["balance"]) == (Decimal("90.00"), Decimal("10.00"))
    assert [(e.op, e.version, e.fields) for e in events][1:] == [("update", 2, BALANCE)]


def test_a_refused_batch_is_redone_record_by_record(
        engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A concurrent writer takes an external id between the warm-up and the insert:
    the unique constraint refuses the batch, and the per-record way sees the row."""
    slow_tenant = second_tenant(engine)
    first = [{"object": "customer", "external_id": "C1", "company_name": "Smith & Sons"}]
    for tenant in (tenant_id, slow_tenant):
        load(engine, tenant, first, batched=False)
    records: list[Any] = [
        {"object": "customer", "external_id": "C2", "company_name": "Jones Heating"},
        {"object": "customer", "external_id": "C1", "company_name": "Smith & Sons"},
        {"object": "location", "external_id": "L1", "customer_external_id": "C1",
         "name": "Warehouse"},
        {"object": "job", "external_id": "J1", "name": "No customer"},
    ]
    prefetch = Resolver.prefetch

    def blind(self: Resolver, kind: str, external_ids: Any = (), ids: Any = ()) -> Any:
        return prefetch(self, kind, [e for e in external_ids if e != "C1"], ids)

    results: list[Any] = []
    load_batched = bulk_batch.load_batched

    def spy(*args: Any) -> Any:
        results.append(load_batched(*args))
        return results[-1]

    monkeypatch.setattr(Resolver, "prefetch", blind)
    monkeypatch.setattr(bulk_batch, "load_batched", spy)
    fast = load(engine, tenant_id, records, batched=True)
    monkeypatch.undo()
    slow = load(engine, slow_tenant, records, batched=False)
    assert results == [None]
    assert [o.status for o in fast] == ["created", "unchanged", "created", "rejected"]
    compare(engine, tenant_id, slow_tenant, fast, slow)


def test_fast_ids_are_the_ids_of_the_ids_module() -> None:
    for millis, rand in [(0, 0), (1_767_225_600_000, 2**80 - 1), (2**48 - 1, 12345)]:
        assert ids.encode(millis, rand) == _reference(millis, 10) + _reference(rand, 16)
    assert re.fullmatch(r"inv_[0-9A-HJKMNP-TV-Z]{26}", ids.new_id("inv"))


def _reference(value: int, length: int) -> str:
    """Base32, one character at a time: what the table look-ups must agree with."""
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(ids.ALPHABET[rem])
    return "".join(reversed(chars))
