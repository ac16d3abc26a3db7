"""QuickBooks Online behind the engine's ledger protocol, on ``ledgerbridge.qbo``'s
client: neutral operations become Accounting API JSON, answers become neutral
records, and the client's classified errors become the engine's error actions."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from ledgerbridge.engine.ledger import (
    ChangeSet,
    CompanyProfile,
    ErrorAction,
    FullReadDue,
    LedgerError,
    LedgerOp,
    LedgerResult,
    Lists,
    RemoteKind,
    RemoteRecord,
    fit_note,
)
from ledgerbridge.ledgers.qbo.translate import (
    ANSWER_FIELDS,
    DELETED,
    ENTITY,
    KIND,
    from_answer,
    from_qbo,
    to_qbo,
)
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.errors import Action, QboError
from ledgerbridge.qbo.operations import Operation, Result

NAME_LIMITS = {"customer": 500, "vendor": 500, "employee": 500, "item": 100, "class": 100,
               "account": 100}
#: the longest PrivateNote QuickBooks takes (longer: 2050)
NOTE_LIMIT = 4000
TRANSACTIONS = ("invoice", "credit_memo", "payment", "purchase_order", "bill")
PARTY = {"invoice": "CustomerRef", "credit_memo": "CustomerRef", "payment": "CustomerRef",
         "purchase_order": "VendorRef", "bill": "VendorRef"}
#: the company profile's one-off queries, read with every account (:meth:`QboLedger.company`)
PROFILE_QUERIES = {"CompanyInfo": "SELECT * FROM CompanyInfo",
                   "Preferences": "SELECT * FROM Preferences",
                   "TaxAgency": "SELECT * FROM TaxAgency"}
ACTIONS: Mapping[Action, ErrorAction] = {
    Action.RETRY_LATER: "retry_later", Action.REREAD_AND_RETRY: "reread_retry",
    Action.RECORD_FAILED: "record_failed", Action.REFRESH_TOKEN: "needs_reconnect",
    Action.NEEDS_RECONNECT: "needs_reconnect", Action.COMPANY_PROBLEM: "company_problem",
}


def _account(accounts: Sequence[Mapping[str, Any]], *types: str) -> str | None:
    for wanted in types:
        for account in accounts:
            if account.get("AccountType") == wanted and account.get("Active", True):
                return str(account["Id"])
    return None


def _first(answers: Mapping[str, Mapping[str, Any]], entity: str) -> Mapping[str, Any]:
    found = answers.get(entity, {}).get(entity)
    return found[0] if isinstance(found, list) and found and isinstance(found[0], dict) \
        else {}


def _error(error: QboError | None) -> LedgerError:
    if error is None:
        return LedgerError("record_failed", "unknown", "QuickBooks gave no answer")
    return LedgerError(ACTIONS.get(error.action, "record_failed"), error.code, error.message,
                       error.detail, error.retry_after, error.maybe_applied)


class QboLedger:
    edition = "qbo"

    def __init__(self, client: QboClient) -> None:
        self.client = client
        self._ap_account: str | None = None

    async def _rows(self, text: str, entity: str) -> list[dict[str, Any]]:
        found = (await self.client.query(text)).get(entity, [])
        return [row for row in found if isinstance(row, dict)]

    async def company(self) -> CompanyProfile:
        rows, answers = await self.client.read_lists(["Account"], PROFILE_QUERIES)
        return self._profile(answers, rows["Account"])

    def _profile(self, answers: Mapping[str, Mapping[str, Any]],
                 accounts: Sequence[Mapping[str, Any]]) -> CompanyProfile:
        """The profile from the answers to :data:`PROFILE_QUERIES` and every account."""
        info = _first(answers, "CompanyInfo")
        prefs = _first(answers, "Preferences")
        accounting = prefs.get("AccountingInfoPrefs", {})
        sales = prefs.get("SalesFormsPrefs", {})
        self._ap_account = _account(accounts, "Accounts Payable")
        return CompanyProfile(
            name=str(info.get("CompanyName", "")),
            class_tracking=bool(accounting.get("ClassTrackingPerLine")),
            custom_txn_numbers=bool(sales.get("CustomTxnNumbers")),
            has_tax_agency=bool(answers.get("TaxAgency", {}).get("TaxAgency")),
            income_account_id=_account(accounts, "Income"),
            expense_account_id=_account(accounts, "Cost of Goods Sold", "Expense"),
            asset_account_id=_account(accounts, "Other Current Asset"),
            name_limits=NAME_LIMITS, note_limit=NOTE_LIMIT,
            country=str(info.get("Country") or "US"))

    async def read_lists(self, kinds: Sequence[RemoteKind], with_profile: bool = False
                         ) -> Lists:
        """The lists of ``kinds`` and, when asked, the profile: one batch call for a
        small company (the first asks every COUNT and first page, every account and the
        profile's queries), then a call per ten pages still missing."""
        entities = [ENTITY[kind] for kind in kinds]
        if with_profile:
            entities.append("Account")
        rows, answers = await self.client.read_lists(
            entities, PROFILE_QUERIES if with_profile else None)
        records = {kind: [from_qbo(kind, row) for row in rows[ENTITY[kind]]]
                   for kind in kinds}
        profile = self._profile(answers, rows["Account"]) if with_profile else None
        return Lists(records, profile)

    async def read_all(self, kind: RemoteKind) -> list[RemoteRecord]:
        return [from_qbo(kind, row) for row in await self.client.read_all(ENTITY[kind])]

    async def find_by_names(self, wanted: Mapping[RemoteKind, Sequence[str]]
                            ) -> list[RemoteRecord]:
        """The records of these names (compared case-insensitively, runs of spaces as
        one), and the inactive ones that had them (QuickBooks Online renames a name it
        makes inactive to "<name> (deleted)"): every kind's queries in the same batch
        calls."""
        asked: dict[str, list[str]] = {}
        for kind, names in wanted.items():
            forms: dict[str, None] = {}
            for name in names:
                for form in (name, " ".join(name.split())):
                    forms[form] = None
                    if not form.endswith(DELETED):
                        forms[form + DELETED] = None
            if forms:
                asked.setdefault(ENTITY[kind], []).extend(forms)
        found = await self.client.find_by_names_many(asked)
        kinds = {ENTITY[kind]: kind for kind in wanted}
        return [from_qbo(kinds[entity], row) for entity, rows in found.items()
                for row in rows.values()]

    async def read(self, kind: RemoteKind, remote_id: str) -> RemoteRecord | None:
        found = await self.client.get(ENTITY[kind], remote_id)
        return from_qbo(kind, found) if found else None

    async def _ap(self) -> str | None:
        if self._ap_account is None:
            accounts = await self.client.read_all("Account")
            self._ap_account = _account(accounts, "Accounts Payable")
        return self._ap_account

    def _payload(self, op: LedgerOp, ap_account: str | None) -> dict[str, Any]:
        if op.action in ("delete", "void"):
            return {"Id": op.remote_id, "SyncToken": op.remote_version or "0"}
        fields = op.fields
        if op.kind == "purchase_order" and not fields.get("ap_account_id"):
            fields = {**fields, "ap_account_id": ap_account}
        body = to_qbo(op.kind, fields)
        if op.kind in TRANSACTIONS:
            # fitted by the engine already; an operation stored before it was is too
            note = fit_note(body.get("PrivateNote"), NOTE_LIMIT)
            body["PrivateNote"] = f"{note} {op.marker}" if note else op.marker
        if op.action == "update":
            body |= {"Id": op.remote_id, "SyncToken": op.remote_version or "0",
                     "sparse": True}
        return body

    async def apply(self, ops: Sequence[LedgerOp]) -> list[LedgerResult]:
        # the payables account a purchase order may need, read once (the rest is sync)
        ap_account = await self._ap() if any(
            op.kind == "purchase_order" and not op.fields.get("ap_account_id")
            for op in ops) else None
        # each attempt under its own requestid (its results come back in order)
        wire = [Operation(op.request_id, op.action, ENTITY[op.kind],
                          self._payload(op, ap_account)) for op in ops]
        results = await self.client.apply(wire, keep=ANSWER_FIELDS)
        return [self._result(op, result) for op, result in zip(ops, results, strict=True)]

    def _result(self, op: LedgerOp, result: Result) -> LedgerResult:
        if result.error is not None and result.error.action is Action.ALREADY_DONE:
            return LedgerResult(op.id, note=result.error.message)
        if not result.ok:
            return LedgerResult(op.id, error=_error(result.error))
        body = result.object or {}
        if not body.get("Id"):
            return LedgerResult(op.id, RemoteRecord(op.kind, op.remote_id or "",
                                                    result.sync_token or ""))
        return LedgerResult(op.id, from_answer(op.kind, body))

    async def find_created(self, op: LedgerOp) -> RemoteRecord | None:
        if op.kind not in TRANSACTIONS:
            name = op.fields.get("name")
            found = await self.find_by_names({op.kind: [str(name)]}) if name else []
            return found[0] if found else None
        party = op.fields.get("customer_id") or op.fields.get("vendor_id")
        entity = ENTITY[op.kind]
        clause = f"{PARTY[op.kind]} = '{party}'"
        if op.fields.get("txn_date"):
            clause += f" AND TxnDate = '{op.fields['txn_date']}'"
        for row in await self._rows(f"SELECT * FROM {entity} WHERE {clause} MAXRESULTS 1000",
                                    entity):
            if op.marker in str(row.get("PrivateNote") or ""):
                return from_qbo(op.kind, row)
        return None

    async def changes_since(self, kinds: Sequence[RemoteKind], since: datetime) -> ChangeSet:
        answer = await self.client.changes_since([ENTITY[kind] for kind in kinds], since)
        if answer.full_read_due:
            raise FullReadDue(", ".join(answer.full_read_due))
        records = [from_qbo(KIND[change.entity],
                            change.object if not change.deleted else
                            {"Id": change.id, "status": "Deleted", **change.object})
                   for change in answer.changes if change.entity in KIND]
        unseen = tuple(KIND[entity] for entity in answer.deletions_unseen if entity in KIND)
        return ChangeSet(records, answer.checked_at or since, unseen)

    async def read_changes(self, kinds: Sequence[RemoteKind], since: datetime,
                           known: Mapping[RemoteKind, Collection[str]]) -> ChangeSet:
        """Queries on ``MetaData.LastUpdatedTime`` and, for transactions (names are made
        inactive, never deleted), a COUNT of the known ids 1000 at a time, their rows
        only where it comes up short: one batch call for a small company, a second
        when something was deleted (:meth:`QboClient.read_changed`)."""
        checked = {ENTITY[kind]: ids for kind, ids in known.items()
                   if kind in TRANSACTIONS and ids}
        started = self.client.now()
        found = await self.client.read_changed([ENTITY[kind] for kind in kinds], since,
                                               checked)
        records = [from_qbo(kind, row) for kind in kinds for row in found.rows[ENTITY[kind]]]
        records += [from_qbo(kind, {"Id": remote_id, "status": "Deleted"})
                    for kind in known
                    for remote_id in sorted(found.gone.get(ENTITY[kind], ()))]
        return ChangeSet(records, found.checked_at or started)
