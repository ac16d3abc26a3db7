"""JobTread (seeds/jobtread-qbo.txt) end to end on the QuickBooks Online sandbox:
finalized invoices and bills go, drafts wait; records before the go-live date wait
under unsynced records until pushed; no tax agency stops documents with a clear
message; cost codes map to items (autofill, default item) and cost types to classes;
the colon rule; negative invoices and credit memos; invoice status back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine

from ledgerbridge import sync_service
from ledgerbridge.engine.unsynced import unsynced
from ledgerbridge.settings import mappings
from support.qbo_world import World, make_world


async def _items(world: World, *names: str) -> dict[str, str]:
    """QuickBooks service items (imported there by the user, as JobTread asks)."""
    ids = (await world.seed({"Item": [{"Name": n, "Type": "Service"} for n in names]}))
    return dict(zip(names, ids["Item"], strict=True))


def _setup(world: World) -> dict[str, Any]:
    """A JobTread account: a customer with a job, cost codes, cost types, a vendor."""
    with world.book() as book:
        made: dict[str, Any] = {
            "customer": book.create("customer", {"company_name": "Hill Residence"}).record}
        made["job"] = book.create("job", {"customer_id": made["customer"]["id"],
                                          "name": "Kitchen remodel"}).record
        for name in ("Demolition", "Framing", "Permits"):
            made[name] = book.create("cost_code", {"name": name}).record
        for name in ("Labor", "Materials"):
            made["type " + name] = book.create("cost_type", {"name": name}).record
        made["vendor"] = book.create("vendor", {"company_name": "Lumber Yard"}).record
    return made


def _autofill(world: World, items: dict[str, str]) -> list[mappings.Mapping_]:
    with world.book() as book:
        codes = [(c["id"], c["name"]) for c in book.page("cost_code", limit=100).items]
        return mappings.autofill(book.conn, world.connection_id, "cost_code_item", codes,
                                 [(rid, name) for name, rid in items.items()])


def _invoice(world: World, made: dict[str, Any], status: str = "finalized",
             doc: str = "1001", **extra: Any) -> dict[str, Any]:
    body = {"customer_id": made["customer"]["id"], "job_id": made["job"]["id"],
            "kind": "project", "status": status, "doc_number": doc,
            "issue_date": "2026-03-02",
            "lines": [{"cost_code_id": made["Demolition"]["id"], "quantity": "2",
                       "unit_price": "150.00", "cost_type_id": made["type Labor"]["id"]},
                      {"cost_code_id": made["Framing"]["id"], "unit_price": "400.00",
                       "cost_type_id": made["type Materials"]["id"]}]} | extra
    with world.book() as book:
        return book.create("invoice", body).record


def _bill(world: World, made: dict[str, Any], status: str = "finalized", number: str = "B-1",
          **extra: Any) -> dict[str, Any]:
    body = {"vendor_id": made["vendor"]["id"], "job_id": made["job"]["id"],
            "status": status, "number": number, "bill_date": "2026-03-03",
            "lines": [{"cost_code_id": made["Framing"]["id"], "unit_cost": "220.00",
                       "cost_type_id": made["type Materials"]["id"]}]} | extra
    with world.book() as book:
        return book.create("bill", body).record


async def _ready(world: World) -> dict[str, Any]:
    """The account set up as JobTread's guide says: items imported and autofilled."""
    made = _setup(world)
    made["items"] = await _items(world, "Demolition", "Framing", "General")
    _autofill(world, made["items"])
    return made


def _results(report: Any, kind: str, record_id: str) -> list[str]:
    return [o.result for o in report.outcomes if o.kind == kind and o.record_id == record_id]


def _message(report: Any, kind: str, record_id: str) -> str:
    return " ".join(o.message for o in report.outcomes
                    if o.kind == kind and o.record_id == record_id)


