"""The demo's QuickBooks Online: a local sandbox company that already holds some of
the sample company's customers and items (spelled a little differently, so matching
links them instead of duplicating), a vendor whose name a customer also has, and a few
records only QuickBooks has (they come into the book)."""

from __future__ import annotations

from typing import Any

import httpx

from ledgerbridge.errors import ConfigurationError

COMPANY = {"name": "Demo Heating & Plumbing (QuickBooks)",
           "preferences": {"class_tracking_per_line": True, "custom_txn_numbers": True},
           "tax_agency": "Oregon Department of Revenue"}

EXISTING: dict[str, list[dict[str, Any]]] = {
    "Customer": [
        {"DisplayName": "o'brien family dental", "CompanyName": "O'Brien Family Dental"},
        {"DisplayName": "Smith &  Sons Property Management"},
        {"DisplayName": "Harbor View Marina", "CompanyName": "Harbor View Marina",
         "PrimaryEmailAddr": {"Address": "office@harborview.example"}},
    ],
    "Vendor": [{"DisplayName": "Cascade Supply Co", "CompanyName": "Cascade Supply Co"}],
    "Item": [
        {"Name": "Diagnostic Fee", "Type": "Service", "UnitPrice": 89},
        {"Name": "trip charge", "Type": "Service", "UnitPrice": 65},
        {"Name": "Water Heater Flush", "Type": "Service", "UnitPrice": 149},
        {"Name": "Labor", "Type": "Service"},
        {"Name": "Materials", "Type": "NonInventory"},
        {"Name": "Miscellaneous", "Type": "Service"},
    ],
    "Class": [{"Name": "Labor"}, {"Name": "Materials"}],
}


async def _call(http: httpx.AsyncClient, method: str, path: str, body: Any = None) -> Any:
    response = await http.request(method, path, json=body)
    if response.status_code >= 300:
        raise ConfigurationError(f"the demo sandbox refused {method} {path}: "
                                 f"{response.status_code} {response.text[:300]}")
    return response.json()


async def create_company(http: httpx.AsyncClient) -> tuple[str, dict[str, list[str]]]:
    """A fresh company with the existing records; its realm id and their ids."""
    realm = (await _call(http, "POST", "/sandbox/companies", COMPANY))["realm_id"]
    ids = await _call(http, "POST", f"/sandbox/companies/{realm}/seed", EXISTING)
    return str(realm), ids


async def meanwhile_in_quickbooks(http: httpx.AsyncClient, realm: str,
                                  invoice_id: str | None, customer_id: str | None,
                                  amount: float | None) -> list[str]:
    """What a bookkeeper does in QuickBooks between two syncs: a new customer, and a
    payment that settles an invoice the sync sent. Returns what was done, for people."""
    done = []
    await _call(http, "POST", f"/sandbox/companies/{realm}/seed?mode=create", {
        "Customer": [{"DisplayName": "Lakeshore Dental Group",
                      "CompanyName": "Lakeshore Dental Group"}]})
    done.append("added the customer 'Lakeshore Dental Group'")
    if invoice_id and customer_id and amount:
        await _call(http, "POST", f"/sandbox/companies/{realm}/seed?mode=create", {
            "Payment": [{"CustomerRef": {"value": customer_id}, "TotalAmt": amount,
                         "Line": [{"Amount": amount, "LinkedTxn": [
                             {"TxnId": invoice_id, "TxnType": "Invoice"}]}]}]})
        done.append(f"received a payment of {amount:.2f} that pays invoice {invoice_id}")
    return done
