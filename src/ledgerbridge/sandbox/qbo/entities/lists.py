"""List entities: Item, Class, Account, TaxAgency, TaxCode, Term, PaymentMethod."""

from __future__ import annotations

from typing import Any

from ..errors import QboFault
from ..rules import (
    DELETED_SUFFIX,
    Ctx,
    check_name_chars,
    check_string,
    check_unique_field,
    is_deleted_name,
    require,
    resolve_ref,
)
from .base import FRAME, EntitySpec, copy_fields, framed, register

JSON = dict[str, Any]

ITEM_TYPES = ("Service", "NonInventory", "Inventory")
ACCOUNT_CLASSES = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset",
    "Other Asset": "Asset", "Accounts Receivable": "Asset", "Equity": "Equity",
    "Expense": "Expense", "Other Expense": "Expense", "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability", "Credit Card": "Liability",
    "Long Term Liability": "Liability", "Other Current Liability": "Liability",
    "Income": "Revenue", "Other Income": "Revenue",
}
ACCOUNT_SUBTYPES = {
    "Bank": "Checking", "Other Current Asset": "OtherCurrentAssets",
    "Fixed Asset": "OtherFixedAssets", "Other Asset": "OtherLongTermAssets",
    "Accounts Receivable": "AccountsReceivable", "Equity": "OwnersEquity",
    "Expense": "OtherMiscellaneousServiceCost", "Other Expense": "OtherMiscellaneousExpense",
    "Cost of Goods Sold": "SuppliesMaterialsCogs", "Accounts Payable": "AccountsPayable",
    "Credit Card": "CreditCard", "Long Term Liability": "OtherLongTermLiabilities",
    "Other Current Liability": "OtherCurrentLiabilities", "Income": "SalesOfProductIncome",
    "Other Income": "OtherMiscellaneousIncome",
}


def activity_name(data: JSON, existing: JSON | None, key: str) -> str:
    """A list name, renamed with `` (deleted)`` when it is deactivated."""
    name = str(data[key])
    active = data.get("Active", True) is not False
    was_active = existing is None or existing.get("Active", True) is not False
    if not active and was_active and not is_deleted_name(name):
        return name + DELETED_SUFFIX
    if active and not was_active and is_deleted_name(name):
        return name[: -len(DELETED_SUFFIX)]
    return name


def named_list(ctx: Ctx, entity: str, data: JSON, existing: JSON | None, limit: int,
               forbidden: tuple[str, ...] = (":", "\t", "\n")) -> tuple[JSON, str]:
    require(data, "Name")
    check_string(data, "Name", limit)
    check_name_chars(str(data["Name"]), "Name", forbidden)
    name = activity_name(data, existing, "Name")
    check_unique_field(ctx, entity, "Name", name, existing["Id"] if existing else None)
    return framed(ctx, data, existing), name


def _account_ref(ctx: Ctx, data: JSON, key: str) -> JSON | None:
    if not data.get(key):
        return None
    return resolve_ref(ctx, "Account", data[key], key, name_key_="Name")


