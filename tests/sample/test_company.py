"""The sample company: deterministic, sized as promised, valid for the book's input
models, references pointing backwards, and the book's own rules obeyed."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from ledgerbridge.book import schemas
from ledgerbridge.sample import (
    ANCHOR,
    KIND_ORDER,
    TROUBLEMAKER_KINDS,
    TROUBLEMAKERS,
    counts,
    sample_company,
    write_json,
)

Record = dict[str, object]
SEEDS = (7, 1, 2024)

MODELS: dict[str, type[BaseModel]] = {
    "customer": schemas.CustomerIn,
    "location": schemas.LocationIn,
    "job": schemas.JobIn,
    "service_ticket": schemas.ServiceTicketIn,
    "work_code": schemas.WorkCodeIn,
    "cost_code": schemas.CostCodeIn,
    "cost_type": schemas.CostTypeIn,
    "vendor": schemas.VendorIn,
    "inventory_part": schemas.InventoryPartIn,
    "invoice": schemas.InvoiceIn,
    "payment": schemas.PaymentIn,
    "purchase_order": schemas.PurchaseOrderIn,
    "bill": schemas.BillIn,
}

#: reference field -> kind it points at
REFS = {f"{kind}_external_id": kind for kind in KIND_ORDER}

#: kind -> (low, high) record counts
RANGES = {
    "customer": (45, 55), "location": (70, 90), "job": (135, 165),
    "service_ticket": (50, 70), "work_code": (25, 35), "cost_code": (10, 14),
    "cost_type": (5, 5), "vendor": (10, 10), "inventory_part": (55, 65),
    "invoice": (280, 320), "payment": (185, 215), "purchase_order": (35, 45),
    "bill": (35, 45),
}

MONEY = re.compile(r"^-?\d+\.\d{2}$")
QUANTITY = re.compile(r"^-?\d+(\.\d{1,4})?$")
MONEY_FIELDS = {"rate", "cost", "price", "unit_price", "unit_cost", "amount"}
HISTORY_FLOOR = date(2024, 10, 1)
LATEST = date(2026, 8, 31)  # due and expected dates may run past the anchor
DATE_FIELDS = {"start_date", "end_date", "scheduled_date", "issue_date", "due_date",
               "payment_date", "order_date", "expected_date", "bill_date"}


@pytest.fixture(scope="module", params=SEEDS)
def records(request: pytest.FixtureRequest) -> list[Record]:
    return sample_company(request.param)


@pytest.fixture(scope="module")
def default_records() -> list[Record]:
    return sample_company()


def of_kind(records: list[Record], kind: str) -> list[Record]:
    return [rec for rec in records if rec["object"] == kind]


def by_id(records: list[Record], kind: str) -> dict[str, Record]:
    return {str(rec["external_id"]): rec for rec in of_kind(records, kind)}


def items(rec: Record, key: str) -> list[dict[str, object]]:
    value = rec.get(key, [])
    assert isinstance(value, list)
    return value


def dec(value: object) -> Decimal:
    assert isinstance(value, str), value
    return Decimal(value)


def invoice_total(invoice: Record) -> Decimal:
    cent = Decimal("0.01")
    return sum(
        ((dec(ln["quantity"]) * dec(ln["unit_price"])).quantize(cent, rounding=ROUND_HALF_UP)
         for ln in items(invoice, "lines")),
        Decimal("0.00"),
    )


def walk(value: object) -> Iterator[tuple[str, object]]:
    """Every (key, value) pair in a record, nested lines and addresses included."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, inner
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)


# ---------------------------------------------------------------- determinism and size


def test_same_seed_gives_identical_output() -> None:
    first = json.dumps(sample_company(7), sort_keys=False)
    assert first == json.dumps(sample_company(7), sort_keys=False)
    assert json.dumps(sample_company()) == first


def test_different_seed_gives_different_data() -> None:
    assert json.dumps(sample_company(7)) != json.dumps(sample_company(8))


def test_counts_are_in_range(records: list[Record]) -> None:
    got = counts(records)
    assert list(got) == list(KIND_ORDER)
    for kind, (low, high) in RANGES.items():
        assert low <= got[kind] <= high, (kind, got[kind])
    assert sum(got.values()) == len(records)


def test_kinds_come_in_dependency_order(records: list[Record]) -> None:
    positions = [KIND_ORDER.index(str(rec["object"])) for rec in records]
    assert positions == sorted(positions)


def test_write_json_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "company.json"
    assert write_json(path) == len(sample_company())
    assert json.loads(path.read_text(encoding="utf-8")) == sample_company()


# ---------------------------------------------------------------- shape


def test_every_record_validates_against_its_model(records: list[Record]) -> None:
    for rec in records:
        model = MODELS[str(rec["object"])]
        model.model_validate({k: v for k, v in rec.items() if k != "object"})


