"""What transactions share: doc numbers, dates, custom fields, the account defaults."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..errors import QboFault
from ..rules import Ctx, check_length, resolve_ref

JSON = dict[str, Any]
DOC_NUMBER_MAX = 21


def doc_number(ctx: Ctx, entity: str, data: JSON, existing: JSON | None) -> str | None:
    """DocNumber: generated unless CustomTxnNumbers; duplicates refused then (6140)."""
    sent = data.get("DocNumber")
    prefs = ctx.company.prefs
    if sent:
        text = str(sent)
        check_length(text, "DocNumber", DOC_NUMBER_MAX)
        if prefs.custom_txn_numbers and "allowduplicatedocnum" not in ctx.include:
            _check_unique_doc(ctx, entity, text, existing)
        return text
    if existing is not None and existing.get("DocNumber"):
        return str(existing["DocNumber"])
    if prefs.custom_txn_numbers:
        return None
    key = f"doc:{entity}"
    value = ctx.company.sequences.get(key, 1000) + 1
    ctx.company.sequences[key] = value
    return str(value)


def _check_unique_doc(ctx: Ctx, entity: str, text: str, existing: JSON | None) -> None:
    own_id = existing["Id"] if existing else None
    for record in ctx.company.records.get(entity, {}).values():
        if record["Id"] != own_id and str(record.get("DocNumber", "")) == text:
            raise QboFault("6140", "DocNumber", doc=text, entity=entity, txn_id=record["Id"])


def txn_date(ctx: Ctx, data: JSON, existing: JSON | None) -> str:
    sent = data.get("TxnDate")
    if sent:
        try:
            date.fromisoformat(str(sent))
        except ValueError as exc:
            raise QboFault("2010", "TxnDate", field="TxnDate", entity="") from exc
        return str(sent)
    if existing is not None and existing.get("TxnDate"):
        return str(existing["TxnDate"])
    return ctx.clock.today().isoformat()


def due_date(ctx: Ctx, data: JSON, when: str) -> str:
    if data.get("DueDate"):
        return str(data["DueDate"])
    days = 30
    term_ref = data.get("SalesTermRef")
    if isinstance(term_ref, dict):
        term = ctx.company.get("Term", str(term_ref.get("value")))
        days = int(term.get("DueDays", 30)) if term else 30
    return (date.fromisoformat(when) + timedelta(days=days)).isoformat()


def custom_fields(ctx: Ctx) -> list[JSON] | None:
    names = ctx.company.prefs.sales_custom_fields
    if not names:
        return None
    return [{"DefinitionId": str(n), "Name": name, "Type": "StringType"}
            for n, name in enumerate(names, start=1)]


def account_by_type(ctx: Ctx, account_type: str, name: str | None = None) -> JSON | None:
    for account in ctx.company.records.get("Account", {}).values():
        if (account.get("AccountType") == account_type and account.get("Active", True)
                and (name is None or account.get("Name") == name)):
            return {"value": account["Id"], "name": account["Name"]}
    return None


def account_ref_or_default(ctx: Ctx, data: JSON, key: str, account_type: str,
                           name: str | None = None) -> JSON | None:
    if data.get(key):
        return resolve_ref(ctx, "Account", data[key], key, name_key_="Name")
    return account_by_type(ctx, account_type, name)


def bump(ctx: Ctx, record: JSON) -> JSON:
    """A new version of a record changed as a side effect of another write."""
    updated = dict(record)
    updated["SyncToken"] = str(int(record.get("SyncToken", "0")) + 1)
    updated["MetaData"] = {**record.get("MetaData", {}),
                           "LastUpdatedTime": ctx.clock.meta_time()}
    return updated
