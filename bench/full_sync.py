"""Full-sync benchmark: a large field-service company (at ``--scale 1``: 10,000 customers,
20,000 jobs, 200 items, 30,000 invoices, 20,000 payments) synced to the QuickBooks
Online sandbox at its real limits (500 calls a minute, 10 in flight, 40 batch calls a
minute, 30 operations a batch), time scaled: the sandbox's minute and the client
budget's minute both last ``60 / time_scale`` real seconds.

    .venv/bin/python bench/full_sync.py [--scale 0.05] [--time-scale 60] [--naive 600]

The sandbox runs as its own server process (``ledgerbridge sandbox qbo``) on loopback,
so this process's CPU time and peak memory are the engine's (with its QuickBooks client
and SQLite book); the book is loaded by a child process beforehand. Reported:
- records written per QuickBooks write call in the first full sync (target >= 28);
- records read per read call in a second full sync, which reads every list in bulk and
  has nothing to write (target >= 900);
- calls made by a quiet daily sync (target 1);
- engine CPU per record synced in the first full sync (target < 100 us): the least of
  ``--repeat`` first full syncs, each on a copy of the book as loaded, as ``timeit``
  reports the least of its runs (the host's noise only ever adds CPU);
- peak memory of this process (target < 1 GB);
- the naive way beside it: ``python-quickbooks`` over loopback HTTP, record by record
  (query by name, then create) for the first ``--naive`` records of the same company;
  its calls per record times the company's records, over ours (``naive_calls_ratio``).
The last line is ``RESULT write_records_per_call=... read_records_per_call=...
quiet_sync_calls=... cpu_us_per_record=... peak_mem_mb=... naive_calls_ratio=...``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib.machinery
import json
import os
import platform
import pstats
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ledgerbridge import db, tenants
from ledgerbridge.book import bulk
from ledgerbridge.engine import runner as runner_module
from ledgerbridge.engine.runner import RunReport, SyncRunner
from ledgerbridge.ledgers.qbo.ledger import QboLedger
from ledgerbridge.qbo import local_sandbox
from ledgerbridge.qbo.budget import Limits, RealmBudget
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.http import USER_AGENT
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.qbo.wire import AiohttpWire, Body, WireAnswer
from ledgerbridge.sandbox.process import running_sandbox
from ledgerbridge.settings import store as settings_store

FULL = {"customers": 10_000, "jobs": 20_000, "items": 200, "invoices": 30_000,
        "payments": 20_000}


# the company ------------------------------------------------------------------------------
def sizes(scale: float) -> dict[str, int]:
    return {kind: max(2, round(n * scale)) for kind, n in FULL.items()}


def company(scale: float, seed: int = 5) -> list[dict[str, Any]]:
    """Bulk-load records, in dependency order; every job has an invoice."""
    rng = random.Random(seed)
    n = sizes(scale)
    out: list[dict[str, Any]] = []
    for i in range(n["customers"]):
        out.append({"object": "customer", "external_id": f"C{i}",
                    "company_name": f"Customer {i:05d} Mechanical",
                    "email": f"ap{i}@example.com"})
    for i in range(n["items"]):
        out.append({"object": "work_code", "external_id": f"W{i}", "name": f"Work code {i:03d}",
                    "rate": f"{rng.randrange(40, 400)}.00"})
    for i in range(n["jobs"]):
        out.append({"object": "job", "external_id": f"J{i}",
                    "customer_external_id": f"C{i % n['customers']}",
                    "name": f"Job {i:05d}", "number": f"J-{i:05d}"})
    totals = []
    for i in range(n["invoices"]):
        job = i % n["jobs"]
        lines = [{"work_code_external_id": f"W{rng.randrange(n['items'])}",
                  "quantity": str(rng.randrange(1, 8)),
                  "unit_price": f"{rng.randrange(40, 400)}.00"}
                 for _ in range(rng.randrange(1, 4))]
        totals.append(sum(int(x["quantity"]) * int(x["unit_price"][:-3]) for x in lines))
        out.append({"object": "invoice", "external_id": f"I{i}", "kind": "project",
                    "customer_external_id": f"C{job % n['customers']}",
                    "job_external_id": f"J{job}", "status": "finalized",
                    "doc_number": f"{100000 + i}", "issue_date": "2026-02-02",
                    "lines": lines})
    for i in range(n["payments"]):
        invoice = i % n["invoices"]
        job = invoice % n["jobs"]
        amount = f"{totals[invoice] // 2}.00"
        out.append({"object": "payment", "external_id": f"P{i}",
                    "customer_external_id": f"C{job % n['customers']}", "amount": amount,
                    "payment_date": "2026-03-02",
                    "applications": [{"invoice_external_id": f"I{invoice}",
                                      "amount": amount}]})
    return out


def load(url: str, scale: float) -> str:
    """Load the company into a new book; the tenant id."""
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        with engine.begin() as conn:
            tenant = tenants.create_tenant(conn, "bench").id
        with engine.begin() as conn:
            outcomes = bulk.load(conn, tenant, company(scale), origin="bench")
        rejected = [o for o in outcomes if o.status == "rejected"]
        if rejected:
            raise SystemExit(f"{len(rejected)} records rejected, e.g. {rejected[0]}")
        return tenant
    finally:
        engine.dispose()





def scaled(scale: float) -> tuple[Callable[[], float], Callable[[float], Awaitable[None]]]:
    """A clock and a sleep in scaled seconds (the client budget's minute shrinks too)."""
    def clock() -> float:
        return time.monotonic() * scale

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / scale)

    return clock, sleep


