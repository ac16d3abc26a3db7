"""``ledgerbridge sync``, ``status``, ``unsynced``, ``push``, ``push-all``, ``log``,
``retry``, ``dismiss``, ``settings get/set`` and ``map list/set/remove/autofill``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import Engine

from ledgerbridge import mapping_service, tenants
from ledgerbridge.engine import oplog, state
from ledgerbridge.engine.operations import OperationStore
from ledgerbridge.engine.runner import Mode, RunReport
from ledgerbridge.engine.unsynced import unsynced
from ledgerbridge.errors import ConfigurationError
from ledgerbridge.settings import mappings
from ledgerbridge.settings import store as settings_store
from ledgerbridge.sync_service import context, find_connection, run_sync

console = Console()
settings_app = typer.Typer(help="A connection's sync settings.", no_args_is_help=True)
map_app = typer.Typer(help="Cost code -> item and cost type -> class mappings: list, set "
                           "or remove one, autofill by name.",
                      no_args_is_help=True)
TenantOpt = Annotated[str | None, typer.Option(help="Tenant name or id (default: the only "
                                                    "one)")]
ConnectionOpt = Annotated[str | None, typer.Option(help="Connection id (default: the "
                                                        "tenant's only one)")]


@contextmanager
def _target(tenant: str | None, connection: str | None) -> Iterator[tuple[Engine, str, str]]:
    from ledgerbridge.cli import open_engine

    engine = open_engine()
    try:
        with engine.connect() as conn:
            found = tenants.list_tenants(conn)
            if tenant:
                tenant_id = tenants.find_tenant(conn, tenant).id
            elif len(found) == 1:
                tenant_id = found[0].id
            else:
                raise ConfigurationError("choose a tenant with --tenant ("
                                         + ", ".join(t.name for t in found) + ")")
            connection_id = find_connection(conn, tenant_id, connection).id
        yield engine, tenant_id, connection_id
    finally:
        engine.dispose()


def _progress() -> tuple[Progress, Callable[[str, int, int], None]]:
    bar = Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                   console=console, transient=True)
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=total)

    return bar, update


def print_report(report: RunReport) -> None:
    title = ("Dry run: nothing was written to QuickBooks" if report.dry_run
             else f"Sync {report.mode} ({report.run_id})")
    table = Table(title=title)
    for column in ("direction", "kind", "record", "result", "why"):
        table.add_column(column)
    for outcome in report.outcomes:
        if outcome.result == "unchanged":
            continue
        table.add_row(outcome.direction, outcome.kind, outcome.record_id, outcome.result,
                      outcome.message)
    console.print(table)
    for direction, counts in report.summary().items():
        console.print(f"{direction}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _run(tenant: str | None, connection: str | None, mode: Mode, dry_run: bool = False,
         push: list[tuple[str, str]] | None = None) -> RunReport:
    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        bar, update = _progress()
        with bar:
            report = asyncio.run(run_sync(engine, tenant_id, connection_id, mode=mode,
                                          dry_run=dry_run, push=push or [], progress=update))
    print_report(report)
    return report


def sync(full: Annotated[bool, typer.Option("--full", help="Reconcile everything")] = False,
         dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; write "
                                               "nothing to QuickBooks")] = False,
         tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Sync now: the daily sync, or a full sync with --full."""
    report = _run(tenant, connection, "full" if full else "daily", dry_run)
    raise typer.Exit(1 if report.failures() else 0)


