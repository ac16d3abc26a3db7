"""The neutral fields a record is sent with, built from the book and the links of what
it refers to. A problem (a name QuickBooks refuses, a cost code with no item) fails
the record with a message that names the fix; nothing is sent for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ledgerbridge.engine import payloads
from ledgerbridge.engine.context import Context
from ledgerbridge.engine.graph import REMOTE_KIND, billed_party, costed_party, parent
from ledgerbridge.engine.ledger import RemoteKind, fit_note
from ledgerbridge.engine.names import clean
from ledgerbridge.errors import Problem

Fields = dict[str, Any]
DEFAULT_NAME_LIMIT = 100


@dataclass(slots=True)
class Built:
    remote_kind: RemoteKind
    fields: Fields = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, remote_kind: RemoteKind, fields: Fields | None = None,
                 problems: list[Problem] | None = None) -> None:
        self.remote_kind = remote_kind
        self.fields = {} if fields is None else fields
        self.problems = [] if problems is None else problems


def display_name(kind: str, record: Mapping[str, Any]) -> str:
    if kind in ("customer", "vendor"):
        return str(record["company_name"])
    if kind == "job" and record.get("number"):
        return f"{record['number']} {record['name']}"
    if kind == "service_ticket":
        return f"Ticket {record['number']}"
    return str(record["name"])


def _name(ctx: Context, kind: str, record: Mapping[str, Any], out: Built) -> str:
    remote = REMOTE_KIND[kind]
    limit = ctx.profile.name_limits.get(remote, DEFAULT_NAME_LIMIT)
    result = clean(display_name(kind, record), "name", limit, ctx.settings.connection)
    if result.problem:
        out.problems.append(result.problem)
    return result.name or ""


def _accounts(ctx: Context) -> dict[str, str | None]:
    items, profile = ctx.settings.items, ctx.profile
    return {"income_account_id": items.income_account_id or profile.income_account_id,
            "expense_account_id": items.expense_account_id or profile.expense_account_id,
            "asset_account_id": items.asset_account_id or profile.asset_account_id}


def _need(ctx: Context, kind: str, record_id: str | None, path: str, out: Built
          ) -> str | None:
    if record_id is None:
        return None
    remote = ctx.remote_id(kind, record_id)
    if remote is None:
        out.problems.append(Problem(path, f"{kind.replace('_', ' ')} '{record_id}' is not "
                                    "in QuickBooks yet"))
    return remote


def _item_for(ctx: Context, line: Mapping[str, Any], path: str, out: Built,
              sales: bool = False) -> str | None:
    """The QuickBooks item of a line: its work code's or part's, its cost code's mapped
    item, or the default item. A sales line with only a description may go without one
    (QuickBooks then uses its own default)."""
    if line.get("work_code_id"):
        return _need(ctx, "work_code", line["work_code_id"], path + "work_code_id", out)
    if line.get("inventory_part_id"):
        return _need(ctx, "inventory_part", line["inventory_part_id"],
                     path + "inventory_part_id", out)
    code = line.get("cost_code_id")
    if code and code in ctx.cost_code_items:
        return ctx.cost_code_items[code]
    if ctx.settings.connection.default_item_id:
        return ctx.settings.connection.default_item_id
    if sales and not code:
        return None
    what = f"cost code '{code}'" if code else "a line with only a description"
    out.problems.append(Problem(path.rstrip("."), f"{what} has no QuickBooks item: map the "
                                "cost code to an item (or autofill), or choose a default item"))
    return None


def _class_for(ctx: Context, line: Mapping[str, Any], path: str, out: Built) -> str | None:
    cost_type = line.get("cost_type_id")
    if not cost_type or not ctx.profile.class_tracking:
        return None
    return ctx.cost_type_classes.get(cost_type) or _need(
        ctx, "cost_type", cost_type, path + "cost_type_id", out)


def _sales_lines(ctx: Context, record: Mapping[str, Any], out: Built) -> list[Fields]:
    wide = ctx.settings.connection
    if wide.invoice_lines == "single":
        total = Decimal(record["total"])
        line = {"id": None, "item_id": wide.single_line_item_id, "quantity": Decimal(1),
                "unit_price": total, "amount": total,
                "description": record.get("memo") or f"Invoice {record.get('doc_number') or ''}"
                .strip()}
        return payloads.sales_lines([line], negate=total < 0)
    lines = []
    for n, line in enumerate(record["lines"]):
        path = f"lines[{n}]."
        lines.append({**line, "item_id": _item_for(ctx, line, path, out, sales=True),
                      "class_id": _class_for(ctx, line, path, out),
                      "tax_code_id": _tax_code_for(ctx, line, path, out)})
    return payloads.sales_lines(lines, negate=Decimal(record["total"]) < 0)


def _tax_code_for(ctx: Context, line: Mapping[str, Any], path: str, out: Built) -> str | None:
    """The line's tax code: in the US, TAX or NON when the line says (else QuickBooks
    decides from the item and customer); elsewhere the chosen code, which QuickBooks
    needs on every line."""
    if ctx.profile.country == "US":
        taxable = line.get("taxable")
        return None if taxable is None else ("TAX" if taxable else "NON")
    chosen = ctx.settings.items.tax_code_id
    if chosen is None:
        out.problems.append(Problem(path + "tax_code", "QuickBooks needs a tax code on every "
                                    f"line in a company outside the US ({ctx.profile.country})"
                                    ": choose one in the settings (items.tax_code_id)"))
    return chosen


def _invoice(ctx: Context, record: Mapping[str, Any], out: Built) -> None:
    if Decimal(record["total"]) < 0:
        out.remote_kind = "credit_memo"
    party_kind, party_id = billed_party(ctx, record)
    customer = _need(ctx, party_kind, party_id, "customer_id", out)
    out.fields = payloads.sales_document(record, customer or "", _sales_lines(ctx, record, out))


def _payment_party(record: Mapping[str, Any], parties: set[tuple[str, str]]
                   ) -> tuple[str, str]:
    """Who a payment is from in QuickBooks: the one party its invoices bill (a job, say),
    or the customer when they bill several or none."""
    return next(iter(parties)) if len(parties) == 1 else ("customer", record["customer_id"])


def _billed_parties(ctx: Context, record: Mapping[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for app in record["applications"]:
        invoice = ctx.records.get("invoice", app["invoice_id"])
        if invoice is not None:
            found.add(billed_party(ctx, invoice))
    return found


def _payment(ctx: Context, record: Mapping[str, Any], out: Built) -> None:
    parties = _billed_parties(ctx, record)
    if len(parties) > 1:
        named = ", ".join(f"{kind.replace('_', ' ')} {rid}" for kind, rid in sorted(parties))
        out.problems.append(Problem("applications", "is applied to invoices billed to "
                                    f"different customers or jobs in QuickBooks ({named}); "
                                    "a QuickBooks payment comes from one of them: record "
                                    "one payment per job"))
    party_kind, party_id = _payment_party(record, parties)
    customer = _need(ctx, party_kind, party_id, "customer_id", out)
    applied = []
    for n, app in enumerate(record["applications"]):
        remote = _need(ctx, "invoice", app["invoice_id"], f"applications[{n}].invoice_id", out)
        applied.append({"invoice_id": remote, "amount": app["amount"]})
    out.fields = payloads.payment(record, customer or "", applied)


def _purchase(ctx: Context, kind: str, record: Mapping[str, Any], out: Built) -> None:
    vendor = _need(ctx, "vendor", record["vendor_id"], "vendor_id", out)
    header_job = record.get("job_id")
    lines = []
    for n, line in enumerate(record["lines"]):
        path = f"lines[{n}]."
        party = costed_party(ctx, line.get("job_id") or header_job)
        where = path + "job_id" if line.get("job_id") else "job_id"
        customer = _need(ctx, *party, where, out) if party else None
        item = _item_for(ctx, line, path, out, sales=kind == "bill")
        built = payloads.purchase_line(line, item, customer, _class_for(ctx, line, path, out))
        if item is None:  # a bill line with only a description: an expense-account line
            built["account_id"] = ctx.settings.items.expense_account_id \
                or ctx.profile.expense_account_id
        lines.append(built)
    date_field = "order_date" if kind == "purchase_order" else "bill_date"
    out.fields = payloads.purchase_document(record, vendor or "", lines, date_field)


def _tax_ready(ctx: Context, out: Built) -> None:
    """A US company needs a tax agency before it takes invoices and bills (JobTread)."""
    if ctx.profile.country == "US" and not ctx.profile.has_tax_agency:
        out.problems.append(Problem("", "the QuickBooks company has no tax agency; set up "
                                    "a tax agency in QuickBooks (Taxes > Sales tax), then "
                                    "run a full sync or push this record again"))


def build(ctx: Context, kind: str, record: Mapping[str, Any]) -> Built:
    """The fields to send ``record`` with, or the problems that stop it."""
    out = Built(REMOTE_KIND[kind])
    if kind in ("invoice", "bill"):
        _tax_ready(ctx, out)
    if kind in ("customer", "vendor"):
        name = _name(ctx, kind, record, out)
        out.fields = (payloads.customer if kind == "customer" else payloads.vendor)(record, name)
    elif kind in ("location", "job", "service_ticket"):
        name = _name(ctx, kind, record, out)
        above = parent(ctx, kind, record)
        parent_id = _need(ctx, above[0], above[1], "parent", out) if above else None
        status = record.get("status") if kind != "location" else None
        out.fields = payloads.sub_customer(record, name, parent_id or "",
                                           record.get("address"), status)
    elif kind == "work_code":
        out.fields = payloads.work_code_item(record, _name(ctx, kind, record, out),
                                             _accounts(ctx))
    elif kind == "inventory_part":
        out.fields = payloads.part_item(record, _name(ctx, kind, record, out), _accounts(ctx),
                                        str(record["created_at"])[:10])
    elif kind == "cost_type":
        out.fields = payloads.class_(record, _name(ctx, kind, record, out))
    elif kind == "invoice":
        _invoice(ctx, record, out)
    elif kind == "payment":
        _payment(ctx, record, out)
    elif kind in ("purchase_order", "bill"):
        _purchase(ctx, kind, record, out)
    else:
        out.problems.append(Problem("", f"{kind} records are not sent to QuickBooks"))
    if out.fields.get("memo"):  # a document's memo goes with our marker after it
        out.fields["memo"] = fit_note(str(out.fields["memo"]), ctx.profile.note_limit)
    return out