def _queries_only(body: bytes) -> bool:
    """A batch whose every item is a ``Query`` (a read; any write makes it a write).
    Raw bytes, not parsed: this process's CPU is what the bench measures, and a write
    item's ``"operation":`` key cannot appear inside a JSON string value unescaped."""
    return b'"Query":' in body and b'"operation":' not in body


class Counting(AiohttpWire):
    """Counts QuickBooks calls (writes, reads) and the records reads returned, on the
    wire the client uses by default."""

    def __init__(self) -> None:
        super().__init__(headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        self.counts: Counter[str] = Counter()

    async def send(self, method: str, url: str, *, params: Mapping[str, str], body: Body,
                   headers: Mapping[str, str]) -> WireAnswer:
        answer = await super().send(method, url, params=params, body=body, headers=headers)
        path = urlsplit(url).path
        if "/v3/company/" not in path:
            return answer
        sent = body.encode() if isinstance(body, str) else body or b""
        if path.endswith("/batch") and _queries_only(sent):
            self.counts["read_calls"] += 1
            with contextlib.suppress(ValueError, AttributeError):
                self.counts["rows_read"] += sum(
                    len(v) for item in json.loads(answer.content)["BatchItemResponse"]
                    for v in item.get("QueryResponse", {}).values() if isinstance(v, list))
        elif path.endswith(("/query", "/cdc")) or method == "GET":
            self.counts["read_calls"] += 1
            with contextlib.suppress(ValueError):
                found = json.loads(answer.content)
                rows = found.get("QueryResponse") or {}
                if path.endswith("/cdc"):
                    rows = {k: v for part in found.get("CDCResponse", [])
                            for group in part.get("QueryResponse", []) for k, v in group.items()}
                self.counts["rows_read"] += sum(len(v) for v in rows.values()
                                                if isinstance(v, list))
        else:
            self.counts["write_calls"] += 1
        if answer.status == 429:
            self.counts["throttled"] += 1
        return answer


def written(report: RunReport) -> int:
    return sum(1 for o in report.outcomes if o.direction == "outbound"
               and o.result in ("created", "updated", "voided", "deleted"))


async def engine_sync(server: str, url: str, tenant: str, time_scale: float,
                      profile: bool = False, first_only: bool = False) -> dict[str, Any]:
    engine = db.make_engine(url)
    box = SecretBox.from_environment()
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=server, timeout=60) as admin:
        realm = (await admin.post("/sandbox/companies", json={
            "name": "Bench Mechanical", "tax_agency": "California"})).json()["realm_id"]
        general = (await admin.post(f"/sandbox/companies/{realm}/seed", json={
            "Item": [{"Name": "General", "Type": "Service"}]})).json()["Item"][0]
    connection = await local_sandbox.connect(engine, box, tenant, server, name="bench",
                                             realm_id=realm)
    with engine.begin() as conn:
        settings_store.update(conn, connection.id, {"connection": {
            "default_item_id": general, "go_live_date": None}})  # all of it, whatever its date
    clock, sleep = scaled(time_scale)
    transport = Counting()
    client = QboClient.for_connection(engine, connection.id, box=box, wire=transport,
                                      budget=RealmBudget(Limits(), clock=clock, sleep=sleep),
                                      sleep=sleep)
    try:
        for phase, mode in (("first", "full"), ("again", "full"), ("daily", "daily"),
                            ("quiet", "daily")):
            transport.counts.clear()
            if phase == "quiet":
                # a quiet day: the last run ended long before this one, so the overlap
                # (5 minutes back from the last run's start, here all of the full syncs
                # a few seconds ago) holds nothing; shrink it to what a day later sees,
                # and let QuickBooks' clock (whole seconds) move past the last writes
                runner_module.OVERLAP = timedelta(seconds=1)
            if phase in ("daily", "quiet"):
                await asyncio.sleep(2.1)
            profiler = cProfile.Profile() if profile and phase == "first" else None
            cpu, wall, times = time.process_time(), time.monotonic(), os.times()
            if profiler:
                profiler.enable()
            report = await SyncRunner(engine, tenant, connection.id,
                                      QboLedger(client)).run(mode)  # type: ignore[arg-type]
            if profiler:
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("tottime").print_stats(30)
                stats.sort_stats("cumulative").print_stats(45)
            spent = os.times()
            out[phase] = {"cpu": time.process_time() - cpu,
                          "user": spent.user - times.user, "system": spent.system - times.system,
                          "wall": time.monotonic() - wall, "written": written(report),
                          "records": sum(1 for o in report.outcomes
                                         if o.direction == "outbound"),
                          "summary": report.summary(), **transport.counts}
            print(f"{phase:6s} {mode:5s} wall {out[phase]['wall']:7.1f} s "
                  f"({out[phase]['wall'] * time_scale / 60:6.1f} QuickBooks min), "
                  f"cpu {out[phase]['cpu']:7.2f} s "
                  f"({out[phase]['cpu'] / max(out[phase]['records'], 1) * 1e6:.0f} us a record; "
                  f"user {out[phase]['user']:.2f} s, system {out[phase]['system']:.2f} s), "
                  f"calls {dict(transport.counts)}, "
                  f"{report.summary()}", flush=True)
            if first_only:
                break
    finally:
        await client.aclose()
        engine.dispose()
    return out


