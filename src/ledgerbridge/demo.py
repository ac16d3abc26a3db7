"""The demo: the sample company loaded into a 'demo' tenant, with a summary."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import Engine

from ledgerbridge import tenants
from ledgerbridge.book import bulk
from ledgerbridge.errors import NotFoundError
from ledgerbridge.sample.company import TROUBLEMAKERS, sample_company

DEMO_TENANT = "demo"


def _demo_tenant(engine: Engine) -> tuple[tenants.Tenant, str]:
    with engine.begin() as conn:
        try:
            tenant = tenants.find_tenant(conn, DEMO_TENANT)
        except NotFoundError:
            tenant = tenants.create_tenant(conn, DEMO_TENANT)
        return tenant, tenants.issue_api_key(conn, tenant.id, label="demo")


def load_sample(engine: Engine, tenant_id: str, console: Console) -> list[bulk.BulkOutcome]:
    records = sample_company()
    columns = (TextColumn("loading the sample company"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress, \
            engine.begin() as conn:
        task = progress.add_task("load", total=len(records))
        return bulk.load(conn, tenant_id, records, origin="sample",
                         progress=lambda _: progress.advance(task))


def summary_table(outcomes: list[bulk.BulkOutcome]) -> Table:
    table = Table(title="The sample company in the book")
    table.add_column("kind")
    for status in ("created", "updated", "unchanged", "rejected"):
        table.add_column(status, justify="right")
    counts = Counter((o.kind, o.status) for o in outcomes)
    for kind in dict.fromkeys(o.kind for o in outcomes):
        table.add_row(str(kind), *(str(counts[(kind, s)])
                                   for s in ("created", "updated", "unchanged", "rejected")))
    return table


def run(engine: Engine, console: Console) -> str:
    """Load the sample company; return a fresh API key for the demo tenant."""
    tenant, key = _demo_tenant(engine)
    outcomes = load_sample(engine, tenant.id, console)
    console.print(summary_table(outcomes))
    for outcome in (o for o in outcomes if o.status == "rejected"):
        console.print(f"[red]rejected[/red] record {outcome.index} ({outcome.kind}): "
                      f"{outcome.message}")
    console.print("Names that QuickBooks will find troublesome:")
    for what, name in TROUBLEMAKERS.items():
        console.print(f"  {what.replace('_', ' ')}: [bold]{name}[/bold]", soft_wrap=True)
    console.print(f"\nTenant [bold]{tenant.name}[/bold] ({tenant.id}); API key:\n{key}")
    return key
