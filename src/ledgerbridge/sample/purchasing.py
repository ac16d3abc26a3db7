"""Purchase orders and vendor bills, each line drawn from what its vendor sells."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from ledgerbridge.sample.catalog import (
    ACCENT_VENDOR,
    SHARED_NAME,
    VENDORS,
    Catalog,
    cost_code_id,
    cost_type_id,
)
from ledgerbridge.sample.parties import Job
from ledgerbridge.sample.util import (
    Record,
    fmt_money,
    fmt_qty,
    iso,
    random_day,
    record,
    weighted,
)

PURCHASE_ORDERS = 40
BILLS = 40
PO_STATUSES = ("draft",) * 6 + ("submitted",) * 10 + ("received",) * 12 + ("closed",) * 8 \
    + ("canceled",) * 4
BILL_STATUSES = (("finalized", 3), ("draft", 1))

ROLES: dict[str, str] = {
    SHARED_NAME: "parts",
    ACCENT_VENDOR: "facade",
    "Northwest Pipe & Valve": "parts",
    "Summit HVAC Distributors": "equipment",
    "Evergreen Electrical Contractors": "electrical",
    "Skyhook Crane Rental": "crane",
    "Ridgeline Sheet Metal": "ductwork",
    "Harbor Plumbing Wholesale": "plumbing",
    "Blue Flame Gas Supply": "parts",
    "Tri-County Permit Services": "permits",
}
PO_ROLES = ("parts", "equipment", "electrical", "crane", "plumbing")

#: role -> (work code, unit cost range in dollars, quantity choices)
_SERVICE_BUYS: dict[str, tuple[tuple[str, int, int, tuple[int, ...]], ...]] = {
    "equipment": (("Heat Pump 3 Ton Package", 3900, 4600, (1, 2)),
                  ("Refrigerant R-410A", 28, 41, (25, 50)),
                  ("Smart Thermostat Kit", 150, 180, (6, 12))),
    "plumbing": (("Tankless Water Heater 199k BTU", 1380, 1560, (1, 2, 3)),),
    "electrical": (("Subcontract Electrical", 600, 5200, (1,)),),
    "crane": (("Crane Rental", 1100, 1500, (1,)),),
    "permits": (("Permit Fee", 150, 1200, (1,)),),
}

#: role -> (description, cost code, cost type, unit cost range) for plain cost lines
_COST_LINES: dict[str, tuple[str, str, str, int, int]] = {
    "facade": ("Façade flashing and panel rework", "05-100", "Subcontractor", 1800, 9500),
    "ductwork": ("Custom duct fabrication and install", "03-100", "Subcontractor", 900,
                 7800),
}


def _vendor_ids(roles: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    return [(f"VEND-{i:04d}", ROLES[name]) for i, (name, _, _) in enumerate(VENDORS, 1)
            if roles is None or ROLES[name] in roles]


def _part_line(rng: random.Random, catalog: Catalog, for_bill: bool) -> Record:
    part = rng.choice(catalog.parts)
    qty = Decimal(rng.choice((2, 4, 6, 10, 12, 24, 48) if part.cost < 20 else (1, 2, 3, 4)))
    line: Record = {"inventory_part_external_id": part.external_id, "description": part.name,
                    "quantity": fmt_qty(qty), "unit_cost": fmt_money(part.cost)}
    if for_bill:
        line["cost_code_external_id"] = cost_code_id("02-200")
        line["cost_type_external_id"] = cost_type_id("Materials")
    return line


def _service_line(rng: random.Random, catalog: Catalog, role: str, for_bill: bool) -> Record:
    name, low, high, quantities = rng.choice(_SERVICE_BUYS[role])
    wc = catalog.work_code(name)
    cost = Decimal(rng.randint(low * 100, high * 100)) / 100
    line: Record = {"work_code_external_id": wc.external_id, "description": wc.name,
                    "quantity": fmt_qty(Decimal(rng.choice(quantities))),
                    "unit_cost": fmt_money(cost)}
    if for_bill:
        line["cost_code_external_id"] = cost_code_id(wc.cost_code)
        line["cost_type_external_id"] = cost_type_id(wc.cost_type)
    return line


def _cost_line(rng: random.Random, role: str) -> Record:
    description, code, ctype, low, high = _COST_LINES[role]
    return {"description": description, "cost_code_external_id": cost_code_id(code),
            "cost_type_external_id": cost_type_id(ctype), "quantity": "1",
            "unit_cost": fmt_money(Decimal(rng.randint(low, high)))}


def _line(rng: random.Random, catalog: Catalog, role: str, for_bill: bool) -> Record:
    if role in _COST_LINES:
        return _cost_line(rng, role)
    if role == "parts" or (role in ("equipment", "plumbing") and rng.random() < 0.5):
        return _part_line(rng, catalog, for_bill)
    return _service_line(rng, catalog, role, for_bill)


def _lines(rng: random.Random, catalog: Catalog, role: str, for_bill: bool) -> list[Record]:
    """One to five lines for a supplier, one for a service vendor; no item twice."""
    count = rng.randint(1, 5) if role in ("parts", "equipment", "plumbing") else 1
    lines: dict[object, Record] = {}
    for _ in range(count * 3):
        line = _line(rng, catalog, role, for_bill)
        key = line.get("inventory_part_external_id") or line.get("work_code_external_id")
        lines.setdefault(key or line["description"], line)
        if len(lines) == count:
            break
    return list(lines.values())


def _live_jobs(jobs: list[Job]) -> list[Job]:
    return [j for j in jobs if j.status != "canceled"]


def build_purchase_orders(rng: random.Random, catalog: Catalog,
                          jobs: list[Job]) -> list[Record]:
    vendors = _vendor_ids(PO_ROLES)
    statuses = list(PO_STATUSES)
    rng.shuffle(statuses)
    out: list[Record] = []
    for n, status in enumerate(statuses, 1):
        vendor, role = rng.choice(vendors)
        lines = _lines(rng, catalog, role, for_bill=False)
        if rng.random() < 0.6:
            job = rng.choice(_live_jobs(jobs))
            for line in lines:
                if rng.random() < 0.85:
                    line["job_external_id"] = job.external_id
        day = random_day(rng)
        out.append(record(
            "purchase_order", f"PO-{n:04d}", vendor_external_id=vendor,
            number=f"PO-{2000 + n}", status=status, order_date=iso(day),
            expected_date=iso(day + timedelta(days=rng.randint(2, 21))),
            memo="Deliver to shop" if rng.random() < 0.5 else "Deliver to job site",
            lines=lines,
        ))
    return out


def build_bills(rng: random.Random, catalog: Catalog, jobs: list[Job]) -> list[Record]:
    vendors = _vendor_ids()
    out: list[Record] = []
    used: set[str] = set()
    for n in range(1, BILLS + 1):
        vendor, role = rng.choice(vendors)
        job = rng.choice(_live_jobs(jobs)) if rng.random() < 0.45 else None
        number = f"{vendor[-2:]}-{rng.randint(10000, 99999)}"
        while number in used:
            number = f"{vendor[-2:]}-{rng.randint(10000, 99999)}"
        used.add(number)
        day = random_day(rng)
        out.append(record(
            "bill", f"BILL-{n:04d}", vendor_external_id=vendor,
            job_external_id=job.external_id if job else None, number=number,
            status=weighted(rng, BILL_STATUSES), bill_date=iso(day),
            due_date=iso(day + timedelta(days=30)),
            lines=_lines(rng, catalog, role, for_bill=True),
        ))
    return out
