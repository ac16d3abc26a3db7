"""Book records as the neutral fields a ledger understands (see ``ledger.py``).

References are given as remote ids by the caller, which takes them from links; names
are cleaned by ``names.clean`` first. Nothing here knows QuickBooks' wire format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

Record = Mapping[str, Any]
Fields = dict[str, Any]

ITEM_TYPES = {"service": "service", "non_inventory": "non_inventory",
              "inventory": "inventory"}


def _contact(record: Record) -> Fields:
    return {"email": record.get("email"), "phone": record.get("phone"),
            "contact_name": record.get("contact_name")}


def customer(record: Record, name: str) -> Fields:
    return {"name": name, "company_name": record["company_name"], **_contact(record),
            "billing_address": record.get("billing_address"), "active": record["active"],
            "taxable": record["taxable"], "notes": record.get("notes"), "parent_id": None,
            "is_job": False}


def sub_customer(record: Record, name: str, parent_id: str, address: Any = None,
                 job_status: str | None = None) -> Fields:
    """A location, job or ticket as a sub-customer billed with its parent."""
    return {"name": name, "parent_id": parent_id, "is_job": True, "bill_with_parent": True,
            "shipping_address": address, "active": record.get("active", True),
            "job_status": job_status, "description": record.get("description")
            or record.get("summary")}


def vendor(record: Record, name: str) -> Fields:
    return {"name": name, "company_name": record["company_name"], **_contact(record),
            "address": record.get("address"), "active": record["active"]}


def work_code_item(record: Record, name: str, accounts: Mapping[str, str | None]) -> Fields:
    fields: Fields = {"name": name, "type": ITEM_TYPES[record["item_kind"]],
                      "description": record.get("description"),
                      "unit_price": record.get("rate"), "active": record["active"],
                      "taxable": record["taxable"], **accounts}
    if record["item_kind"] == "inventory":  # tracked from the day it was made, none on hand
        fields |= {"qty_on_hand": Decimal(0),
                   "inventory_start_date": str(record["created_at"])[:10]}
    return fields


def part_item(record: Record, name: str, accounts: Mapping[str, str | None],
              start_date: str) -> Fields:
    return {"name": name, "type": "inventory", "sku": record.get("sku"),
            "description": record.get("description"), "unit_price": record.get("price"),
            "purchase_cost": record.get("cost"), "qty_on_hand": record["quantity_on_hand"],
            "inventory_start_date": start_date, "active": record["active"], **accounts}


def class_(record: Record, name: str) -> Fields:
    return {"name": name, "active": record["active"]}


def sales_lines(lines: Sequence[Mapping[str, Any]], negate: bool) -> list[Fields]:
    """Invoice lines (already carrying remote item and class ids); a credit memo sends
    the amounts of a negative invoice as positive ones."""
    sign = Decimal(-1) if negate else Decimal(1)
    out = []
    for line in lines:
        qty, price = Decimal(line["quantity"]), Decimal(line["unit_price"])
        if negate:
            qty, price = (-qty, price) if qty < 0 else (qty, -price)
        out.append({"line_id": line.get("id"), "item_id": line.get("item_id"),
                    "class_id": line.get("class_id"), "description": line.get("description"),
                    "quantity": qty, "unit_price": price,
                    "amount": Decimal(line["amount"]) * sign, "taxable": line.get("taxable"),
                    "tax_code_id": line.get("tax_code_id")})
    return out


def sales_document(record: Record, customer_id: str, lines: list[Fields]) -> Fields:
    return {"customer_id": customer_id, "doc_number": record.get("doc_number"),
            "txn_date": record.get("issue_date"), "due_date": record.get("due_date"),
            "memo": record.get("memo"), "lines": lines}


def payment(record: Record, customer_id: str, applied: list[Fields]) -> Fields:
    return {"customer_id": customer_id, "amount": record["amount"],
            "txn_date": record["payment_date"], "reference": record.get("reference"),
            "method": record.get("method"), "memo": record.get("memo"), "applied": applied}


def purchase_document(record: Record, vendor_id: str, lines: list[Fields],
                      date_field: str) -> Fields:
    fields: Fields = {"vendor_id": vendor_id, "doc_number": record.get("number"),
                      "txn_date": record.get(date_field), "memo": record.get("memo"),
                      "lines": lines}
    if "due_date" in record:
        fields["due_date"] = record.get("due_date")
    if "status" in record and record.get("status") in ("closed", "received", "canceled"):
        fields["closed"] = record["status"] in ("closed", "canceled")
    return fields


def purchase_line(line: Mapping[str, Any], item_id: str | None, customer_id: str | None,
                  class_id: str | None = None) -> Fields:
    return {"line_id": line.get("id"), "item_id": item_id, "class_id": class_id,
            "customer_id": customer_id, "description": line.get("description"),
            "quantity": Decimal(line["quantity"]), "unit_cost": Decimal(line["unit_cost"]),
            "amount": Decimal(line["amount"])}
