"""Crash-resume trials (DESIGN.md decision 2): a real full sync runs in a child process
against the QuickBooks Online sandbox, itself a separate server process keeping its
state in a SQLite file; the child is SIGKILLed at a chosen point (or after a random
delay), then the sync runs again to the end. QuickBooks must then hold every record
exactly once, as a run that never crashed leaves it, and every link must point at its
record.

Each trial starts from a copy of the same book (so record ids agree) and a new
QuickBooks company. A control run (no crash) says what the end state must be and how
often each crash point is passed. A few trials in CI; many with ``--long``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ledgerbridge import db, tenants
from ledgerbridge.book import bulk
from ledgerbridge.book.store import Book
from ledgerbridge.engine.context import BookReader
from ledgerbridge.engine.graph import LEVEL
from ledgerbridge.engine.tables import links, operations
from ledgerbridge.qbo import local_sandbox
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.sample.company import sample_company
from ledgerbridge.sandbox.process import running_sandbox
from ledgerbridge.settings import store as settings_store
from support import qbo_documents as docs
from support.qbo_world import AnswersLost, World

TESTS = Path(__file__).resolve().parents[1]
NAME_ENTITIES = ("Customer", "Vendor", "Item", "Class")
TXN_ENTITIES = ("Invoice", "CreditMemo", "Payment", "PurchaseOrder", "Bill")
MARKER = re.compile(r"\[lb:[0-9a-z]{12}\]")
#: where trials crash, and how often each point is picked
POINT_WEIGHTS = {"stage": 1, "sent": 1, "commit": 2, "apply": 2, "request": 3,
                 "answered": 2, "settle": 1, "lookup": 1, "inbound": 1, "delay": 2}
DRIVER_TIMEOUT = 180


# the sandbox as a server process ------------------------------------------------------
@contextlib.contextmanager
def sandbox_server(directory: Path) -> Iterator[str]:
    """The sandbox as a child process keeping its state in a file; always stopped."""
    with running_sandbox(directory, directory / "qbo.sqlite") as url:
        with httpx.Client(base_url=url) as http:
            # the company's limits are QuickBooks'; a killed run's calls still count
            # there while its successor's budget starts empty, so lift the per-minute
            # limits to keep trials from waiting a minute on a 429
            http.put("/sandbox/settings", json={"limits": {
                "per_minute": 10**6, "batch_per_minute": 10**6}}).raise_for_status()
        yield url


# companies ----------------------------------------------------------------------------
def small_company(seed: int, customers: int = 12) -> list[dict[str, Any]]:
    """A small company of every kind, with a customer/vendor name collision, a colon in
    a name and case/space variants of one name."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    names = [f"Client {n:03d} Heating" for n in range(customers)]
    names[1] = "Harbor View Apartments"
    names[2] = "North: Shore Dental"
    names[3] = "Cascade Supply"  # also a vendor
    for n, name in enumerate(names):
        out.append({"object": "customer", "external_id": f"C{n}", "company_name": name})
    for n in range(customers):
        out.append({"object": "location", "external_id": f"L{n}", "customer_external_id":
                    f"C{n}", "name": f"Site {n}"})
    jobs = []
    for n in range(customers * 2):
        c = n % customers
        jobs.append((f"J{n}", c))
        out.append({"object": "job", "external_id": f"J{n}", "customer_external_id": f"C{c}",
                    "location_external_id": f"L{c}", "name": f"Job {n}",
                    "number": f"J-{100 + n}"})
    for n in range(5):
        out.append({"object": "work_code", "external_id": f"W{n}", "name": f"Labor {n}",
                    "rate": f"{80 + n}.00"})
    out.append({"object": "cost_type", "external_id": "CT0", "name": "Materials"})
    for n, name in enumerate(["Cascade Supply", "Metro Electric", "metro  electric supply"]):
        out.append({"object": "vendor", "external_id": f"V{n}", "company_name": name})
    out.append({"object": "inventory_part", "external_id": "P0", "name": "Capacitor 45/5",
                "quantity_on_hand": "12", "cost": "8.10", "price": "24.00"})
    invoices = []
    for n in range(customers * 3):
        job, c = jobs[n % len(jobs)]
        lines = [{"work_code_external_id": f"W{rng.randrange(5)}",
                  "quantity": str(rng.randrange(1, 9)),
                  "unit_price": f"{rng.randrange(50, 300)}.00",
                  "cost_type_external_id": "CT0"}
                 for _ in range(rng.randrange(1, 4))]
        if n % 11 == 5:  # a negative invoice: a credit memo
            lines = [{"work_code_external_id": "W0", "quantity": "1", "unit_price": "-40.00"}]
        invoices.append((f"I{n}", c, lines))
        out.append({"object": "invoice", "external_id": f"I{n}", "kind": "project",
                    "customer_external_id": f"C{c}", "job_external_id": job,
                    "status": "finalized", "doc_number": f"{5000 + n}",
                    "issue_date": f"2026-02-{1 + n % 27:02d}", "lines": lines})
    for n, (invoice, c, lines) in enumerate(invoices[: customers * 2]):
        if float(lines[0]["unit_price"]) < 0:
            continue
        out.append({"object": "payment", "external_id": f"PAY{n}",
                    "customer_external_id": f"C{c}", "amount": "10.00",
                    "payment_date": "2026-03-01", "method": "check",
                    "applications": [{"invoice_external_id": invoice, "amount": "10.00"}]})
    for n in range(3):
        out.append({"object": "purchase_order", "external_id": f"PO{n}",
                    "vendor_external_id": f"V{n % 2}", "status": "submitted",
                    "lines": [{"inventory_part_external_id": "P0", "quantity": "4",
                               "unit_cost": "8.10", "job_external_id": f"J{n}"}]})
        out.append({"object": "bill", "external_id": f"B{n}", "vendor_external_id": "V1",
                    "job_external_id": f"J{n}", "status": "finalized",
                    "lines": [{"work_code_external_id": "W1", "quantity": "2",
                               "unit_cost": "55.00"}]})
    return out


