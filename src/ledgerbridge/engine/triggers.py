"""When a book record should be in QuickBooks, exactly as the settings say.

``trigger(kind, record, settings)`` answers for a record on its own: ``SEND`` (its own
trigger has fired), ``PULL`` (only when something that depends on it is sent: a
customer when its first job is sent, a job when invoiced), ``NEVER``, or ``WAIT``, each
but ``SEND`` with the reason (a draft invoice, a record dated before go-live). A push
overrides go-live and the "when" of a trigger, never a setting that says not to send:
that ``NEVER`` names the setting, so the person who pushed is told what to change."""

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
    #: the setting that decides (``jobs.create_jobs``) and its value, when one does
    setting: str = ""
    value: str = ""
    #: the refusal is for records not in QuickBooks yet: a linked one goes on (its
    #: changes as their own setting says)
    new_only: bool = False

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, verdict: Verdict, reason: str = "", setting: str = "",
                 value: str = "", new_only: bool = False) -> None:
        self.verdict = verdict
        self.reason = reason
        self.setting = setting
        self.value = value
        self.new_only = new_only

    def why(self) -> str:
        """The reason, with the setting that decides when one does."""
        return f"{self.reason}; {self.setting} is {self.value}" if self.setting \
            else self.reason

    def refusal(self) -> str:
        """What a person is told about a record that does not go at all."""
        if not self.setting:
            return f"not sent: {self.reason}"
        return (f"not sent: {self.reason} ({self.setting} is {self.value}); change "
                f"{self.setting} in the settings to send it")


SEND = Trigger("send")


def _pull(reason: str) -> Trigger:
    """Goes with the first record sent that needs it; a push sends it at once."""
    return Trigger("pull", f"{reason}; push it to send it now")


def _refused(reason: str, setting: str, value: object) -> Trigger:
    shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return Trigger("never", reason, setting, shown)


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
    if mode == "never":
        return _refused("customers are never sent (only linked by name)", "customers.send",
                        mode)
    if pushed or mode == "when_created":
        return SEND
    return _pull("customers are sent with their first job or ticket")


def _hierarchy(s: SyncSettings, reason: str) -> Trigger:
    return _refused(reason, "connection.customer_hierarchy", s.connection.customer_hierarchy)


def _location(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if s.connection.customer_hierarchy != "customer:location:job":
        return _hierarchy(s, "locations are sent only in the customer:location:job "
                             "hierarchy")
    if pushed:
        return SEND
    return _pull("locations are sent with their first job, ticket or invoice")


def _job(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    mode = s.jobs.create_jobs
    if s.connection.customer_hierarchy == "customer":
        return _hierarchy(s, "jobs are not sent in the customer-only hierarchy")
    if mode == "no":
        return _refused("jobs are not created in QuickBooks", "jobs.create_jobs", mode)
    if pushed or mode == "when_created":
        return SEND
    if mode == "only_by_hand":
        return Trigger("wait", "jobs are created only when sent by hand")
    return _pull("jobs are created in QuickBooks when invoiced")


def _ticket(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    """"When invoiced": as soon as the ticket is invoiced here (even while its invoice
    waits); "when the invoice is sent": with its invoice, when that goes to QuickBooks."""
    mode = s.jobs.create_tickets
    if s.connection.customer_hierarchy == "customer":
        return _hierarchy(s, "service tickets are not sent in the customer-only hierarchy")
    if mode == "no":
        return _refused("service tickets are not created in QuickBooks",
                        "jobs.create_tickets", mode)
    if pushed or (mode == "when_invoiced" and record.get("status") == "invoiced"):
        return SEND
    return _pull("service tickets are created when invoiced" if mode == "when_invoiced"
                 else "service tickets are created with their invoice")


def _named(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    return SEND if pushed else _pull("sent with the first document that names it")


def _work_code(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if s.items.send_new_work_codes:
        return SEND
    # a document that names one links it to the QuickBooks item of its name, or fails
    return Trigger("never", "new work codes are not sent as items (only linked by name)",
                   "items.send_new_work_codes", "no", new_only=True)


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
        return _refused("payments are not sent", "payments.send", s.payments.send)
    return SEND


def _purchase_order(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    mode = s.purchasing.send_purchase_orders
    if mode == "never":
        return _refused("purchase orders are not sent", "purchasing.send_purchase_orders",
                        mode)
    if record["status"] == "canceled":
        return Trigger("never", "canceled purchase orders are not sent")
    if record["status"] == "draft":
        return Trigger("wait", "a draft; purchase orders are sent when submitted")
    return SEND


def _bill(record: Mapping[str, Any], s: SyncSettings, pushed: bool) -> Trigger:
    if s.purchasing.send_bills == "never":
        return _refused("bills are not sent", "purchasing.send_bills", "never")
    if record["status"] != "finalized":
        return Trigger("wait", "a draft; bills are sent when finalized")
    return SEND


RULES = {
    "customer": _customer, "location": _location, "job": _job, "service_ticket": _ticket,
    "work_code": _work_code, "cost_code": _named, "cost_type": _named, "vendor": _named,
    "inventory_part": _named, "invoice": _invoice, "payment": _payment,
    "purchase_order": _purchase_order, "bill": _bill,
}