# finalized documents --------------------------------------------------------------------
async def test_finalized_invoices_and_bills_are_pushed_drafts_are_not(world: World) -> None:
    made = await _ready(world)
    sent = _invoice(world, made)
    draft = _invoice(world, made, status="draft", doc="1002")
    bill = _bill(world, made)
    draft_bill = _bill(world, made, status="draft", number="B-2")
    report = await world.sync("daily")
    assert report.failures() == []
    invoices, bills = await world.by_name("Invoice"), await world.by_name("Bill")
    assert set(invoices) == {"1001"} and set(bills) == {"B-1"}
    assert invoices["1001"]["TotalAmt"] == 700.0
    job = (await world.by_name("Customer"))["Kitchen remodel"]
    assert invoices["1001"]["CustomerRef"]["value"] == job["Id"]
    assert bills["B-1"]["TotalAmt"] == 220.0
    assert "created" in _results(report, "invoice", sent["id"])
    assert "created" in _results(report, "bill", bill["id"])
    assert _results(report, "invoice", draft["id"]) == ["waiting"]
    assert "finalized" in _message(report, "invoice", draft["id"])
    assert _results(report, "bill", draft_bill["id"]) == ["waiting"]

    with world.book() as book:
        book.update("invoice", draft["id"], {"status": "finalized"})
        book.update("bill", draft_bill["id"], {"status": "finalized"})
    report = await world.sync("daily")
    assert report.failures() == []
    assert set(await world.by_name("Invoice")) == {"1001", "1002"}
    assert set(await world.by_name("Bill")) == {"B-1", "B-2"}


async def test_records_before_go_live_wait_until_pushed(world: World) -> None:
    made = await _ready(world)
    world.settings(connection={"go_live_date": "2026-03-01"})
    old = _invoice(world, made, doc="900", issue_date="2026-02-10")
    old_bill = _bill(world, made, number="B-90", bill_date="2026-01-15")
    new = _invoice(world, made, doc="1001", issue_date="2026-03-05")
    report = await world.sync("daily")
    assert set(await world.by_name("Invoice")) == {"1001"}
    assert await world.records("Bill") == []
    for kind, record in (("invoice", old), ("bill", old_bill)):
        assert _results(report, kind, record["id"]) == ["waiting"]
        assert "go-live date 2026-03-01" in _message(report, kind, record["id"])
    assert "created" in _results(report, "invoice", new["id"])

    report = await world.sync("daily")          # still waiting, still not sent
    assert set(await world.by_name("Invoice")) == {"1001"}

    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        listed = list(unsynced(ctx))             # the Unsynced Records tab
    assert {(u.kind, u.record_id, u.reason) for u in listed} == {
        ("invoice", old["id"], "before_go_live"), ("bill", old_bill["id"], "before_go_live")}
    report = await world.runner().run("push", push=[(u.kind, u.record_id) for u in listed])
    assert report.failures() == []                # Push All
    assert set(await world.by_name("Invoice")) == {"900", "1001"}
    assert set(await world.by_name("Bill")) == {"B-90"}
    assert world.link("invoice", old["id"]) is not None
    await world.sync("daily")
    await world.sync("full")
    assert len(await world.records("Invoice")) == 2 and len(await world.records("Bill")) == 1


async def test_a_job_pushed_while_quickbooks_is_down_goes_with_the_next_sync(
        world: World) -> None:
    """Jobs go when invoiced or pushed: a push that meets a passing error is still the
    person's push when the next daily sync sends it again, with its customer."""
    with world.book() as book:
        customer = book.create("customer", {"company_name": "Hill Residence"}).record
        job = book.create("job", {"customer_id": customer["id"],
                                  "name": "Kitchen remodel"}).record
    waits = await world.sync("daily")                      # for its invoice, or a push
    assert _results(waits, "job", job["id"]) == ["waiting"]
    assert _message(waits, "job", job["id"]) == \
        "jobs are created in QuickBooks when invoiced; push it to send it now"
    pushed = await world.push_while_down(("job", job["id"]))
    assert _results(pushed, "job", job["id"]) == ["retry_later"]
    assert [c["DisplayName"] for c in await world.records("Customer")] == ["Hill Residence"]
    report = await world.sync("daily")
    assert report.failures() == [] and _results(report, "job", job["id"]) == ["created"]
    made = await world.by_name("Customer")
    assert made["Kitchen remodel"]["ParentRef"]["value"] == made["Hill Residence"]["Id"]
    assert _results(await world.sync("daily"), "job", job["id"]) == []


async def test_push_does_not_send_a_draft(world: World) -> None:
    made = await _ready(world)
    draft = _invoice(world, made, status="draft")
    report = await world.runner().run("push", push=[("invoice", draft["id"])])
    assert _results(report, "invoice", draft["id"]) == ["waiting"]
    assert await world.records("Invoice") == []


# tax agency -----------------------------------------------------------------------------
@pytest.fixture
async def untaxed(engine: Engine, tenant_id: str) -> AsyncIterator[World]:
    async for made in make_world(engine, tenant_id, tax_agency=None):
        yield made