# the naive way ---------------------------------------------------------------------------
def naive(server: str, records: list[dict[str, Any]], time_scale: float) -> dict[str, Any]:
    """Record by record with python-quickbooks: query by name (or number), then create."""
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks
    from quickbooks.exceptions import QuickbooksException
    from quickbooks.objects.base import LinkedTxn, Ref
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
    from quickbooks.objects.invoice import Invoice
    from quickbooks.objects.item import Item
    from quickbooks.objects.payment import Payment, PaymentLine

    client_id, secret = "naive-client", "naive-secret"
    with httpx.Client(base_url=server) as admin:
        admin.post("/sandbox/apps", json={"client_id": client_id, "client_secret": secret,
                                          "redirect_uris": ["https://app.example/cb"]})
        realm = admin.post("/sandbox/companies", json={"name": "Naive"}).json()["realm_id"]
        refresh = admin.post(f"/sandbox/companies/{realm}/tokens",
                             json={"client_id": client_id}).json()["refresh_token"]
        before = admin.get("/sandbox/stats").json()["calls"].get(realm, {})
    auth = AuthClient(client_id, secret, "https://app.example/cb",
                      f"{server}/.well-known/openid_sandbox_configuration")
    qb = QuickBooks(auth_client=auth, refresh_token=refresh, company_id=realm,
                    minorversion=75)
    qb.api_url_v3 = f"{server}/v3"
    ids: dict[str, str] = {}
    calls = throttled = 0

    def call(action: Callable[[], Any]) -> Any:
        nonlocal calls, throttled
        while True:
            calls += 1
            try:
                return action()
            except QuickbooksException as exc:
                if "429" not in str(exc) and "Throttl" not in str(exc) \
                        and "3001" not in str(exc):
                    raise
                throttled += 1
                time.sleep(60 / time_scale)

    def ref(value: str) -> Ref:
        made = Ref()
        made.value = value
        return made

    started = time.monotonic()
    try:
        for record in records:
            kind, key = record["object"], record["external_id"]
            if kind in ("customer", "job"):
                name = record.get("company_name") or f"{record['number']} {record['name']}"
                found = call(lambda n=name: Customer.filter(DisplayName=n, qb=qb))
                if found:
                    ids[key] = found[0].Id
                    continue
                customer = Customer()
                customer.DisplayName = name
                if kind == "job":
                    customer.Job = True
                    customer.ParentRef = ref(ids[record["customer_external_id"]])
                ids[key] = call(lambda c=customer: c.save(qb=qb)).Id
            elif kind == "work_code":
                found = call(lambda n=record["name"]: Item.filter(Name=n, qb=qb))
                if found:
                    ids[key] = found[0].Id
                    continue
                item = Item()
                item.Name, item.Type = record["name"], "Service"
                item.IncomeAccountRef = ref("1")
                ids[key] = call(lambda i=item: i.save(qb=qb)).Id
            elif kind == "invoice":
                found = call(lambda d=record["doc_number"]: Invoice.filter(
                    DocNumber=d, qb=qb))
                if found:
                    ids[key] = found[0].Id
                    continue
                invoice = Invoice()
                invoice.CustomerRef = ref(ids[record["job_external_id"]])
                for line in record["lines"]:
                    sales = SalesItemLine()
                    sales.SalesItemLineDetail = SalesItemLineDetail()
                    sales.SalesItemLineDetail.ItemRef = ref(ids[line["work_code_external_id"]])
                    sales.SalesItemLineDetail.Qty = int(line["quantity"])
                    sales.SalesItemLineDetail.UnitPrice = float(line["unit_price"])
                    sales.Amount = int(line["quantity"]) * float(line["unit_price"])
                    invoice.Line.append(sales)
                ids[key] = call(lambda i=invoice: i.save(qb=qb)).Id
            elif kind == "payment":
                application = record["applications"][0]
                found = call(lambda r=key: Payment.filter(PaymentRefNum=r, qb=qb))
                if found:
                    continue
                payment = Payment()
                payment.PaymentRefNum = key
                payment.TotalAmt = float(record["amount"])
                invoice_id = ids[application["invoice_external_id"]]
                payment.CustomerRef = ref(call(
                    lambda i=invoice_id: Invoice.get(i, qb=qb)).CustomerRef.value)
                line = PaymentLine()
                line.Amount = float(application["amount"])
                linked = LinkedTxn()
                linked.TxnId, linked.TxnType = invoice_id, "Invoice"
                line.LinkedTxn.append(linked)
                payment.Line.append(line)
                call(lambda p=payment: p.save(qb=qb))
    finally:
        qb.session.close()
        auth.close()
    with httpx.Client(base_url=server) as admin:
        after = admin.get("/sandbox/stats").json()["calls"].get(realm, {})
    server_calls = sum(after.values()) - sum(before.values())
    return {"records": len(records), "calls": calls, "server_calls": server_calls,
            "throttled": throttled, "wall": time.monotonic() - started}


