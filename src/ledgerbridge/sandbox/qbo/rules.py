"""QuickBooks' validation rules, shared by the entity modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .clock import SandboxClock
from .errors import QboFault
from .state import Company, is_digits

JSON = dict[str, Any]

FORBIDDEN_NAME_CHARS = (":", "\t", "\n")
DELETED_SUFFIX = " (deleted)"
CURRENCIES = {"US": ("USD", "United States Dollar"), "CA": ("CAD", "Canadian Dollar"),
              "GB": ("GBP", "British Pound Sterling"), "AU": ("AUD", "Australian Dollar"),
              "FR": ("EUR", "Euro"), "IN": ("INR", "Indian Rupee")}


@dataclass
class Ctx:
    """What an operation needs: the company, the clock, the request's options."""

    company: Company
    clock: SandboxClock
    include: frozenset[str] = frozenset()
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    def currency_ref(self) -> JSON:
        value, name = CURRENCIES.get(self.company.country, CURRENCIES["US"])
        return {"value": value, "name": name}

    def record_change(self, entity: str, record_id: str, operation: str) -> None:
        self.changes.append((entity, record_id, operation))


def require(data: JSON, name: str, element: str | None = None) -> Any:
    """A required field (2020 when absent or empty)."""
    value = data.get(name)
    if value is None or value == "" or value == []:
        raise QboFault("2020", element or name, field=element or name)
    return value


def check_length(value: str, name: str, maximum: int) -> None:
    if len(value) > maximum:
        raise QboFault("2050", name, min="0", max=str(maximum), length=str(len(value)))


def check_name_chars(value: str, name: str, forbidden: tuple[str, ...] = FORBIDDEN_NAME_CHARS,
                     ) -> None:
    if any(char in value for char in forbidden):
        raise QboFault("2040", name, field=name)


def check_string(data: JSON, name: str, maximum: int, *, name_rules: bool = False) -> None:
    value = data.get(name)
    if value is None:
        return
    if not isinstance(value, str):
        raise QboFault("2010", name, field=name, entity="")
    if name_rules:
        check_name_chars(value, name)
    check_length(value, name, maximum)


def is_deleted_name(value: str) -> bool:
    return value.endswith(DELETED_SUFFIX)


def name_key(value: str) -> str:
    return value.strip().casefold()


def check_display_name_free(ctx: Ctx, display_name: str, entity: str, own_id: str | None,
                            ) -> None:
    """6240 when another Customer, Vendor or Employee, active or not, uses the name."""
    owner = ctx.company.name_owner(display_name)
    if owner is not None and owner != (entity, own_id):
        raise QboFault("6240")


def check_unique_field(ctx: Ctx, entity: str, key: str, value: str, own_id: str | None) -> None:
    wanted = name_key(value)
    for record in ctx.company.records.get(entity, {}).values():
        if record["Id"] != own_id and name_key(str(record.get(key, ""))) == wanted:
            raise QboFault("6240")


def resolve_ref(ctx: Ctx, entity: str, ref: Any, element: str, *, name_key_: str = "",
                ) -> JSON:
    """Check a reference: missing gives 2500, inactive gives 610. Returns it with its name."""
    if not isinstance(ref, dict) or not ref.get("value"):
        raise QboFault("2500", element, detail=f"{element} is invalid")
    value = str(ref["value"])
    target = ctx.company.get(entity, value)
    if target is None:
        raise QboFault("2500", element, detail=f"{entity} element id {value} not found")
    if target.get("Active") is False:
        raise QboFault("610", element)
    label = target.get(name_key_) if name_key_ else display_label(target)
    return {"value": value, "name": label} if label is not None else {"value": value}


def display_label(record: JSON) -> Any:
    for key in ("FullyQualifiedName", "DisplayName", "Name"):
        if key in record:
            return record[key]
    return None


def money(value: Any, element: str) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError as exc:
        raise QboFault("2010", element, field=element, entity="") from exc


def as_number(value: Decimal) -> float | int:
    """JSON number as QuickBooks writes it (``100.0``, ``337.5``, ``0``)."""
    if value == 0:
        return 0
    return float(value)


def check_stale(existing: JSON, sync_token: Any) -> None:
    if sync_token is None:
        raise QboFault("2020", "SyncToken", field="SyncToken")
    if str(sync_token) != str(existing.get("SyncToken")):
        raise QboFault("5010")


def check_id(value: Any) -> str:
    text = str(value)
    if not is_digits(text) and text not in ("TAX", "NON"):
        raise QboFault("2030", "Id", with_time=False, value=text)
    return text
