"""Neutral fields (``engine.ledger``) to QuickBooks Online JSON and back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from ledgerbridge.engine.ledger import RemoteKind, RemoteRecord, without_markers

JSON = dict[str, Any]

ENTITY: Mapping[str, str] = {
    "customer": "Customer", "vendor": "Vendor", "employee": "Employee", "item": "Item",
    "class": "Class", "account": "Account", "tax_code": "TaxCode", "tax_agency": "TaxAgency",
    "invoice": "Invoice", "credit_memo": "CreditMemo", "payment": "Payment",
    "purchase_order": "PurchaseOrder", "bill": "Bill",
}
KIND: Mapping[str, RemoteKind] = {entity: kind for kind, entity in ENTITY.items()}  # type: ignore[misc]
ITEM_TYPE = {"service": "Service", "non_inventory": "NonInventory", "inventory": "Inventory"}
ITEM_KIND = {qbo: kind for kind, qbo in ITEM_TYPE.items()}
COMPANY_NAME_LIMIT = 100
#: what QuickBooks Online appends to a name made inactive
DELETED = " (deleted)"
NAME_FIELD = {"customer": "DisplayName", "vendor": "DisplayName", "employee": "DisplayName",
              "item": "Name", "class": "Name", "account": "Name", "tax_code": "Name",
              "tax_agency": "DisplayName"}


def _ref(value: str | None) -> JSON | None:
    return {"value": value} if value else None


def _money(value: Any) -> float | None:
    """An amount as QuickBooks' JSON number: the double nearest the decimal (``float``
    of a Decimal or of its text rounds correctly either way)."""
    return None if value is None else float(value)


def _address(address: Mapping[str, Any] | None) -> JSON | None:
    if not address:
        return None
    return _clean({"Line1": address.get("line1"), "Line2": address.get("line2"),
                   "City": address.get("city"),
                   "CountrySubDivisionCode": address.get("state"),
                   "PostalCode": address.get("postal_code"),
                   "Country": address.get("country")})


def _clean(body: JSON) -> JSON:
    # a loop, not a comprehension: cheaper (no function made per call), per record sent
    clean: JSON = {}
    for key, value in body.items():
        if value is not None:
            clean[key] = value
    return clean


@lru_cache(maxsize=4096, typed=True)
def _date(value: Any) -> str | None:
    """A date as QuickBooks takes it (``str`` of a date: ISO); remembered, as a sync sends
    the same dates many times and formatting one costs three times looking it up."""
    return None if value is None else str(value)


def _names(fields: Mapping[str, Any]) -> JSON:
    company = fields.get("company_name")
    return {"DisplayName": fields["name"],
            # QuickBooks keeps 100 characters of a company name (the display name, 500)
            "CompanyName": str(company)[:COMPANY_NAME_LIMIT] if company else None,
            "PrimaryEmailAddr": {"Address": fields["email"]} if fields.get("email") else None,
            "PrimaryPhone": ({"FreeFormNumber": fields["phone"]} if fields.get("phone")
                             else None),
            "Active": fields.get("active", True)}


def customer(fields: Mapping[str, Any]) -> JSON:
    body = _names(fields) | {
        "BillAddr": _address(fields.get("billing_address")),
        "ShipAddr": _address(fields.get("shipping_address")),
        "Taxable": fields.get("taxable"), "Notes": fields.get("notes")
        or fields.get("description"),
    }
    if fields.get("parent_id"):
        body |= {"Job": True, "ParentRef": _ref(fields["parent_id"]),
                 "BillWithParent": bool(fields.get("bill_with_parent", True))}
    return _clean(body)


def vendor(fields: Mapping[str, Any]) -> JSON:
    return _clean(_names(fields) | {"BillAddr": _address(fields.get("address"))})


def item(fields: Mapping[str, Any]) -> JSON:
    """An item; without ``type`` (a deactivation: name and active only) no Type is sent,
    so a sparse update never changes what kind of item it is."""
    kind = fields.get("type")
    body = {"Name": fields["name"], "Type": ITEM_TYPE[kind] if kind else None,
            "Description": fields.get("description"),
            "UnitPrice": _money(fields.get("unit_price")),
            "PurchaseCost": _money(fields.get("purchase_cost")), "Sku": fields.get("sku"),
            "Active": fields.get("active", True), "Taxable": fields.get("taxable"),
            "IncomeAccountRef": _ref(fields.get("income_account_id")),
            "ExpenseAccountRef": _ref(fields.get("expense_account_id"))}
    if kind == "inventory":
        # an update without the count leaves QuickBooks' QtyOnHand as it is (sparse)
        body |= {"TrackQtyOnHand": True,
                 "AssetAccountRef": _ref(fields.get("asset_account_id"))}
        if "qty_on_hand" in fields:
            body |= {"QtyOnHand": _money(fields["qty_on_hand"]),
                     "InvStartDate": _date(fields.get("inventory_start_date"))}
    return _clean(body)


def class_(fields: Mapping[str, Any]) -> JSON:
    return _clean({"Name": fields["name"], "Active": fields.get("active", True)})


def _sales_line(line: Mapping[str, Any]) -> JSON:
    # built key by key, leaving out what is empty (the busiest translation of a sync)
    detail: JSON = {}
    for key, field in (("ItemRef", "item_id"), ("ClassRef", "class_id")):
        if line.get(field):
            detail[key] = {"value": line[field]}
    for key, field in (("Qty", "quantity"), ("UnitPrice", "unit_price")):
        if line[field] is not None:
            detail[key] = float(line[field])
    if line.get("tax_code_id"):
        detail["TaxCodeRef"] = {"value": line["tax_code_id"]}
    out: JSON = {"DetailType": "SalesItemLineDetail"}
    if line["amount"] is not None:
        out["Amount"] = float(line["amount"])
    if line.get("description") is not None:
        out["Description"] = line["description"]
    out["SalesItemLineDetail"] = detail
    return out


def sales_document(fields: Mapping[str, Any]) -> JSON:
    return _clean({"CustomerRef": _ref(fields["customer_id"]),
                   "DocNumber": fields.get("doc_number"), "TxnDate": _date(fields.get("txn_date")),
                   "DueDate": _date(fields.get("due_date")), "PrivateNote": fields.get("memo"),
                   "Line": [_sales_line(line) for line in fields.get("lines", [])]})


def payment(fields: Mapping[str, Any]) -> JSON:
    lines = [{"Amount": _money(applied["amount"]),
              "LinkedTxn": [{"TxnId": applied["invoice_id"], "TxnType": "Invoice"}]}
             for applied in fields.get("applied", [])]
    return _clean({"CustomerRef": _ref(fields["customer_id"]),
                   "TotalAmt": _money(fields["amount"]), "TxnDate": _date(fields.get("txn_date")),
                   "PaymentRefNum": fields.get("reference"), "PrivateNote": fields.get("memo"),
                   "Line": lines})


def _purchase_line(line: Mapping[str, Any]) -> JSON:
    if line.get("item_id"):
        detail = _clean({"ItemRef": _ref(line["item_id"]), "Qty": _money(line["quantity"]),
                         "UnitPrice": _money(line["unit_cost"]),
                         "CustomerRef": _ref(line.get("customer_id")),
                         "ClassRef": _ref(line.get("class_id"))})
        return _clean({"DetailType": "ItemBasedExpenseLineDetail",
                       "Amount": _money(line["amount"]), "Description": line.get("description"),
                       "ItemBasedExpenseLineDetail": detail})
    detail = _clean({"AccountRef": _ref(line.get("account_id")),
                     "CustomerRef": _ref(line.get("customer_id")),
                     "ClassRef": _ref(line.get("class_id"))})
    return _clean({"DetailType": "AccountBasedExpenseLineDetail",
                   "Amount": _money(line["amount"]), "Description": line.get("description"),
                   "AccountBasedExpenseLineDetail": detail})


def purchase_order(fields: Mapping[str, Any]) -> JSON:
    return _clean({"VendorRef": _ref(fields["vendor_id"]),
                   "APAccountRef": _ref(fields.get("ap_account_id")),
                   "DocNumber": fields.get("doc_number"), "TxnDate": _date(fields.get("txn_date")),
                   "PrivateNote": fields.get("memo"),
                   "POStatus": "Closed" if fields.get("closed") else "Open",
                   "Line": [_purchase_line(line) for line in fields.get("lines", [])]})


def bill(fields: Mapping[str, Any]) -> JSON:
    return _clean({"VendorRef": _ref(fields["vendor_id"]),
                   "DocNumber": fields.get("doc_number"), "TxnDate": _date(fields.get("txn_date")),
                   "DueDate": _date(fields.get("due_date")), "PrivateNote": fields.get("memo"),
                   "Line": [_purchase_line(line) for line in fields.get("lines", [])]})


TO_QBO: Mapping[str, Callable[[Mapping[str, Any]], JSON]] = {
    "customer": customer, "vendor": vendor, "item": item, "class": class_,
    "invoice": sales_document, "credit_memo": sales_document, "payment": payment,
    "purchase_order": purchase_order, "bill": bill,
}


def to_qbo(kind: str, fields: Mapping[str, Any]) -> JSON:
    return TO_QBO[kind](fields)


def _when(meta: Mapping[str, Any] | None) -> datetime | None:
    stamp = meta.get("LastUpdatedTime") if meta else None
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def _named(kind: RemoteKind, body: Mapping[str, Any], fields: JSON,
           updated_at: datetime | None) -> RemoteRecord:
    """The record of a live entity: identity, version, name, activity and parent."""
    name = body.get(NAME_FIELD.get(kind, "DocNumber"))
    parent = body.get("ParentRef")
    active = bool(body.get("Active", True))
    if not active and isinstance(name, str) and name.endswith(DELETED):
        fields = {**fields, "base_name": name[: -len(DELETED)]}  # its name while active
    # positional (kind, id, version, name, active, parent_id, fields, updated_at): made
    # for every record written or read, where keywords cost a third more
    return RemoteRecord(kind, str(body["Id"]), str(body.get("SyncToken", "0")), name, active,
                        parent.get("value") if parent else None, fields, updated_at)


def from_qbo(kind: RemoteKind, body: Mapping[str, Any]) -> RemoteRecord:
    """The neutral view of a QuickBooks Online entity (or its 'Deleted' stub)."""
    updated_at = _when(body.get("MetaData"))
    if body.get("status") == "Deleted":
        return RemoteRecord(kind, str(body["Id"]), "", deleted=True, updated_at=updated_at)
    return _named(kind, body, NEUTRAL.get(kind, _raw)(body), updated_at)


#: every field of a write's answer that :func:`from_answer` reads (the write asks for
#: these alone: QuickBooks answers with the whole entity)
ANSWER_FIELDS = tuple(sorted({"Id", "SyncToken", "status", "Active", "ParentRef", "DocNumber",
                              *NAME_FIELD.values()}))


def from_answer(kind: RemoteKind, body: Mapping[str, Any]) -> RemoteRecord:
    """What a write's answer says of the record: identity, version, name (and the one it
    had while active), not its fields or time of change, which the engine does not take
    from a write (parsing the time, with its offset, costs more than the rest)."""
    if body.get("status") == "Deleted":
        return RemoteRecord(kind, str(body["Id"]), "", deleted=True)
    return _named(kind, body, {}, None)


def _raw(body: Mapping[str, Any]) -> JSON:
    return {}


def _address_in(body: Mapping[str, Any] | None) -> JSON | None:
    if not body:
        return None
    return {"line1": body.get("Line1"), "line2": body.get("Line2"), "city": body.get("City"),
            "state": body.get("CountrySubDivisionCode"), "postal_code": body.get("PostalCode"),
            "country": body.get("Country")}


def _value(ref: Any) -> str | None:
    return str(ref["value"]) if isinstance(ref, Mapping) and ref.get("value") else None


def _customer_in(body: Mapping[str, Any]) -> JSON:
    return {"company_name": body.get("CompanyName"),
            "email": (body.get("PrimaryEmailAddr") or {}).get("Address"),
            "phone": (body.get("PrimaryPhone") or {}).get("FreeFormNumber"),
            "billing_address": _address_in(body.get("BillAddr"))}


def _item_in(body: Mapping[str, Any]) -> JSON:
    return {"item_type": ITEM_KIND.get(str(body.get("Type")), "other"),
            "description": body.get("Description"), "unit_price": body.get("UnitPrice"),
            "qty_on_hand": body.get("QtyOnHand")}


def _sales_line_in(line: Mapping[str, Any]) -> JSON:
    detail = line.get("SalesItemLineDetail") or {}
    return {"line_id": line.get("Id"), "description": line.get("Description"),
            "amount": line.get("Amount"), "item_id": _value(detail.get("ItemRef")),
            "class_id": _value(detail.get("ClassRef")), "quantity": detail.get("Qty"),
            "unit_price": detail.get("UnitPrice")}


def _sales_in(body: Mapping[str, Any]) -> JSON:
    lines = [_sales_line_in(line) for line in body.get("Line", [])
             if line.get("DetailType") == "SalesItemLineDetail"]
    return {"customer_id": _value(body.get("CustomerRef")), "total": body.get("TotalAmt"),
            "balance": body.get("Balance"), "txn_date": body.get("TxnDate"),
            "due_date": body.get("DueDate"), "memo": without_markers(body.get("PrivateNote")),
            "voided": "Voided" in str(body.get("PrivateNote") or "")
            and not body.get("TotalAmt"), "lines": lines}


def _payment_in(body: Mapping[str, Any]) -> JSON:
    applied = [{"invoice_id": str(linked.get("TxnId")), "amount": line.get("Amount")}
               for line in body.get("Line", []) for linked in line.get("LinkedTxn", [])
               if linked.get("TxnType") == "Invoice"]
    return {"customer_id": _value(body.get("CustomerRef")), "amount": body.get("TotalAmt"),
            "txn_date": body.get("TxnDate"), "reference": body.get("PaymentRefNum"),
            "memo": without_markers(body.get("PrivateNote")), "applied": applied}


NEUTRAL: Mapping[str, Callable[[Mapping[str, Any]], JSON]] = {
    "customer": _customer_in, "vendor": _customer_in, "item": _item_in,
    "invoice": _sales_in, "credit_memo": _sales_in, "payment": _payment_in,
}
