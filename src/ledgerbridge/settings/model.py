"""Every setting a user chooses per connection (SYNC-SETTINGS.md), with its default
and its validation. Grouped as the settings page groups them."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

YesNo = bool


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Schedule(Group):
    mode: Literal["manual", "interval", "daily"] = "daily"
    every_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    daily_at: time = time(2, 0)
    timezone: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="The time zone daily_at is in (an IANA name such as "
                          "America/Chicago); empty: the local time zone of the machine "
                          "that runs the syncs")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"'{value}' is not a time zone; use an IANA name such as "
                                 "America/Chicago or Europe/London") from exc
        return value or None


class ConnectionWide(Group):
    customer_hierarchy: Literal["customer", "customer:job", "customer:location:job"] = Field(
        "customer:job", description="How locations and jobs nest under customers in QuickBooks")
    invoice_lines: Literal["multi", "single"] = Field(
        "multi", description="One QuickBooks line per line, or one line with the chosen item")
    single_line_item_id: str | None = Field(
        None, description="The QuickBooks item (its id) for single-line invoices")
    default_item_id: str | None = Field(
        None, description="The QuickBooks item used when a cost code has no mapping")
    name_collision: Literal["suffix", "fail"] = Field(
        "suffix", description="When a name is taken by another kind of record")
    customer_suffix: Annotated[str, Field(max_length=20)] = " (C)"
    vendor_suffix: Annotated[str, Field(max_length=20)] = " (V)"
    forbidden_characters: Literal["replace", "fail"] = Field(
        "replace", description="Colon, tab and newline in names: replace them, or fail")
    replacement_character: Annotated[str, Field(min_length=1, max_length=1)] = "-"
    go_live_date: date | None = Field(
        None, description="Records dated before it are not sent automatically: they wait "
                          "under Unsynced records until pushed. A new connection starts "
                          "with the day it was made (UTC); empty: no go-live, every record "
                          "goes (connections made before go-live defaulted to that day)")
    schedule: Schedule = Schedule()
    paused: YesNo = False

    @field_validator("go_live_date", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """``settings set connection.go_live_date=`` clears it, as null does."""
        return None if value == "" else value


class Customers(Group):
    send: Literal["never", "when_created", "when_first_job_or_ticket_sent"] = "when_created"
    send_changes: YesNo = True
    get_new: YesNo = True
    get_changes: YesNo = False


class JobsAndTickets(Group):
    create_jobs: Literal["no", "when_created", "when_invoiced", "only_by_hand"] = "when_invoiced"
    send_job_changes: YesNo = True
    create_tickets: Literal["no", "when_invoice_sent", "when_invoiced"] = "when_invoiced"
    send_ticket_changes: YesNo = True


class Invoices(Group):
    send: Literal["when_finalized", "when_sent"] = "when_finalized"
    send_changes: YesNo = True
    get_new_project_invoices: YesNo = False
    get_project_invoice_changes: YesNo = False
    delete_when_deleted_in_qb: YesNo = False
    get_status: YesNo = True
    credit_memo_as_negative_invoice: YesNo = True


class Payments(Group):
    send: YesNo = True
    get_new: YesNo = True
    get_changes: YesNo = True
    delete_when_deleted_in_qb: YesNo = False


class Items(Group):
    send_new_work_codes: YesNo = True
    send_work_code_changes: YesNo = True
    get_new_items: YesNo = True
    income_account_id: str | None = Field(
        None, description="Income account for items we create (default: the company's)")
    expense_account_id: str | None = None
    asset_account_id: str | None = None
    tax_code_id: str | None = None


class Purchasing(Group):
    send_purchase_orders: Literal["never", "when_submitted"] = "when_submitted"
    update_inventory_counts: YesNo = True
    send_bills: Literal["never", "when_finalized"] = "when_finalized"


class SyncSettings(Group):
    """All settings of one connection. Every field has the default most field-service
    companies want."""

    connection: ConnectionWide = ConnectionWide()
    customers: Customers = Customers()
    jobs: JobsAndTickets = JobsAndTickets()
    invoices: Invoices = Invoices()
    payments: Payments = Payments()
    items: Items = Items()
    purchasing: Purchasing = Purchasing()

    @model_validator(mode="after")
    def _consistent(self) -> SyncSettings:
        wide = self.connection
        if wide.invoice_lines == "single" and not wide.single_line_item_id:
            raise ValueError("connection.single_line_item_id: single-line invoices need the "
                             "item to put on the line; choose one, or set invoice_lines to "
                             "'multi'")
        if wide.customer_suffix == wide.vendor_suffix:
            raise ValueError("connection.vendor_suffix: must differ from customer_suffix, or "
                             "a customer and a vendor of the same name would still collide")
        if wide.replacement_character in ":\t\n":
            raise ValueError("connection.replacement_character: cannot be a colon, tab or "
                             "newline (QuickBooks refuses those)")
        return self
