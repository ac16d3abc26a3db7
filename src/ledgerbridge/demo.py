"""The demo: the sample company in the book, a local QuickBooks Online that already
has some of it, a full sync, changes on both sides, a daily sync, and a summary."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import Engine, select

from ledgerbridge import db, tenants
from ledgerbridge.book import bulk
from ledgerbridge.book.store import Book
from ledgerbridge.demo_quickbooks import EXISTING, create_company, meanwhile_in_quickbooks
from ledgerbridge.engine.links import LinkStore
from ledgerbridge.engine.runner import RunReport
from ledgerbridge.engine.tables import links
from ledgerbridge.engine.unsynced import unsynced
from ledgerbridge.qbo import local_sandbox
from ledgerbridge.qbo.secrets import SecretBox
from ledgerbridge.sample.company import TROUBLEMAKERS, sample_company
from ledgerbridge.sandbox.qbo import create_app as create_sandbox
from ledgerbridge.settings import mappings
from ledgerbridge.settings import store as settings_store
from ledgerbridge.sync_service import context, run_sync

DEMO_TENANT = "demo"
SANDBOX_URL = "http://127.0.0.1:8765"
GO_LIVE = date(2026, 1, 1)


@dataclass
class Demo:
    engine: Engine
    sandbox: Any
    key: str
    tenant_id: str
    connection_id: str
    reports: list[RunReport]


def demo_database(data_dir: Path) -> Engine:
    """A fresh database of its own for each demo run (the user's book is untouched)."""
    folder = data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("ledgerbridge.db*"):  # the database, its journal, its locks
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    engine = db.make_engine(f"sqlite:///{folder / 'ledgerbridge.db'}")
    db.upgrade(engine)
    return engine


def load_sample(engine: Engine, tenant_id: str, console: Console) -> list[bulk.BulkOutcome]:
    records = sample_company()
    columns = (TextColumn("loading the sample company"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress, \
            engine.begin() as conn:
        task = progress.add_task("load", total=len(records))
        return bulk.load(conn, tenant_id, records, origin="sample",
                         progress=lambda _: progress.advance(task))


def _configure(engine: Engine, tenant_id: str, connection_id: str,
               ids: dict[str, list[str]]) -> None:
    """Settings a real company would choose: a default item and codes mapped by name
    (go-live, at the start of the year, was given when connecting)."""
    items = [(rid, str(item["Name"])) for rid, item in zip(ids["Item"], EXISTING["Item"],
                                                          strict=True)]
    classes = [(rid, str(c["Name"])) for rid, c in zip(ids["Class"], EXISTING["Class"],
                                                      strict=True)]
    with engine.begin() as conn:
        settings_store.update(conn, connection_id, {"connection": {
            "default_item_id": ids["Item"][-1]}})
        book = Book(conn, tenant_id)
        codes = [(r["id"], r["name"]) for r in book.page("cost_code", limit=1000).items]
        types = [(r["id"], r["name"]) for r in book.page("cost_type", limit=1000).items]
        mappings.autofill(conn, connection_id, "cost_code_item", codes, items)
        mappings.autofill(conn, connection_id, "cost_type_class", types, classes)


def _change_the_book(engine: Engine, tenant_id: str) -> list[str]:
    done = []
    with engine.begin() as conn:
        book = Book(conn, tenant_id, origin="api")
        customer = book.get_by_external("customer", "CUST-0002")
        book.update("customer", customer["id"], {"phone": "503-555-0199"})
        done.append(f"changed the phone of '{customer['company_name']}'")
        made = book.create("customer", {"company_name": "Riverbend Brewing Co",
                                        "external_id": "CUST-NEW-1"}).record
        done.append(f"added the customer '{made['company_name']}'")
        drafts = book.page("invoice", status="draft", limit=1000).items
        fresh = [d for d in drafts if d["lines"] and str(d["issue_date"]) >= str(GO_LIVE)]
        if fresh:
            book.update("invoice", fresh[0]["id"], {"status": "finalized"})
            done.append(f"finalized the draft invoice {fresh[0]['doc_number']}")
    return done


async def _settle_one_invoice(engine: Engine, connection_id: str, http: httpx.AsyncClient,
                              realm: str) -> list[str]:
    with engine.connect() as conn:
        linked = {row.remote_id for row in conn.execute(select(links.c.remote_id).where(
            links.c.connection_id == connection_id, links.c.remote_kind == "invoice"))}
    records = (await http.get(f"/sandbox/companies/{realm}/records/Invoice")).json()["records"]
    open_ones = [r for r in records if r["Id"] in linked and float(r.get("Balance", 0)) > 0]
    target = open_ones[0] if open_ones else None
    return await meanwhile_in_quickbooks(
        http, realm, target and target["Id"], target and target["CustomerRef"]["value"],
        target and float(target["Balance"]))


async def run(engine: Engine, console: Console) -> Demo:
    """Everything the demo does; the summary is printed as it goes."""
    with engine.begin() as conn:
        tenant = tenants.create_tenant(conn, DEMO_TENANT)
        key = tenants.issue_api_key(conn, tenant.id, label="demo")
    loaded = load_sample(engine, tenant.id, console)
    console.print(f"1. The book: the sample company, {len(loaded)} records "
                  f"({sum(o.status == 'rejected' for o in loaded)} rejected).")
    sandbox = create_sandbox()
    transport = httpx.ASGITransport(app=sandbox)
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_URL) as http:
        realm, ids = await create_company(http)
        console.print(f"2. QuickBooks Online (local sandbox, realm {realm}) already has "
                      f"{len(EXISTING['Customer'])} customers, a vendor and "
                      f"{len(EXISTING['Item'])} items.")
        # go-live at the start of the sample's last year (its dates are fixed), not the
        # day of the connection: its documents of 2026 go, older ones wait to be pushed
        connection = await local_sandbox.connect(
            engine, SecretBox.from_environment(), tenant.id, SANDBOX_URL,
            name="Demo QuickBooks", realm_id=realm, go_live_date=GO_LIVE,
            transport=transport)
        _configure(engine, tenant.id, connection.id, ids)
        full = await _sync(engine, tenant.id, connection.id, "full", transport, console)
        console.print("3. Full sync done.")
        changes = _change_the_book(engine, tenant.id)
        changes += [f"in QuickBooks: {what}" for what in
                    await _settle_one_invoice(engine, connection.id, http, realm)]
        console.print("4. Meanwhile: " + "; ".join(changes) + ".")
        daily = await _sync(engine, tenant.id, connection.id, "daily", transport, console)
        console.print("5. Daily sync done.")
    return Demo(engine, sandbox, key, tenant.id, connection.id, [full, daily])


async def _sync(engine: Engine, tenant_id: str, connection_id: str, mode: str,
                transport: httpx.AsyncBaseTransport, console: Console) -> RunReport:
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            tasks.setdefault(phase, bar.add_task(f"{mode}: {phase}", total=total))
            bar.update(tasks[phase], completed=done, total=total)

        return await run_sync(engine, tenant_id, connection_id, mode=mode,  # type: ignore[arg-type]
                              transport=transport, progress=update)


def summarize(demo: Demo, console: Console) -> None:
    table = Table(title="What the two syncs did")
    table.add_column("run")
    table.add_column("direction")
    table.add_column("results")
    for report in demo.reports:
        for direction, counts in report.summary().items():
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "unchanged")
            table.add_row(report.mode, direction, shown or "nothing to do")
    console.print(table)
    _print_links(demo, console)
    failures = [o for r in demo.reports for o in r.failures()]
    for outcome in failures[:8]:
        console.print(f"  [red]{outcome.result}[/red] {outcome.kind} {outcome.record_id}: "
                      f"{outcome.message}", soft_wrap=True)
    with context(demo.engine, demo.tenant_id, demo.connection_id) as ctx:
        waiting = Counter(u.reason for u in unsynced(ctx))
    console.print("Unsynced records: " + (", ".join(f"{v} {k.replace('_', ' ')}"
                                                     for k, v in waiting.items()) or "none")
                  + f" (documents dated before the go-live date {GO_LIVE} wait to be pushed).")
    console.print("Troublemakers in the sample: " + "; ".join(
        f"{what.replace('_', ' ')}: {name}" for what, name in TROUBLEMAKERS.items()),
        soft_wrap=True)


def _print_links(demo: Demo, console: Console) -> None:
    with demo.engine.connect() as conn:
        matched = [link for link in LinkStore(conn, demo.connection_id).all()
                   if link.how in ("matched", "imported")]
    for link in matched:
        verb = "linked to" if link.how == "matched" else "came from QuickBooks as"
        console.print(f"  {link.record_kind} {link.record_id} {verb} {link.remote_kind} "
                      f"'{link.remote_name or link.remote_id}'")


def where_next(demo: Demo, console: Console, data_dir: Path, keep_running: bool) -> None:
    url = f"sqlite:///{data_dir / 'demo' / 'ledgerbridge.db'}"
    console.print("\nWhere to look next:")
    console.print(f"  API key of the demo tenant: {demo.key}")
    if keep_running:
        console.print("  curl -H 'Authorization: Bearer <key>' "
                      "http://127.0.0.1:8000/v1/connections/"
                      f"{demo.connection_id}/log      (and /unsynced, /settings, /v1/events)")
        console.print("  the QuickBooks sandbox: http://127.0.0.1:8765/sandbox/companies")
    console.print(f"  LEDGERBRIDGE_DATABASE_URL={url} ledgerbridge log | unsynced | status")
    if not keep_running:
        console.print("  run `ledgerbridge demo --keep-running` to keep the API and the "
                      "sandbox up afterwards")


async def keep_serving(demo: Demo, host: str, port: int) -> None:
    import uvicorn

    from ledgerbridge.api import create_app

    api = create_app(demo.engine)
    api.state.qbo_transport = httpx.ASGITransport(app=demo.sandbox)
    servers = [uvicorn.Server(uvicorn.Config(api, host=host, port=port, log_level="warning")),
               uvicorn.Server(uvicorn.Config(demo.sandbox, host="127.0.0.1", port=8765,
                                             log_level="warning"))]
    await asyncio.gather(*(server.serve() for server in servers))
