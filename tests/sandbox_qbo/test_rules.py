"""QuickBooks' rules as the sandbox applies them, through the HTTP API."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Company, new_company

LINE = {"Amount": 100, "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "UnitPrice": 50}}


def fault_code(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    code: str = response.json()["Fault"]["Error"][0]["code"]
    return code


async def item(company: Company, name: str = "Labor", **extra: Any) -> dict[str, Any]:
    return await company.create("Item", {"Name": name, "Type": "Service",
                                         "IncomeAccountRef": {"value": "1"}, **extra})


async def customer_and_item(company: Company) -> tuple[dict[str, Any], dict[str, Any]]:
    customer = await company.create("Customer", {"DisplayName": "Amy's Bird Sanctuary"})
    return customer, await item(company)


async def test_display_name_is_unique_across_names_case_insensitive(company: Company) -> None:
    await company.create("Vendor", {"DisplayName": "Acme Supply"})
    assert fault_code(await company.post("customer", {"DisplayName": "ACME supply"})) == "6240"
    assert fault_code(await company.post("employee", {"DisplayName": "acme Supply"})) == "6240"


async def test_inactive_names_still_hold_their_name(company: Company) -> None:
    customer = await company.create("Customer", {"DisplayName": "Gone Corp"})
    gone = await company.post("customer", {"Id": customer["Id"], "SyncToken": "0",
                                           "sparse": True, "Active": False})
    assert gone.json()["Customer"]["DisplayName"] == "Gone Corp (deleted)"
    assert gone.json()["Customer"]["FullyQualifiedName"] == "Gone Corp (deleted)"
    assert fault_code(await company.post("vendor", {"DisplayName": "gone corp (DELETED)"})) == (
        "6240")


async def test_name_characters_and_lengths(company: Company) -> None:
    for bad in ("Acme: East", "Acme\tEast", "Acme\nEast"):
        response = await company.post("customer", {"DisplayName": bad})
        assert fault_code(response) == "2040"
    assert fault_code(await company.post("customer", {"DisplayName": "x" * 501})) == "2050"
    assert fault_code(await company.post("customer", {"GivenName": "x" * 101})) == "2050"
    assert (await company.post("customer", {"DisplayName": "x" * 500})).status_code == 200


async def test_display_name_is_made_from_name_parts(company: Company) -> None:
    made = await company.create("Customer", {"GivenName": "Jane", "FamilyName": "Doe"})
    assert made["DisplayName"] == "Jane Doe"
    assert fault_code(await company.post("customer", {"Notes": "no name"})) == "2020"


async def test_unknown_property_is_2010(company: Company) -> None:
    response = await company.post("invoice", {"BadJson": True})
    assert fault_code(response) == "2010"
    assert "BadJson" in response.json()["Fault"]["Error"][0]["Detail"]


async def test_stale_sync_token_is_5010(company: Company) -> None:
    made = await company.create("Customer", {"DisplayName": "Stale"})
    ok = await company.post("customer", {"Id": made["Id"], "SyncToken": "0", "sparse": True,
                                         "Notes": "one"})
    assert ok.json()["Customer"]["SyncToken"] == "1"
    again = await company.post("customer", {"Id": made["Id"], "SyncToken": "0",
                                            "sparse": True, "Notes": "two"})
    assert fault_code(again) == "5010"


async def test_full_update_drops_missing_fields_sparse_keeps_them(company: Company) -> None:
    made = await company.create("Customer", {"DisplayName": "Full", "Notes": "keep?",
                                             "PrimaryPhone": {"FreeFormNumber": "555"}})
    sparse = await company.post("customer", {"Id": made["Id"], "SyncToken": "0",
                                             "sparse": True, "Notes": "changed"})
    assert sparse.json()["Customer"]["PrimaryPhone"] == {"FreeFormNumber": "555"}
    full = await company.post("customer", {"Id": made["Id"], "SyncToken": "1",
                                           "DisplayName": "Full"})
    assert "PrimaryPhone" not in full.json()["Customer"]
    assert "Notes" not in full.json()["Customer"]


async def test_no_op_update_keeps_sync_token(company: Company) -> None:
    made = await company.create("Customer", {"DisplayName": "Same"})
    same = await company.post("customer", {"Id": made["Id"], "SyncToken": "0", "sparse": True,
                                           "DisplayName": "Same"})
    assert same.json()["Customer"]["SyncToken"] == "0"


async def test_lines_are_replaced_whole_and_keep_sent_ids(company: Company) -> None:
    customer, service = await customer_and_item(company)
    two_lines = [LINE, {**LINE, "Amount": 30, "SalesItemLineDetail": {
        "ItemRef": {"value": service["Id"]}, "Qty": 1, "UnitPrice": 30}}]
    invoice = await company.create("Invoice", {"CustomerRef": {"value": customer["Id"]},
                                               "Line": two_lines})
    assert invoice["TotalAmt"] == 130
    kept = {**invoice["Line"][1], "Amount": 60,
            "SalesItemLineDetail": {"ItemRef": {"value": service["Id"]}, "Qty": 2,
                                    "UnitPrice": 30}}
    updated = await company.post("invoice", {"Id": invoice["Id"], "SyncToken": "0",
                                             "sparse": True, "Line": [kept]})
    lines = updated.json()["Invoice"]["Line"]
    assert [line.get("Id") for line in lines] == [invoice["Line"][1]["Id"], None]
    assert updated.json()["Invoice"]["TotalAmt"] == 60
    assert updated.json()["Invoice"]["Balance"] == 60


async def test_amount_must_equal_qty_times_price(company: Company) -> None:
    customer, _ = await customer_and_item(company)
    wrong = {**LINE, "Amount": 99}
    response = await company.post("invoice", {"CustomerRef": {"value": customer["Id"]},
                                              "Line": [wrong]})
    assert fault_code(response) == "6070"


async def test_required_fields(company: Company) -> None:
    assert fault_code(await company.post("invoice", {"Line": [LINE]})) == "2020"
    customer, _ = await customer_and_item(company)
    assert fault_code(await company.post("invoice", {"CustomerRef": {"value": customer["Id"]},
                                                     "Line": []})) == "2020"
    assert fault_code(await company.post("payment", {"CustomerRef": {"value": customer["Id"]}},
                                         )) == "6000"


async def test_doc_numbers_generated_or_checked(http: httpx.AsyncClient) -> None:
    plain = await new_company(http)
    customer, _ = await customer_and_item(plain)
    body = {"CustomerRef": {"value": customer["Id"]}, "Line": [LINE]}
    first, second = await plain.create("Invoice", body), await plain.create("Invoice", body)
    assert (first["DocNumber"], second["DocNumber"]) == ("1001", "1002")
    custom = await new_company(http, preferences={"custom_txn_numbers": True})
    customer, _ = await customer_and_item(custom)
    body = {"CustomerRef": {"value": customer["Id"]}, "Line": [LINE], "DocNumber": "A-1"}
    await custom.create("Invoice", body)
    assert fault_code(await custom.post("invoice", body)) == "6140"
    allowed = await custom.post("invoice", body, include="allowduplicatedocnum")
    assert allowed.status_code == 200
    assert fault_code(await custom.post("invoice", {**body, "DocNumber": "x" * 22})) == "2050"


async def test_references_missing_or_inactive(company: Company) -> None:
    customer, service = await customer_and_item(company)
    missing = {"CustomerRef": {"value": "999"}, "Line": [LINE]}
    assert fault_code(await company.post("invoice", missing)) == "2500"
    await company.post("item", {"Id": service["Id"], "SyncToken": "0", "sparse": True,
                                "Active": False})
    inactive = {"CustomerRef": {"value": customer["Id"]}, "Line": [LINE]}
    assert fault_code(await company.post("invoice", inactive)) == "610"


async def test_class_ref_needs_class_tracking(http: httpx.AsyncClient) -> None:
    for tracking, expected in ((False, 400), (True, 200)):
        company = await new_company(http, preferences={"class_tracking_per_line": tracking})
        customer, _ = await customer_and_item(company)
        klass = await company.create("Class", {"Name": "Labor"})
        line = {**LINE, "SalesItemLineDetail": {**LINE["SalesItemLineDetail"],  # type: ignore[dict-item]
                                                "ClassRef": {"value": klass["Id"]}}}
        response = await company.post("invoice", {"CustomerRef": {"value": customer["Id"]},
                                                  "Line": [line]})
        assert response.status_code == expected, response.text
        if not tracking:
            assert fault_code(response) == "6000"


async def test_sub_customers_nest_five_levels(company: Company) -> None:
    parent = await company.create("Customer", {"DisplayName": "Level0"})
    for level in range(1, 5):
        parent = await company.create("Customer", {"DisplayName": f"Level{level}", "Job": True,
                                                   "ParentRef": {"value": parent["Id"]}})
        assert parent["Level"] == level
    assert parent["FullyQualifiedName"] == "Level0:Level1:Level2:Level3:Level4"
    too_deep = await company.post("customer", {"DisplayName": "Level5", "Job": True,
                                               "ParentRef": {"value": parent["Id"]}})
    assert fault_code(too_deep) == "6000"


async def test_renaming_a_parent_renames_its_jobs(company: Company) -> None:
    parent = await company.create("Customer", {"DisplayName": "Old"})
    job = await company.create("Customer", {"DisplayName": "Job", "Job": True,
                                            "ParentRef": {"value": parent["Id"]}})
    await company.post("customer", {"Id": parent["Id"], "SyncToken": "0", "sparse": True,
                                    "DisplayName": "New"})
    assert (await company.get(f"customer/{job['Id']}")).json()["Customer"][
        "FullyQualifiedName"] == "New:Job"


async def test_payment_moves_invoice_balance_and_links(company: Company) -> None:
    customer, _ = await customer_and_item(company)
    invoice = await company.create("Invoice", {"CustomerRef": {"value": customer["Id"]},
                                               "Line": [LINE]})
    payment = await company.create("Payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 70,
        "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
    assert payment["UnappliedAmt"] == 30
    after = (await company.get(f"invoice/{invoice['Id']}")).json()["Invoice"]
    assert after["Balance"] == 60
    assert after["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]
    assert (await company.get(f"customer/{customer['Id']}")).json()["Customer"]["Balance"] == 60
    over = await company.post("payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 100,
        "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
    assert fault_code(over) == "6000"
    deleted = await company.post("payment", {"Id": payment["Id"], "SyncToken": "0"},
                                 operation="delete")
    assert deleted.json()["Payment"]["status"] == "Deleted"
    restored = (await company.get(f"invoice/{invoice['Id']}")).json()["Invoice"]
    assert restored["Balance"] == 100
    assert restored["LinkedTxn"] == []


async def inventory_item(company: Company) -> dict[str, Any]:
    return await company.create("Item", {
        "Name": "Valve", "Type": "Inventory", "TrackQtyOnHand": True, "QtyOnHand": 5,
        "InvStartDate": "2025-01-01", "IncomeAccountRef": {"value": "2"},
        "ExpenseAccountRef": {"value": "3"}, "AssetAccountRef": {"value": "4"}})


async def test_inventory_item_needs_its_accounts(company: Company) -> None:
    response = await company.post("item", {
        "Name": "Valve", "Type": "Inventory", "TrackQtyOnHand": True, "QtyOnHand": 5,
        "InvStartDate": "2025-01-01", "IncomeAccountRef": {"value": "2"},
        "ExpenseAccountRef": {"value": "3"}})
    assert fault_code(response) == "2020"
    assert response.json()["Fault"]["Error"][0]["element"] == "AssetAccountRef"


async def test_bill_raises_quantity_on_hand_and_po_does_not(company: Company) -> None:
    valve = await inventory_item(company)
    vendor = await company.create("Vendor", {"DisplayName": "Norton Lumber"})
    line = {"Amount": 30, "DetailType": "ItemBasedExpenseLineDetail",
            "ItemBasedExpenseLineDetail": {"ItemRef": {"value": valve["Id"]}, "Qty": 3,
                                           "UnitPrice": 10}}
    order = await company.create("PurchaseOrder", {"VendorRef": {"value": vendor["Id"]},
                                                   "APAccountRef": {"value": "5"},
                                                   "Line": [line]})
    assert order["POStatus"] == "Open"
    assert (await company.get(f"item/{valve['Id']}")).json()["Item"]["QtyOnHand"] == 5
    bill = await company.create("Bill", {"VendorRef": {"value": vendor["Id"]}, "Line": [line]})
    assert (await company.get(f"item/{valve['Id']}")).json()["Item"]["QtyOnHand"] == 8
    await company.post("bill", {"Id": bill["Id"], "SyncToken": "0"}, operation="delete")
    assert (await company.get(f"item/{valve['Id']}")).json()["Item"]["QtyOnHand"] == 5


async def test_delete_void_and_names_cannot_be_deleted(company: Company) -> None:
    customer, _ = await customer_and_item(company)
    invoice = await company.create("Invoice", {"CustomerRef": {"value": customer["Id"]},
                                               "Line": [LINE]})
    voided = (await company.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"},
                                 operation="void")).json()["Invoice"]
    assert (voided["TotalAmt"], voided["Balance"], voided["PrivateNote"]) == (0, 0, "Voided")
    assert voided["SyncToken"] == "1"
    gone = await company.post("invoice", {"Id": invoice["Id"], "SyncToken": "1"},
                              operation="delete")
    assert gone.json()["Invoice"] == {"domain": "QBO", "status": "Deleted", "Id": invoice["Id"]}
    assert fault_code(await company.get(f"invoice/{invoice['Id']}")) == "610"
    refused = await company.post("customer", {"Id": customer["Id"], "SyncToken": "0"},
                                 operation="delete")
    assert fault_code(refused) == "6000"


async def test_invalid_id_and_unknown_paths(company: Company) -> None:
    response = await company.get("customer/1.5")
    assert fault_code(response) == "2030"
    assert "time" not in response.json()
    assert fault_code(await company.get("customer/1/5")) == "500"
    assert fault_code(await company.post("widget", {})) == "500"


async def test_requestid_returns_the_original_answer(company: Company) -> None:
    first = await company.post("customer", {"DisplayName": "Once"}, requestid="r-1")
    again = await company.post("customer", {"DisplayName": "Once"}, requestid="r-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    count = await company.query("SELECT COUNT(*) FROM Customer")
    assert count.json()["QueryResponse"]["totalCount"] == 1
    other = await company.post("customer", {"DisplayName": "Once"}, requestid="r-2")
    assert fault_code(other) == "6240"


async def test_company_info_and_preferences(company: Company) -> None:
    info = (await company.get(f"companyinfo/{company.realm}")).json()["CompanyInfo"]
    assert info["CompanyName"] == "Test Co"
    prefs = (await company.get("preferences")).json()["Preferences"]
    assert prefs["SalesFormsPrefs"]["CustomTxnNumbers"] is False
    changed = await company.post("preferences", {
        "Id": prefs["Id"], "SyncToken": prefs["SyncToken"], "sparse": True,
        "SalesFormsPrefs": {"CustomTxnNumbers": True}})
    assert changed.json()["Preferences"]["SalesFormsPrefs"]["CustomTxnNumbers"] is True


async def test_sales_lower_quantity_on_hand_and_credit_memos_raise_it(company: Company,
                                                                       ) -> None:
    valve = await inventory_item(company)
    customer = await company.create("Customer", {"DisplayName": "Buyer"})
    line = {"Amount": 20, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": valve["Id"]}, "Qty": 2,
                                    "UnitPrice": 10}}
    body = {"CustomerRef": {"value": customer["Id"]}, "Line": [line]}
    invoice = await company.create("Invoice", body)
    assert (await company.get(f"item/{valve['Id']}")).json()["Item"]["QtyOnHand"] == 3
    await company.create("CreditMemo", body)
    assert (await company.get(f"item/{valve['Id']}")).json()["Item"]["QtyOnHand"] == 5
    voided = await company.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"},
                                operation="void")
    assert voided.status_code == 200
    assert (await company.get(f"item/{valve['Id']}")).json()["Item"]["QtyOnHand"] == 7


async def test_balances_follow_payments_moved_between_invoices(company: Company) -> None:
    customer, _ = await customer_and_item(company)
    first, second = [await company.create("Invoice", {
        "CustomerRef": {"value": customer["Id"]}, "Line": [LINE]}) for _ in range(2)]

    async def balances() -> tuple[Any, Any, Any]:
        one = (await company.get(f"invoice/{first['Id']}")).json()["Invoice"]
        two = (await company.get(f"invoice/{second['Id']}")).json()["Invoice"]
        owner = (await company.get(f"customer/{customer['Id']}")).json()["Customer"]
        return one["Balance"], two["Balance"], owner["Balance"]

    payment = await company.create("Payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 40,
        "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": first["Id"], "TxnType": "Invoice"}]}]})
    assert await balances() == (60, 100, 160)
    moved = await company.post("payment", {
        "Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True,
        "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": second["Id"], "TxnType": "Invoice"}]}]})
    assert moved.status_code == 200, moved.text
    assert await balances() == (100, 60, 160)  # the first invoice is whole again
    await company.post("payment", {"Id": payment["Id"],
                                   "SyncToken": moved.json()["Payment"]["SyncToken"]},
                       operation="delete")
    assert await balances() == (100, 100, 200)
