"""Customers, their locations (sites), project jobs and service tickets."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ledgerbridge.sample.names import (
    COMMERCIAL_CUSTOMERS,
    COMMERCIAL_SITES,
    FIRST_NAMES,
    JOB_KINDS,
    LAST_NAMES,
    TICKET_SUMMARIES,
)
from ledgerbridge.sample.util import (
    ANCHOR,
    HISTORY_START,
    Record,
    days_after,
    email_slug,
    iso,
    make_address,
    phone,
    random_day,
    record,
    weighted,
)

CUSTOMERS = 50
LOCATIONS = 80
JOBS = 150
TICKETS = 60
RESIDENTIAL = 14

APOSTROPHE = "O'Brien Family Dental"
AMPERSAND = "Smith & Sons Property Management"
COLON_SITE = "Unit 4: Riverside Lofts HOA"
SIXTY = "Columbia Gorge Regional Community Health Clinics Partnership"
ACCENT_BUSINESS = "Café Olé Bistro"
ACCENT_PERSON = "Zoë Müller"


@dataclass(frozen=True)
class Customer:
    external_id: str
    name: str
    contact: str
    residential: bool
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    external_id: str
    customer: str
    name: str


@dataclass(frozen=True)
class Job:
    external_id: str
    customer: str
    location: str | None
    status: str
    start: date
    end: date | None
    value: int


@dataclass(frozen=True)
class Ticket:
    external_id: str
    customer: str
    location: str
    job: str | None
    status: str
    day: date


@dataclass
class Parties:
    customers: list[Customer]
    locations: list[Location]
    jobs: list[Job]
    tickets: list[Ticket]
    records: list[Record]

    def locations_of(self, customer: str) -> list[Location]:
        return [loc for loc in self.locations if loc.customer == customer]


#: (name, contact, residential, fixed sites) of the customers every company has
_FIXED: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    (APOSTROPHE, "Siobhan O'Brien", False, ()),
    (AMPERSAND, "Gerald Smith", False, (COLON_SITE, "Maple Court Duplexes")),
    ("Cascade Supply Co", "Ruth Galloway", False, ()),
    (SIXTY, "Marcus Whitcombe", False, ()),
    (ACCENT_BUSINESS, "Inés Caballero", False, ()),
    (ACCENT_PERSON, ACCENT_PERSON, True, ()),
)

JOB_STATUSES = (("completed", 44), ("open", 26), ("in_progress", 12), ("closed", 12),
                ("canceled", 6))
TICKET_STATUSES = (("invoiced", 32), ("completed", 28), ("scheduled", 12), ("open", 10),
                   ("in_progress", 8), ("canceled", 10))


def _residential_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in names:
            names.append(name)
    return names


def _customers(rng: random.Random) -> list[Customer]:
    specs = list(_FIXED)
    for name in _residential_names(rng, RESIDENTIAL):
        specs.append((name, name, True, ()))
    commercial = rng.sample(COMMERCIAL_CUSTOMERS, CUSTOMERS - len(specs))
    for name in commercial:
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        specs.append((name, contact, False, ()))
    rng.shuffle(specs)
    return [
        Customer(f"CUST-{i:04d}", name, contact, residential, sites)
        for i, (name, contact, residential, sites) in enumerate(specs, 1)
    ]


def _customer_record(rng: random.Random, customer: Customer) -> Record:
    domain = f"{email_slug(customer.name)}.example"
    local = email_slug(customer.contact.split()[0]) if customer.residential else "billing"
    notes = None
    if customer.residential:
        notes = "Residential - call before arrival; dog in backyard." if rng.random() < 0.3 \
            else None
    elif rng.random() < 0.25:
        notes = "Commercial account. PO number required on invoices."
    return record(
        "customer", customer.external_id, company_name=customer.name,
        contact_name=customer.contact, email=f"{local}@{domain}", phone=phone(rng),
        billing_address=make_address(rng), taxable=rng.random() > 0.1, notes=notes,
    )


def _site_counts(rng: random.Random, customers: list[Customer]) -> list[int]:
    counts = [max(1, len(c.sites)) for c in customers]
    caps = [2 if c.residential else 3 for c in customers]
    while sum(counts) < LOCATIONS:
        i = rng.randrange(len(customers))
        if counts[i] < caps[i]:
            counts[i] += 1
    return counts


def _site_names(rng: random.Random, customer: Customer, count: int) -> list[str]:
    if customer.residential:
        labels = ["Residence", "Rental Property"][:count]
        return [f"{label} - {customer.contact.split()[-1]}" for label in labels]
    extra = rng.sample([s for s in COMMERCIAL_SITES if s not in customer.sites], count)
    return [*customer.sites, *extra][:count]


def _locations(rng: random.Random, customers: list[Customer]) -> tuple[list[Location],
                                                                         list[Record]]:
    locations: list[Location] = []
    records: list[Record] = []
    for customer, count in zip(customers, _site_counts(rng, customers), strict=True):
        for name in _site_names(rng, customer, count):
            loc = Location(f"LOC-{len(locations) + 1:04d}", customer.external_id, name)
            locations.append(loc)
            records.append(record(
                "location", loc.external_id, customer_external_id=customer.external_id,
                name=name, address=make_address(rng),
            ))
    return locations, records


def _job(rng: random.Random, index: int, customers: list[Customer],
         sites: dict[str, list[Location]]) -> tuple[Job, Record]:
    weights = [1 if c.residential else 3 for c in customers]
    customer = rng.choices(customers, weights=weights)[0]
    location = rng.choice(sites[customer.external_id]) if rng.random() < 0.9 else None
    kind, value = rng.choice(JOB_KINDS)
    if customer.residential:
        value = max(1800, value // 4)
    value = int(value * rng.uniform(0.7, 1.4))
    status = weighted(rng, JOB_STATUSES)
    start = random_day(rng, HISTORY_START - timedelta(days=60), ANCHOR - timedelta(days=10))
    end = days_after(start, rng.randint(5, 90)) if status in ("completed", "closed") else None
    job = Job(f"JOB-{index:04d}", customer.external_id,
              location.external_id if location else None, status, start, end, value)
    name = f"{kind} - {location.name}" if location else kind
    rec = record(
        "job", job.external_id, customer_external_id=customer.external_id,
        location_external_id=job.location, number=f"J{start:%y}-{index:04d}", name=name,
        status=status, start_date=iso(start), end_date=iso(end) if end else None,
        description=f"{kind}. Contract value ${value:,}.",
    )
    return job, rec


def _ticket(rng: random.Random, index: int, locations: list[Location],
            jobs: list[Job]) -> tuple[Ticket, Record]:
    location = rng.choice(locations)
    options = [j for j in jobs if j.customer == location.customer
               and j.location in (None, location.external_id)]
    job = rng.choice(options) if options and rng.random() < 0.25 else None
    status = weighted(rng, TICKET_STATUSES)
    day = random_day(rng, HISTORY_START, ANCHOR - timedelta(days=3))
    ticket = Ticket(f"TKT-{index:04d}", location.customer, location.external_id,
                    job.external_id if job else None, status, day)
    rec = record(
        "service_ticket", ticket.external_id, customer_external_id=ticket.customer,
        location_external_id=ticket.location, job_external_id=ticket.job,
        number=f"ST-{10000 + index}", status=status, summary=rng.choice(TICKET_SUMMARIES),
        scheduled_date=iso(day),
    )
    return ticket, rec


def build_parties(rng: random.Random) -> Parties:
    customers = _customers(rng)
    records = [_customer_record(rng, c) for c in customers]
    locations, location_records = _locations(rng, customers)
    records += location_records
    sites: dict[str, list[Location]] = {c.external_id: [] for c in customers}
    for loc in locations:
        sites[loc.customer].append(loc)
    jobs: list[Job] = []
    for i in range(1, JOBS + 1):
        job, rec = _job(rng, i, customers, sites)
        jobs.append(job)
        records.append(rec)
    tickets: list[Ticket] = []
    for i in range(1, TICKETS + 1):
        ticket, rec = _ticket(rng, i, locations, jobs)
        tickets.append(ticket)
        records.append(rec)
    return Parties(customers, locations, jobs, tickets, records)
