"""``ledgerbridge import FILE``: load a JSON or CSV file into a tenant's book, with a
progress bar, a summary and a report of every rejected record (the logic is in
``ledgerbridge.importer``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from ledgerbridge import tenants
from ledgerbridge.db import read_only
from ledgerbridge.errors import NotFoundError
from ledgerbridge.importer import (
    CHUNK_SIZE,
    STATUSES,
    ImportFileError,
    ImportResult,
    Source,
    import_source,
    read_source,
    write_report,
)

EXIT_REJECTED = 1
EXIT_UNUSABLE = 2


def _consoles() -> tuple[Console, Console]:
    return (Console(soft_wrap=True, highlight=False),
            Console(stderr=True, soft_wrap=True, highlight=False))


def _fail(err: Console, message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    return typer.Exit(EXIT_UNUSABLE)


def _tenant_id(engine: Engine, name_or_id: str) -> str:
    with engine.connect() as conn:
        return tenants.find_tenant(read_only(conn), name_or_id).id


def _load(engine: Engine, tenant_id: str, source: Source, dry_run: bool, chunk_size: int,
          err: Console) -> ImportResult:
    columns = (TextColumn("checking" if dry_run else "importing"), BarColumn(),
               MofNCompleteColumn(), TextColumn("records"), TimeElapsedColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("import", total=source.count)
        return import_source(engine, tenant_id, source, dry_run=dry_run,
                             chunk_size=chunk_size, tick=lambda: progress.advance(task))


def summary_table(result: ImportResult) -> Table:
    title = "Dry run (nothing written)" if result.dry_run else "Imported"
    table = Table(title=title)
    table.add_column("kind")
    for status in STATUSES:
        table.add_column(status, justify="right")
    for kind in result.kinds():
        table.add_row(kind, *(str(result.counts[(kind, s)]) for s in STATUSES))
    totals = result.by_status()
    table.add_row("all", *(str(totals[s]) for s in STATUSES), style="bold")
    return table


def print_rejected(out: Console, result: ImportResult) -> None:
    if not result.rejected:
        return
    out.print(f"\nRejected records ({len(result.rejected)}):", style="red")
    for rej in result.rejected:
        external = f" external_id '{rej.external_id}'" if rej.external_id else ""
        out.print(f"{rej.position}: {rej.kind}{external}", markup=False)
        for problem in rej.problems:
            out.print(f"    {problem.as_text()}", markup=False)


def accounting_line(result: ImportResult, source: Source) -> str:
    totals = result.by_status()
    parts = " + ".join(f"{totals[s]} {s}" for s in STATUSES)
    rows = f" (from {source.rows} rows)" if source.rows != source.count else ""
    chunks = "chunk" if result.chunks == 1 else "chunks"
    verb = "checked" if result.dry_run else "loaded"
    return (f"{result.total} records in{rows} = {parts}; {verb} in {result.chunks} "
            f"{chunks}" + ("; dry run, nothing was written" if result.dry_run else ""))


def import_command(
    file: Annotated[Path, typer.Argument(help="A .json or .csv file of records",
                                         show_default=False)],
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="Tenant name or id",
                                        show_default=False)],
    kind: Annotated[str | None, typer.Option(
        help="Kind of every record (CSV: else from the file name, e.g. work_codes.csv)",
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Validate everything and write nothing")] = False,
    report: Annotated[Path | None, typer.Option(
        help="Also write the rejected records and their problems to this CSV file",
        show_default=False)] = None,
    chunk_size: Annotated[int, typer.Option(
        min=1, max=CHUNK_SIZE, help="Records per transaction")] = CHUNK_SIZE,
) -> None:
    """Import records from a JSON or CSV file into a tenant's book.

    Exit 0: all taken; 1: some rejected (the rest kept); 2: file or tenant unusable.
    """
    from ledgerbridge.cli import open_engine

    out, err = _consoles()
    try:
        source = read_source(file, kind)
    except ImportFileError as exc:
        raise _fail(err, str(exc)) from None
    engine = open_engine()
    try:
        tenant_id = _tenant_id(engine, tenant)
        result = _load(engine, tenant_id, source, dry_run, chunk_size, err)
    except NotFoundError as exc:
        raise _fail(err, exc.message) from None
    finally:
        engine.dispose()
    out.print(summary_table(result))
    print_rejected(out, result)
    if report is not None:
        write_report(report, result.rejected)
        out.print(f"rejected records written to {report}", markup=False)
    out.print(accounting_line(result, source), markup=False)
    if result.accounted != result.total:
        raise _fail(err, f"{result.total - result.accounted} records are unaccounted for")
    if result.rejected:
        raise typer.Exit(EXIT_REJECTED)
