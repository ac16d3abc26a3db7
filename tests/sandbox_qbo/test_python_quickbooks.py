"""The third-party ``python-quickbooks`` client (with ``intuitlib`` for OAuth) driving the
sandbox as its users do: a real uvicorn server on a loopback port, the client's discovery
URL and API base pointed at it. Customers, items, invoices and payments: create, query,
sparse update, delete, batch and CDC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from ledgerbridge.sandbox.qbo.clock import COMPANY_TZ

quickbooks = pytest.importorskip("quickbooks")
intuitlib = pytest.importorskip("intuitlib.client")

from quickbooks import QuickBooks  # noqa: E402
from quickbooks.batch import batch_create  # noqa: E402
from quickbooks.cdc import change_data_capture  # noqa: E402
from quickbooks.exceptions import QuickbooksException, ValidationException  # noqa: E402
from quickbooks.objects.base import LinkedTxn, Ref  # noqa: E402
from quickbooks.objects.customer import Customer  # noqa: E402
from quickbooks.objects.detailline import (  # noqa: E402
    SalesItemLine,
    SalesItemLineDetail,
)
from quickbooks.objects.invoice import Invoice  # noqa: E402
from quickbooks.objects.item import Item  # noqa: E402
from quickbooks.objects.payment import Payment, PaymentLine  # noqa: E402

CLIENT_ID, SECRET = "pyqb-client", "pyqb-secret"


@dataclass
class Connection:
    qb: QuickBooks
    realm: str


@pytest.fixture
def connection(live_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain HTTP on loopback
    with httpx.Client(base_url=live_server) as admin:
        admin.post("/sandbox/apps", json={"client_id": CLIENT_ID, "client_secret": SECRET,
                                          "redirect_uris": ["https://app.example/cb"]})
        realm = admin.post("/sandbox/companies", json={"name": "PyQB"}).json()["realm_id"]
        refresh = admin.post(f"/sandbox/companies/{realm}/tokens",
                             json={"client_id": CLIENT_ID}).json()["refresh_token"]
    auth = intuitlib.AuthClient(CLIENT_ID, SECRET, "https://app.example/cb",
                                f"{live_server}/.well-known/openid_sandbox_configuration")
    qb = QuickBooks(auth_client=auth, refresh_token=refresh, company_id=realm, minorversion=75)
    qb.api_url_v3 = f"{live_server}/v3"
    try:
        yield Connection(qb, realm)
    finally:
        qb.session.close()
        auth.close()


def make_item(qb: QuickBooks, name: str) -> Item:
    item = Item()
    item.Name = name
    item.Type = "Service"
    item.UnitPrice = 50
    item.IncomeAccountRef = Ref()
    item.IncomeAccountRef.value = "1"
    return item.save(qb=qb)


def make_invoice(qb: QuickBooks, customer: Customer, item: Item, qty: int) -> Invoice:
    line = SalesItemLine()
    line.Amount = 50 * qty
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    line.SalesItemLineDetail.Qty = qty
    line.SalesItemLineDetail.UnitPrice = 50
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.Line.append(line)
    return invoice.save(qb=qb)


def test_refresh_through_intuitlib_rotated_the_token(connection: Connection) -> None:
    assert connection.qb.auth_client.access_token
    assert connection.qb.auth_client.refresh_token == connection.qb.refresh_token


def test_customers_create_query_sparse_update(connection: Connection) -> None:
    qb = connection.qb
    customer = Customer()
    customer.DisplayName = "Amy's Bird Sanctuary"
    customer = customer.save(qb=qb)
    assert customer.Id and customer.SyncToken == "0"
    found = Customer.filter(DisplayName="Amy's Bird Sanctuary", qb=qb)
    assert [c.Id for c in found] == [customer.Id]
    customer.sparse = True
    customer.Notes = "sparse"
    customer = customer.save(qb=qb)
    again = Customer.get(customer.Id, qb=qb)
    assert (again.Notes, again.SyncToken) == ("sparse", "1")
    duplicate = Customer()
    duplicate.DisplayName = "AMY'S BIRD SANCTUARY"
    with pytest.raises(QuickbooksException) as caught:
        duplicate.save(qb=qb)
    assert caught.value.error_code == 6240


def test_items_invoices_payments_delete(connection: Connection) -> None:
    qb = connection.qb
    item = make_item(qb, "Gardening")
    customer = Customer()
    customer.DisplayName = "Cool Cars"
    customer = customer.save(qb=qb)
    invoice = make_invoice(qb, customer, item, 3)
    assert invoice.TotalAmt == 150
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = 100
    line = PaymentLine()
    line.Amount = 100
    link = LinkedTxn()
    link.TxnId = invoice.Id
    link.TxnType = "Invoice"
    line.LinkedTxn.append(link)
    payment.Line.append(line)
    payment = payment.save(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 50
    assert Item.count("Name = 'Gardening'", qb=qb) == 1
    payment.delete(qb=qb)
    fresh = Invoice.get(invoice.Id, qb=qb)
    assert fresh.Balance == 150
    fresh.delete(qb=qb)
    assert Invoice.filter(Id=invoice.Id, qb=qb) == []
    with pytest.raises(ValidationException):
        Customer.get("1.5", qb=qb)


def test_batch_and_cdc(connection: Connection) -> None:
    qb = connection.qb
    since = datetime.now(COMPANY_TZ) - timedelta(minutes=5)
    customers = []
    for name in ("Batch One", "Batch Two", "Batch Two"):
        customer = Customer()
        customer.DisplayName = name
        customers.append(customer)
    result = batch_create(customers, qb=qb)
    assert sorted(c.DisplayName for c in result.successes) == ["Batch One", "Batch Two"]
    assert [f.Error[0].code for f in result.faults] == ["6240"]
    item = make_item(qb, "Pruning")
    make_invoice(qb, result.successes[0], item, 1)
    changes: Any = change_data_capture([Customer, Invoice, Item],
                                       since.strftime("%Y-%m-%dT%H:%M:%S%z"), qb=qb)
    assert sorted(c.DisplayName for c in changes.Customer) == ["Batch One", "Batch Two"]
    assert len(changes.Invoice) == 1
    assert [i.Name for i in changes.Item] == ["Pruning"]


def test_items_and_invoices_sparse_update_batch_and_payment_cdc(connection: Connection) -> None:
    qb = connection.qb
    since = datetime.now(COMPANY_TZ) - timedelta(minutes=5)
    item = make_item(qb, "Mulch")
    item.sparse = True
    item.UnitPrice = 75
    item = item.save(qb=qb)
    assert (Item.get(item.Id, qb=qb).UnitPrice, item.SyncToken) == (75, "1")
    customer = Customer()
    customer.DisplayName = "Paulsen Medical Supplies"
    customer = customer.save(qb=qb)
    invoice = make_invoice(qb, customer, item, 2)
    invoice.sparse = True
    invoice.PrivateNote = "deliver Monday"
    invoice = invoice.save(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).PrivateNote == "deliver Monday"
    items = []
    for name in ("Soil", "Stones"):
        new = Item()
        new.Name = name
        new.Type = "Service"
        new.IncomeAccountRef = Ref()
        new.IncomeAccountRef.value = "1"
        items.append(new)
    created = batch_create(items, qb=qb)
    assert sorted(i.Name for i in created.successes) == ["Soil", "Stones"]
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = 20
    payment = payment.save(qb=qb)
    assert [p.Id for p in Payment.all(qb=qb)] == [payment.Id]
    changes: Any = change_data_capture([Payment, Item],
                                       since.strftime("%Y-%m-%dT%H:%M:%S%z"), qb=qb)
    assert [p.Id for p in changes.Payment] == [payment.Id]
    assert sorted(i.Name for i in changes.Item) == ["Mulch", "Soil", "Stones"]