async def test_no_tax_agency_fails_documents_with_the_fix(untaxed: World) -> None:
    world = untaxed
    made = await _ready(world)
    invoice, bill = _invoice(world, made), _bill(world, made)
    report = await world.sync("daily")
    for kind, record in (("invoice", invoice), ("bill", bill)):
        assert _results(report, kind, record["id"]) == ["failed"]
        message = _message(report, kind, record["id"])
        assert "tax agency" in message and "set up" in message, message
    assert await world.records("Invoice") == [] and await world.records("Bill") == []
    # the names still went: only documents need the agency
    assert "Hill Residence" in await world.by_name("Customer")

    await world.qb("TaxAgency", {"DisplayName": "California Department of Tax"})
    report = await world.runner().run("push", push=[("invoice", invoice["id"]),
                                                    ("bill", bill["id"])])
    assert report.failures() == []
    assert len(await world.records("Invoice")) == 1 and len(await world.records("Bill")) == 1


@pytest.fixture
async def canadian(engine: Engine, tenant_id: str) -> AsyncIterator[World]:
    async for made in make_world(engine, tenant_id, tax_agency=None, country="CA"):
        yield made


async def test_tax_agency_is_required_only_in_us_companies(canadian: World) -> None:
    made = await _ready(canadian)
    bill = _bill(canadian, made)
    report = await canadian.sync("daily")
    assert _results(report, "bill", bill["id"]) == ["created"], report.failures()


# cost codes -> items ----------------------------------------------------------------------
async def test_autofill_maps_cost_codes_to_items_of_the_same_name(world: World) -> None:
    made = _setup(world)
    items = await _items(world, "demolition", "FRAMING  ", "General")
    filled = _autofill(world, items)
    assert {m.local_id: m.remote_id for m in filled} == {
        made["Demolition"]["id"]: items["demolition"],
        made["Framing"]["id"]: items["FRAMING  "]}
    assert _autofill(world, items) == []        # existing mappings are kept
    _invoice(world, made)
    report = await world.sync("daily")
    assert report.failures() == []
    invoice = (await world.by_name("Invoice"))["1001"]
    refs = [line["SalesItemLineDetail"]["ItemRef"]["value"] for line in invoice["Line"]
            if line["DetailType"] == "SalesItemLineDetail"]
    assert refs == [items["demolition"], items["FRAMING  "]]
    assert {i["Name"] for i in await world.records("Item")} == set(items)  # none made


async def test_unmapped_cost_code_uses_the_default_item_or_fails(world: World) -> None:
    made = await _ready(world)
    permits = [{"cost_code_id": made["Permits"]["id"], "unit_price": "75.00"}]
    invoice = _invoice(world, made, lines=permits)
    bill = _bill(world, made, lines=[{"cost_code_id": made["Permits"]["id"],
                                      "unit_cost": "75.00"}])
    report = await world.sync("daily")
    for kind, record in (("invoice", invoice), ("bill", bill)):
        assert _results(report, kind, record["id"]) == ["failed"]
        message = _message(report, kind, record["id"])
        assert "cost code" in message and "default item" in message, message
    assert await world.records("Invoice") == []

    world.settings(connection={"default_item_id": made["items"]["General"]})
    report = await world.runner().run("push", push=[("invoice", invoice["id"]),
                                                    ("bill", bill["id"])])
    assert report.failures() == []
    line = (await world.by_name("Invoice"))["1001"]["Line"][0]
    assert line["SalesItemLineDetail"]["ItemRef"]["value"] == made["items"]["General"]
    bill_line = (await world.by_name("Bill"))["B-1"]["Line"][0]
    assert bill_line["ItemBasedExpenseLineDetail"]["ItemRef"]["value"] == \
        made["items"]["General"]


# cost types -> classes ------------------------------------------------------------------
async def test_cost_types_become_classes_on_each_line(world: World) -> None:
    made = await _ready(world)
    labor = (await world.seed({"Class": [{"Name": "Field Labor"}]}))["Class"][0]
    with world.book() as book:
        mappings.put(book.conn, world.connection_id, "cost_type_class",
                     made["type Labor"]["id"], labor, "Field Labor")
    _invoice(world, made)
    _bill(world, made)
    report = await world.sync("daily")
    assert report.failures() == []
    classes = await world.by_name("Class")
    assert set(classes) == {"Field Labor", "Materials"}   # unmapped type: made as a class
    invoice = (await world.by_name("Invoice"))["1001"]
    refs = [line["SalesItemLineDetail"]["ClassRef"]["value"] for line in invoice["Line"]
            if line["DetailType"] == "SalesItemLineDetail"]
    assert refs == [labor, classes["Materials"]["Id"]]
    bill_line = (await world.by_name("Bill"))["B-1"]["Line"][0]
    assert bill_line["ItemBasedExpenseLineDetail"]["ClassRef"]["value"] == \
        classes["Materials"]["Id"]


