"""When a book record should be in QuickBooks, exactly as the settings say.

``trigger(kind, record, settings)`` answers for a record on its own: ``SEND`` (its own
trigger has fired), ``PULL`` (only when something that depends on it is sent: a
customer when its first job is sent, a job when invoiced), ``NEVER``, or ``WAIT`` with
the reason (a draft invoice, a record dated before go-live)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ledgerbridge.settings.model import SyncSettings

Verdict = Literal["send", "pull", "never", "wait"]
#: the date that decides go-live for dated records
DATE_FIELD = {"invoice": "issue_date", "payment": "payment_date",
              "purchase_order": "order_date", "bill": "bill_date"}


@dataclass(slots=True)
class Trigger:
    verdict: Verdict
    reason: str = ""


SEND = Trigger("send")
PULL = Trigger("pull")


def _before_go_live(kind: str, record: Mapping[str, Any], settings: SyncSettings) -> bool:
    go_live = settings.connection.go_live_date
    field = DATE_FIELD.get(kind)
    if go_live is None or field is None:
        return False
    when = record.get(field)
    if isinstance(when, str):
        when = date.fromisoformat(when)
    return isinstance(when, date) and when < go_live


def trigger(kind: str, record: Mapping[str, Any], settings: SyncSettings,
            pushed: bool = False) -> Trigger:
    """Whether ``record`` should be sent now. ``pushed``: a person asked for it (push one,
    push all, send this job), which overrides go-live and by-hand triggers but not a
    record's state (a draft stays a draft)."""
    if not pushed and _before_go_live(kind, record, settings):
        return Trigger("wait", f"dated before the go-live date "
                               f"{settings.connection.go_live_date}; push it to send it")
    return RULES[kind](record, settings, pushed)


def _customer(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    mode = s.customers.send
    if pushed or mode == "when_created":
        return SEND
    if mode == "never":
        return Trigger("never", "customers are never sent (only linked by name)")
    return PULL


def _location(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if s.connection.customer_hierarchy != "customer:location:job":
        return Trigger("never", "locations are sent only in the customer:location:job "
                                "hierarchy")
    return PULL


def _job(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    mode = s.jobs.create_jobs
    if s.connection.customer_hierarchy == "customer":
        return Trigger("never", "jobs are not sent in the customer-only hierarchy")
    if pushed:
        return SEND
    if mode == "when_created":
        return SEND
    if mode == "no":
        return Trigger("never", "jobs are not created in QuickBooks (setting)")
    if mode == "only_by_hand":
        return Trigger("wait", "jobs are created only when sent by hand")
    return PULL


def _ticket(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    """"When invoiced": as soon as the ticket is invoiced here (even while its invoice
    waits); "when the invoice is sent": with its invoice, when that goes to QuickBooks."""
    if s.connection.customer_hierarchy == "customer" or s.jobs.create_tickets == "no":
        return Trigger("never", "service tickets are not created in QuickBooks (setting)")
    if pushed or (s.jobs.create_tickets == "when_invoiced"
                  and record.get("status") == "invoiced"):
        return SEND
    return PULL


def _named(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    return SEND if pushed else PULL


def _work_code(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    return SEND if pushed or s.items.send_new_work_codes else PULL


def _invoice(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    status = record["status"]
    if status == "draft":
        return Trigger("wait", "a draft; invoices are sent when "
                               + ("finalized" if s.invoices.send == "when_finalized"
                                  else "sent"))
    if status == "finalized" and s.invoices.send == "when_sent" and not pushed:
        return Trigger("wait", "finalized but not sent; invoices are sent when sent")
    return SEND


def _payment(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if not s.payments.send:
        return Trigger("never", "payments are not sent (setting)")
    return SEND


def _purchase_order(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if s.purchasing.send_purchase_orders == "never":
        return Trigger("never", "purchase orders are not sent (setting)")
    if record["status"] == "canceled":
        return Trigger("never", "canceled purchase orders are not sent")
    if record["status"] == "draft":
        return Trigger("wait", "a draft; purchase orders are sent when submitted")
    return SEND


def _bill(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if s.purchasing.send_bills == "never":
        return Trigger("never", "bills are not sent (setting)")
    if record["status"] != "finalized":
        return Trigger("wait", "a draft; bills are sent when finalized")
    return SEND


RULES = {
    "customer": _customer, "location": _location, "job": _job, "service_ticket": _ticket,
    "work_code": _work_code, "cost_code": _named, "cost_type": _named, "vendor": _named,
    "inventory_part": _named, "invoice": _invoice, "payment": _payment,
    "purchase_order": _purchase_order, "bill": _bill,
}