def test_values_are_strings_in_the_book_format(records: list[Record]) -> None:
    for rec in records:
        for key, value in walk(rec):
            if key in MONEY_FIELDS:
                assert isinstance(value, str), (rec["external_id"], key)
                assert MONEY.match(value), (rec["external_id"], key, value)
            elif key in ("quantity", "quantity_on_hand"):
                assert isinstance(value, str), (rec["external_id"], key)
                assert QUANTITY.match(value), (rec["external_id"], key, value)
            elif key in DATE_FIELDS:
                assert isinstance(value, str)
                assert HISTORY_FLOOR <= date.fromisoformat(value) <= LATEST, (key, value)


def test_no_totals_or_line_amounts_are_sent(records: list[Record]) -> None:
    keys = {key for rec in records for key, _ in walk(rec)}
    assert not keys & {"total", "balance", "amount_paid", "unapplied"}
    for kind in ("invoice", "purchase_order", "bill"):
        for rec in of_kind(records, kind):
            assert all("amount" not in line for line in items(rec, "lines"))


def test_dates_hang_off_the_fixed_anchor(records: list[Record]) -> None:
    issued = [date.fromisoformat(str(r["issue_date"])) for r in of_kind(records, "invoice")]
    assert max(issued) <= ANCHOR == date(2026, 6, 30)
    assert (max(issued) - min(issued)).days >= 480  # about 18 months
    paid = [date.fromisoformat(str(r["payment_date"])) for r in of_kind(records, "payment")]
    assert max(paid) <= ANCHOR


def test_date_pairs_are_in_order(records: list[Record]) -> None:
    pairs = (("start_date", "end_date"), ("issue_date", "due_date"),
             ("order_date", "expected_date"), ("bill_date", "due_date"))
    for rec in records:
        for start, end in pairs:
            if start in rec and end in rec:
                assert str(rec[start]) <= str(rec[end]), rec["external_id"]


# ---------------------------------------------------------------- references


def test_external_ids_are_unique_per_kind_and_readable(records: list[Record]) -> None:
    for kind in KIND_ORDER:
        ids = [rec["external_id"] for rec in of_kind(records, kind)]
        assert len(ids) == len(set(ids)), kind
        assert all(isinstance(i, str) and re.fullmatch(r"[A-Z]+-\d{4,5}", i) for i in ids)


def test_references_point_backwards_at_the_right_kind(records: list[Record]) -> None:
    seen: dict[str, set[object]] = defaultdict(set)
    for rec in records:
        for key, value in walk(rec):
            if key.endswith("_external_id"):
                assert value in seen[REFS[key]], (rec["external_id"], key, value)
            elif key != "external_id":
                assert not key.endswith("_id"), (rec["external_id"], key)
        seen[str(rec["object"])].add(rec["external_id"])


def test_owned_records_belong_to_the_named_customer(records: list[Record]) -> None:
    owner = {
        kind: {k: r.get("customer_external_id") for k, r in by_id(records, kind).items()}
        for kind in ("location", "job", "service_ticket")
    }
    for kind in ("location", "job", "service_ticket", "invoice"):
        for rec in of_kind(records, kind):
            customer = rec.get("customer_external_id")
            assert customer, rec["external_id"]
            for child in ("location", "job", "service_ticket"):
                ref = rec.get(f"{child}_external_id")
                if ref is not None:
                    assert owner[child][str(ref)] == customer, (rec["external_id"], child)


def test_every_service_ticket_has_a_location(records: list[Record]) -> None:
    assert all(t.get("location_external_id") for t in of_kind(records, "service_ticket"))


def test_each_customer_has_one_to_three_sites(records: list[Record]) -> None:
    sites = Counter(str(r["customer_external_id"]) for r in of_kind(records, "location"))
    assert set(sites) == set(by_id(records, "customer"))
    assert set(sites.values()) <= {1, 2, 3}


# ---------------------------------------------------------------- documents


def test_invoice_rules_hold(records: list[Record]) -> None:
    for inv in of_kind(records, "invoice"):
        lines = items(inv, "lines")
        assert 1 <= len(lines) <= 6 or inv["status"] == "draft", inv["external_id"]
        for line in lines:
            assert "unit_price" in line
            assert any(line.get(f) for f in ("work_code_external_id",
                                              "cost_code_external_id", "description"))


def test_project_invoices_name_their_job(records: list[Record]) -> None:
    projects = [i for i in of_kind(records, "invoice") if str(i["memo"]).startswith("Progress")]
    assert len(projects) >= 60
    assert all(i.get("job_external_id") for i in projects)


def test_invoice_statuses_are_mostly_issued(records: list[Record]) -> None:
    statuses = Counter(str(i["status"]) for i in of_kind(records, "invoice"))
    assert statuses["void"] == 2
    assert statuses["draft"] >= 5
    assert statuses["paid"] + statuses["sent"] + statuses["finalized"] >= 240


