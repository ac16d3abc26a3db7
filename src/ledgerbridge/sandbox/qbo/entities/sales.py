"""Sales transactions: Invoice, CreditMemo, SalesReceipt, Estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import QboFault
from ..rules import Ctx, as_number, check_string, money, resolve_ref
from .base import FRAME, EntitySpec, copy_fields, framed, register
from .inventory import chain, inventory_hook
from .lines import sales_lines
from .txn_common import account_ref_or_default, custom_fields, doc_number, due_date, txn_date

JSON = dict[str, Any]

SALES_FIELDS = frozenset({
    "DocNumber", "TxnDate", "PrivateNote", "Line", "CustomerRef", "CustomerMemo", "BillAddr",
    "ShipAddr", "ShipFromAddr", "SalesTermRef", "DueDate", "CurrencyRef", "ExchangeRate",
    "ApplyTaxAfterDiscount", "PrintStatus", "EmailStatus", "BillEmail", "BillEmailCc",
    "BillEmailBcc", "TxnTaxDetail", "CustomField", "ClassRef", "DepartmentRef", "ShipDate",
    "TrackingNum", "ShipMethodRef", "LinkedTxn", "AllowIPNPayment", "AllowOnlinePayment",
    "AllowOnlineCreditCardPayment", "AllowOnlineACHPayment", "Deposit", "DepositToAccountRef",
    "PaymentMethodRef", "PaymentRefNum", "TotalAmt", "TxnSource", "GlobalTaxCalculation",
    "DeliveryInfo", "TxnStatus", "ExpirationDate", "AcceptedBy", "AcceptedDate",
    "GovtTxnRefIdentifier", "HomeTotalAmt", "AutoDocNumber", "SalesRepRef", "PONumber",
    "FreeFormAddress", "TransactionLocationType", "TaxExemptionRef",
})
SYSTEM = frozenset({"Balance", "HomeBalance", "RemainingCredit", "InvoiceLink"})


def _customer(ctx: Ctx, data: JSON, required: bool) -> tuple[JSON | None, JSON | None]:
    if not data.get("CustomerRef"):
        if required:
            raise QboFault("2020", "CustomerRef", field="CustomerRef")
        return None, None
    ref = resolve_ref(ctx, "Customer", data["CustomerRef"], "CustomerRef")
    return ref, ctx.company.get("Customer", ref["value"])


def sales_record(ctx: Ctx, entity: str, data: JSON, existing: JSON | None, *,
                 customer_required: bool = True) -> tuple[JSON, Decimal]:
    """The parts every sales form shares, in QuickBooks' key order."""
    ref, customer = _customer(ctx, data, customer_required)
    check_string(data, "PrivateNote", 4000)
    taxable = bool(customer.get("Taxable")) if customer else False
    old_lines = existing.get("Line", []) if existing else []
    lines, total = sales_lines(ctx, data, old_lines, taxable)
    record = framed(ctx, data, existing)
    record["CustomField"] = custom_fields(ctx)
    record["DocNumber"] = doc_number(ctx, entity, data, existing)
    record["TxnDate"] = txn_date(ctx, data, existing)
    record["CurrencyRef"] = ctx.currency_ref()
    copy_fields(record, data, ("PrivateNote",))
    record["Line"] = lines
    record["TxnTaxDetail"] = {"TotalTax": 0}
    if ref is not None:
        record["CustomerRef"] = ref
    copy_fields(record, data, ("CustomerMemo",))
    _addresses(record, data, customer)
    return record, total


def _addresses(record: JSON, data: JSON, customer: JSON | None) -> None:
    for key in ("BillAddr", "ShipAddr"):
        value = data.get(key) or (customer or {}).get(key)
        if value:
            record[key] = value


def _tail(record: JSON, data: JSON, total: Decimal) -> None:
    record["TotalAmt"] = as_number(total)
    record["ApplyTaxAfterDiscount"] = bool(data.get("ApplyTaxAfterDiscount", False))
    record["PrintStatus"] = data.get("PrintStatus", "NeedToPrint")
    record["EmailStatus"] = data.get("EmailStatus", "NotSet")
    copy_fields(record, data, ("BillEmail", "DeliveryInfo"))


def applied_payments(ctx: Ctx, invoice_id: str) -> tuple[Decimal, list[str]]:
    """What payments apply to an invoice: total and payment ids."""
    total = Decimal(0)
    ids: list[str] = []
    for payment in ctx.company.payments_for(invoice_id):
        for line in payment.get("Line", []):
            for link in line.get("LinkedTxn", []):
                if link.get("TxnType") == "Invoice" and str(link.get("TxnId")) == invoice_id:
                    total += money(line.get("Amount", 0), "Amount")
                    if payment["Id"] not in ids:
                        ids.append(payment["Id"])
    return total, ids


def invoice_links(ctx: Ctx, data: JSON, invoice_id: str | None) -> tuple[list[JSON], Decimal]:
    others = [link for link in data.get("LinkedTxn") or []
              if isinstance(link, dict) and link.get("TxnType") != "Payment"]
    if invoice_id is None:
        return others, Decimal(0)
    applied, payment_ids = applied_payments(ctx, invoice_id)
    return others + [{"TxnId": pid, "TxnType": "Payment"} for pid in payment_ids], applied


