"""Transaction lines: checked, numbered, priced; replaced whole on every update."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import QboFault
from ..rules import Ctx, as_number, check_string, money, resolve_ref
from ..state import is_digits

JSON = dict[str, Any]

SALES_DETAILS = ("SalesItemLineDetail", "DescriptionOnly", "DiscountLineDetail",
                 "SubTotalLineDetail", "GroupLineDetail", "DescriptionOnlyLineDetail")
EXPENSE_DETAILS = ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")
CENT = Decimal("0.01")


def check_lines(data: JSON) -> list[JSON]:
    lines = data.get("Line")
    if not isinstance(lines, list) or not lines:
        raise QboFault("2020", "Line", field="Line")
    return [line for line in lines if isinstance(line, dict)]


def line_amount(ctx: Ctx, line: JSON, detail: JSON) -> Decimal:
    """``Amount`` must be ``Qty x UnitPrice`` when both are given (6070)."""
    qty, price = detail.get("Qty"), detail.get("UnitPrice")
    if line.get("Amount") is None:
        if qty is None or price is None:
            raise QboFault("2020", "Line.Amount", field="Line.Amount")
        return (money(qty, "Qty") * money(price, "UnitPrice")).quantize(CENT, ROUND_HALF_UP)
    amount = money(line["Amount"], "Amount")
    if qty is not None and price is not None:
        expected = (money(qty, "Qty") * money(price, "UnitPrice")).quantize(CENT, ROUND_HALF_UP)
        if expected != amount.quantize(CENT, ROUND_HALF_UP):
            raise QboFault("6070", "Line.Amount", value=str(line["Amount"]))
    return amount


def class_ref(ctx: Ctx, detail: JSON) -> JSON | None:
    if not detail.get("ClassRef"):
        return None
    if not ctx.company.prefs.class_tracking_per_line:
        raise QboFault("6000", "ClassRef", detail="Class tracking per line is not turned on "
                       "for this company. Turn on ClassTrackingPerLine to use ClassRef.")
    return resolve_ref(ctx, "Class", detail["ClassRef"], "ClassRef", name_key_="Name")


def _line_ids(old_lines: list[JSON]) -> tuple[set[str], int]:
    ids = {str(line["Id"]) for line in old_lines if line.get("Id")}
    highest = max((int(i) for i in ids if is_digits(i)), default=0)
    return ids, highest


def number_lines(built: list[tuple[JSON, JSON]], old_lines: list[JSON]) -> list[JSON]:
    """Give lines Id and LineNum: a sent Id that exists keeps it, others get new ones."""
    known, highest = _line_ids(old_lines)
    out = []
    for number, (sent, line) in enumerate(built, start=1):
        sent_id = str(sent.get("Id", ""))
        if sent_id and sent_id in known:
            line_id = sent_id
        else:
            highest += 1
            line_id = str(highest)
        out.append({"Id": line_id, "LineNum": number, **line})
    return out


def _sales_detail(ctx: Ctx, sent: JSON, detail: JSON, taxable_customer: bool) -> JSON:
    out: JSON = {}
    item = None
    if detail.get("ItemRef"):
        out["ItemRef"] = resolve_ref(ctx, "Item", detail["ItemRef"], "ItemRef", name_key_="Name")
        item = ctx.company.get("Item", out["ItemRef"]["value"])
    klass = class_ref(ctx, detail)
    if klass is not None:
        out["ClassRef"] = klass
    for key in ("UnitPrice", "Qty", "ServiceDate", "ItemAccountRef"):
        if detail.get(key) is not None:
            out[key] = detail[key]
    out["TaxCodeRef"] = _tax_code(ctx, detail, item, taxable_customer)
    return out


def _tax_code(ctx: Ctx, detail: JSON, item: JSON | None, taxable_customer: bool) -> JSON:
    sent = detail.get("TaxCodeRef")
    if sent:
        ref = resolve_ref(ctx, "TaxCode", sent, "TaxCodeRef")
        return {"value": ref["value"]}
    if ctx.company.country != "US":
        raise QboFault("6000", "TaxCodeRef", detail="Make sure all your transactions have a "
                       "GST/HST rate before you save.")
    taxable = bool(item and item.get("Taxable")) and taxable_customer
    return {"value": "TAX" if taxable else "NON"}


def sales_lines(ctx: Ctx, data: JSON, old_lines: list[JSON], taxable_customer: bool,
                ) -> tuple[list[JSON], Decimal]:
    """Build sales lines and the subtotal line; returns the lines and the total."""
    built: list[tuple[JSON, JSON]] = []
    total = Decimal(0)
    for sent in check_lines(data):
        detail_type = sent.get("DetailType")
        if detail_type not in SALES_DETAILS:
            raise QboFault("2020", "Line.DetailType", field="Line.DetailType")
        if detail_type == "SubTotalLineDetail":
            continue
        check_string(sent, "Description", 4000)
        line, amount = _sales_line(ctx, sent, str(detail_type), taxable_customer)
        total += -amount if detail_type == "DiscountLineDetail" else amount
        built.append((sent, line))
    lines = number_lines(built, old_lines)
    lines.append({"Amount": as_number(total), "DetailType": "SubTotalLineDetail",
                  "SubTotalLineDetail": {}})
    return lines, total


def _sales_line(ctx: Ctx, sent: JSON, detail_type: str, taxable_customer: bool,
                ) -> tuple[JSON, Decimal]:
    line: JSON = {}
    if sent.get("Description") is not None:
        line["Description"] = sent["Description"]
    detail = sent.get(detail_type) or {}
    if detail_type in ("DescriptionOnly", "DescriptionOnlyLineDetail"):
        amount = money(sent.get("Amount", 0), "Amount")
        line.update({"Amount": as_number(amount), "DetailType": detail_type,
                     detail_type: detail})
        return line, amount
    amount = line_amount(ctx, sent, detail)
    if detail_type == "SalesItemLineDetail":
        detail = _sales_detail(ctx, sent, detail, taxable_customer)
    line.update({"Amount": as_number(amount), "DetailType": detail_type, detail_type: detail})
    return line, amount


def expense_lines(ctx: Ctx, data: JSON, old_lines: list[JSON]) -> tuple[list[JSON], Decimal]:
    built: list[tuple[JSON, JSON]] = []
    total = Decimal(0)
    for sent in check_lines(data):
        detail_type = sent.get("DetailType")
        if detail_type not in EXPENSE_DETAILS:
            raise QboFault("2020", "Line.DetailType", field="Line.DetailType")
        detail = sent.get(str(detail_type)) or {}
        amount = line_amount(ctx, sent, detail)
        line: JSON = {}
        if sent.get("Description") is not None:
            line["Description"] = sent["Description"]
        line.update({"Amount": as_number(amount), "DetailType": detail_type,
                     str(detail_type): _expense_detail(ctx, str(detail_type), detail)})
        total += amount
        built.append((sent, line))
    return number_lines(built, old_lines), total


def _expense_detail(ctx: Ctx, detail_type: str, detail: JSON) -> JSON:
    out: JSON = {}
    if detail_type == "ItemBasedExpenseLineDetail":
        if not detail.get("ItemRef"):
            raise QboFault("2020", "ItemRef", field="ItemRef")
        out["ItemRef"] = resolve_ref(ctx, "Item", detail["ItemRef"], "ItemRef", name_key_="Name")
    else:
        if not detail.get("AccountRef"):
            raise QboFault("2020", "AccountRef", field="AccountRef")
        out["AccountRef"] = resolve_ref(ctx, "Account", detail["AccountRef"], "AccountRef",
                                        name_key_="Name")
    if detail.get("CustomerRef"):
        out["CustomerRef"] = resolve_ref(ctx, "Customer", detail["CustomerRef"], "CustomerRef")
    klass = class_ref(ctx, detail)
    if klass is not None:
        out["ClassRef"] = klass
    out["BillableStatus"] = detail.get("BillableStatus", "NotBillable")
    for key in ("UnitPrice", "Qty"):
        if detail.get(key) is not None:
            out[key] = detail[key]
    out["TaxCodeRef"] = {"value": str((detail.get("TaxCodeRef") or {}).get("value", "NON"))}
    return out
