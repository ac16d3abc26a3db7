"""From a validated input to the row the book stores: references resolved, lines
priced, totals computed, and the book's own rules checked (each broken rule is a
Problem naming the field and the fix)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from ledgerbridge.book import rows
from ledgerbridge.book.ids import new_id
from ledgerbridge.book.kinds import KINDS, KindSpec
from ledgerbridge.book.money import line_amount, money, quantity, total
from ledgerbridge.book.resolve import Resolver, owner_problem
from ledgerbridge.book.resolve import Row as StoredRow
from ledgerbridge.book.schemas import RecordIn
from ledgerbridge.book.types import Money, Quantity
from ledgerbridge.errors import Problem

ZERO = Decimal("0.00")
Row = dict[str, Any]
Rule = Callable[[KindSpec, Row, Resolver, "StoredRow | None", list[Problem]], None]


def build_row(
    spec: KindSpec, model: RecordIn, resolver: Resolver, existing: StoredRow | None
) -> tuple[Row, list[Problem]]:
    data = model.model_dump()
    problems: list[Problem] = []
    row: Row = {"external_id": data["external_id"]}
    for name, exact in _plain_fields(spec.name):
        value = data[name]
        row[name] = value if exact is None or value is None else exact(value)
    for prefix in spec.addresses:
        row.update(rows.flatten_address(prefix, data[prefix]))
    for ref in spec.refs:
        row[ref.id_field] = resolver.resolve(ref, data, "", problems)
    if spec.items_field:
        previous = existing[spec.items_field] if existing is not None else []
        row[spec.items_field] = _build_items(spec, data[spec.items_field], previous,
                                             resolver, problems)
    RULES.get(spec.name, _no_rule)(spec, row, resolver, existing, problems)
    return row, problems


@cache
def _plain_fields(kind_name: str) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """The kind's plain fields, each with how it is made exact as stored (money to
    cents, quantities to 4 places) or None when it is stored as given."""
    spec = KINDS[kind_name]
    exact: dict[type[Any], Callable[[Any], Any]] = {Money: money, Quantity: quantity}
    return tuple((name, exact.get(type(spec.table.c[name].type)))
                 for name in rows.plain_fields(spec))


def _build_items(
    spec: KindSpec, items: list[dict[str, Any]], previous: list[dict[str, Any]],
    resolver: Resolver, problems: list[Problem],
) -> list[dict[str, Any]]:
    known = {item.get("id") for item in previous}
    built = []
    for n, item in enumerate(items):
        path = f"{spec.items_field}[{n}]."
        line = {k: v for k, v in item.items() if not k.endswith("_id") and v is not None}
        for ref in spec.item_refs:
            line.pop(ref.external_field, None)
            line[ref.id_field] = resolver.resolve(ref, item, path, problems)
        if "amount" in line:
            line["amount"] = money(line["amount"])
        if spec.price_field:
            line["quantity"] = quantity(item["quantity"])
            line[spec.price_field] = money(item[spec.price_field])
            line["id"] = item.get("id") or new_id("ln")
            if item.get("id") is not None and item["id"] not in known:
                problems.append(Problem(path + "id", f"this {spec.label} has no line "
                                        f"'{item['id']}'; leave id out to add a new line"))
            line["amount"] = line_amount(item["quantity"], item[spec.price_field])
        built.append(line)
    return built


def _no_rule(spec: KindSpec, row: Row, resolver: Resolver, existing: StoredRow | None,
             problems: list[Problem]) -> None:
    return None


def _owners(spec: KindSpec, row: Row, resolver: Resolver, problems: list[Problem],
            *kinds: str) -> None:
    for child in kinds:
        found = owner_problem(resolver, spec, child, row.get(f"{child}_id"),
                              row.get("customer_id"), f"{child}_id")
        if found:
            problems.append(found)


def _dates(row: Row, start: str, end: str, problems: list[Problem]) -> None:
    if row.get(start) and row.get(end) and row[end] < row[start]:
        problems.append(Problem(end, f"is before {start} ({row[start]}); swap the dates"))


def _job_rule(spec: KindSpec, row: Row, resolver: Resolver, existing: StoredRow | None,
              problems: list[Problem]) -> None:
    _owners(spec, row, resolver, problems, "location")
    _dates(row, "start_date", "end_date", problems)


def _ticket_rule(spec: KindSpec, row: Row, resolver: Resolver, existing: StoredRow | None,
                 problems: list[Problem]) -> None:
    _owners(spec, row, resolver, problems, "location", "job")


def _line_needs(spec: KindSpec, row: Row, problems: list[Problem], needs: tuple[str, ...],
                what: str) -> None:
    for n, line in enumerate(row[spec.items_field or "lines"]):
        if not any(line.get(field) is not None for field in needs):
            problems.append(Problem(f"lines[{n}]", f"needs {what}"))


def _document_total(row: Row) -> Decimal:
    return total(Decimal(line["amount"]) for line in row["lines"])


def _invoice_rule(spec: KindSpec, row: Row, resolver: Resolver, existing: StoredRow | None,
                  problems: list[Problem]) -> None:
    _owners(spec, row, resolver, problems, "location", "job", "service_ticket")
    if row["kind"] == "project" and row["job_id"] is None:
        problems.append(Problem("job_id", "a project invoice needs its job: give job_id or "
                                "job_external_id, or set kind to 'service'"))
    if row["status"] != "draft" and not row["lines"]:
        problems.append(Problem("lines", f"a {row['status']} invoice needs at least one "
                                "line; add lines or keep the status 'draft'"))
    _line_needs(spec, row, problems, ("work_code_id", "cost_code_id", "description"),
                "a work code, a cost code or a description")
    _dates(row, "issue_date", "due_date", problems)
    row["total"] = _document_total(row)
    row["amount_paid"] = existing["amount_paid"] if existing is not None else ZERO
    row["balance"] = invoice_balance(row["status"], row["total"], row["amount_paid"])


def invoice_balance(status: str, invoice_total: Decimal, amount_paid: Decimal) -> Decimal:
    return ZERO if status == "void" else money(invoice_total - amount_paid)


def _purchase_order_rule(spec: KindSpec, row: Row, resolver: Resolver,
                         existing: StoredRow | None, problems: list[Problem]) -> None:
    for n, line in enumerate(row["lines"]):
        chosen = [f for f in ("inventory_part_id", "work_code_id") if line.get(f)]
        if len(chosen) != 1:
            problems.append(Problem(f"lines[{n}]", "needs exactly one item to order: an "
                                    "inventory_part or a work_code"))
    _dates(row, "order_date", "expected_date", problems)
    row["total"] = _document_total(row)


def _bill_rule(spec: KindSpec, row: Row, resolver: Resolver, existing: StoredRow | None,
               problems: list[Problem]) -> None:
    _line_needs(spec, row, problems,
                ("work_code_id", "cost_code_id", "inventory_part_id", "description"),
                "a work code, a cost code, an inventory part or a description")
    _dates(row, "bill_date", "due_date", problems)
    row["total"] = _document_total(row)


def _payment_rule(spec: KindSpec, row: Row, resolver: Resolver, existing: StoredRow | None,
                  problems: list[Problem]) -> None:
    if row["amount"] < 0:
        problems.append(Problem("amount", "must be zero or more; record a refund as a "
                                "credit (a negative invoice) instead"))
    before = applied_by_invoice(existing["applications"]) if existing is not None else {}
    seen: set[str] = set()
    for n, app in enumerate(row["applications"]):
        _check_application(row, app, f"applications[{n}].", resolver, before, seen, problems)
    applied = total(Decimal(app["amount"]) for app in row["applications"])
    if applied > row["amount"]:
        problems.append(Problem("applications", f"apply {applied} in all, more than the "
                                f"payment's amount {row['amount']}; lower them or raise "
                                "the amount"))
    row["unapplied"] = money(row["amount"] - applied)


def _check_application(row: Row, app: dict[str, Any], path: str, resolver: Resolver,
                       before: Mapping[str, Decimal], seen: set[str],
                       problems: list[Problem]) -> None:
    amount = Decimal(app["amount"])
    if amount <= 0:
        problems.append(Problem(path + "amount", "must be more than zero"))
    invoice_id = app.get("invoice_id")
    if invoice_id is None:
        return
    if invoice_id in seen:
        problems.append(Problem(path + "invoice_id", "is applied twice; combine the amounts"))
    seen.add(invoice_id)
    invoice = resolver.row("invoice", invoice_id)
    if invoice is None:
        return
    if invoice["customer_id"] != row["customer_id"]:
        problems.append(Problem(path + "invoice_id", f"invoice '{invoice_id}' is for "
                                f"customer '{invoice['customer_id']}', not this payment's "
                                f"customer '{row['customer_id']}'"))
    elif invoice["status"] == "void" or invoice["total"] < 0:
        why = "void" if invoice["status"] == "void" else "a credit"
        problems.append(Problem(path + "invoice_id", f"invoice '{invoice_id}' is {why}; a "
                                "payment cannot be applied to it"))
    else:
        open_balance = invoice["balance"] + before.get(invoice_id, ZERO)
        if amount > open_balance:
            problems.append(Problem(path + "amount", f"{amount} is more than invoice "
                                    f"'{invoice_id}' has open ({open_balance})"))


def applied_by_invoice(applications: list[dict[str, Any]] | None) -> dict[str, Decimal]:
    applied: dict[str, Decimal] = {}
    for app in applications or []:
        if app.get("invoice_id"):
            key = app["invoice_id"]
            applied[key] = applied.get(key, ZERO) + Decimal(app["amount"])
    return applied


RULES: dict[str, Rule] = {
    "job": _job_rule,
    "service_ticket": _ticket_rule,
    "invoice": _invoice_rule,
    "payment": _payment_rule,
    "purchase_order": _purchase_order_rule,
    "bill": _bill_rule,
}

assert set(RULES) <= set(KINDS)