def test_there_are_credits(records: list[Record]) -> None:
    credits = [i for i in of_kind(records, "invoice") if invoice_total(i) < 0]
    assert len(credits) >= 3
    assert all(i["status"] != "draft" for i in credits)


def test_doc_numbers_are_unique_and_fit_quickbooks(records: list[Record]) -> None:
    numbers = [str(i["doc_number"]) for i in of_kind(records, "invoice")]
    assert len(numbers) == len(set(numbers))
    assert all(0 < len(n) <= 21 for n in numbers)


def test_purchase_order_lines_order_one_item(records: list[Record]) -> None:
    orders = of_kind(records, "purchase_order")
    assert {str(po["status"]) for po in orders} == {"draft", "submitted", "received",
                                                    "closed", "canceled"}
    lines = [line for po in orders for line in items(po, "lines")]
    for line in lines:
        assert "unit_cost" in line
        chosen = [f for f in ("inventory_part_external_id", "work_code_external_id")
                  if line.get(f)]
        assert len(chosen) == 1, line
    assert sum(1 for line in lines if line.get("job_external_id")) >= 10


def test_bill_lines_are_priced_and_coded(records: list[Record]) -> None:
    bills = of_kind(records, "bill")
    assert {str(b["status"]) for b in bills} == {"draft", "finalized"}
    assert any(b.get("job_external_id") for b in bills)
    for line in (line for b in bills for line in items(b, "lines")):
        assert "unit_cost" in line
        assert line.get("cost_code_external_id")
        assert line.get("cost_type_external_id")


# ---------------------------------------------------------------- payments


def test_payment_applications_obey_the_book(records: list[Record]) -> None:
    invoices = by_id(records, "invoice")
    applied: dict[str, Decimal] = defaultdict(Decimal)
    for pay in of_kind(records, "payment"):
        apps = items(pay, "applications")
        targets = [str(a["invoice_external_id"]) for a in apps]
        assert len(targets) == len(set(targets))
        for app, target in zip(apps, targets, strict=True):
            invoice = invoices[target]
            amount = dec(app["amount"])
            assert amount > 0
            assert invoice["customer_external_id"] == pay["customer_external_id"]
            assert invoice["status"] not in ("void", "draft")
            assert invoice_total(invoice) > 0
            applied[target] += amount
        assert sum((dec(a["amount"]) for a in apps), Decimal(0)) <= dec(pay["amount"])
    for target, amount in applied.items():
        assert amount <= invoice_total(invoices[target]), target


def test_paid_invoices_are_paid_in_full(records: list[Record]) -> None:
    applied: dict[object, Decimal] = defaultdict(Decimal)
    for pay in of_kind(records, "payment"):
        for app in items(pay, "applications"):
            applied[app["invoice_external_id"]] += dec(app["amount"])
    for inv in of_kind(records, "invoice"):
        if inv["status"] == "paid":
            assert applied[inv["external_id"]] == invoice_total(inv), inv["external_id"]


def test_payments_come_in_every_shape(records: list[Record]) -> None:
    payments = of_kind(records, "payment")
    shapes = Counter(len(items(p, "applications")) for p in payments)
    assert shapes[0] >= 2  # unapplied deposits
    assert shapes[2] >= 3  # two invoices in one payment
    assert {str(p["method"]) for p in payments} == {"check", "credit_card", "ach", "cash"}
    totals = {str(i["external_id"]): invoice_total(i) for i in of_kind(records, "invoice")}
    partial = [a for p in payments for a in items(p, "applications")
               if dec(a["amount"]) < totals[str(a["invoice_external_id"])]]
    assert len(partial) >= 20


# ---------------------------------------------------------------- troublemakers


def _names(records: list[Record], kind: str) -> set[object]:
    field = "company_name" if kind in ("customer", "vendor") else "name"
    return {rec[field] for rec in of_kind(records, kind)}


@pytest.mark.parametrize("what", sorted(TROUBLEMAKERS))
def test_troublemaker_is_present(default_records: list[Record], what: str) -> None:
    for kind in TROUBLEMAKER_KINDS[what]:
        assert TROUBLEMAKERS[what] in _names(default_records, kind), (what, kind)


def test_troublemakers_are_what_they_claim() -> None:
    assert "'" in TROUBLEMAKERS["apostrophe"]
    assert "&" in TROUBLEMAKERS["ampersand"]
    assert ":" in TROUBLEMAKERS["colon_location"]
    assert ":" in TROUBLEMAKERS["colon_work_code"]
    assert len(TROUBLEMAKERS["sixty_characters"]) == 60
    assert TROUBLEMAKER_KINDS["customer_and_vendor"] == ("customer", "vendor")
    for what in ("accents_customer", "accents_vendor", "accents_person"):
        assert not TROUBLEMAKERS[what].isascii()


def test_troublemakers_survive_every_seed(records: list[Record]) -> None:
    for what, name in TROUBLEMAKERS.items():
        assert any(name in _names(records, kind) for kind in TROUBLEMAKER_KINDS[what])