def normalize_invoice(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    record, total = sales_record(ctx, "Invoice", data, existing)
    links, applied = invoice_links(ctx, data, existing["Id"] if existing else None)
    if applied > total:
        raise QboFault("6000", "TotalAmt", detail="The invoice total is less than the payments "
                       "applied to it.")
    head = {key: bool(data.get(key, False)) for key in (
        "AllowIPNPayment", "AllowOnlinePayment", "AllowOnlineCreditCardPayment",
        "AllowOnlineACHPayment")}
    body = {k: v for k, v in record.items() if v is not None}
    out: JSON = {**head, **{k: body[k] for k in FRAME}}
    for key, value in body.items():
        if key == "Line":
            out["LinkedTxn"] = links
        out.setdefault(key, value)
    out["DueDate"] = due_date(ctx, data, record["TxnDate"])
    copy_fields(out, data, ("SalesTermRef",))
    _tail(out, data, total)
    out["Balance"] = as_number(total - applied)
    return out


def normalize_credit_memo(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    record, total = sales_record(ctx, "CreditMemo", data, existing)
    out = {k: v for k, v in record.items() if v is not None}
    _tail(out, data, total)
    out["Balance"] = as_number(total)
    out["RemainingCredit"] = as_number(total)
    return out


def normalize_sales_receipt(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    record, total = sales_record(ctx, "SalesReceipt", data, existing, customer_required=False)
    out = {k: v for k, v in record.items() if v is not None}
    _tail(out, data, total)
    out["Balance"] = 0
    out["DepositToAccountRef"] = account_ref_or_default(
        ctx, data, "DepositToAccountRef", "Other Current Asset", "Undeposited Funds")
    copy_fields(out, data, ("PaymentMethodRef", "PaymentRefNum"))
    return {k: v for k, v in out.items() if v is not None}


def normalize_estimate(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    record, total = sales_record(ctx, "Estimate", data, existing)
    out = {k: v for k, v in record.items() if v is not None}
    status = data.get("TxnStatus", "Pending")
    out = {**{k: out[k] for k in FRAME}, **out}
    out["TxnStatus"] = status
    out["LinkedTxn"] = [lk for lk in data.get("LinkedTxn") or [] if isinstance(lk, dict)]
    _tail(out, data, total)
    copy_fields(out, data, ("ExpirationDate",))
    return out


def void_invoice(ctx: Ctx, record: JSON) -> JSON:
    """``operation=void``: amounts zeroed, the note says Voided; refused with payments."""
    applied, _ = applied_payments(ctx, record["Id"])
    if applied:
        raise QboFault("6000", None, detail="This transaction has payments applied to it; "
                       "remove them before voiding.")
    voided = dict(record)
    voided["PrivateNote"] = "Voided"
    voided["Line"] = [_zero_line(line) for line in record.get("Line", [])]
    voided["TotalAmt"] = 0
    voided["Balance"] = 0
    return _with_note_order(voided)


def _zero_line(line: JSON) -> JSON:
    zeroed = dict(line)
    zeroed["Amount"] = 0
    detail_type = str(line.get("DetailType"))
    if isinstance(line.get(detail_type), dict):
        zeroed[detail_type] = {k: v for k, v in line[detail_type].items()
                               if k not in ("Qty", "UnitPrice")}
    return zeroed


def _with_note_order(record: JSON) -> JSON:
    out: JSON = {}
    for key, value in record.items():
        if key == "LinkedTxn" and "PrivateNote" not in out:
            out["PrivateNote"] = record["PrivateNote"]
        out.setdefault(key, value)
    return out


def check_invoice_delete(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
    if old is not None and applied_payments(ctx, old["Id"])[0]:
        raise QboFault("6000", None, detail="This invoice has payments applied to it; delete "
                       "or unapply the payments first.")


def refresh_customer_balance(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
    for record in (old, new):
        if record and record.get("CustomerRef"):
            _customer_balance(ctx, str(record["CustomerRef"]["value"]))


def _customer_balance(ctx: Ctx, customer_id: str) -> None:
    customer = ctx.company.get("Customer", customer_id)
    if customer is None:
        return
    total = sum((money(inv.get("Balance", 0), "Balance")
                 for inv in ctx.company.invoices_of(customer_id)), Decimal(0))
    if as_number(total) != customer.get("Balance"):
        ctx.company.put("Customer", {**customer, "Balance": as_number(total),
                                     "BalanceWithJobs": as_number(total)})


SOLD = "SalesItemLineDetail"
INVOICE = register(EntitySpec("Invoice", "txn", SALES_FIELDS, normalize_invoice, system=SYSTEM,
                              after_write=chain(refresh_customer_balance,
                                                inventory_hook(SOLD, -1)),
                              before_delete=check_invoice_delete, voidable=True))
CREDIT_MEMO = register(EntitySpec("CreditMemo", "txn", SALES_FIELDS, normalize_credit_memo,
                                  system=SYSTEM, after_write=inventory_hook(SOLD, 1)))
SALES_RECEIPT = register(EntitySpec("SalesReceipt", "txn", SALES_FIELDS,
                                    normalize_sales_receipt, system=SYSTEM,
                                    after_write=inventory_hook(SOLD, -1)))
ESTIMATE = register(EntitySpec("Estimate", "txn", SALES_FIELDS, normalize_estimate,
                               system=SYSTEM))

