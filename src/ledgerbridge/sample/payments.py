"""Payments: paid invoices are paid in full (sometimes in two instalments, sometimes
two invoices in one payment), open invoices get partial payments, and a couple of
deposits stay unapplied."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledgerbridge.sample.billing import Invoice
from ledgerbridge.sample.util import ANCHOR, Record, cents, days_after, fmt_money, iso, record

PAYMENTS = 200
UNAPPLIED = 2
METHODS = (("check", 35), ("credit_card", 30), ("ach", 25), ("cash", 10))


@dataclass
class Payment:
    customer: str
    day: date
    applications: list[tuple[Invoice, Decimal]]
    amount: Decimal
    memo: str | None = None


def _full(rng: random.Random, invoices: list[Invoice]) -> Payment:
    day = days_after(max(inv.day for inv in invoices), rng.randint(3, 40))
    apps = [(inv, inv.total) for inv in invoices]
    memo = "Two invoices, one check" if len(invoices) > 1 else None
    return Payment(invoices[0].customer, day, apps, sum((a for _, a in apps), Decimal(0)),
                   memo)


def _instalments(rng: random.Random, inv: Invoice) -> list[Payment]:
    first = cents(inv.total * Decimal(str(round(rng.uniform(0.3, 0.7), 2))))
    second = inv.total - first
    day1 = days_after(inv.day, rng.randint(5, 20))
    day2 = days_after(day1, rng.randint(10, 40))
    return [Payment(inv.customer, day1, [(inv, first)], first, "Instalment 1 of 2"),
            Payment(inv.customer, day2, [(inv, second)], second, "Final instalment")]


def _paid_in_full(rng: random.Random, invoices: list[Invoice]) -> list[Payment]:
    by_customer: dict[str, list[Invoice]] = {}
    for inv in invoices:
        if inv.status == "paid" and inv.total > 0:
            by_customer.setdefault(inv.customer, []).append(inv)
    payments: list[Payment] = []
    for paid in by_customer.values():
        i = 0
        while i < len(paid):
            roll = rng.random()
            if roll < 0.25 and i + 1 < len(paid):
                payments.append(_full(rng, paid[i:i + 2]))
                i += 2
                continue
            if roll < 0.4 and paid[i].total >= Decimal(100):
                payments += _instalments(rng, paid[i])
            else:
                payments.append(_full(rng, [paid[i]]))
            i += 1
    return payments


def _partials(rng: random.Random, invoices: list[Invoice], wanted: int) -> list[Payment]:
    open_ = [inv for inv in invoices
             if inv.status in ("sent", "finalized") and inv.total >= Decimal(20)]
    rng.shuffle(open_)
    payments = []
    for inv in open_[:max(wanted, 0)]:
        amount = cents(inv.total * Decimal(str(round(rng.uniform(0.2, 0.6), 2))))
        day = days_after(inv.day, rng.randint(2, 30))
        payments.append(Payment(inv.customer, day, [(inv, amount)], amount,
                                "Partial payment"))
    return payments


def _unapplied(rng: random.Random, invoices: list[Invoice]) -> list[Payment]:
    customers = sorted({inv.customer for inv in invoices})
    return [
        Payment(customer, days_after(ANCHOR, -rng.randint(5, 60)), [],
                Decimal(rng.choice((250, 500, 1000))), "Deposit on upcoming work")
        for customer in rng.sample(customers, UNAPPLIED)
    ]


def _overpay_one(payments: list[Payment]) -> None:
    """One customer rounded up their cheque: the extra stays unapplied."""
    for payment in payments:
        if payment.applications and payment.memo is None:
            payment.amount += Decimal("20.00")
            payment.memo = "Overpaid by 20.00 - leave on account"
            return


def _reference(rng: random.Random, method: str) -> str | None:
    if method == "check":
        return f"Check #{rng.randint(1001, 9899)}"
    if method == "credit_card":
        return f"{rng.choice(('VISA', 'MC', 'AMEX'))} x{rng.randint(1000, 9999)}"
    if method == "ach":
        return f"ACH {rng.randint(10**8, 10**9 - 1)}"
    return None


def build_payments(rng: random.Random, invoices: list[Invoice]) -> list[Record]:
    payments = _paid_in_full(rng, invoices)
    payments += _partials(rng, invoices, PAYMENTS - UNAPPLIED - len(payments))
    _overpay_one(payments)
    payments += _unapplied(rng, invoices)
    payments.sort(key=lambda p: p.day)
    out = []
    for n, payment in enumerate(payments, 1):
        method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
        out.append(record(
            "payment", f"PMT-{n:05d}", customer_external_id=payment.customer,
            amount=fmt_money(payment.amount), payment_date=iso(payment.day), method=method,
            reference=_reference(rng, method), memo=payment.memo,
            applications=[{"invoice_external_id": inv.external_id, "amount": fmt_money(a)}
                          for inv, a in payment.applications],
        ))
    return out
