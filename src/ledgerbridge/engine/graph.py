"""What a record needs in QuickBooks before it can be sent: its parent in the customer
hierarchy, the customer (or job, location, ticket) an invoice bills, the items, classes
and vendors its lines name. And the order: parents before children, names before the
documents that use them, invoices before payments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgerbridge.engine.context import Context, Key
from ledgerbridge.engine.ledger import RemoteKind
from ledgerbridge.settings.model import SyncSettings

LEVEL = {"customer": 0, "vendor": 0, "work_code": 0, "inventory_part": 0, "cost_type": 0,
         "location": 1, "job": 2, "service_ticket": 3, "invoice": 4, "purchase_order": 4,
         "bill": 4, "payment": 5}
#: the QuickBooks kind each book kind becomes (an invoice may become a credit memo)
REMOTE_KIND: dict[str, RemoteKind] = {
    "customer": "customer", "location": "customer", "job": "customer",
    "service_ticket": "customer", "vendor": "vendor", "work_code": "item",
    "inventory_part": "item", "cost_type": "class", "invoice": "invoice",
    "payment": "payment", "purchase_order": "purchase_order", "bill": "bill"}
SUB_CUSTOMERS = ("location", "job", "service_ticket")


def jobs_sent(s: SyncSettings) -> bool:
    return s.connection.customer_hierarchy != "customer" and s.jobs.create_jobs != "no"


def locations_sent(s: SyncSettings) -> bool:
    return s.connection.customer_hierarchy == "customer:location:job"


def tickets_sent(s: SyncSettings) -> bool:
    return s.connection.customer_hierarchy != "customer" and s.jobs.create_tickets != "no"


def _job_usable(ctx: Context, job_id: str | None) -> bool:
    """A job can carry documents: jobs are sent, and a by-hand job has been sent."""
    if job_id is None or not jobs_sent(ctx.settings):
        return False
    if ctx.settings.jobs.create_jobs == "only_by_hand":
        return ctx.links.get("job", job_id) is not None
    return True


def parent(ctx: Context, kind: str, record: Mapping[str, Any]) -> Key | None:
    """The sub-customer's parent in the hierarchy."""
    s = ctx.settings
    if kind == "location":
        return ("customer", record["customer_id"])
    if kind == "job":
        if locations_sent(s) and record.get("location_id"):
            return ("location", record["location_id"])
        return ("customer", record["customer_id"])
    if kind == "service_ticket":
        if _job_usable(ctx, record.get("job_id")):
            return ("job", record["job_id"])
        if locations_sent(s) and record.get("location_id"):
            return ("location", record["location_id"])
        return ("customer", record["customer_id"])
    return None


def costed_party(ctx: Context, job_id: str | None) -> Key | None:
    """Who a purchase order or bill line that names ``job_id`` is for in QuickBooks.

    The job, when it is in QuickBooks or goes there by its own trigger
    (``create_jobs = when_created``). A purchase never creates a job: one created when
    invoiced or sent by hand gets there that way, and until it does (or when jobs are not
    sent at all) the line is for the job's place in the hierarchy, its location or its
    customer, as an invoice of the job would be. A customer never sent is named only once
    linked (a purchase is not blocked for a name it may go without)."""
    if job_id is None:
        return None
    s = ctx.settings
    if jobs_sent(s) and (s.jobs.create_jobs == "when_created"
                         or ctx.links.get("job", job_id) is not None):
        return ("job", job_id)
    job = ctx.records.get("job", job_id)
    above = parent(ctx, "job", job) if job is not None else None
    if above is None or (s.customers.send == "never" and ctx.links.get(*above) is None):
        return None
    return above


def billed_party(ctx: Context, invoice: Mapping[str, Any]) -> Key:
    """The customer, location, job or ticket an invoice goes to, by the hierarchy."""
    s = ctx.settings
    ticket_id = invoice.get("service_ticket_id")
    if ticket_id and tickets_sent(s):
        return ("service_ticket", ticket_id)
    if _job_usable(ctx, invoice.get("job_id")):
        return ("job", invoice["job_id"])
    if invoice.get("location_id") and locations_sent(s):
        return ("location", invoice["location_id"])
    return ("customer", invoice["customer_id"])


def _line_needs(ctx: Context, lines: list[Mapping[str, Any]]) -> list[Key]:
    needs: list[Key] = []
    for line in lines:
        if line.get("work_code_id"):
            needs.append(("work_code", line["work_code_id"]))
        if line.get("inventory_part_id"):
            needs.append(("inventory_part", line["inventory_part_id"]))
        if line.get("cost_type_id") and ctx.profile.class_tracking \
                and line["cost_type_id"] not in ctx.cost_type_classes:
            needs.append(("cost_type", line["cost_type_id"]))
    return needs


def dependencies(ctx: Context, kind: str, record: Mapping[str, Any]) -> list[Key]:
    """The records that must be linked in QuickBooks before ``record`` is sent."""
    needs: list[Key] = []
    above = parent(ctx, kind, record)
    if above is not None:
        needs.append(above)
    if kind == "invoice":
        needs.append(billed_party(ctx, record))
        if ctx.settings.connection.invoice_lines == "multi":
            needs += _line_needs(ctx, record["lines"])
    elif kind == "payment":
        needs.append(("customer", record["customer_id"]))
        needs += [("invoice", app["invoice_id"]) for app in record["applications"]]
    elif kind in ("purchase_order", "bill"):
        needs.append(("vendor", record["vendor_id"]))
        needs += _line_needs(ctx, record["lines"])
        jobs = {line.get("job_id") for line in record["lines"]} | {record.get("job_id")}
        parties = (costed_party(ctx, job_id) for job_id in sorted(j for j in jobs if j))
        needs += [party for party in parties if party is not None]
    return list(dict.fromkeys(needs))