def status(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """The connection, its last run and what waits."""
    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        with engine.connect() as conn:
            saved = state.load(conn, connection_id)
            found = find_connection(conn, tenant_id, connection_id)
            ops = OperationStore(conn, connection_id)
            counts = {s: len(ops.in_states([s])) for s in
                      ("pending", "blocked", "failed", "needs_attention")}
        console.print(f"{found.name} ({found.id}): [bold]{found.status}[/bold] "
                      f"{found.company_name or ''}")
        console.print(f"last run {(saved.profile and saved.changes_watermark) or 'never'}; "
                      f"last full sync {saved.last_full_sync_at or 'never'}")
        console.print("operations: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def show_unsynced(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Records that should be in QuickBooks and are not, with why."""
    with _target(tenant, connection) as (engine, tenant_id, connection_id), \
            context(engine, tenant_id, connection_id) as ctx:
        table = Table(title="Unsynced records")
        for column in ("kind", "id", "title", "reason", "message"):
            table.add_column(column)
        for item in unsynced(ctx):
            table.add_row(item.kind, item.record_id, item.title, item.reason, item.message)
        console.print(table)


def push(record: Annotated[list[str], typer.Argument(help="KIND:ID, e.g. invoice:inv_01...")],
         tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Push records to QuickBooks now (ignoring go-live and by-hand triggers)."""
    keys = []
    for item in record:
        kind, _, record_id = item.partition(":")
        if not record_id:
            raise typer.BadParameter(f"'{item}' is not KIND:ID")
        keys.append((kind, record_id))
    report = _run(tenant, connection, "push", push=keys)
    raise typer.Exit(1 if report.failures() else 0)


def push_all(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Push every unsynced record now."""
    with _target(tenant, connection) as (engine, tenant_id, connection_id), \
            context(engine, tenant_id, connection_id) as ctx:
        keys = [(u.kind, u.record_id) for u in unsynced(ctx)]
    report = _run(tenant, connection, "push", push=keys)
    raise typer.Exit(1 if report.failures() else 0)


def log(state_: Annotated[list[str] | None, typer.Option("--state", help="pending, sent, "
                                                          "done, failed, ...")] = None,
        kind: Annotated[str | None, typer.Option(help="Record kind")] = None,
        record: Annotated[str | None, typer.Option(help="Record id")] = None,
        direction: Annotated[str | None, typer.Option(help="outbound or inbound")] = None,
        run: Annotated[str | None, typer.Option(help="Sync run id")] = None,
        search: Annotated[str | None, typer.Option(help="Text in messages or ids")] = None,
        after: Annotated[str | None, typer.Option(help="The cursor the last page printed")]
        = None,
        limit: int = 50, raw: Annotated[bool, typer.Option(help="Show raw errors")] = False,
        tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """The transmission log, newest first."""
    wanted = oplog.LogFilter(states=state_ or (), record_kind=kind, record_id=record,
                             direction=direction, run_id=run, search=search)
    with _target(tenant, connection) as (engine, _, connection_id), engine.connect() as conn:
        found = oplog.page(conn, connection_id, wanted, after=after, limit=limit)
    for row in found.items:
        console.print(f"[dim]{str(row['created_at'])[:19]}[/dim] [bold]{row['state']}[/bold] "
                      f"{row['direction']} {row['action']} {row['record_kind']} "
                      f"{row['record_id']} -> {row['remote_kind']} "
                      f"{row['remote_id'] or '(new)'}  [dim]{row['id']}[/dim]", soft_wrap=True)
        if row["message"]:
            console.print(f"    {row['message']}", soft_wrap=True)
        if raw and row["raw_error"]:
            console.print(f"    [dim]{row['raw_error']}[/dim]", soft_wrap=True)
    more = f"; older: --after {found.next_cursor}" if found.next_cursor else ""
    console.print(f"{len(found.items)} operations{more}", soft_wrap=True)


def _op_action(op_id: str, action: str, tenant: str | None, connection: str | None) -> None:
    with _target(tenant, connection) as (engine, _, connection_id), engine.begin() as conn:
        ops = OperationStore(conn, connection_id)
        (ops.retry if action == "retry" else ops.dismiss)(op_id)
    done = "will be sent by the next sync" if action == "retry" else "dismissed"
    console.print(f"{op_id}: {done}")


def retry(op_id: str, tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Send a failed operation again at the next sync."""
    _op_action(op_id, "retry", tenant, connection)


def dismiss(op_id: str, tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Stop retrying an operation."""
    _op_action(op_id, "dismiss", tenant, connection)


@settings_app.command("get")
def settings_get(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Print the settings as JSON."""
    with _target(tenant, connection) as (engine, _, connection_id), engine.connect() as conn:
        settings, version = settings_store.load(conn, connection_id)
    console.print_json(json.dumps({"version": version,
                                   "settings": settings.model_dump(mode="json")}))


def _parse(assignments: list[str]) -> dict[str, dict[str, Any]]:
    """``GROUP.FIELD=VALUE`` (or deeper: ``connection.schedule.timezone=...``) as the
    nested changes ``settings_store.update`` merges."""
    changes: dict[str, dict[str, Any]] = {}
    for item in assignments:
        path, sep, text = item.partition("=")
        names = path.split(".")
        if not sep or len(names) < 2 or not all(names):
            raise typer.BadParameter(f"'{item}' is not GROUP.FIELD=VALUE "
                                     "(e.g. invoices.send=when_sent)")
        try:
            value: Any = json.loads(text)
        except json.JSONDecodeError:
            value = text
        place: dict[str, Any] = changes
        for name in names[:-1]:
            inner = place.setdefault(name, {})
            if not isinstance(inner, dict):
                raise typer.BadParameter(f"'{item}' sets a part of '{name}', which another "
                                         "assignment sets whole")
            place = inner
        place[names[-1]] = value
    return changes


@settings_app.command("set")
def settings_set(assignment: Annotated[list[str], typer.Argument(
                     help="GROUP.FIELD=VALUE, e.g. customers.send=never or "
                          "connection.schedule.timezone=America/Chicago")],
                 tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Change settings (validated together)."""
    with _target(tenant, connection) as (engine, _, connection_id), engine.begin() as conn:
        _, version = settings_store.update(conn, connection_id, _parse(assignment))
    console.print(f"settings saved (version {version})")


def _kind(value: str) -> str:
    try:
        return mappings.kind_named(value)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None


KindArg = Annotated[str, typer.Argument(
    help="cost_code_item (cost code -> QuickBooks item) or cost_type_class (cost type -> "
         "class); cost_code and cost_type say the same", metavar="KIND", callback=_kind)]


@map_app.command("list")
def map_list(kind: KindArg, tenant: TenantOpt = None, connection: ConnectionOpt = None
             ) -> None:
    """Every cost code (cost type) with its QuickBooks item (class), or its fallback.

    An unmapped one shows what its lines get instead: the default item (a cost type: a
    class of its own), or "fails: no item". Reads only the database."""
    local_kind, remote_kind = mappings.KINDS[kind]
    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        rows = mapping_service.mapping_rows(engine, tenant_id, connection_id, kind)
    table = Table(title=f"{mappings.label(local_kind).capitalize()} -> QuickBooks "
                        f"{remote_kind}")
    for column in (mappings.label(local_kind), "name", f"{remote_kind} id",
                   f"{remote_kind} name", "unmapped: falls back to"):
        table.add_column(column)
    for row in rows:
        table.add_row(escape(row.local_id), escape(row.local_name) if row.local_name
                      else "[dim](not in the book)[/dim]", escape(row.remote_id or ""),
                      escape(row.remote_name or ""), escape(row.fallback or ""))
    console.print(table)
    unmapped = sum(1 for row in rows if row.fallback is not None)
    console.print(f"{len(rows) - unmapped} mapped, {unmapped} unmapped")


@map_app.command("set")
def map_set(kind: KindArg,
            local_id: Annotated[str, typer.Argument(
                help="The book's cost code (cost type) id", metavar="LOCAL_ID")],
            remote: Annotated[str, typer.Argument(
                help="The QuickBooks item (class): its id or its exact name",
                metavar="REMOTE")],
            tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Map one cost code to a QuickBooks item (or cost type to a class).

    Checked before it is stored: LOCAL_ID must be a cost code (cost type) of the book,
    and REMOTE the id or exact name of an active QuickBooks item (class); QuickBooks'
    list is read once."""
    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        made = asyncio.run(mapping_service.set_mapping(engine, tenant_id, connection_id,
                                                       kind, local_id, remote))
    console.print(f"{made.local_id} -> {mappings.KINDS[kind][1]} {made.remote_id} "
                  f"'{made.remote_name}'", soft_wrap=True, markup=False)


@map_app.command("remove")
def map_remove(kind: KindArg,
               local_id: Annotated[str, typer.Argument(
                   help="The book's cost code (cost type) id", metavar="LOCAL_ID")],
               tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Forget one mapping.

    The code's lines then get the fallback `map list` shows."""
    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        gone = mapping_service.remove_mapping(engine, tenant_id, connection_id, kind,
                                              local_id)
    console.print(f"{gone.local_id}: no longer mapped (was {gone.remote_id} "
                  f"'{gone.remote_name}')", soft_wrap=True, markup=False)


@map_app.command("autofill")
def map_autofill(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Map cost codes to QuickBooks items, and cost types to classes, of the same name.

    Names are compared ignoring case and runs of spaces; existing mappings are kept.
    Prints what was mapped and what stays unmapped, with its fallback."""
    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        done = asyncio.run(mapping_service.autofill(engine, tenant_id, connection_id))
    console.print(f"mapped {len(done.made)}: " + ", ".join(
        f"{m.local_id} -> {m.remote_name}" for m in done.made), soft_wrap=True,
        markup=False)
    if done.unmapped:
        console.print(f"unmapped {len(done.unmapped)}: " + ", ".join(
            f"{r.local_name} ({r.fallback})" for r in done.unmapped), soft_wrap=True,
            markup=False)


def import_quickbooks(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Import QuickBooks' customers and vendors into the book (linked by name, or
    created), so they are never duplicated later."""
    from ledgerbridge.sync_service import import_names

    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        outcomes = asyncio.run(import_names(engine, tenant_id, connection_id))
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[f"{outcome.kind} {outcome.result}"] = counts.get(
            f"{outcome.kind} {outcome.result}", 0) + 1
        if outcome.result == "failed":
            console.print(f"[red]failed[/red] {outcome.message}", soft_wrap=True)
    console.print(", ".join(f"{k}: {v}" for k, v in counts.items()) or "nothing to import")


def inventory(tenant: TenantOpt = None, connection: ConnectionOpt = None) -> None:
    """Inventory sync: send every part's count to QuickBooks now."""
    from ledgerbridge.sync_service import inventory_sync

    with _target(tenant, connection) as (engine, tenant_id, connection_id):
        report = asyncio.run(inventory_sync(engine, tenant_id, connection_id))
    print_report(report)
    raise typer.Exit(1 if report.failures() else 0)


def worker(once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
           every: Annotated[float, typer.Option(help="Seconds between passes")] = 30) -> None:
    """Run every connection's sync when its schedule (or a QuickBooks webhook) says so."""
    from ledgerbridge.cli import open_engine
    from ledgerbridge.workers.runner import Due, run_forever, tick

    engine = open_engine()

    def said(item: Due, outcome: str) -> None:
        console.print(f"{item.connection_id} ({item.reason}): {outcome}")

    if once:
        done = asyncio.run(tick(engine, on_done=said))
        console.print(f"{len(done)} connection(s) synced")
    else:
        console.print(f"worker: checking every {every:g} s (Ctrl-C stops)")
        asyncio.run(run_forever(engine, every, on_done=said))


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("import-quickbooks")(import_quickbooks)
    app.command("inventory-sync")(inventory)
    app.command("sync")(sync)
    app.command("status")(status)
    app.command("unsynced")(show_unsynced)
    app.command("push")(push)
    app.command("push-all")(push_all)
    app.command("log")(log)
    app.command("retry")(retry)
    app.command("dismiss")(dismiss)
    app.add_typer(settings_app, name="settings")
    app.add_typer(map_app, name="map")
