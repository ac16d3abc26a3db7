"""Invoices (service, project and credits) and the payments applied to them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ledgerbridge.sample.catalog import Catalog, WorkCode, cost_code_id, cost_type_id
from ledgerbridge.sample.names import CREDIT_REASONS, INVOICE_MEMOS
from ledgerbridge.sample.parties import Job, Parties
from ledgerbridge.sample.util import (
    ANCHOR,
    HISTORY_START,
    Record,
    cents,
    days_after,
    fmt_money,
    fmt_qty,
    iso,
    line_total,
    random_day,
    record,
    weighted,
)

INVOICES = 300
CREDITS = 5
VOIDS = 2
PROJECT_SHARE = 0.38
HOURS = tuple(Decimal(h) for h in ("1", "1.5", "2", "2.25", "2.5", "3", "3.75", "4"))

_OLD_STATUSES = (("paid", 42), ("sent", 28), ("finalized", 24), ("draft", 6))
_RECENT_STATUSES = (("paid", 10), ("sent", 35), ("finalized", 30), ("draft", 25))


@dataclass
class Line:
    quantity: Decimal
    unit_price: Decimal
    description: str
    work_code: WorkCode | None = None
    cost_code: str | None = None
    cost_type: str | None = None

    def as_record(self) -> Record:
        code = self.cost_code or (self.work_code.cost_code if self.work_code else None)
        ctype = self.cost_type or (self.work_code.cost_type if self.work_code else None)
        out: Record = {"description": self.description, "quantity": fmt_qty(self.quantity),
                       "unit_price": fmt_money(self.unit_price)}
        if self.work_code:
            out["work_code_external_id"] = self.work_code.external_id
        if code:
            out["cost_code_external_id"] = cost_code_id(code)
        if ctype:
            out["cost_type_external_id"] = cost_type_id(ctype)
        return out


@dataclass
class Invoice:
    customer: str
    day: date
    kind: str
    lines: list[Line]
    location: str | None = None
    ticket: str | None = None
    job: str | None = None
    credit: bool = False
    status: str = "draft"
    external_id: str = ""
    doc_number: str = ""

    @property
    def total(self) -> Decimal:
        return line_total((ln.quantity, ln.unit_price) for ln in self.lines)


# ---------------------------------------------------------------- invoice lines


def _wc_line(catalog: Catalog, name: str, qty: Decimal, price: Decimal | None = None) -> Line:
    wc = catalog.work_code(name)
    unit = price if price is not None else wc.rate
    assert unit is not None, name
    return Line(qty, unit, wc.name, work_code=wc)


def _service_lines(rng: random.Random, catalog: Catalog) -> list[Line]:
    trip = "Trip Charge: After Hours" if rng.random() < 0.15 else "Trip Charge"
    lines = [_wc_line(catalog, trip, Decimal(1))]
    labor = weighted(rng, (("Service Labor - Regular", 6), ("Service Labor - Overtime", 2),
                           ("Service Labor - Emergency", 1), ("Master Plumber Labor", 2)))
    lines.append(_wc_line(catalog, labor, rng.choice(HOURS)))
    extras = rng.randint(0, 3)
    for _ in range(extras):
        lines.append(_service_extra(rng, catalog))
    if len(lines) < 6 and rng.random() < 0.12:
        subtotal = line_total((ln.quantity, ln.unit_price) for ln in lines[1:2])
        lines.append(Line(Decimal(1), -cents(subtotal * Decimal("0.15")),
                          "Maintenance agreement discount 15% on labor", cost_code="09-100",
                          cost_type="Other"))
    return lines


def _service_extra(rng: random.Random, catalog: Catalog) -> Line:
    roll = rng.random()
    if roll < 0.45:
        part = rng.choice(catalog.parts)
        wc = catalog.work_code("Misc Materials")
        return Line(Decimal(rng.randint(1, 4)), part.price, part.name, work_code=wc)
    if roll < 0.6:
        name = rng.choice(("Refrigerant R-410A", "Refrigerant R-454B"))
        return _wc_line(catalog, name, Decimal(rng.choice(("1.5", "2", "2.75", "4"))))
    name = rng.choice(("Diagnostic Fee", "Drain Cleaning", "Camera Inspection",
                       "Filter Change Service", "Backflow Test", "Disposal Fee",
                       "Maintenance Agreement - Residential", "Duct Cleaning",
                       "Hydro Jetting"))
    return _wc_line(catalog, name, Decimal(1))


def _project_lines(rng: random.Random, catalog: Catalog, job: Job) -> list[Line]:
    pct = rng.choice((10, 20, 25, 30, 40, 50))
    codes = rng.sample(("01-100", "02-100", "02-200", "03-100", "03-200", "04-100"),
                       rng.randint(1, 3))
    share = Decimal(job.value * pct) / Decimal(100 * len(codes))
    lines = [
        Line(Decimal(1), cents(share * Decimal(str(rng.uniform(0.8, 1.2)))),
             f"Progress billing {pct}% - cost code {code}", cost_code=code,
             cost_type=_cost_type_for(code))
        for code in codes
    ]
    for _ in range(rng.randint(0, 3)):
        lines.append(_project_extra(rng, catalog))
    return lines


def _cost_type_for(code: str) -> str:
    return {"01-100": "Labor", "02-100": "Equipment"}.get(code, "Materials")


def _project_extra(rng: random.Random, catalog: Catalog) -> Line:
    roll = rng.random()
    if roll < 0.4:
        return _wc_line(catalog, "Project Labor", Decimal(rng.randint(8, 64)))
    if roll < 0.55:
        return _wc_line(catalog, "Project Supervision", Decimal(rng.randint(4, 16)))
    if roll < 0.7:
        fee = Decimal(rng.randint(180, 1400))
        return _wc_line(catalog, "Permit Fee", Decimal(1), fee)
    if roll < 0.8:
        return _wc_line(catalog, "Crane Rental", Decimal(1))
    if roll < 0.9:
        return _wc_line(catalog, "Startup & Commissioning", Decimal(1))
    sub = Decimal(rng.randint(900, 6500))
    return _wc_line(catalog, "Subcontract Electrical", Decimal(1), sub)


def _credit_lines(rng: random.Random, catalog: Catalog) -> list[Line]:
    if rng.random() < 0.5:  # negative quantity
        return [_wc_line(catalog, "Trip Charge", Decimal(-1)),
                _wc_line(catalog, "Service Labor - Regular", -rng.choice(HOURS))]
    amount = Decimal(rng.randint(50, 600))
    return [Line(Decimal(1), -amount, rng.choice(CREDIT_REASONS), cost_code="09-100",
                 cost_type="Other")]


# ---------------------------------------------------------------- invoices


def _ticket_invoices(rng: random.Random, catalog: Catalog, parties: Parties) -> list[Invoice]:
    return [
        Invoice(t.customer, days_after(t.day, rng.randint(0, 3)), "service",
                _service_lines(rng, catalog), location=t.location, ticket=t.external_id,
                job=t.job)
        for t in parties.tickets if t.status in ("invoiced", "completed")
    ]


def _location_invoice(rng: random.Random, catalog: Catalog, parties: Parties,
                      credit: bool = False) -> Invoice:
    loc = rng.choice(parties.locations)
    lines = _credit_lines(rng, catalog) if credit else _service_lines(rng, catalog)
    return Invoice(loc.customer, random_day(rng), "service", lines, location=loc.external_id,
                   credit=credit)


def _project_invoice(rng: random.Random, catalog: Catalog, parties: Parties) -> Invoice:
    jobs = [j for j in parties.jobs if j.status != "canceled"
            and (j.end is None or j.end >= HISTORY_START)]
    job = rng.choice(jobs)
    start = max(job.start, HISTORY_START)
    day = random_day(rng, start, job.end or ANCHOR)
    return Invoice(job.customer, day, "project", _project_lines(rng, catalog, job),
                   location=job.location, job=job.external_id)


def _assign_statuses(rng: random.Random, invoices: list[Invoice]) -> None:
    for inv in invoices:
        if inv.credit:
            inv.status = rng.choice(("finalized", "sent"))
        elif (ANCHOR - inv.day).days > 60:
            inv.status = weighted(rng, _OLD_STATUSES)
        else:
            inv.status = weighted(rng, _RECENT_STATUSES)
    candidates = [inv for inv in invoices if inv.status in ("sent", "finalized")
                  and not inv.credit]
    for inv in rng.sample(candidates, VOIDS):
        inv.status = "void"


def build_invoices(rng: random.Random, catalog: Catalog, parties: Parties) -> list[Invoice]:
    invoices = _ticket_invoices(rng, catalog, parties)
    invoices += [_location_invoice(rng, catalog, parties, credit=True) for _ in range(CREDITS)]
    projects = int(INVOICES * PROJECT_SHARE)
    invoices += [_project_invoice(rng, catalog, parties) for _ in range(projects)]
    while len(invoices) < INVOICES:
        invoices.append(_location_invoice(rng, catalog, parties))
    order = sorted(range(len(invoices)), key=lambda i: (invoices[i].day, i))
    invoices = [invoices[i] for i in order]
    for n, inv in enumerate(invoices, 1):
        inv.external_id = f"INV-{n:05d}"
        inv.doc_number = f"CM-{10000 + n}" if inv.credit else f"{10000 + n}"
    _assign_statuses(rng, invoices)
    return invoices


def invoice_record(rng: random.Random, inv: Invoice) -> Record:
    """The bulk-load record (``object`` names the record kind, ``kind`` is the
    invoice's own: service or project)."""
    terms = 15 if inv.kind == "service" else 30
    memo = ("Credit memo" if inv.credit else
            "Progress billing per contract" if inv.kind == "project" else
            rng.choice(INVOICE_MEMOS))
    return record(
        "invoice", inv.external_id, kind=inv.kind, customer_external_id=inv.customer,
        location_external_id=inv.location, service_ticket_external_id=inv.ticket,
        job_external_id=inv.job, status=inv.status, doc_number=inv.doc_number,
        issue_date=iso(inv.day), due_date=iso(inv.day + timedelta(days=terms)), memo=memo,
        lines=[ln.as_record() for ln in inv.lines],
    )
