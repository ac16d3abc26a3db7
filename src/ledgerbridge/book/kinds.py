"""The registry of record kinds: one place that says, for each kind, its table, its
input model, what it refers to and how its lines are priced. The store and the API are
generic over this registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from sqlalchemy import Table

from ledgerbridge.book import schemas, tables


@dataclass(frozen=True)
class RefSpec:
    """A reference from one record to another: ``<base>_id`` / ``<base>_external_id``."""

    base: str
    target: str
    required: bool = False

    @property
    def id_field(self) -> str:
        return f"{self.base}_id"

    @property
    def external_field(self) -> str:
        return f"{self.base}_external_id"


@dataclass(frozen=True)
class KindSpec:
    name: str
    plural: str
    prefix: str
    label: str
    table: Table
    model: type[schemas.RecordIn]
    refs: tuple[RefSpec, ...] = ()
    addresses: tuple[str, ...] = ()
    #: the JSON list field holding lines (``lines``) or applications (``applications``)
    items_field: str | None = None
    item_refs: tuple[RefSpec, ...] = ()
    #: price field of a line, when lines are priced (``unit_price`` / ``unit_cost``)
    price_field: str | None = None
    statuses: tuple[str, ...] = field(default=())
    #: the field a person reads as the record's name
    title_field: str = "name"

    @property
    def has_status(self) -> bool:
        return bool(self.statuses)


def _statuses(model: type[schemas.RecordIn]) -> tuple[str, ...]:
    info = model.model_fields.get("status")
    return tuple(get_args(info.annotation)) if info is not None else ()


_CUSTOMER = RefSpec("customer", "customer", required=True)
_LOCATION = RefSpec("location", "location")
_JOB = RefSpec("job", "job")
_WORK_CODE = RefSpec("work_code", "work_code")
_COST_CODE = RefSpec("cost_code", "cost_code")
_COST_TYPE = RefSpec("cost_type", "cost_type")
_PART = RefSpec("inventory_part", "inventory_part")
_VENDOR = RefSpec("vendor", "vendor", required=True)


def _spec(name: str, plural: str, prefix: str, label: str, table: Table,
          model: type[schemas.RecordIn], **kwargs: object) -> KindSpec:
    return KindSpec(name, plural, prefix, label, table, model,
                    statuses=_statuses(model), **kwargs)  # type: ignore[arg-type]


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        _spec("customer", "customers", "cus", "customer", tables.customers,
              schemas.CustomerIn, addresses=("billing_address",), title_field="company_name"),
        _spec("location", "locations", "loc", "location", tables.locations, schemas.LocationIn,
              refs=(_CUSTOMER,), addresses=("address",)),
        _spec("job", "jobs", "job", "job", tables.jobs, schemas.JobIn,
              refs=(_CUSTOMER, _LOCATION)),
        _spec("service_ticket", "service_tickets", "tkt", "service ticket",
              tables.service_tickets, schemas.ServiceTicketIn,
              refs=(_CUSTOMER, RefSpec("location", "location", required=True), _JOB),
              title_field="number"),
        _spec("work_code", "work_codes", "wc", "work code", tables.work_codes,
              schemas.WorkCodeIn),
        _spec("cost_code", "cost_codes", "cc", "cost code", tables.cost_codes,
              schemas.CostCodeIn),
        _spec("cost_type", "cost_types", "ct", "cost type", tables.cost_types,
              schemas.CostTypeIn),
        _spec("vendor", "vendors", "ven", "vendor", tables.vendors, schemas.VendorIn,
              addresses=("address",), title_field="company_name"),
        _spec("inventory_part", "inventory_parts", "part", "inventory part",
              tables.inventory_parts, schemas.InventoryPartIn),
        _spec("invoice", "invoices", "inv", "invoice", tables.invoices, schemas.InvoiceIn,
              refs=(_CUSTOMER, _JOB, RefSpec("service_ticket", "service_ticket"), _LOCATION),
              items_field="lines", item_refs=(_WORK_CODE, _COST_CODE, _COST_TYPE),
              price_field="unit_price", title_field="doc_number"),
        _spec("payment", "payments", "pay", "payment", tables.payments, schemas.PaymentIn,
              refs=(_CUSTOMER,), items_field="applications",
              item_refs=(RefSpec("invoice", "invoice", required=True),),
              title_field="reference"),
        _spec("purchase_order", "purchase_orders", "po", "purchase order",
              tables.purchase_orders, schemas.PurchaseOrderIn, refs=(_VENDOR,),
              items_field="lines", item_refs=(_PART, _WORK_CODE, _JOB),
              price_field="unit_cost", title_field="number"),
        _spec("bill", "bills", "bill", "bill", tables.bills, schemas.BillIn,
              refs=(_VENDOR, _JOB), items_field="lines",
              item_refs=(_WORK_CODE, _COST_CODE, _COST_TYPE, _PART),
              price_field="unit_cost", title_field="number"),
    )
}

BY_PLURAL: dict[str, KindSpec] = {spec.plural: spec for spec in KINDS.values()}
BY_TABLE: dict[str, KindSpec] = {spec.table.name: spec for spec in KINDS.values()}


def kind(name: str) -> KindSpec:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise KeyError(f"unknown record kind '{name}' (known: {known})") from None


def referrers(target: str) -> list[tuple[KindSpec, RefSpec, bool]]:
    """Every (kind, reference, inside items?) that can point at a ``target`` record."""
    found = []
    for spec in KINDS.values():
        found += [(spec, ref, False) for ref in spec.refs if ref.target == target]
        found += [(spec, ref, True) for ref in spec.item_refs if ref.target == target]
    return found


assert set(BY_TABLE) == {t.name for t in tables.RECORD_TABLES}
