"""What a host app sends for each record kind (pydantic models, shown in OpenAPI).

A reference to another record is given either by our id (``customer_id``) or by the
host app's own id (``customer_external_id``); the store resolves it. Money has at most
2 decimal places, quantities at most 4; totals and line amounts are computed and never
taken from input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=500)]
ItemName = Annotated[str, Field(min_length=1, max_length=100)]
Ref = Annotated[str, Field(min_length=1, max_length=200)]
MoneyIn = Annotated[Decimal, Field(decimal_places=2, max_digits=15, allow_inf_nan=False)]
QuantityIn = Annotated[Decimal, Field(decimal_places=4, max_digits=15, allow_inf_nan=False)]

JobStatus = Literal["open", "in_progress", "completed", "closed", "canceled"]
TicketStatus = Literal["open", "scheduled", "in_progress", "completed", "invoiced", "canceled"]
ItemKind = Literal["service", "non_inventory", "inventory"]
InvoiceKind = Literal["service", "project"]
InvoiceStatus = Literal["draft", "finalized", "sent", "paid", "void"]
PurchaseOrderStatus = Literal["draft", "submitted", "received", "closed", "canceled"]
BillStatus = Literal["draft", "finalized"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Address(Strict):
    line1: Annotated[str, Field(max_length=500)] | None = None
    line2: Annotated[str, Field(max_length=500)] | None = None
    city: Annotated[str, Field(max_length=255)] | None = None
    state: Annotated[str, Field(max_length=255)] | None = None
    postal_code: Annotated[str, Field(max_length=30)] | None = None
    country: Annotated[str, Field(max_length=255)] | None = None


class RecordIn(Strict):
    external_id: Ref | None = Field(None, description="Your app's id, unique per kind")


class CustomerIn(RecordIn):
    company_name: Name
    contact_name: Name | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    billing_address: Address | None = None
    active: bool = True
    taxable: bool = True
    notes: Text | None = None


class LocationIn(RecordIn):
    customer_id: Ref | None = None
    customer_external_id: Ref | None = None
    name: Name
    address: Address | None = None
    active: bool = True


class JobIn(RecordIn):
    customer_id: Ref | None = None
    customer_external_id: Ref | None = None
    location_id: Ref | None = None
    location_external_id: Ref | None = None
    number: Annotated[str, Field(max_length=100)] | None = None
    name: Name
    status: JobStatus = "open"
    start_date: date | None = None
    end_date: date | None = None
    description: Text | None = None


class ServiceTicketIn(RecordIn):
    customer_id: Ref | None = None
    customer_external_id: Ref | None = None
    location_id: Ref | None = None
    location_external_id: Ref | None = None
    job_id: Ref | None = None
    job_external_id: Ref | None = None
    number: Annotated[str, Field(min_length=1, max_length=100)]
    status: TicketStatus = "open"
    summary: Text | None = None
    scheduled_date: date | None = None


class WorkCodeIn(RecordIn):
    name: ItemName
    description: Text | None = None
    rate: MoneyIn | None = None
    item_kind: ItemKind = "service"
    active: bool = True
    taxable: bool = False


class CostCodeIn(RecordIn):
    code: Annotated[str, Field(max_length=50)] | None = None
    name: ItemName
    description: Text | None = None
    active: bool = True


class CostTypeIn(RecordIn):
    name: ItemName
    description: Text | None = None
    active: bool = True


class VendorIn(RecordIn):
    company_name: Name
    contact_name: Name | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    address: Address | None = None
    active: bool = True
    notes: Text | None = None


class InventoryPartIn(RecordIn):
    name: ItemName
    sku: Annotated[str, Field(max_length=100)] | None = None
    description: Text | None = None
    quantity_on_hand: QuantityIn = Decimal(0)
    cost: MoneyIn | None = None
    price: MoneyIn | None = None
    active: bool = True


class LineIn(Strict):
    id: Ref | None = Field(None, description="Keep an existing line (its id); omit for new")
    description: Text | None = None
    quantity: QuantityIn = Decimal(1)


class InvoiceLineIn(LineIn):
    work_code_id: Ref | None = None
    work_code_external_id: Ref | None = None
    cost_code_id: Ref | None = None
    cost_code_external_id: Ref | None = None
    cost_type_id: Ref | None = None
    cost_type_external_id: Ref | None = None
    unit_price: MoneyIn
    taxable: bool | None = None


class InvoiceIn(RecordIn):
    customer_id: Ref | None = None
    customer_external_id: Ref | None = None
    job_id: Ref | None = None
    job_external_id: Ref | None = None
    service_ticket_id: Ref | None = None
    service_ticket_external_id: Ref | None = None
    location_id: Ref | None = None
    location_external_id: Ref | None = None
    kind: InvoiceKind = "service"
    status: InvoiceStatus = "draft"
    doc_number: Annotated[str, Field(max_length=21)] | None = None
    issue_date: date | None = None
    due_date: date | None = None
    memo: Text | None = None
    lines: Annotated[list[InvoiceLineIn], Field(max_length=1000)] = []


class PaymentApplicationIn(Strict):
    invoice_id: Ref | None = None
    invoice_external_id: Ref | None = None
    amount: MoneyIn


class PaymentIn(RecordIn):
    customer_id: Ref | None = None
    customer_external_id: Ref | None = None
    amount: MoneyIn
    payment_date: date
    method: Annotated[str, Field(max_length=50)] | None = None
    reference: Annotated[str, Field(max_length=100)] | None = None
    memo: Text | None = None
    applications: Annotated[list[PaymentApplicationIn], Field(max_length=1000)] = []


class PurchaseOrderLineIn(LineIn):
    inventory_part_id: Ref | None = None
    inventory_part_external_id: Ref | None = None
    work_code_id: Ref | None = None
    work_code_external_id: Ref | None = None
    job_id: Ref | None = None
    job_external_id: Ref | None = None
    unit_cost: MoneyIn


class PurchaseOrderIn(RecordIn):
    vendor_id: Ref | None = None
    vendor_external_id: Ref | None = None
    number: Annotated[str, Field(max_length=21)] | None = None
    status: PurchaseOrderStatus = "draft"
    order_date: date | None = None
    expected_date: date | None = None
    memo: Text | None = None
    lines: Annotated[list[PurchaseOrderLineIn], Field(max_length=1000)] = []


class BillLineIn(LineIn):
    work_code_id: Ref | None = None
    work_code_external_id: Ref | None = None
    cost_code_id: Ref | None = None
    cost_code_external_id: Ref | None = None
    cost_type_id: Ref | None = None
    cost_type_external_id: Ref | None = None
    inventory_part_id: Ref | None = None
    inventory_part_external_id: Ref | None = None
    unit_cost: MoneyIn


class BillIn(RecordIn):
    vendor_id: Ref | None = None
    vendor_external_id: Ref | None = None
    job_id: Ref | None = None
    job_external_id: Ref | None = None
    number: Annotated[str, Field(max_length=21)] | None = None
    status: BillStatus = "draft"
    bill_date: date | None = None
    due_date: date | None = None
    memo: Text | None = None
    lines: Annotated[list[BillLineIn], Field(max_length=1000)] = []
