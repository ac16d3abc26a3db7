"""Purchase transactions: Bill (raises inventory) and PurchaseOrder (non-posting)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import QboFault
from ..rules import Ctx, as_number, check_string, resolve_ref
from .base import EntitySpec, copy_fields, framed, register
from .inventory import inventory_hook
from .lines import expense_lines
from .txn_common import account_ref_or_default, doc_number, due_date, txn_date

JSON = dict[str, Any]

PURCHASE_FIELDS = frozenset({
    "VendorRef", "Line", "TxnDate", "DueDate", "DocNumber", "PrivateNote", "APAccountRef",
    "SalesTermRef", "CurrencyRef", "ExchangeRate", "VendorAddr", "ShipAddr", "ShipMethodRef",
    "Memo", "POStatus", "POEmail", "EmailStatus", "TotalAmt", "DepartmentRef", "LinkedTxn",
    "GlobalTaxCalculation", "TxnTaxDetail", "CustomField", "ClassRef", "TxnSource",
})
PO_STATUSES = ("Open", "Closed")


def _purchase(ctx: Ctx, entity: str, data: JSON, existing: JSON | None,
              ) -> tuple[JSON, Decimal]:
    if not data.get("VendorRef"):
        raise QboFault("2020", "VendorRef", field="VendorRef")
    vendor = resolve_ref(ctx, "Vendor", data["VendorRef"], "VendorRef")
    check_string(data, "PrivateNote", 4000)
    lines, total = expense_lines(ctx, data, existing.get("Line", []) if existing else [])
    record = framed(ctx, data, existing)
    record["DocNumber"] = data.get("DocNumber") and doc_number(ctx, entity, data, existing)
    record["TxnDate"] = txn_date(ctx, data, existing)
    record["CurrencyRef"] = ctx.currency_ref()
    copy_fields(record, data, ("PrivateNote",))
    record["LinkedTxn"] = [lk for lk in data.get("LinkedTxn") or [] if isinstance(lk, dict)]
    record["Line"] = lines
    record["VendorRef"] = vendor
    return record, total


def normalize_bill(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    record, total = _purchase(ctx, "Bill", data, existing)
    record["APAccountRef"] = account_ref_or_default(ctx, data, "APAccountRef",
                                                    "Accounts Payable")
    record["DueDate"] = due_date(ctx, data, record["TxnDate"])
    record["TotalAmt"] = as_number(total)
    record["Balance"] = as_number(total)
    return {k: v for k, v in record.items() if v is not None}


def normalize_purchase_order(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    if not data.get("APAccountRef"):
        raise QboFault("2020", "APAccountRef", field="APAccountRef")
    status = data.get("POStatus", "Open")
    if status not in PO_STATUSES:
        raise QboFault("2010", "POStatus", field="POStatus", entity="PurchaseOrder")
    record, total = _purchase(ctx, "PurchaseOrder", data, existing)
    record["APAccountRef"] = resolve_ref(ctx, "Account", data["APAccountRef"], "APAccountRef",
                                         name_key_="Name")
    record["POStatus"] = status
    record["EmailStatus"] = data.get("EmailStatus", "NotSet")
    record["TotalAmt"] = as_number(total)
    copy_fields(record, data, ("Memo", "ShipAddr", "VendorAddr"))
    return {k: v for k, v in record.items() if v is not None}


BILL = register(EntitySpec("Bill", "txn", PURCHASE_FIELDS, normalize_bill,
                           system=frozenset({"Balance"}),
                           after_write=inventory_hook("ItemBasedExpenseLineDetail", 1)))
PURCHASE_ORDER = register(EntitySpec("PurchaseOrder", "txn", PURCHASE_FIELDS,
                                     normalize_purchase_order))