@dataclass
class Template:
    path: Path
    tenant_id: str
    #: (kind, id) of every record in the template book (others were taken in later)
    keys: set[tuple[str, str]]


def make_template(directory: Path, records: list[dict[str, Any]]) -> Template:
    path = directory / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.upgrade(engine)
        with engine.begin() as conn:
            tenant = tenants.create_tenant(conn, "crash").id
        with engine.begin() as conn:
            outcomes = bulk.load(conn, tenant, records, origin="sample")
        rejected = [o for o in outcomes if o.status == "rejected"]
        assert not rejected, rejected[:3]
        with engine.connect() as conn:
            reader = BookReader(Book(conn, tenant))
            keys = {(kind, r["id"]) for kind in LEVEL for r in reader.all(kind)}
    finally:
        engine.dispose()
    return Template(path, tenant, keys)


def copy_book(template: Template, target: Path) -> str:
    source = sqlite3.connect(template.path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return f"sqlite:///{target}"


# one trial ----------------------------------------------------------------------------
@dataclass
class Trial:
    server: str
    url: str
    tenant_id: str
    connection_id: str
    realm: str
    directory: Path
    template: Template

    def drive(self, *modes: str, crash: str | None = None,
              kill_after: float | None = None) -> tuple[int, dict[str, Any] | None]:
        """Run the driver; returns its exit status (-9 when killed) and its report."""
        report = self.directory / f"report-{time.monotonic_ns()}.json"
        env = {**os.environ, "PYTHONPATH": str(TESTS)}
        env.pop("LB_CRASH", None)
        if crash:
            env["LB_CRASH"] = crash
        command = [sys.executable, "-m", "support.sync_driver", "--database", self.url,
                   "--tenant", self.tenant_id, "--connection", self.connection_id,
                   *(f"--mode={mode}" for mode in modes or ("full",)),
                   "--report", str(report), "--open-limits"]
        with open(self.directory / "driver.log", "ab") as log:
            process = subprocess.Popen(command, cwd=TESTS, env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
            try:
                if kill_after is not None:
                    try:
                        process.wait(timeout=kill_after)
                    except subprocess.TimeoutExpired:
                        process.send_signal(signal.SIGKILL)
                status = process.wait(timeout=DRIVER_TIMEOUT)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        if status == 0:
            return status, json.loads(report.read_text())
        if status != -signal.SIGKILL:
            log_text = (self.directory / "driver.log").read_text(errors="replace")
            raise AssertionError(f"the sync process failed ({status}):\n{log_text[-4000:]}")
        return status, None

    def finish(self, rng: random.Random) -> dict[str, Any]:
        """Run until nothing waits for a retry, then a quiet daily sync (which must
        change nothing); the last report of a sync that did the work."""
        for attempt in range(4):
            status, report = self.drive(rng.choice(("full", "daily")) if attempt == 0
                                        else "full", "daily")
            assert status == 0 and report is not None
            work, quiet = report["runs"]
            changed = {k: n for k, n in quiet["summary"].get("outbound", {}).items()
                       if k not in ("unchanged", "failed", "blocked", "waiting", "skipped")}
            if not work["retry_later"] and not quiet["retry_later"]:
                assert not changed, f"a quiet daily sync after the work did {changed}"
                return work
        raise AssertionError(f"operations still wait for a retry: {report}")


def new_trial(server: str, template: Template, directory: Path) -> Trial:
    directory.mkdir(parents=True, exist_ok=True)
    url = copy_book(template, directory / "book.db")
    with httpx.Client(base_url=server) as admin:
        realm = admin.post("/sandbox/companies", json={
            "name": "Crash Heating Co", "tax_agency": "California",
            "preferences": {"class_tracking_per_line": True}}).json()["realm_id"]
        general = admin.post(f"/sandbox/companies/{realm}/seed",
                             json={"Item": [{"Name": "General", "Type": "Service"}]}
                             ).json()["Item"][0]
    engine = db.make_engine(url)
    try:
        import asyncio

        connection = asyncio.run(local_sandbox.connect(
            engine, SecretBox.from_environment(), template.tenant_id, server, name="qbo",
            realm_id=realm))
        with engine.begin() as conn:
            settings_store.update(conn, connection.id, {"connection": {
                "default_item_id": general, "go_live_date": None}})  # all, whatever its date
    finally:
        engine.dispose()
    return Trial(server, url, template.tenant_id, connection.id, realm, directory, template)


# what the end state is --------------------------------------------------------------------
def _records(server: str, realm: str, entity: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=server, timeout=60) as admin:
        response = admin.get(f"/sandbox/companies/{realm}/records/{entity}")
        response.raise_for_status()
        return list(response.json()["records"])


def _ref(body: dict[str, Any], key: str) -> str | None:
    ref = body.get(key)
    return str(ref.get("value")) if isinstance(ref, dict) else None


@dataclass
class EndState:
    #: entity -> multiset of record identities (names, or a transaction's content)
    remote: dict[str, Counter[tuple[Any, ...]]]
    #: (record kind, record id) -> identity of the QuickBooks record its link points at
    linked: dict[tuple[str, str], tuple[Any, ...]]
    #: record kind -> count of book records
    book: dict[str, int]
    #: (record kind, record id) of records whose operations failed or are blocked
    stopped: dict[tuple[str, str], str]
    problems: list[str]


def end_state(trial: Trial) -> EndState:
    problems: list[str] = []
    raw = {e: _records(trial.server, trial.realm, e) for e in NAME_ENTITIES + TXN_ENTITIES}
    names = {(e, str(r["Id"])): str(r.get("FullyQualifiedName") or r.get("DisplayName")
                                    or r.get("Name"))
             for e in NAME_ENTITIES for r in raw[e]}
    identity: dict[tuple[str, str], tuple[Any, ...]] = {}
    markers: Counter[str] = Counter()
    for entity in NAME_ENTITIES:
        for r in raw[entity]:
            identity[(entity, str(r["Id"]))] = (entity, names[(entity, str(r["Id"]))],
                                                r.get("Active", True))
    for entity in TXN_ENTITIES:
        party_entity = "Vendor" if entity in ("PurchaseOrder", "Bill") else "Customer"
        party_key = "VendorRef" if party_entity == "Vendor" else "CustomerRef"
        for r in raw[entity]:
            note = str(r.get("PrivateNote") or "")
            found = MARKER.findall(note)
            if len(found) != 1:
                problems.append(f"{entity} {r['Id']} has markers {found} in {note!r}")
            markers.update(found)
            party = names.get((party_entity, _ref(r, party_key) or ""))
            identity[(entity, str(r["Id"]))] = (
                entity, party, r.get("TxnDate"), r.get("TotalAmt"), MARKER.sub("", note),
                len(r.get("Line") or []), r.get("status"))
    problems += [f"marker {m} is on {n} transactions" for m, n in markers.items() if n > 1]
    remote = {e: Counter(identity[(e, str(r["Id"]))] for r in raw[e]) for e in raw}
    entity_of = {"customer": "Customer", "vendor": "Vendor", "item": "Item", "class": "Class",
                 "invoice": "Invoice", "credit_memo": "CreditMemo", "payment": "Payment",
                 "purchase_order": "PurchaseOrder", "bill": "Bill"}
    engine = db.make_engine(trial.url)
    linked: dict[tuple[str, str], tuple[Any, ...]] = {}
    try:
        with engine.connect() as conn:
            targets: Counter[tuple[str, str]] = Counter()
            for row in conn.execute(select(links).where(
                    links.c.connection_id == trial.connection_id)).mappings():
                target = (entity_of.get(row["remote_kind"], row["remote_kind"]),
                          str(row["remote_id"]))
                targets[target] += 1
                if target not in identity:
                    problems.append(f"link of {row['record_kind']} {row['record_id']} points "
                                    f"at {target}, which QuickBooks does not have")
                    continue
                key = (row["record_kind"], row["record_id"])
                if key not in trial.template.keys:  # taken in from QuickBooks: a new id
                    key = (row["record_kind"], f"taken in as {identity[target]}")
                linked[key] = identity[target]
            problems += [f"{t} is linked from {n} records" for t, n in targets.items() if n > 1]
            ops = list(conn.execute(select(operations).where(
                operations.c.connection_id == trial.connection_id)).mappings())
            problems += [f"operation {op['id']} ({op['record_kind']} {op['record_id']}) is "
                         "still 'sent': its outcome is unknown" for op in ops
                         if op["state"] == "sent"]
            stopped = {(op["record_kind"], op["record_id"]): f"{op['state']}: {op['message']}"
                       for op in ops if op["state"] in ("failed", "blocked", "needs_attention")}
            reader = BookReader(Book(conn, trial.tenant_id))
            book = {kind: len(reader.all(kind)) for kind in LEVEL}
    finally:
        engine.dispose()
    return EndState(remote, linked, book, stopped, problems)


def compare(expected: EndState, got: EndState) -> list[str]:
    """What differs between the control's end state and a trial's."""
    problems = list(got.problems)
    for entity, wanted in expected.remote.items():
        have = got.remote.get(entity, Counter())
        extra, missing = have - wanted, wanted - have
        problems += [f"{entity} duplicated or unexpected: {k} x{n}" for k, n in extra.items()]
        problems += [f"{entity} missing: {k} x{n}" for k, n in missing.items()]
    for key, identity in expected.linked.items():
        if got.linked.get(key) != identity:
            problems.append(f"{key} should link to {identity}, links to {got.linked.get(key)}")
    problems += [f"{key} is linked, unlike in the control run" for key in
                 set(got.linked) - set(expected.linked)]
    if got.book != expected.book:
        problems.append(f"book records differ: {got.book} != {expected.book}")
    for key in sorted(set(got.stopped) ^ set(expected.stopped)):
        problems.append(f"{key} stopped differently: trial {got.stopped.get(key)!r}, "
                        f"control {expected.stopped.get(key)!r}")
    return problems


# the trials -------------------------------------------------------------------------------
@dataclass
class Control:
    state: EndState
    hits: dict[str, int]
    seconds: float


def control_run(server: str, template: Template, directory: Path) -> Control:
    trial = new_trial(server, template, directory)
    started = time.monotonic()
    status, report = trial.drive("full", "daily")
    seconds = time.monotonic() - started
    assert status == 0 and report is not None
    state = end_state(trial)
    assert not state.problems, state.problems
    assert sum(state.remote["Invoice"].values()) > 0
    return Control(state, report["hits"], seconds)


def crash_points(control: Control) -> list[str]:
    return [p for p in POINT_WEIGHTS if p == "delay" or control.hits.get(p, 0) > 0]


def pick_crash(rng: random.Random, control: Control, point: str | None = None
               ) -> tuple[str | None, float | None]:
    """``(LB_CRASH spec, None)`` or ``(None, kill after seconds)``."""
    points = crash_points(control)
    if point is None:
        point = rng.choices(points, [POINT_WEIGHTS[p] for p in points])[0]
    if point == "delay":
        return None, rng.uniform(1.0, max(1.5, control.seconds))  # ~1 s to start up
    return f"{point}:{rng.randint(1, control.hits[point])}", None


def run_trial(server: str, template: Template, control: Control, directory: Path,
              seed: int, crashes: int, first: str | None = None) -> str:
    rng = random.Random(seed)
    trial = new_trial(server, template, directory)
    done = []
    for n in range(crashes):
        crash, delay = pick_crash(rng, control, first if n == 0 else None)
        status, _ = trial.drive(rng.choice(("full", "full", "daily")), crash=crash,
                                kill_after=delay)
        done.append(f"{crash or f'delay:{delay:.2f}s'} -> {'killed' if status else 'finished'}")
    report = trial.finish(rng)
    problems = compare(control.state, end_state(trial))
    assert not problems, (f"trial {seed} ({'; '.join(done)}), last report "
                          f"{report['summary']}:\n" + "\n".join(problems[:40]))
    return "; ".join(done)


def _base_seed() -> int:
    """Trials are reproducible: ``LB_CRASH_SEED`` replays the seeds a failure names."""
    return int(os.environ.get("LB_CRASH_SEED") or random.randrange(10**6))


def _trial_count(request: pytest.FixtureRequest, short: int, long: int) -> int:
    return long if request.config.getoption("--long") else short


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sandbox_server(tmp_path_factory.mktemp("sandbox")) as url:
        yield url


def test_small_company_survives_kills_at_every_point(
        server: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    template = make_template(tmp_path, small_company(1))
    control = control_run(server, template, tmp_path / "control")
    base = _base_seed()
    # CI: six different points (the write's answer lost among them), a different six each
    # time; --long: every point, then many at random, sometimes several kills in a row
    points = crash_points(control)
    random.Random(base).shuffle(points)
    points.sort(key=lambda point: point != "request")
    trials = _trial_count(request, 6, 100)
    points = points[:trials]
    for n in range(trials):
        first = points[n] if n < len(points) else None
        crashes = 1 if first else random.Random(base + n).choice((1, 1, 2, 3))
        run_trial(server, template, control, tmp_path / f"trial-{n}", base + n, crashes,
                  first)


def test_sample_company_survives_a_kill(server: str, tmp_path: Path,
                                        request: pytest.FixtureRequest) -> None:
    template = make_template(tmp_path, sample_company())
    control = control_run(server, template, tmp_path / "control")
    trials = _trial_count(request, 1, 20)
    base = _base_seed()
    for n in range(trials):
        run_trial(server, template, control, tmp_path / f"trial-{n}", base + n,
                  1 if n % 3 else 2)


async def test_creates_whose_answers_were_lost_are_looked_up_not_made_twice(
        world: World) -> None:
    """QuickBooks carried the creates out but their answers were lost (502 from a
    gateway, after the client's last try): they stay sent, and the next sync finds them
    in QuickBooks and links them, and sends what is new beside them; nothing is made
    twice. (Names are safe anyway, matched by name; documents have only this.)"""
    made = docs.project(world)
    await world.sync("daily")
    lost_ones = [docs.invoice(world, made, number, ("1", "100.00"))
                 for number in ("2000", "2001", "2002")]
    assert world.transport is not None
    lost = AnswersLost(world.transport)
    first = await world.sync_over(lost)
    assert lost.lost >= 1
    for invoice in lost_ones:
        [outcome] = [o for o in first.outcomes if o.record_id == invoice["id"]]
        assert outcome.result == "retry_later"
        assert "looks for it there before sending it again" in outcome.message
    assert len(await world.records("Invoice")) == 4                     # made there
    later = docs.invoice(world, made, "2003", ("1", "50.00"))
    report = await world.sync("daily")
    assert report.failures() == []
    assert docs.results(report, later["id"]) == ["created"]
    numbers = sorted(r["DocNumber"] for r in await world.records("Invoice"))
    assert numbers == ["1001", "2000", "2001", "2002", "2003"]
    for invoice in lost_ones:
        link = world.link("invoice", invoice["id"])
        assert link is not None and link.remote_id in {
            r["Id"] for r in await world.records("Invoice")}
    assert (await world.sync("daily")).failures() == []
    assert len(await world.records("Invoice")) == 5
