"""Customer, Vendor and Employee: one name namespace."""

from __future__ import annotations

from typing import Any

from ..errors import QboFault
from ..rules import (
    DELETED_SUFFIX,
    Ctx,
    check_display_name_free,
    check_string,
    is_deleted_name,
    resolve_ref,
)
from ..state import is_digits
from .base import FRAME, EntitySpec, copy_fields, framed, ordered, register

JSON = dict[str, Any]

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
CONTACT = ("PrimaryPhone", "AlternatePhone", "Mobile", "Fax", "PrimaryEmailAddr", "WebAddr",
           "BillAddr", "ShipAddr", "OtherAddr", "Notes", "CompanyName", "PrintOnCheckName")
COMMON = frozenset({*NAME_PARTS, *CONTACT, "DisplayName", "Active", "CurrencyRef",
                    "FullyQualifiedName", "AcctNum", "TaxIdentifier"})
MAX_LEVELS = 5


def display_name_of(data: JSON) -> str:
    """DisplayName, or one made from the name parts or the company name (else 2020)."""
    if data.get("DisplayName"):
        return str(data["DisplayName"])
    parts = [str(data[p]) for p in NAME_PARTS if data.get(p)]
    if parts:
        return " ".join(parts)
    if data.get("CompanyName"):
        return str(data["CompanyName"])
    raise QboFault("2020", "DisplayName", field="DisplayName")


def check_name_fields(data: JSON) -> None:
    check_string(data, "DisplayName", 500, name_rules=True)
    for part in NAME_PARTS:
        limit = 100 if part in ("GivenName", "MiddleName", "FamilyName") else 16
        check_string(data, part, limit, name_rules=True)
    check_string(data, "CompanyName", 100)
    check_string(data, "PrintOnCheckName", 110)
    check_string(data, "Notes", 2000)


def apply_activity(data: JSON, existing: JSON | None, display: str) -> str:
    """Deactivating renames with `` (deleted)``; reactivating drops it."""
    active = data.get("Active", True) is not False
    was_active = existing is None or existing.get("Active", True) is not False
    if not active and was_active and not is_deleted_name(display):
        return display + DELETED_SUFFIX
    if active and not was_active and is_deleted_name(display):
        return display[: -len(DELETED_SUFFIX)]
    return display


def name_frame(ctx: Ctx, spec_name: str, data: JSON, existing: JSON | None) -> JSON:
    check_name_fields(data)
    display = apply_activity(data, existing, display_name_of(data))
    own_id = existing["Id"] if existing else None
    check_display_name_free(ctx, display, spec_name, own_id)
    record = framed(ctx, data, existing)
    copy_fields(record, data, NAME_PARTS)
    record["DisplayName"] = display
    record["Active"] = data.get("Active", True) is not False
    return record


def _parent(ctx: Ctx, data: JSON, own_id: str | None) -> tuple[JSON | None, JSON | None]:
    ref = data.get("ParentRef")
    if not ref:
        return None, None
    parent_ref = resolve_ref(ctx, "Customer", ref, "ParentRef")
    parent = ctx.company.get("Customer", parent_ref["value"])
    if parent is None or parent_ref["value"] == own_id:
        raise QboFault("2500", "ParentRef", detail="ParentRef is invalid")
    if int(parent.get("Level", 0)) + 1 > MAX_LEVELS - 1:
        raise QboFault("6000", "ParentRef",
                       detail="Sub-customers can only be nested 5 levels deep.")
    return parent_ref, parent


