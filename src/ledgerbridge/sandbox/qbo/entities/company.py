"""CompanyInfo, Preferences and the starter company (chart of accounts, tax codes)."""

from __future__ import annotations

from typing import Any

from ..errors import QboFault
from ..rules import Ctx
from ..state import Company
from .base import EntitySpec, framed, register

JSON = dict[str, Any]

STARTER_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("Services", "Income", "ServiceFeeIncome"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Checking", "Bank", "Checking"),
)
COMPANY_FIELDS = frozenset({"CompanyName", "LegalName", "CompanyAddr", "CustomerCommunicationAddr",
                            "LegalAddr", "PrimaryPhone", "CompanyStartDate", "FiscalYearStartMonth",
                            "Country", "Email", "WebAddr", "SupportedLanguages", "NameValue"})
PREFERENCE_FIELDS = frozenset({"AccountingInfoPrefs", "SalesFormsPrefs",
                               "ProductAndServicesPrefs", "TaxPrefs", "CurrencyPrefs",
                               "VendorAndPurchasesPrefs", "TimeTrackingPrefs", "OtherPrefs",
                               "EmailMessagesPrefs", "ReportPrefs"})


def normalize_company_info(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    record = framed(ctx, data, existing)
    record["Id"] = "1"
    name = data.get("CompanyName") or ctx.company.name
    ctx.company.name = str(name)
    record.update({"CompanyName": name, "LegalName": data.get("LegalName", name),
                   "Country": ctx.company.country,
                   "CompanyAddr": data.get("CompanyAddr",
                                           {"Id": "1", "Country": ctx.company.country}),
                   "SupportedLanguages": "en",
                   "FiscalYearStartMonth": data.get("FiscalYearStartMonth", "January"),
                   "CompanyStartDate": data.get("CompanyStartDate", ctx.clock.today().isoformat())})
    return record


def normalize_preferences(ctx: Ctx, data: JSON, existing: JSON | None) -> JSON:
    prefs = ctx.company.prefs
    accounting = data.get("AccountingInfoPrefs") or {}
    sales = data.get("SalesFormsPrefs") or {}
    products = data.get("ProductAndServicesPrefs") or {}
    for section in (accounting, sales, products):
        if not isinstance(section, dict):
            raise QboFault("2010", None, field="Preferences", entity="Preferences")
    prefs.class_tracking_per_line = bool(accounting.get("ClassTrackingPerLine",
                                                        prefs.class_tracking_per_line))
    prefs.custom_txn_numbers = bool(sales.get("CustomTxnNumbers", prefs.custom_txn_numbers))
    prefs.track_quantity_on_hand = bool(products.get("QuantityOnHand",
                                                     prefs.track_quantity_on_hand))
    record = framed(ctx, data, existing)
    record["Id"] = "1"
    record.update(render_preferences(ctx.company))
    return record


def render_preferences(company: Company) -> JSON:
    prefs = company.prefs
    return {
        "AccountingInfoPrefs": {"TrackDepartments": False, "ClassTrackingPerTxn": False,
                                "ClassTrackingPerTxnLine": prefs.class_tracking_per_line,
                                "ClassTrackingPerLine": prefs.class_tracking_per_line},
        "ProductAndServicesPrefs": {"ForSales": True, "ForPurchase": True,
                                    "QuantityWithPriceAndRate": True,
                                    "QuantityOnHand": prefs.track_quantity_on_hand},
        "SalesFormsPrefs": {"CustomTxnNumbers": prefs.custom_txn_numbers,
                            "AllowDeposit": False, "AllowDiscount": True,
                            "CustomField": [{"CustomField": [
                                {"Name": f"SalesFormsPrefs.SalesCustomName{n}",
                                 "Type": "StringType", "StringValue": name}
                                for n, name in enumerate(prefs.sales_custom_fields, start=1)]}]},
        "TaxPrefs": {"UsingSalesTax": company.country == "US", "PartnerTaxEnabled": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False,
                          "HomeCurrency": {"value": "USD" if company.country == "US" else ""}},
    }


def seed_starter(ctx: Ctx, tax_agency: str | None) -> None:
    """The records every new company starts with."""
    from ..operations import create  # local: operations imports the registry

    for name, account_type, subtype in STARTER_ACCOUNTS:
        create(ctx, "Account", {"Name": name, "AccountType": account_type,
                                "AccountSubType": subtype}, notify=False)
    if ctx.company.country == "US":
        for code, taxable in (("TAX", True), ("NON", False)):
            record = _fixed_tax_code(ctx, code, taxable)
            ctx.company.put("TaxCode", record)
    else:
        for name, taxable in (("Standard", True), ("Exempt", False)):
            create(ctx, "TaxCode", {"Name": name, "Taxable": taxable}, notify=False)
    create(ctx, "Term", {"Name": "Net 30", "DueDays": 30}, notify=False)
    for method in ("Cash", "Check"):
        create(ctx, "PaymentMethod", {"Name": method}, notify=False)
    if tax_agency:
        create(ctx, "TaxAgency", {"DisplayName": tax_agency}, notify=False)
        create(ctx, "TaxCode", {"Name": tax_agency, "Taxable": True}, notify=False)
    ctx.company.put("CompanyInfo", normalize_company_info(ctx, {}, None))
    ctx.company.put("Preferences", normalize_preferences(ctx, {}, None))


def _fixed_tax_code(ctx: Ctx, code: str, taxable: bool) -> JSON:
    record = framed(ctx, {}, None)
    record.update({"Id": code, "Name": code, "Description": code, "Active": True,
                   "Hidden": False, "Taxable": taxable, "TaxGroup": False})
    return record


COMPANY_INFO = register(EntitySpec("CompanyInfo", "singleton", COMPANY_FIELDS,
                                   normalize_company_info))
PREFERENCES = register(EntitySpec("Preferences", "singleton", PREFERENCE_FIELDS,
                                  normalize_preferences))
