"""Bulk-load benchmark: N records through the real REST bulk endpoint (``POST /v1/bulk``,
1000 records per request) into a fresh SQLite database in a temporary directory.

The app runs in-process (``httpx.AsyncClient`` over ``httpx.ASGITransport``): the whole
FastAPI stack (authentication, request validation, the bulk loader, the store, JSON
responses) without a socket. The mix is a field-service book: work codes, customers,
their locations and jobs, invoices of 1-4 lines and payments applied to them, every
reference given by external id.

    .venv/bin/python bench/bulk_load.py [--n 100000]

The last line printed is ``RESULT records_per_s=... peak_mem_mb=...``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from ledgerbridge import db, tenants
from ledgerbridge.api import create_app

REQUEST_SIZE = 1000
TARGET = 5000
WORK_CODES = 40
Record = dict[str, Any]


def work_codes() -> Iterator[Record]:
    for n in range(WORK_CODES):
        yield {"object": "work_code", "external_id": f"W{n}", "name": f"Work code {n}",
               "rate": f"{60 + n * 5}.00", "item_kind": "service"}


def _invoice(rng: random.Random, n: int, customer: str, location: str, job: str
             ) -> tuple[Record, Decimal]:
    lines = []
    total = Decimal("0.00")
    for _ in range(rng.randint(1, 4)):
        quantity = Decimal(rng.randint(1, 16)) / 2
        price = Decimal(rng.randint(2000, 30000)) / 100
        total += (quantity * price).quantize(Decimal("0.01"))
        lines.append({"work_code_external_id": f"W{rng.randrange(WORK_CODES)}",
                      "description": "Service call", "quantity": str(quantity),
                      "unit_price": str(price)})
    record = {"object": "invoice", "external_id": f"I{n}", "customer_external_id": customer,
              "location_external_id": location, "job_external_id": job,
              "status": "finalized", "issue_date": "2026-03-01", "due_date": "2026-03-31",
              "lines": lines}
    return record, total


def customer_block(rng: random.Random, n: int) -> Iterator[Record]:
    """One customer with 1-2 locations, a job, 3-5 invoices and 1-2 payments."""
    customer = f"C{n}"
    yield {"object": "customer", "external_id": customer, "company_name": f"Customer {n}",
           "email": f"office{n}@example.test", "phone": "555-0100",
           "billing_address": {"line1": f"{n} Main St", "city": "Tulsa", "state": "OK",
                               "postal_code": "74103"}}
    locations = [f"L{n}-{k}" for k in range(rng.randint(1, 2))]
    for k, location in enumerate(locations):
        yield {"object": "location", "external_id": location, "customer_external_id": customer,
               "name": f"Site {k}", "address": {"line1": f"{k} Side Rd", "city": "Tulsa"}}
    job = f"J{n}"
    yield {"object": "job", "external_id": job, "customer_external_id": customer,
           "location_external_id": locations[0], "name": f"Job {n}", "number": f"J-{n}"}
    invoices = []
    for k in range(rng.randint(3, 5)):
        record, total = _invoice(rng, n * 10 + k, customer, locations[0], job)
        invoices.append((record["external_id"], total))
        yield record
    for k, (invoice, total) in enumerate(invoices[: rng.randint(1, 2)]):
        yield {"object": "payment", "external_id": f"P{n}-{k}", "customer_external_id": customer,
               "amount": str(total), "payment_date": "2026-04-01", "method": "check",
               "applications": [{"invoice_external_id": invoice, "amount": str(total)}]}


def book_records(n: int, seed: int = 1) -> Iterator[Record]:
    """``n`` records in dependency order, generated lazily."""
    rng = random.Random(seed)

    def endless() -> Iterator[Record]:
        yield from work_codes()
        block = 0
        while True:
            yield from customer_block(rng, block)
            block += 1

    return islice(endless(), n)


def batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while batch := list(islice(records, size)):
        yield batch


@dataclass
class Run:
    records: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def fresh_database(directory: Path) -> tuple[Engine, str]:
    engine = db.make_engine(f"sqlite:///{directory / 'bench.db'}")
    db.upgrade(engine)
    with engine.begin() as conn:
        tenant = tenants.create_tenant(conn, "bench")
        key = tenants.issue_api_key(conn, tenant.id, label="bench")
    return engine, key


async def push(engine: Engine, key: str, n: int) -> Run:
    run = Run()
    transport = httpx.ASGITransport(app=create_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.test",
                                 headers={"Authorization": f"Bearer {key}"},
                                 timeout=600) as client:
        started = time.perf_counter()
        for batch in batches(book_records(n), REQUEST_SIZE):
            run.kinds.update(str(r["object"]) for r in batch)
            sent = time.perf_counter()
            response = await client.post("/v1/bulk", json={"records": batch})
            run.latencies.append(time.perf_counter() - sent)
            response.raise_for_status()
            body = response.json()
            run.outcomes.update(body["counts"])
            run.rejected += [r for r in body["results"] if r["status"] == "rejected"][:3]
            run.records += len(batch)
        run.seconds = time.perf_counter() - started
    return run


def peak_mem_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def report(run: Run) -> None:
    rate = run.records / run.seconds
    latencies = sorted(run.latencies)
    p95 = latencies[max(0, round(len(latencies) * 0.95) - 1)]
    print(f"records: {run.records} in {len(latencies)} requests of up to {REQUEST_SIZE}")
    print("mix: " + ", ".join(f"{k} {v}" for k, v in run.kinds.most_common()))
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in run.outcomes.items()))
    for rejected in run.rejected[:5]:
        print(f"  rejected: {rejected}")
    print(f"elapsed: {run.seconds:.1f} s; per request: median "
          f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    verdict = "meets" if rate >= TARGET else "BELOW"
    print(f"throughput: {rate:,.0f} records/s ({verdict} the {TARGET:,} records/s target)")
    print(f"RESULT records_per_s={rate:.0f} peak_mem_mb={peak_mem_mb():.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records to load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lb-bench-") as directory:
        engine, key = fresh_database(Path(directory))
        try:
            run = asyncio.run(push(engine, key, args.n))
        finally:
            engine.dispose()
    report(run)


if __name__ == "__main__":
    main()