def normalize_item(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    frame, name = named_list(ctx, "Item", data, existing, 100)
    item_type = data.get("Type") or "Service"
    if item_type not in ITEM_TYPES:
        raise QboFault("2010", "Type", field="Type", entity="Item")
    check_string(data, "Description", 4000)
    record: JSON = {"Name": name}
    copy_fields(record, data, ("Sku", "Description", "PurchaseDesc"))
    record["Active"] = data.get("Active", True) is not False
    record["FullyQualifiedName"] = name
    record["Taxable"] = bool(data.get("Taxable", False))
    record["UnitPrice"] = data.get("UnitPrice", 0)
    record["Type"] = item_type
    record["IncomeAccountRef"] = _account_ref(ctx, data, "IncomeAccountRef")
    if record["IncomeAccountRef"] is None:
        raise QboFault("2020", "IncomeAccountRef", field="IncomeAccountRef")
    record["PurchaseCost"] = data.get("PurchaseCost", 0)
    record["ExpenseAccountRef"] = _account_ref(ctx, data, "ExpenseAccountRef")
    record["TrackQtyOnHand"] = item_type == "Inventory"
    if item_type == "Inventory":
        _inventory_fields(ctx, data, existing, record)
    record.update({k: frame[k] for k in FRAME})
    return {k: v for k, v in record.items() if v is not None}


def _inventory_fields(ctx: Ctx, data: JSON, existing: JSON | None, record: JSON) -> None:
    if not ctx.company.prefs.track_quantity_on_hand:
        raise QboFault("6000", "Type", detail="Inventory tracking is turned off for this "
                       "company.")
    for key in ("ExpenseAccountRef", "AssetAccountRef", "InvStartDate"):
        require(data, key)
    if data.get("TrackQtyOnHand") is False:
        raise QboFault("6000", "TrackQtyOnHand",
                       detail="TrackQtyOnHand must be true for inventory items.")
    record["AssetAccountRef"] = _account_ref(ctx, data, "AssetAccountRef")
    quantity = existing.get("QtyOnHand") if existing else data.get("QtyOnHand", 0)
    record["QtyOnHand"] = data.get("QtyOnHand", quantity)
    record["InvStartDate"] = data["InvStartDate"]


def normalize_class(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    frame, name = named_list(ctx, "Class", data, existing, 100)
    record: JSON = {"Name": name, "SubClass": False, "FullyQualifiedName": name,
                    "Active": data.get("Active", True) is not False}
    record.update({k: frame[k] for k in FRAME})
    return record


def normalize_account(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    frame, name = named_list(ctx, "Account", data, existing, 100, ('"', ":"))
    account_type = require(data, "AccountType")
    if account_type not in ACCOUNT_CLASSES:
        raise QboFault("2010", "AccountType", field="AccountType", entity="Account")
    record: JSON = {"Name": name, "SubAccount": False, "FullyQualifiedName": name,
                    "Active": data.get("Active", True) is not False,
                    "Classification": ACCOUNT_CLASSES[account_type],
                    "AccountType": account_type,
                    "AccountSubType": data.get("AccountSubType")
                    or ACCOUNT_SUBTYPES[account_type]}
    copy_fields(record, data, ("AcctNum", "Description"))
    record["CurrentBalance"] = existing.get("CurrentBalance", 0) if existing else 0
    record["CurrentBalanceWithSubAccounts"] = record["CurrentBalance"]
    record["CurrencyRef"] = ctx.currency_ref()
    record.update({k: frame[k] for k in FRAME})
    return record


def normalize_tax_agency(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    display = require(data, "DisplayName")
    check_string(data, "DisplayName", 100)
    check_unique_field(ctx, "TaxAgency", "DisplayName", display,
                       existing["Id"] if existing else None)
    record = framed(ctx, data, existing)
    record.update({"DisplayName": display,
                   "TaxTrackedOnSales": data.get("TaxTrackedOnSales", True) is not False,
                   "TaxTrackedOnPurchases": bool(data.get("TaxTrackedOnPurchases", False))})
    return record


def normalize_tax_code(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    frame, name = named_list(ctx, "TaxCode", data, existing, 100)
    record: JSON = {"Name": name, "Description": data.get("Description", name),
                    "Active": data.get("Active", True) is not False,
                    "Hidden": False, "Taxable": bool(data.get("Taxable", name != "NON")),
                    "TaxGroup": bool(data.get("TaxGroup", False))}
    copy_fields(record, data, ("SalesTaxRateList", "PurchaseTaxRateList"))
    record.update({k: frame[k] for k in FRAME})
    return record


def normalize_term(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    frame, name = named_list(ctx, "Term", data, existing, 31)
    record: JSON = {"Name": name, "Active": data.get("Active", True) is not False,
                    "Type": "STANDARD", "DueDays": int(data.get("DueDays", 30))}
    copy_fields(record, data, ("DiscountPercent", "DiscountDays"))
    record.update({k: frame[k] for k in FRAME})
    return record


def normalize_payment_method(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    frame, name = named_list(ctx, "PaymentMethod", data, existing, 31)
    record: JSON = {"Name": name, "Active": data.get("Active", True) is not False,
                    "Type": data.get("Type", "NON_CREDIT_CARD")}
    record.update({k: frame[k] for k in FRAME})
    return record


_LIST = frozenset({"Name", "Active", "FullyQualifiedName"})
ITEM = register(EntitySpec(
    "Item", "list",
    _LIST | {"Type", "Sku", "Description", "PurchaseDesc", "Taxable", "UnitPrice",
             "IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef", "PurchaseCost",
             "TrackQtyOnHand", "QtyOnHand", "InvStartDate", "SalesTaxCodeRef",
             "PurchaseTaxCodeRef", "SubItem", "ParentRef", "Level"},
    normalize_item, deactivate_key="Name"))
CLASS = register(EntitySpec("Class", "list", _LIST | {"SubClass", "ParentRef"},
                            normalize_class, deactivate_key="Name"))
ACCOUNT = register(EntitySpec(
    "Account", "list",
    _LIST | {"AccountType", "AccountSubType", "AcctNum", "Description", "SubAccount",
             "ParentRef", "Classification", "CurrencyRef"},
    normalize_account,
    system=frozenset({"CurrentBalance", "CurrentBalanceWithSubAccounts"}),
    deactivate_key="Name"))
TAX_AGENCY = register(EntitySpec(
    "TaxAgency", "list", frozenset({"DisplayName", "TaxTrackedOnSales",
                                    "TaxTrackedOnPurchases", "TaxRegistrationNumber"}),
    normalize_tax_agency))
TAX_CODE = register(EntitySpec(
    "TaxCode", "list", _LIST | {"Description", "Taxable", "TaxGroup", "Hidden",
                                "SalesTaxRateList", "PurchaseTaxRateList"},
    normalize_tax_code))
TERM = register(EntitySpec("Term", "list", _LIST | {"DueDays", "DiscountPercent",
                                                    "DiscountDays", "Type"}, normalize_term))
PAYMENT_METHOD = register(EntitySpec("PaymentMethod", "list", _LIST | {"Type"},
                                     normalize_payment_method))
