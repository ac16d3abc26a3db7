"""Inventory quantities follow the transactions that move them: bills raise QtyOnHand,
invoices and sales receipts lower it, credit memos bring it back."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..rules import Ctx, as_number, money
from .txn_common import bump

JSON = dict[str, Any]
Hook = Callable[[Ctx, JSON | None, JSON | None], None]


def _quantities(ctx: Ctx, record: JSON | None, detail_key: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for line in (record or {}).get("Line", []):
        detail = line.get(detail_key)
        if not detail or not detail.get("ItemRef"):
            continue
        item_id = str(detail["ItemRef"]["value"])
        item = ctx.company.get("Item", item_id)
        if item is not None and item.get("Type") == "Inventory":
            out[item_id] = out.get(item_id, Decimal(0)) + money(detail.get("Qty", 0), "Qty")
    return out


def inventory_hook(detail_key: str, sign: int) -> Hook:
    """A hook moving QtyOnHand by ``sign`` x the change in the lines' quantities."""

    def adjust(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
        before = _quantities(ctx, old, detail_key)
        after = _quantities(ctx, new, detail_key)
        for item_id in sorted(set(before) | set(after)):
            delta = (after.get(item_id, Decimal(0)) - before.get(item_id, Decimal(0))) * sign
            item = ctx.company.get("Item", item_id)
            if item is None or delta == 0:
                continue
            updated = bump(ctx, item)
            updated["QtyOnHand"] = as_number(money(item.get("QtyOnHand", 0), "QtyOnHand")
                                             + delta)
            ctx.company.put("Item", updated)
            ctx.record_change("Item", item_id, "Update")

    return adjust


def chain(*hooks: Hook) -> Hook:
    def run(ctx: Ctx, old: JSON | None, new: JSON | None) -> None:
        for hook in hooks:
            hook(ctx, old, new)

    return run