def normalize_customer(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    own_id = existing["Id"] if existing else None
    parent_ref, parent = _parent(ctx, data, own_id)
    base = name_frame(ctx, "Customer", data, existing)
    taxable = data.get("Taxable", ctx.company.country == "US") is not False
    record: JSON = {"Taxable": taxable}
    copy_fields(record, data, ("BillAddr", "ShipAddr"))
    record["Job"] = parent is not None if data.get("Job") is None else bool(data["Job"])
    record["BillWithParent"] = bool(data.get("BillWithParent", False)) and parent is not None
    if parent_ref is not None and parent is not None:
        record["ParentRef"] = {"value": parent_ref["value"]}
        record["Level"] = int(parent.get("Level", 0)) + 1
    balance = existing.get("Balance", 0) if existing else 0
    record["Balance"] = balance
    record["BalanceWithJobs"] = existing.get("BalanceWithJobs", balance) if existing else 0
    record["CurrencyRef"] = ctx.currency_ref()
    record["PreferredDeliveryMethod"] = data.get("PreferredDeliveryMethod", "Print")
    record.update({k: base[k] for k in FRAME})
    copy_fields(record, base, ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix"))
    parent_name = parent and (parent.get("FullyQualifiedName") or parent.get("DisplayName"))
    prefix = f"{parent_name}:" if parent_name else ""
    record["FullyQualifiedName"] = prefix + base["DisplayName"]
    copy_fields(record, data, ("CompanyName",))
    record["DisplayName"] = base["DisplayName"]
    record["PrintOnCheckName"] = data.get("PrintOnCheckName") or (
        data.get("CompanyName") or display_name_of(data))
    record["Active"] = base["Active"]
    copy_fields(record, data, ("PrimaryPhone", "AlternatePhone", "Mobile", "Fax",
                               "PrimaryEmailAddr", "WebAddr", "Notes", "ResaleNum",
                               "PaymentMethodRef", "SalesTermRef"))
    _default_tax_code(ctx, data, record, taxable)
    return ordered(record, ())


def _default_tax_code(ctx: Ctx, data: JSON, record: JSON, taxable: bool) -> None:
    if data.get("DefaultTaxCodeRef"):
        record["DefaultTaxCodeRef"] = resolve_ref(ctx, "TaxCode", data["DefaultTaxCodeRef"],
                                                  "DefaultTaxCodeRef")
        record["DefaultTaxCodeRef"].pop("name", None)
        return
    if taxable and ctx.company.country == "US":
        for code in ctx.company.records.get("TaxCode", {}).values():
            if is_digits(code["Id"]) and code.get("Active", True):
                record["DefaultTaxCodeRef"] = {"value": code["Id"]}
                return


def normalize_vendor(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    base = name_frame(ctx, "Vendor", data, existing)
    record: JSON = {}
    copy_fields(record, data, ("BillAddr", "TaxIdentifier"))
    record["Balance"] = existing.get("Balance", 0) if existing else 0
    copy_fields(record, data, ("AcctNum",))
    record["Vendor1099"] = bool(data.get("Vendor1099", False))
    record["CurrencyRef"] = ctx.currency_ref()
    record.update({k: base[k] for k in FRAME})
    copy_fields(record, base, ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix"))
    copy_fields(record, data, ("CompanyName",))
    record["DisplayName"] = base["DisplayName"]
    record["PrintOnCheckName"] = data.get("PrintOnCheckName") or (
        data.get("CompanyName") or display_name_of(data))
    record["Active"] = base["Active"]
    copy_fields(record, data, ("PrimaryPhone", "AlternatePhone", "Mobile", "Fax",
                               "PrimaryEmailAddr", "WebAddr", "TermRef"))
    return record


def normalize_employee(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    base = name_frame(ctx, "Employee", data, existing)
    record: JSON = {"BillableTime": bool(data.get("BillableTime", False))}
    copy_fields(record, data, ("BirthDate", "HiredDate", "ReleasedDate", "EmployeeNumber",
                               "PrimaryAddr", "SSN", "Gender", "BillRate"))
    record.update({k: base[k] for k in FRAME})
    copy_fields(record, base, ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix"))
    record["DisplayName"] = base["DisplayName"]
    parts = " ".join(str(data[p]) for p in ("GivenName", "FamilyName") if data.get(p))
    record["PrintOnCheckName"] = data.get("PrintOnCheckName") or parts or base["DisplayName"]
    record["Active"] = base["Active"]
    copy_fields(record, data, ("PrimaryPhone", "Mobile", "PrimaryEmailAddr"))
    return record


def refresh_children(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
    """Keep sub-customers' FullyQualifiedName in step with their parent."""
    if new is None or old is None or old.get("FullyQualifiedName") == new.get(
            "FullyQualifiedName"):
        return
    for child in list(ctx.company.records.get("Customer", {}).values()):
        if child.get("ParentRef", {}).get("value") == new["Id"]:
            updated = dict(child)
            updated["FullyQualifiedName"] = f"{new['FullyQualifiedName']}:{child['DisplayName']}"
            ctx.company.put("Customer", updated)
            refresh_children(ctx, child, updated)


CUSTOMER = register(EntitySpec(
    "Customer", "name",
    COMMON | {"Taxable", "Job", "BillWithParent", "ParentRef", "Level", "PreferredDeliveryMethod",
              "ResaleNum", "PaymentMethodRef", "SalesTermRef", "DefaultTaxCodeRef",
              "TaxExemptionReasonId", "IsProject", "PrimaryTaxIdentifier",
              "SecondaryTaxIdentifier", "BusinessNumber", "GSTIN", "GSTRegistrationType",
              "ARAccountRef", "CustomerTypeRef", "Suffix"},
    normalize_customer, system=frozenset({"Balance", "BalanceWithJobs", "OpenBalanceDate"}),
    after_write=refresh_children, deactivate_key="DisplayName"))
VENDOR = register(EntitySpec(
    "Vendor", "name", COMMON | {"Vendor1099", "TermRef", "APAccountRef", "BillRate",
                                "CostRate", "TaxReportingBasis", "OtherContactInfo"},
    normalize_vendor,
    system=frozenset({"Balance"}), deactivate_key="DisplayName"))
EMPLOYEE = register(EntitySpec(
    "Employee", "name",
    COMMON | {"BillableTime", "BirthDate", "HiredDate", "ReleasedDate", "EmployeeNumber",
              "PrimaryAddr", "SSN", "Gender", "BillRate", "CostRate", "Organization"},
    normalize_employee, deactivate_key="DisplayName"))
