"""Payment: applied to invoices through LinkedTxn; the invoices' Balance follows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import QboFault
from ..rules import Ctx, as_number, check_string, money, resolve_ref
from .base import EntitySpec, copy_fields, framed, register
from .sales import applied_payments, invoice_links, refresh_customer_balance
from .txn_common import account_ref_or_default, bump, txn_date

JSON = dict[str, Any]

PAYMENT_FIELDS = frozenset({
    "CustomerRef", "TotalAmt", "Line", "TxnDate", "PrivateNote", "DepositToAccountRef",
    "PaymentMethodRef", "PaymentRefNum", "ARAccountRef", "CurrencyRef", "ExchangeRate",
    "ProcessPayment", "UnappliedAmt", "CreditCardPayment", "TxnSource", "DepartmentRef",
})


def _payment_line(ctx: Ctx, sent: JSON, customer_id: str, own_id: str | None,
                  ) -> tuple[JSON, Decimal]:
    amount = money(sent.get("Amount", 0), "Line.Amount")
    links = [lk for lk in sent.get("LinkedTxn") or [] if isinstance(lk, dict)]
    for link in links:
        if link.get("TxnType") != "Invoice":
            continue
        invoice = ctx.company.get("Invoice", str(link.get("TxnId")))
        if invoice is None:
            raise QboFault("2500", "LinkedTxn", detail=f"Invoice id {link.get('TxnId')} not "
                           "found")
        if str(invoice.get("CustomerRef", {}).get("value")) != customer_id:
            raise QboFault("6000", "LinkedTxn", detail="The invoice belongs to another "
                           "customer.")
        _check_open_amount(ctx, invoice, amount, own_id)
    line = {"Amount": as_number(amount),
            "LinkedTxn": [{"TxnId": str(lk.get("TxnId")), "TxnType": lk.get("TxnType")}
                          for lk in links]}
    return line, amount


def _check_open_amount(ctx: Ctx, invoice: JSON, amount: Decimal, own_id: str | None) -> None:
    applied, _ = applied_payments(ctx, invoice["Id"])
    if own_id is not None:
        applied -= _own_share(ctx, own_id, invoice["Id"])
    open_amount = money(invoice.get("TotalAmt", 0), "TotalAmt") - applied
    if amount > open_amount:
        raise QboFault("6000", "Line.Amount", detail="The payment amount is more than the "
                       "invoice's open balance.")


def _own_share(ctx: Ctx, payment_id: str, invoice_id: str) -> Decimal:
    payment = ctx.company.get("Payment", payment_id) or {}
    return sum((money(line.get("Amount", 0), "Amount") for line in payment.get("Line", [])
                if any(str(lk.get("TxnId")) == invoice_id for lk in line.get("LinkedTxn", []))),
               Decimal(0))


def normalize_payment(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    if not data.get("CustomerRef"):
        raise QboFault("2020", "CustomerRef", field="CustomerRef")
    ref = resolve_ref(ctx, "Customer", data["CustomerRef"], "CustomerRef")
    if data.get("TotalAmt") is None:
        raise QboFault("6000", "TotalAmt", detail="Required parameter TotalAmt is missing.")
    total = money(data["TotalAmt"], "TotalAmt")
    check_string(data, "PrivateNote", 4000)
    own_id = existing["Id"] if existing else None
    lines, applied = [], Decimal(0)
    for sent in data.get("Line") or []:
        line, amount = _payment_line(ctx, sent, ref["value"], own_id)
        lines.append(line)
        applied += amount
    if applied > total:
        raise QboFault("6000", "TotalAmt", detail="The amount applied is more than the "
                       "payment's total.")
    record: JSON = {"CustomerRef": ref}
    record["DepositToAccountRef"] = account_ref_or_default(
        ctx, data, "DepositToAccountRef", "Other Current Asset", "Undeposited Funds")
    record.update({"TotalAmt": as_number(total), "UnappliedAmt": as_number(total - applied),
                   "ProcessPayment": False})
    record.update(framed(ctx, data, existing))
    record["TxnDate"] = txn_date(ctx, data, existing)
    record["CurrencyRef"] = ctx.currency_ref()
    copy_fields(record, data, ("PrivateNote", "PaymentRefNum", "PaymentMethodRef"))
    record["Line"] = lines
    return {k: v for k, v in record.items() if v is not None}


def _linked_invoices(record: JSON | None) -> set[str]:
    if record is None:
        return set()
    return {str(lk.get("TxnId")) for line in record.get("Line", [])
            for lk in line.get("LinkedTxn", []) if lk.get("TxnType") == "Invoice"}


def refresh_invoices(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
    """After a payment changes, each invoice it touches gets its Balance and LinkedTxn."""
    for invoice_id in sorted(_linked_invoices(old) | _linked_invoices(new)):
        invoice = ctx.company.get("Invoice", invoice_id)
        if invoice is None:
            continue
        links, applied = invoice_links(ctx, invoice, invoice_id)
        balance = as_number(money(invoice.get("TotalAmt", 0), "TotalAmt") - applied)
        if links != invoice.get("LinkedTxn") or balance != invoice.get("Balance"):
            updated = bump(ctx, invoice)
            updated["LinkedTxn"] = links
            updated["Balance"] = balance
            ctx.company.put("Invoice", updated)
            ctx.record_change("Invoice", invoice_id, "Update")
            refresh_customer_balance(ctx, None, updated)


PAYMENT = register(EntitySpec("Payment", "txn", PAYMENT_FIELDS, normalize_payment,
                              after_write=refresh_invoices))
