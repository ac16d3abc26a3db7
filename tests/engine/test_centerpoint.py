"""Centerpoint (seeds/centerpoint-qbo-settings.txt) end to end on the QuickBooks Online
sandbox: every setting of its integration page, each way it can be set."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerbridge.errors import RecordRejectedError
from support.qbo_world import World

Record = dict[str, Any]


# the book ---------------------------------------------------------------------------------
def _company(world: World, name: str = "Northwind Properties", **extra: Any) -> Record:
    with world.book() as book:
        return book.create("customer", {"company_name": name, **extra}).record


def _project(world: World, customer: Record, name: str = "Lobby renovation",
             number: str | None = "P-100") -> Record:
    with world.book() as book:
        return book.create("job", {"customer_id": customer["id"], "name": name,
                                   "number": number}).record


def _ticket(world: World, customer: Record, job: Record | None = None, number: str = "T-7",
            status: str = "open") -> Record:
    with world.book() as book:
        site = book.create("location", {"customer_id": customer["id"],
                                        "name": f"Site of {number}"}).record
        return book.create("service_ticket", {
            "customer_id": customer["id"], "job_id": job["id"] if job else None,
            "location_id": site["id"], "number": number, "status": status,
            "summary": "No heat in unit 4"}).record


def _work_code(world: World, name: str = "Repair", rate: str = "120.00") -> Record:
    with world.book() as book:
        return book.create("work_code", {"name": name, "rate": rate}).record


def _invoice(world: World, customer: Record, code: Record, *, job: Record | None = None,
             ticket: Record | None = None, status: str = "finalized", doc: str = "2001",
             prices: tuple[str, ...] = ("120.00", "80.00")) -> Record:
    body = {"customer_id": customer["id"], "job_id": job["id"] if job else None,
            "service_ticket_id": ticket["id"] if ticket else None,
            "kind": "project" if job and not ticket else "service", "status": status,
            "doc_number": doc, "issue_date": "2026-05-04",
            "lines": [{"work_code_id": code["id"], "unit_price": p} for p in prices]}
    with world.book() as book:
        return book.create("invoice", body).record


def _update(world: World, kind: str, record: Record, **changes: Any) -> Record:
    with world.book() as book:
        return book.update(kind, record["id"], changes).record


def _get(world: World, kind: str, record_id: str) -> Record:
    with world.book() as book:
        found = book.page(kind, include_deleted=True, filters={"id": record_id}).items
    return found[0]


def _all(world: World, kind: str) -> list[Record]:
    with world.book() as book:
        return book.page(kind, limit=1000).items


def _results(report: Any, kind: str, record_id: str) -> list[str]:
    return [o.result for o in report.outcomes if o.kind == kind and o.record_id == record_id]


def _message(report: Any, kind: str, record_id: str) -> str:
    return " ".join(o.message for o in report.outcomes
                    if o.kind == kind and o.record_id == record_id)


async def _remote(world: World, kind: str, record_id: str) -> Record:
    link = world.link(kind, record_id)
    assert link is not None, f"{kind} {record_id} is not linked"
    entity = {"customer": "Customer", "job": "Customer", "service_ticket": "Customer",
              "invoice": "Invoice", "payment": "Payment", "work_code": "Item"}[kind]
    return await world.get(entity, link.remote_id)


async def _sparse(world: World, entity: str, remote: Record, **changes: Any) -> Record:
    return await world.qb(entity, {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                                   "sparse": True, **changes}, action="update")


# customers (companies) ------------------------------------------------------------------
async def test_customers_sent_when_created(world: World) -> None:
    world.settings(customers={"send": "when_created"})
    customer = _company(world)
    report = await world.sync("daily")
    assert _results(report, "customer", customer["id"]) == ["created"]
    assert "Northwind Properties" in await world.by_name("Customer")


@pytest.mark.parametrize("first", ["job", "ticket"])
async def test_customers_sent_with_their_first_job_or_ticket(world: World, first: str
                                                             ) -> None:
    world.settings(customers={"send": "when_first_job_or_ticket_sent"},
                   jobs={"create_jobs": "when_created", "create_tickets": "when_invoiced"})
    customer = _company(world)
    await world.sync("daily")
    assert await world.records("Customer") == []
    if first == "job":
        child, name = _project(world, customer), "P-100 Lobby renovation"
    else:
        child, name = _ticket(world, customer, status="invoiced"), "Ticket T-7"
    await world.sync("daily")
    customers = await world.by_name("Customer")
    assert set(customers) == {"Northwind Properties", name}
    assert customers[name]["ParentRef"]["value"] == customers["Northwind Properties"]["Id"]
    assert world.link("job" if first == "job" else "service_ticket", child["id"]) is not None


async def test_customers_never_sent_are_linked_by_name_only(world: World) -> None:
    world.settings(customers={"send": "never"}, jobs={"create_jobs": "no"})
    existing = (await world.seed({"Customer": [{"DisplayName": "NORTHWIND properties"}]},
                                 mode="create"))["Customer"][0]
    known, unknown = _company(world), _company(world, "Fabrikam Offices")
    code = _work_code(world)
    ok = _invoice(world, known, code)
    stuck = _invoice(world, unknown, code, doc="2002")
    report = await world.sync("daily")
    assert world.remote_id("customer", known["id"]) == existing
    assert (await _remote(world, "invoice", ok["id"]))["CustomerRef"]["value"] == existing
    assert _results(report, "customer", unknown["id"]) == ["failed"]
    assert "customers.send is never" in _message(report, "customer", unknown["id"])
    assert _results(report, "invoice", stuck["id"]) == ["blocked"]
    assert set(await world.by_name("Customer")) == {"NORTHWIND properties"}
    assert set(await world.by_name("Invoice")) == {"2001"}


@pytest.mark.parametrize("send_changes", [True, False])
async def test_send_customer_changes(world: World, send_changes: bool) -> None:
    world.settings(customers={"send_changes": send_changes})
    customer = _company(world, phone="555-0100")
    await world.sync("daily")
    _update(world, "customer", customer, phone="555-0177")
    await world.sync("daily")
    remote = await _remote(world, "customer", customer["id"])
    assert remote["PrimaryPhone"]["FreeFormNumber"] == ("555-0177" if send_changes
                                                        else "555-0100")


@pytest.mark.parametrize("send_changes", [True, False])
async def test_send_customer_changes_of_a_customer_taken_in(world: World,
                                                            send_changes: bool) -> None:
    """The setting holds for a customer that came from QuickBooks too (linked, never sent
    from here): a change made here goes only when changes are sent."""
    world.settings(customers={"send_changes": send_changes})
    await world.sync("daily")
    made = await world.qb("Customer", {"DisplayName": "Contoso Tower", "CompanyName": "Contoso",
                                       "PrimaryPhone": {"FreeFormNumber": "555-0100"}})
    await world.sync("daily")
    [taken] = [c for c in _all(world, "customer") if c["company_name"] == "Contoso"]
    _update(world, "customer", taken, phone="555-0177")
    report = await world.sync("daily")
    assert _results(report, "customer", taken["id"]) == (
        ["updated"] if send_changes else ["unchanged"])
    remote = await world.get("Customer", made["Id"])
    assert remote["PrimaryPhone"]["FreeFormNumber"] == ("555-0177" if send_changes
                                                        else "555-0100")


@pytest.mark.parametrize("get_new", [True, False])
async def test_get_new_customers(world: World, get_new: bool) -> None:
    world.settings(customers={"get_new": get_new})
    await world.sync("daily")
    await world.qb("Customer", {"DisplayName": "Contoso Tower", "CompanyName": "Contoso"})
    report = await world.sync("daily")
    names = {c["company_name"] for c in _all(world, "customer")}
    assert ("Contoso" in names) is get_new
    assert [o.result for o in report.outcomes if o.direction == "inbound"] == (
        ["imported"] if get_new else [])
    assert len(await world.records("Customer")) == 1          # never sent back


@pytest.mark.parametrize("get_changes", [True, False])
async def test_get_customer_changes(world: World, get_changes: bool) -> None:
    world.settings(customers={"get_changes": get_changes})
    customer = _company(world, email="old@northwind.example")
    await world.sync("daily")
    remote = await _remote(world, "customer", customer["id"])
    await _sparse(world, "Customer", remote, BillAddr={"Line1": "9 New Rd", "City": "Omaha"},
                  PrimaryEmailAddr={"Address": "new@northwind.example"})
    await world.sync("daily")
    now = _get(world, "customer", customer["id"])
    if get_changes:
        assert now["email"] == "new@northwind.example"
        assert now["billing_address"]["line1"] == "9 New Rd"
    else:
        assert now["email"] == "old@northwind.example" and now["version"] == 1
    token = (await _remote(world, "customer", customer["id"]))["SyncToken"]
    await world.sync("full")                       # and nothing is echoed back
    assert (await _remote(world, "customer", customer["id"]))["SyncToken"] == token


# projects (jobs) --------------------------------------------------------------------------
@pytest.mark.parametrize(("create_jobs", "at_once", "billed"), [
    ("no", False, "customer"), ("when_created", True, "job"),
    ("when_invoiced", False, "job"), ("only_by_hand", False, "customer")])
async def test_create_projects(world: World, create_jobs: str, at_once: bool, billed: str
                               ) -> None:
    world.settings(jobs={"create_jobs": create_jobs})
    customer = _company(world)
    job = _project(world, customer)
    await world.sync("daily")
    assert (world.link("job", job["id"]) is not None) is at_once
    invoice = _invoice(world, customer, _work_code(world), job=job)
    report = await world.sync("daily")
    assert report.failures() == []
    party = (await _remote(world, "invoice", invoice["id"]))["CustomerRef"]["value"]
    assert party == world.remote_id(billed, (job if billed == "job" else customer)["id"])
    assert ("P-100 Lobby renovation" in await world.by_name("Customer")) is (billed == "job")


async def test_project_sent_by_hand_is_created_empty_and_invoiced_later(world: World
                                                                        ) -> None:
    world.settings(jobs={"create_jobs": "only_by_hand"})
    customer = _company(world)
    job = _project(world, customer)
    await world.sync("daily")
    assert world.link("job", job["id"]) is None
    report = await world.runner().run("push", push=[("job", job["id"])])
    assert report.failures() == []
    remote = await _remote(world, "job", job["id"])
    assert remote["Job"] is True and await world.records("Invoice") == []
    invoice = _invoice(world, customer, _work_code(world), job=job)
    await world.sync("daily")
    assert (await _remote(world, "invoice", invoice["id"]))["CustomerRef"]["value"] == \
        remote["Id"]


@pytest.mark.parametrize("send_changes", [True, False])
async def test_send_project_changes(world: World, send_changes: bool) -> None:
    world.settings(jobs={"create_jobs": "when_created", "send_job_changes": send_changes})
    customer = _company(world)
    job = _project(world, customer)
    await world.sync("daily")
    _update(world, "job", job, name="Lobby and atrium")
    await world.sync("daily")
    remote = await _remote(world, "job", job["id"])
    assert remote["DisplayName"] == ("P-100 Lobby and atrium" if send_changes
                                     else "P-100 Lobby renovation")


async def test_projects_of_one_name_under_two_customers(world: World) -> None:
    world.settings(jobs={"create_jobs": "when_created"})
    first, second = _company(world), _company(world, "Fabrikam Offices")
    _project(world, first, "Main office", None)
    job = _project(world, second, "Main office", None)
    report = await world.sync("daily")
    assert report.failures() == []
    customers = await world.by_name("Customer")
    assert {"Main office", "Main office (Fabrikam Offices)"} <= set(customers)
    assert customers["Main office (Fabrikam Offices)"]["ParentRef"]["value"] == \
        customers["Fabrikam Offices"]["Id"]
    link = world.link("job", job["id"])
    assert link is not None and link.remote_name == "Main office (Fabrikam Offices)"
    _update(world, "job", job, description="Second floor")   # keeps its QuickBooks name
    report = await world.sync("daily")
    assert report.failures() == []
    assert "Main office (Fabrikam Offices)" in await world.by_name("Customer")


async def test_existing_project_of_the_same_name_is_linked(world: World) -> None:
    world.settings(jobs={"create_jobs": "when_created"})
    parent = (await world.seed({"Customer": [{"DisplayName": "Northwind Properties"}]},
                               mode="create"))["Customer"][0]
    child = (await world.seed({"Customer": [{
        "DisplayName": "p-100 LOBBY renovation", "Job": True, "ParentRef": {"value": parent}}]},
        mode="create"))["Customer"][0]
    customer = _company(world)
    job = _project(world, customer)
    report = await world.sync("daily")
    assert report.failures() == []
    assert world.remote_id("job", job["id"]) == child
    assert len(await world.records("Customer")) == 2


# service tickets ---------------------------------------------------------------------------
@pytest.mark.parametrize(("create_tickets", "when_invoiced", "billed"), [
    ("no", False, "job"), ("when_invoice_sent", False, "service_ticket"),
    ("when_invoiced", True, "service_ticket")])
async def test_create_service_tickets(world: World, create_tickets: str, when_invoiced: bool,
                                      billed: str) -> None:
    world.settings(jobs={"create_jobs": "when_created", "create_tickets": create_tickets})
    customer = _company(world)
    job = _project(world, customer)
    ticket = _ticket(world, customer, job, status="invoiced")
    invoice = _invoice(world, customer, _work_code(world), job=job, ticket=ticket,
                       status="draft")
    await world.sync("daily")
    assert (world.link("service_ticket", ticket["id"]) is not None) is when_invoiced
    _update(world, "invoice", invoice, status="finalized")
    report = await world.sync("daily")
    assert report.failures() == []
    party = (await _remote(world, "invoice", invoice["id"]))["CustomerRef"]["value"]
    target = ticket if billed == "service_ticket" else job
    assert party == world.remote_id(billed, target["id"])
    if billed == "service_ticket":
        remote = await _remote(world, "service_ticket", ticket["id"])
        assert remote["DisplayName"] == "Ticket T-7"
        assert remote["ParentRef"]["value"] == world.remote_id("job", job["id"])
    else:
        assert "Ticket T-7" not in await world.by_name("Customer")


@pytest.mark.parametrize("send_changes", [True, False])
async def test_send_ticket_changes(world: World, send_changes: bool) -> None:
    world.settings(jobs={"create_tickets": "when_invoiced",
                         "send_ticket_changes": send_changes})
    customer = _company(world)
    ticket = _ticket(world, customer, status="invoiced")
    await world.sync("daily")
    _update(world, "service_ticket", ticket, summary="Boiler replaced")
    await world.sync("daily")
    remote = await _remote(world, "service_ticket", ticket["id"])
    assert remote["Notes"] == ("Boiler replaced" if send_changes else "No heat in unit 4")


# invoices ------------------------------------------------------------------------------------
@pytest.mark.parametrize("send", ["when_finalized", "when_sent"])
async def test_send_invoices(world: World, send: str) -> None:
    world.settings(invoices={"send": send})
    customer = _company(world)
    invoice = _invoice(world, customer, _work_code(world))
    report = await world.sync("daily")
    if send == "when_finalized":
        assert "created" in _results(report, "invoice", invoice["id"])
    else:
        assert _results(report, "invoice", invoice["id"]) == ["waiting"]
        assert "not sent" in _message(report, "invoice", invoice["id"])
        assert await world.records("Invoice") == []
        _update(world, "invoice", invoice, status="sent")
        await world.sync("daily")
    assert set(await world.by_name("Invoice")) == {"2001"}


@pytest.mark.parametrize("send_changes", [True, False])
async def test_send_invoice_changes(world: World, send_changes: bool) -> None:
    world.settings(invoices={"send_changes": send_changes})
    customer, code = _company(world), _work_code(world)
    invoice = _invoice(world, customer, code)
    await world.sync("daily")
    _update(world, "invoice", invoice, lines=[
        {"work_code_id": code["id"], "unit_price": "150.00"}])
    await world.sync("daily")
    remote = await _remote(world, "invoice", invoice["id"])
    assert remote["TotalAmt"] == (150.0 if send_changes else 200.0)


async def _qb_invoice(world: World, party: str, item: str, amounts: tuple[float, ...],
                      doc: str = "QB-1") -> Record:
    return await world.qb("Invoice", {
        "CustomerRef": {"value": party}, "DocNumber": doc, "TxnDate": "2026-05-10",
        "Line": [{"DetailType": "SalesItemLineDetail", "Amount": a, "Description": "Work",
                  "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1,
                                          "UnitPrice": a}} for a in amounts]})


async def _project_in_qb(world: World) -> tuple[Record, Record, Record, str]:
    world.settings(jobs={"create_jobs": "when_created"})
    customer = _company(world)
    job = _project(world, customer)
    code = _work_code(world)
    with world.book() as book:        # the work code goes to QuickBooks as an item
        book.update("work_code", code["id"], {"description": "Repairs"})
    await world.sync("daily")
    item = world.remote_id("work_code", code["id"])
    return customer, job, code, item


@pytest.mark.parametrize("get_new", [True, False])
async def test_get_new_project_invoices(world: World, get_new: bool) -> None:
    world.settings(invoices={"get_new_project_invoices": get_new})
    world.settings(jobs={"create_tickets": "when_invoiced"})
    customer, job, code, item = await _project_in_qb(world)
    ticket = _ticket(world, customer, job, status="invoiced")
    await world.sync("daily")
    job_id = world.remote_id("job", job["id"])
    made = await _qb_invoice(world, job_id, item, (300.0, 45.5))
    for other, doc in (("customer", customer), ("service_ticket", ticket)):  # not projects'
        await _qb_invoice(world, world.remote_id(other, doc["id"]), item, (10.0,),
                          doc=f"QB-{other}")
    await world.sync("daily")
    invoices = _all(world, "invoice")
    if not get_new:
        assert invoices == []
        return
    assert len(invoices) == 1
    got = invoices[0]
    assert (got["kind"], got["job_id"], got["customer_id"]) == ("project", job["id"],
                                                               customer["id"])
    assert got["doc_number"] == "QB-1" and got["status"] == "finalized"
    assert str(got["total"]) == "345.50"
    assert [line["work_code_id"] for line in got["lines"]] == [code["id"], code["id"]]
    assert world.remote_id("invoice", got["id"]) == made["Id"]
    await world.sync("full")                        # not sent back as a new invoice
    assert len(await world.records("Invoice")) == 3
    assert (await world.get("Invoice", made["Id"]))["SyncToken"] == made["SyncToken"]


@pytest.mark.parametrize("get_changes", [True, False])
async def test_get_project_invoice_changes(world: World, get_changes: bool) -> None:
    world.settings(invoices={"get_project_invoice_changes": get_changes,
                             "get_new_project_invoices": True})
    customer, job, code, item = await _project_in_qb(world)
    sent = _invoice(world, customer, code, job=job)
    await world.sync("daily")
    remote = await _remote(world, "invoice", sent["id"])
    job_id = world.remote_id("job", job["id"])
    made = await _qb_invoice(world, job_id, item, (300.0,))
    await world.sync("daily")
    lines = [{"DetailType": "SalesItemLineDetail", "Amount": 275.0,
              "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1,
                                      "UnitPrice": 275.0}}]
    await _sparse(world, "Invoice", remote, Line=lines)
    await _sparse(world, "Invoice", made, Line=lines)
    await world.sync("daily")
    imported = world.link("invoice", sent["id"])
    assert imported is not None
    totals = sorted(str(i["total"]) for i in _all(world, "invoice"))
    assert totals == (["275.00", "275.00"] if get_changes else ["200.00", "300.00"])
    tokens = {r["Id"]: r["SyncToken"] for r in await world.records("Invoice")}
    await world.sync("full")                        # nothing echoed back
    assert {r["Id"]: r["SyncToken"] for r in await world.records("Invoice")} == tokens


@pytest.mark.parametrize("delete", [True, False])
async def test_delete_invoice_when_deleted_in_quickbooks(world: World, delete: bool) -> None:
    world.settings(invoices={"delete_when_deleted_in_qb": delete})
    customer = _company(world)
    invoice = _invoice(world, customer, _work_code(world))
    await world.sync("daily")
    remote = await _remote(world, "invoice", invoice["id"])
    await world.qb("Invoice", {"Id": remote["Id"], "SyncToken": remote["SyncToken"]},
                   action="delete")
    await world.sync("daily")
    assert (_get(world, "invoice", invoice["id"])["deleted_at"] is not None) is delete
    await world.sync("daily")
    assert await world.records("Invoice") == []                   # not sent again


# payments -----------------------------------------------------------------------------------
async def _invoiced(world: World) -> tuple[Record, Record, Record]:
    customer = _company(world)
    invoice = _invoice(world, customer, _work_code(world))
    await world.sync("daily")
    return customer, invoice, await _remote(world, "invoice", invoice["id"])


async def _qb_payment(world: World, remote_invoice: Record, amount: float) -> Record:
    return await world.qb("Payment", {
        "CustomerRef": remote_invoice["CustomerRef"], "TotalAmt": amount,
        "TxnDate": "2026-05-20", "PaymentRefNum": "CHK 311",
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": remote_invoice["Id"],
                                                  "TxnType": "Invoice"}]}]})


@pytest.mark.parametrize("get_new", [True, False])
async def test_get_new_payments(world: World, get_new: bool) -> None:
    world.settings(payments={"get_new": get_new})
    customer, invoice, remote = await _invoiced(world)
    await _qb_payment(world, remote, 50.0)
    await world.sync("daily")
    payments = _all(world, "payment")
    if not get_new:
        assert payments == []
        return
    assert len(payments) == 1
    assert payments[0]["customer_id"] == customer["id"]
    assert str(payments[0]["amount"]) == "50.00" and payments[0]["reference"] == "CHK 311"
    assert payments[0]["applications"][0]["invoice_id"] == invoice["id"]
    assert str(_get(world, "invoice", invoice["id"])["balance"]) == "150.00"
    await world.sync("daily")
    assert len(await world.records("Payment")) == 1                 # not sent back


@pytest.mark.parametrize("get_changes", [True, False])
async def test_get_payment_changes(world: World, get_changes: bool) -> None:
    world.settings(payments={"get_changes": get_changes})
    customer, invoice, remote = await _invoiced(world)
    with world.book() as book:
        payment = book.create("payment", {
            "customer_id": customer["id"], "amount": "60.00", "payment_date": "2026-05-21",
            "applications": [{"invoice_id": invoice["id"], "amount": "60.00"}]}).record
    await world.sync("daily")
    paid = await _remote(world, "payment", payment["id"])
    await _sparse(world, "Payment", paid, TotalAmt=75.0, Line=[
        {"Amount": 75.0, "LinkedTxn": [{"TxnId": remote["Id"], "TxnType": "Invoice"}]}])
    await world.sync("daily")
    assert str(_get(world, "payment", payment["id"])["amount"]) == (
        "75.00" if get_changes else "60.00")
    token = (await _remote(world, "payment", payment["id"]))["SyncToken"]
    await world.sync("full")
    assert (await _remote(world, "payment", payment["id"]))["SyncToken"] == token


@pytest.mark.parametrize("delete", [True, False])
async def test_delete_payment_when_deleted_in_quickbooks(world: World, delete: bool) -> None:
    world.settings(payments={"delete_when_deleted_in_qb": delete})
    _, invoice, remote = await _invoiced(world)
    made = await _qb_payment(world, remote, 200.0)
    await world.sync("daily")
    payment = _all(world, "payment")[0]
    assert str(_get(world, "invoice", invoice["id"])["balance"]) == "0.00"
    await world.qb("Payment", {"Id": made["Id"], "SyncToken": made["SyncToken"]},
                   action="delete")
    await world.sync("daily")
    gone = _get(world, "payment", payment["id"])["deleted_at"] is not None
    assert gone is delete
    assert str(_get(world, "invoice", invoice["id"])["balance"]) == (
        "200.00" if delete else "0.00")
    await world.sync("daily")
    assert await world.records("Payment") == []                     # not sent again


# invoice lines -------------------------------------------------------------------------------
async def test_single_line_invoices_use_the_chosen_item(world: World) -> None:
    chosen = (await world.seed({"Item": [{"Name": "Services", "Type": "Service",
                                          "IncomeAccountRef": {"value": "1"}}]},
                               mode="create"))["Item"][0]
    world.settings(connection={"invoice_lines": "single", "single_line_item_id": chosen},
                   items={"send_new_work_codes": False})
    customer = _company(world)
    _invoice(world, customer, _work_code(world), prices=("120.00", "80.00", "35.25"))
    report = await world.sync("daily")
    assert report.failures() == []
    invoice = (await world.by_name("Invoice"))["2001"]
    lines = [line for line in invoice["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert len(lines) == 1
    assert lines[0]["SalesItemLineDetail"]["ItemRef"]["value"] == chosen
    assert lines[0]["Amount"] == 235.25 and invoice["TotalAmt"] == 235.25
    assert "Repair" not in await world.by_name("Item")   # lines' items are not needed


async def test_new_work_codes_not_sent_are_linked_by_name_only(world: World) -> None:
    world.settings(items={"send_new_work_codes": False})
    existing = (await world.seed({"Item": [{"Name": "REPAIR", "Type": "Service",
                                            "IncomeAccountRef": {"value": "1"}}]},
                                 mode="create"))["Item"][0]
    customer = _company(world)
    known, unknown = _work_code(world), _work_code(world, "Tune-up", "89.00")
    ok = _invoice(world, customer, known)
    stuck = _invoice(world, customer, unknown, doc="2002")
    report = await world.sync("daily")
    assert world.remote_id("work_code", known["id"]) == existing
    lines = (await _remote(world, "invoice", ok["id"]))["Line"]
    assert {line["SalesItemLineDetail"]["ItemRef"]["value"] for line in lines
            if line["DetailType"] == "SalesItemLineDetail"} == {existing}
    assert _results(report, "work_code", unknown["id"]) == ["failed"]
    message = _message(report, "work_code", unknown["id"])
    assert "'Tune-up' is not in QuickBooks" in message
    assert "items.send_new_work_codes is no" in message
    assert _results(report, "invoice", stuck["id"]) == ["blocked"]
    assert "Tune-up" not in await world.by_name("Item")
    assert set(await world.by_name("Invoice")) == {"2001"}
    # a linked one's changes still go, as items.send_work_code_changes (yes) says
    _update(world, "work_code", known, rate="135.00")
    report = await world.sync("daily")
    assert _results(report, "work_code", known["id"]) == ["updated"]
    assert (await _remote(world, "work_code", known["id"]))["UnitPrice"] == 135
    assert "Tune-up" not in await world.by_name("Item")


def test_single_line_invoices_need_an_item(world: World) -> None:
    with pytest.raises(RecordRejectedError) as caught:
        world.settings(connection={"invoice_lines": "single"})
    assert "single_line_item_id" in str(caught.value.problems)


def _all_codes(book: Any) -> list[str]:
    return [code["id"] for code in book.page("work_code").items]


# the customer/vendor name collision --------------------------------------------------------
async def test_name_taken_by_a_vendor_gets_the_suffix(world: World) -> None:
    world.settings(connection={"name_collision": "suffix", "customer_suffix": " (customer)"})
    vendor = (await world.seed({"Vendor": [{"DisplayName": "Cascade Supply"}]},
                               mode="create"))["Vendor"][0]
    customer = _company(world, "cascade supply")
    invoice = _invoice(world, customer, _work_code(world))
    with world.book() as book:
        book.create("vendor", {"company_name": "Cascade Supply"})
        also = book.create("vendor", {"company_name": "Northwind Properties"}).record
        book.create("bill", {"vendor_id": also["id"], "status": "finalized", "lines": [
            {"work_code_id": _all_codes(book)[0], "unit_cost": "12.00"}]})
    await world.seed({"Customer": [{"DisplayName": "Northwind Properties"}]}, mode="create")
    report = await world.sync("full")
    assert report.failures() == []
    remote = await _remote(world, "customer", customer["id"])
    assert remote["DisplayName"] == "cascade supply (customer)"
    assert (await _remote(world, "invoice", invoice["id"]))["CustomerRef"]["value"] == \
        remote["Id"]
    vendors = await world.by_name("Vendor")
    assert set(vendors) == {"Cascade Supply", "Northwind Properties (V)"}
    assert vendors["Cascade Supply"]["Id"] == vendor
    link = world.link("vendor", also["id"])
    assert link is not None and link.remote_name == "Northwind Properties (V)"
    await world.sync("full")                      # stable: no renames, no duplicates
    assert len(await world.records("Customer")) == 2 and len(await world.records("Vendor")) == 2


async def test_name_taken_by_a_vendor_fails_when_so_set(world: World) -> None:
    world.settings(connection={"name_collision": "fail"})
    await world.seed({"Vendor": [{"DisplayName": "Cascade Supply"}]}, mode="create")
    customer = _company(world, "Cascade Supply")
    invoice = _invoice(world, customer, _work_code(world))
    report = await world.sync("daily")
    assert _results(report, "customer", customer["id"]) == ["failed"]
    message = _message(report, "customer", customer["id"])
    assert "vendor" in message.lower() and "Cascade Supply" in message and "Rename" in message
    assert _results(report, "invoice", invoice["id"]) == ["blocked"]
    assert await world.records("Customer") == [] and await world.records("Invoice") == []
