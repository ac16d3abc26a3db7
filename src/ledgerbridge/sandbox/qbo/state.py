"""The sandbox's state: companies and their records, apps, tokens, settings, stats."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Ids come from shared sequences, as in QuickBooks (names share one, transactions another).
NAME_ENTITIES = ("Customer", "Vendor", "Employee")
TXN_ENTITIES = ("Invoice", "CreditMemo", "SalesReceipt", "Estimate", "Payment", "Bill",
                "PurchaseOrder")


def is_digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts ``²``, which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def display_key(value: str) -> str:
    """How QuickBooks compares names: trimmed, case-insensitive."""
    return value.strip().casefold()


def id_group(entity: str) -> str:
    if entity in NAME_ENTITIES:
        return "name"
    if entity in TXN_ENTITIES:
        return "txn"
    return entity


@dataclass
class Preferences:
    """The company preferences the rules depend on."""

    custom_txn_numbers: bool = False
    class_tracking_per_line: bool = False
    track_quantity_on_hand: bool = True
    sales_custom_fields: list[str] = field(default_factory=list)

    def to_json(self) -> JSON:
        return {"custom_txn_numbers": self.custom_txn_numbers,
                "class_tracking_per_line": self.class_tracking_per_line,
                "track_quantity_on_hand": self.track_quantity_on_hand,
                "sales_custom_fields": list(self.sales_custom_fields)}

    @classmethod
    def from_json(cls, data: JSON) -> Preferences:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _customer_of(invoice: JSON) -> list[str]:
    ref = invoice.get("CustomerRef")
    return [str(ref["value"])] if isinstance(ref, dict) and ref.get("value") else []


def _invoices_of(payment: JSON) -> list[str]:
    return sorted({str(link.get("TxnId")) for line in payment.get("Line", [])
                   if isinstance(line, dict) for link in line.get("LinkedTxn", [])
                   if isinstance(link, dict) and link.get("TxnType") == "Invoice"})


def _by_id(ids: Iterable[str]) -> list[str]:
    """Ids in creation order (numeric ids by number, others after them by text)."""
    return sorted(ids, key=lambda value: (not value.isdigit(), len(value), value))


@dataclass
class Company:
    """One QuickBooks company (realm) and everything in it."""

    realm_id: str
    name: str
    country: str = "US"
    prefs: Preferences = field(default_factory=Preferences)
    records: dict[str, dict[str, JSON]] = field(default_factory=dict)
    deleted: dict[str, dict[str, JSON]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    tax_agency: str | None = None
    request_cache: dict[str, tuple[int, JSON]] = field(default_factory=dict)
    dirty: set[tuple[str, str]] = field(default_factory=set)
    name_index: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: invoice ids by customer id, payment ids by the invoice ids they apply to: what a
    #: balance needs, without walking every invoice or payment of the company
    invoices_by_customer: dict[str, set[str]] = field(default_factory=dict)
    payments_by_invoice: dict[str, set[str]] = field(default_factory=dict)

    def table(self, entity: str) -> dict[str, JSON]:
        return self.records.setdefault(entity, {})

    def get(self, entity: str, record_id: str) -> JSON | None:
        return self.records.get(entity, {}).get(record_id)

    def next_id(self, entity: str) -> str:
        group = id_group(entity)
        value = self.sequences.get(group, 0) + 1
        self.sequences[group] = value
        return str(value)

    def bump_sequence(self, entity: str, record_id: str) -> None:
        if is_digits(record_id):
            group = id_group(entity)
            self.sequences[group] = max(self.sequences.get(group, 0), int(record_id))

    def put(self, entity: str, record: JSON) -> None:
        table = self.table(entity)
        if entity in NAME_ENTITIES:
            self._index_name(entity, table.get(record["Id"]), record)
        self._index_refs(entity, table.get(record["Id"]), record)
        table[record["Id"]] = record
        self.dirty.add((entity, record["Id"]))

    def _index_refs(self, entity: str, old: JSON | None, new: JSON | None) -> None:
        index = {"Invoice": self.invoices_by_customer,
                 "Payment": self.payments_by_invoice}.get(entity)
        if index is None:
            return
        keys = _customer_of if entity == "Invoice" else _invoices_of
        if old is not None:
            for key in keys(old):
                index.get(key, set()).discard(str(old["Id"]))
        if new is not None:
            for key in keys(new):
                index.setdefault(key, set()).add(str(new["Id"]))

    def invoices_of(self, customer_id: str) -> list[JSON]:
        return [self.records["Invoice"][i] for i in _by_id(
            self.invoices_by_customer.get(customer_id, ()))]

    def payments_for(self, invoice_id: str) -> list[JSON]:
        """The payments applied to an invoice, oldest id first."""
        return [self.records["Payment"][i] for i in _by_id(
            self.payments_by_invoice.get(invoice_id, ()))]

    def _index_name(self, entity: str, old: JSON | None, new: JSON) -> None:
        """Customer, Vendor and Employee DisplayNames, case-folded, in one index."""
        if old is not None:
            old_key = display_key(str(old.get("DisplayName", "")))
            if self.name_index.get(old_key) == (entity, old["Id"]):
                del self.name_index[old_key]
        self.name_index[display_key(str(new.get("DisplayName", "")))] = (entity, new["Id"])

    def name_owner(self, display_name: str) -> tuple[str, str] | None:
        return self.name_index.get(display_key(display_name))

    def remove(self, entity: str, record_id: str, tombstone: JSON) -> None:
        self._index_refs(entity, self.records.get(entity, {}).get(record_id), None)
        self.records.get(entity, {}).pop(record_id, None)
        self.deleted.setdefault(entity, {})[record_id] = tombstone
        self.dirty.add((entity, record_id))

    def meta_json(self) -> JSON:
        return {"realm_id": self.realm_id, "name": self.name, "country": self.country,
                "prefs": self.prefs.to_json(), "sequences": self.sequences,
                "tax_agency": self.tax_agency,
                "request_cache": {k: list(v) for k, v in self.request_cache.items()}}

    @classmethod
    def from_meta(cls, data: JSON) -> Company:
        company = cls(realm_id=data["realm_id"], name=data["name"], country=data["country"],
                      prefs=Preferences.from_json(data["prefs"]))
        company.sequences = dict(data["sequences"])
        company.tax_agency = data.get("tax_agency")
        company.request_cache = {k: (int(v[0]), v[1]) for k, v in data["request_cache"].items()}
        return company


@dataclass
class App:
    """A developer app registered with the sandbox."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)
    webhook_url: str | None = None
    verifier_token: str | None = None
    webhook_format: str = "legacy"

    def to_json(self) -> JSON:
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "redirect_uris": self.redirect_uris, "webhook_url": self.webhook_url,
                "verifier_token": self.verifier_token, "webhook_format": self.webhook_format}


