"""A deterministic HVAC/plumbing field-service company in the book's bulk-load format.

``sample_company(seed)`` returns records in dependency order (everything a record
refers to comes earlier), referring to each other by external id. The same seed gives
byte-identical output: all dates hang off a fixed anchor day, never today's date."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ledgerbridge.sample.billing import build_invoices, invoice_record
from ledgerbridge.sample.catalog import (
    ACCENT_VENDOR,
    COLON_ITEM,
    SHARED_NAME,
    build_catalog,
    catalog_records,
)
from ledgerbridge.sample.parties import (
    ACCENT_BUSINESS,
    ACCENT_PERSON,
    AMPERSAND,
    APOSTROPHE,
    COLON_SITE,
    SIXTY,
    build_parties,
)
from ledgerbridge.sample.payments import build_payments
from ledgerbridge.sample.purchasing import build_bills, build_purchase_orders
from ledgerbridge.sample.util import ANCHOR

__all__ = ["ANCHOR", "KIND_ORDER", "TROUBLEMAKERS", "TROUBLEMAKER_KINDS", "counts",
           "sample_company", "write_json"]

#: The order kinds appear in (each refers only to kinds before it).
KIND_ORDER: tuple[str, ...] = (
    "customer", "location", "job", "service_ticket", "work_code", "cost_code", "cost_type",
    "vendor", "inventory_part", "invoice", "payment", "purchase_order", "bill",
)

#: Names that trip up QuickBooks or naive code: what -> name.
TROUBLEMAKERS: dict[str, str] = {
    "apostrophe": APOSTROPHE,
    "ampersand": AMPERSAND,
    "colon_location": COLON_SITE,
    "colon_work_code": COLON_ITEM,
    "customer_and_vendor": SHARED_NAME,
    "sixty_characters": SIXTY,
    "accents_customer": ACCENT_BUSINESS,
    "accents_vendor": ACCENT_VENDOR,
    "accents_person": ACCENT_PERSON,
}

#: Where each troublemaker sits: what -> the record kinds that carry the name.
TROUBLEMAKER_KINDS: dict[str, tuple[str, ...]] = {
    "apostrophe": ("customer",),
    "ampersand": ("customer",),
    "colon_location": ("location",),
    "colon_work_code": ("work_code",),
    "customer_and_vendor": ("customer", "vendor"),
    "sixty_characters": ("customer",),
    "accents_customer": ("customer",),
    "accents_vendor": ("vendor",),
    "accents_person": ("customer",),
}


def sample_company(seed: int = 7) -> list[dict[str, object]]:
    """The whole company as bulk-load records, in dependency order."""
    rng = random.Random(seed)
    catalog = build_catalog()
    parties = build_parties(rng)
    records = list(parties.records)
    records += catalog_records(rng, catalog)
    invoices = build_invoices(rng, catalog, parties)
    records += [invoice_record(rng, inv) for inv in invoices]
    records += build_payments(rng, invoices)
    records += build_purchase_orders(rng, catalog, parties.jobs)
    records += build_bills(rng, catalog, parties.jobs)
    return records


def counts(records: Iterable[dict[str, object]]) -> dict[str, int]:
    """Number of records of each kind, in ``KIND_ORDER``."""
    tally = Counter(str(rec["object"]) for rec in records)
    return {kind: tally[kind] for kind in KIND_ORDER if tally[kind]}


def write_json(path: str | Path, seed: int = 7) -> int:
    """Write the company as a JSON array (for ``ledgerbridge import``); returns the count."""
    records = sample_company(seed)
    text = json.dumps(records, ensure_ascii=False, indent=1)
    Path(path).write_text(text + "\n", encoding="utf-8")
    return len(records)