# main ------------------------------------------------------------------------------------
QUIET_CALIBRATION_MS = 70


def calibration_ms() -> float:
    """CPU of a fixed pure-Python workload (least of three): this host's CPU time drifts
    from minute to minute, so a run's numbers are read against this, measured in the
    same process just before (``QUIET_CALIBRATION_MS`` on a quiet minute of the machine
    in docs/benchmarks.md; the noise comes in bursts, so this is a hint, not a scale)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for n in range(3_000_000):
            total += n & 7
        best = min(best, time.process_time() - started)
    return best * 1000


EXTENSIONS = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def build() -> str:
    """Which ledgerbridge runs: the compiled build (``scripts/compile.sh``) or plain Python."""
    compiled = sorted(name for name, module in list(sys.modules.items())
                      if name.startswith("ledgerbridge") and str(getattr(module, "__file__", "")
                                                                 ).endswith(EXTENSIONS))
    if compiled:
        return f"compiled build, {len(compiled)} modules compiled by mypyc"
    return ("plain Python (the compiled build: bash scripts/compile.sh, then "
            "PYTHONPATH=build/compiled)")


def peak_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--scale", type=float, default=1.0, help="company size, 1 = full")
    parser.add_argument("--time-scale", type=float, default=60.0,
                        help="QuickBooks minutes per real minute (sandbox and budget)")
    parser.add_argument("--naive", type=int, default=600,
                        help="records synced the naive way (0: skip)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the first full sync (cProfile: by own time, then cumulative)")
    parser.add_argument("--first-only", action="store_true",
                        help="run only the first full sync (for profiling), no RESULT")
    parser.add_argument("--repeat", type=int, default=3,
                        help="first full syncs run (each on a copy of the book, against a "
                             "company of its own); the least CPU a record is reported "
                             "(one with --first-only)")
    parser.add_argument("--compiled", action="store_true",
                        help="run on the compiled build (built first by scripts/compile.sh "
                             "when out of date)")
    parser.add_argument("--load", nargs=2, metavar=("URL", "SCALE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compiled and not build().startswith("compiled"):
        root = Path(__file__).resolve().parents[1]
        subprocess.run(["bash", str(root / "scripts" / "compile.sh")], check=True)
        env = {**os.environ, "PYTHONPATH": str(root / "build" / "compiled")}
        argv = [arg for arg in sys.argv if arg != "--compiled"]
        os.execve(sys.executable, [sys.executable, *argv], env)  # noqa: S606 - itself again
    if args.load:  # the child that loads the book
        print(load(args.load[0], float(args.load[1])))
        return
    with tempfile.TemporaryDirectory(prefix="lb-full-sync-") as tmp:
        directory = Path(tmp)
        os.environ["LEDGERBRIDGE_DATA_DIR"] = str(directory)
        url = f"sqlite:///{directory / 'book.db'}"
        started = time.monotonic()
        tenant = subprocess.run([sys.executable, __file__, "--load", url, str(args.scale)],
                                check=True, capture_output=True, text=True
                                ).stdout.strip().splitlines()[-1]
        print(f"company {sizes(args.scale)} loaded in {time.monotonic() - started:.1f} s",
              flush=True)
        with running_sandbox(directory) as server:
            with httpx.Client(base_url=server) as admin:
                admin.put("/sandbox/settings", json={"time_scale": args.time_scale})
            print(f"python: {platform.python_implementation()} {platform.python_version()} "
                  f"({os.path.realpath(sys.executable)}; {platform.python_compiler()}); "
                  f"ledgerbridge: {build()}", flush=True)
            print(f"calibration: {calibration_ms():.0f} ms of CPU for a fixed workload "
                  f"(on a quiet minute of the benchmarks' machine about {QUIET_CALIBRATION_MS} "
                  "with Debian's python3, 95 with a default pyenv build; more: a busy host, "
                  "read the CPU numbers with care)", flush=True)
            trials = []  # the first full sync again, each on a copy of the book as loaded
            for n in range(1, 1 if args.first_only else max(args.repeat, 1)):
                copy = directory / f"book-trial-{n}.db"
                with sqlite3.connect(directory / "book.db") as source, \
                        sqlite3.connect(copy) as target:
                    source.backup(target)
                trial = asyncio.run(engine_sync(server, f"sqlite:///{copy}", tenant,
                                                args.time_scale, first_only=True))
                trials.append(trial["first"])
                copy.unlink()
            result = asyncio.run(engine_sync(server, url, tenant, args.time_scale,
                                             args.profile, args.first_only))
            if args.first_only:
                return
            peak = peak_mb()
            records = company(args.scale)
            naive_run = naive(server, records[: args.naive], args.time_scale) \
                if args.naive else None
    first, again, quiet = result["first"], result["again"], result["quiet"]
    write_ratio = first["written"] / max(first.get("write_calls", 0), 1)
    read_ratio = again.get("rows_read", 0) / max(again.get("read_calls", 0), 1)
    quiet_calls = quiet.get("read_calls", 0) + quiet.get("write_calls", 0)
    # the least of the trials, as timeit reports: the host's noise only ever adds CPU
    readings = sorted(run["cpu"] / max(run["records"], 1) * 1e6 for run in [*trials, first])
    cpu_us = readings[0]
    our_calls = first.get("read_calls", 0) + first.get("write_calls", 0)
    ratio = 0.0
    if naive_run:
        per_record = naive_run["server_calls"] / max(naive_run["records"], 1)
        ratio = per_record * len(records) / max(our_calls, 1)
        print(f"naive: {naive_run['records']} records in {naive_run['wall']:.1f} s, "
              f"{naive_run['server_calls']} calls ({per_record:.2f} a record; "
              f"{naive_run['throttled']} throttled), so {per_record * len(records):.0f} "
              f"calls for the company against our {our_calls}")
    print(f"first full sync: {first['written']} records written in "
          f"{first.get('write_calls', 0)} write calls, {first.get('read_calls', 0)} reads; "
          f"engine CPU {first['cpu']:.1f} s for {first['records']} records; "
          f"throttled {first.get('throttled', 0)}")
    if trials:
        print("first full sync, CPU a record in each trial: "
              + ", ".join(f"{us:.0f}" for us in readings) + " us (least reported; median "
              f"{readings[len(readings) // 2]:.0f})")
    print(f"second full sync: {again.get('rows_read', 0)} records read in "
          f"{again.get('read_calls', 0)} read calls, {again.get('write_calls', 0)} writes")
    print(f"RESULT write_records_per_call={write_ratio:.1f} "
          f"read_records_per_call={read_ratio:.0f} quiet_sync_calls={quiet_calls} "
          f"cpu_us_per_record={cpu_us:.0f} peak_mem_mb={peak:.0f} "
          f"naive_calls_ratio={ratio:.1f}")


if __name__ == "__main__":
    main()