@dataclass
class Token:
    """An access token, refresh token or authorization code."""

    value: str
    kind: str  # "access" | "refresh" | "code"
    client_id: str
    realm_id: str
    expires_at: float
    redirect_uri: str | None = None
    revoked: bool = False

    def to_json(self) -> JSON:
        return {"value": self.value, "kind": self.kind, "client_id": self.client_id,
                "realm_id": self.realm_id, "expires_at": self.expires_at,
                "redirect_uri": self.redirect_uri, "revoked": self.revoked}


@dataclass
class Limits:
    per_minute: int = 500
    in_flight: int = 10
    batch_per_minute: int = 40
    batch_max_items: int = 30


@dataclass
class FaultSettings:
    rate: float = 0.0
    kinds: list[str] = field(default_factory=lambda: ["429", "500", "503"])
    seed: int = 0
    hang_seconds: float = 130.0
    slow_seconds: float = 5.0


@dataclass
class Settings:
    limits: Limits = field(default_factory=Limits)
    time_scale: float = 1.0
    latency_ms: float = 0.0
    faults: FaultSettings = field(default_factory=FaultSettings)
    webhook_attempts: int = 3
    webhook_backoff_s: float = 1.0


@dataclass
class Stats:
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    faults_injected: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> JSON:
        by_realm: dict[str, dict[str, int]] = {}
        for (realm, endpoint), count in sorted(self.calls.items()):
            by_realm.setdefault(realm, {})[endpoint] = count
        return {"calls": by_realm, "total_calls": sum(self.calls.values()),
                "throttled": dict(self.throttled),
                "total_throttled": sum(self.throttled.values()),
                "faults_injected": dict(self.faults_injected)}


@dataclass
class SandboxState:
    """Everything the sandbox knows."""

    companies: dict[str, Company] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    stats: Stats = field(default_factory=Stats)

    def new_realm_id(self) -> str:
        while True:
            realm = str(9130_0000_0000_0000 + secrets.randbelow(10**12))
            if realm not in self.companies:
                return realm