@pytest.fixture
async def classless(engine: Engine, tenant_id: str) -> AsyncIterator[World]:
    async for made in make_world(engine, tenant_id,
                                 preferences={"class_tracking_per_line": False}):
        yield made


async def test_without_class_tracking_no_class_is_sent(classless: World) -> None:
    world = classless
    made = await _ready(world)
    _invoice(world, made)
    _bill(world, made)
    report = await world.sync("daily")
    assert report.failures() == []
    assert await world.records("Class") == []
    invoice = (await world.by_name("Invoice"))["1001"]
    bill = (await world.by_name("Bill"))["B-1"]
    for line in invoice["Line"] + bill["Line"]:
        detail = line.get("SalesItemLineDetail") or line.get("ItemBasedExpenseLineDetail") or {}
        assert "ClassRef" not in detail


# the colon rule ---------------------------------------------------------------------------
@pytest.mark.parametrize("character", ["-", "_"])
async def test_colons_are_replaced_with_the_configured_character(world: World,
                                                                 character: str) -> None:
    world.settings(connection={"forbidden_characters": "replace",
                               "replacement_character": character})
    made = await _ready(world)
    with world.book() as book:
        book.update("customer", made["customer"]["id"], {"company_name": "Hill: Residence"})
        book.update("vendor", made["vendor"]["id"], {"company_name": "Lumber:Yard"})
        book.update("job", made["job"]["id"], {"name": "Kitchen\tremodel"})
    _invoice(world, made)
    _bill(world, made)
    report = await world.sync("daily")
    assert report.failures() == []
    customers = await world.by_name("Customer")
    assert {f"Hill{character} Residence", f"Kitchen{character}remodel"} <= set(customers)
    assert set(await world.by_name("Vendor")) == {f"Lumber{character}Yard"}
    assert len(await world.records("Invoice")) == 1 and len(await world.records("Bill")) == 1


async def test_colons_fail_the_record_when_so_set(world: World) -> None:
    world.settings(connection={"forbidden_characters": "fail"})
    made = await _ready(world)
    with world.book() as book:
        book.update("customer", made["customer"]["id"], {"company_name": "Hill: Residence"})
    invoice = _invoice(world, made)
    bill = _bill(world, made)
    report = await world.sync("daily")
    customer_message = _message(report, "customer", made["customer"]["id"])
    assert "colon" in customer_message and "rename it" in customer_message
    assert _results(report, "customer", made["customer"]["id"]) == ["failed"]
    assert _results(report, "invoice", invoice["id"]) == ["blocked"]
    # the bill's job waits for its invoice, so its line is for the customer: it waits too
    assert _results(report, "bill", bill["id"]) == ["blocked"]
    assert await world.records("Invoice") == [] and await world.records("Bill") == []
    assert "Hill: Residence" not in await world.by_name("Customer")

    with world.book() as book:          # renamed: it goes, and so do the invoice and the bill
        book.update("customer", made["customer"]["id"], {"company_name": "Hill Residence"})
    report = await world.sync("daily")
    assert report.failures() == []
    assert len(await world.records("Invoice")) == 1
    [sent] = await world.records("Bill")  # after the job, which its invoice made: for the job
    line = sent["Line"][0]["ItemBasedExpenseLineDetail"]
    assert line["CustomerRef"]["value"] == world.remote_id("job", made["job"]["id"])


# credit memos <-> negative invoices -------------------------------------------------------
async def test_negative_invoice_becomes_a_credit_memo(world: World) -> None:
    made = await _ready(world)
    credit = _invoice(world, made, doc="C-1", lines=[
        {"cost_code_id": made["Framing"]["id"], "quantity": "-1", "unit_price": "120.00"}])
    report = await world.sync("daily")
    assert report.failures() == []
    assert await world.records("Invoice") == []
    memos = await world.by_name("CreditMemo")
    assert set(memos) == {"C-1"} and memos["C-1"]["TotalAmt"] == 120.0
    line = memos["C-1"]["Line"][0]
    assert line["Amount"] == 120.0
    assert line["SalesItemLineDetail"]["ItemRef"]["value"] == made["items"]["Framing"]
    link = world.link("invoice", credit["id"])
    assert link is not None and link.remote_kind == "credit_memo"
    await world.sync("daily")
    assert len(await world.records("CreditMemo")) == 1


async def test_credit_memo_made_in_quickbooks_becomes_a_negative_invoice(world: World
                                                                         ) -> None:
    made = await _ready(world)
    _invoice(world, made)
    await world.sync("daily")
    job = (await world.by_name("Customer"))["Kitchen remodel"]
    memo = await world.qb("CreditMemo", {
        "CustomerRef": {"value": job["Id"]}, "DocNumber": "CM-7", "TxnDate": "2026-03-09",
        "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 80.0,
                  "Description": "Damaged cabinet",
                  "SalesItemLineDetail": {"ItemRef": {"value": made["items"]["Framing"]},
                                          "Qty": 1, "UnitPrice": 80.0}}]})
    report = await world.sync("daily")
    assert report.failures() == []
    with world.book() as book:
        found = [i for i in book.page("invoice", limit=100).items if i["doc_number"] == "CM-7"]
    assert len(found) == 1
    negative = found[0]
    assert negative["total"] == "-80.00" or str(negative["total"]) == "-80.00"
    assert negative["customer_id"] == made["customer"]["id"]
    assert negative["status"] == "finalized"
    link = world.link("invoice", negative["id"])
    assert link is not None and (link.remote_kind, link.remote_id) == ("credit_memo",
                                                                      memo["Id"])
    await world.sync("daily")                   # not echoed back as a second credit memo
    await world.sync("full")
    assert len(await world.records("CreditMemo")) == 1
    assert len(await world.records("Invoice")) == 1


# status back --------------------------------------------------------------------------------
async def test_invoice_is_paid_when_a_payment_in_quickbooks_clears_it(world: World) -> None:
    made = await _ready(world)
    invoice = _invoice(world, made)
    await world.sync("daily")
    remote = (await world.by_name("Invoice"))["1001"]
    job = remote["CustomerRef"]["value"]

    async def pay(amount: float) -> dict[str, Any]:
        return await world.qb("Payment", {
            "CustomerRef": {"value": job}, "TotalAmt": amount,
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": remote["Id"],
                                                      "TxnType": "Invoice"}]}]})

    await pay(200.0)
    await world.sync("daily")
    with world.book() as book:
        assert book.get("invoice", invoice["id"])["status"] == "finalized"   # balance left
    last = await pay(500.0)
    report = await world.sync("daily")
    assert report.failures() == []
    with world.book() as book:
        back = book.get("invoice", invoice["id"])
    assert back["status"] == "paid"
    await world.sync("daily")
    assert len(await world.records("Payment")) == 2     # the payments are not echoed

    await world.qb("Payment", {"Id": last["Id"], "SyncToken": last["SyncToken"]},
                   action="delete")
    await world.sync("daily")
    with world.book() as book:
        assert book.get("invoice", invoice["id"])["status"] == "finalized"


async def test_invoice_is_void_when_voided_in_quickbooks(world: World) -> None:
    made = await _ready(world)
    invoice = _invoice(world, made)
    await world.sync("daily")
    remote = (await world.by_name("Invoice"))["1001"]
    await world.qb("Invoice", {"Id": remote["Id"], "SyncToken": remote["SyncToken"]},
                   action="void")
    report = await world.sync("daily")
    assert report.failures() == []
    with world.book() as book:
        assert book.get("invoice", invoice["id"])["status"] == "void"
    calls = await world.calls()
    await world.sync("daily")
    assert await world.calls() - calls == 1     # the void is not sent back
    await world.sync("full")                    # not even when everything is looked at
    assert (await world.get("Invoice", remote["Id"]))["SyncToken"] == \
        str(int(remote["SyncToken"]) + 1)


async def test_status_stays_when_status_back_is_off(world: World) -> None:
    world.settings(invoices={"get_status": False})
    made = await _ready(world)
    invoice = _invoice(world, made)
    await world.sync("daily")
    remote = (await world.by_name("Invoice"))["1001"]
    await world.qb("Invoice", {"Id": remote["Id"], "SyncToken": remote["SyncToken"]},
                   action="void")
    await world.sync("daily")
    with world.book() as book:
        assert book.get("invoice", invoice["id"])["status"] == "finalized"

