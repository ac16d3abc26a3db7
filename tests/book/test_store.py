"""The store on SQLite and PostgreSQL: every kind round-trips, upserts are idempotent,
partial updates, money, payments and balances, deletes, isolation, pagination."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from ledgerbridge.book.kinds import KINDS
from ledgerbridge.book.store import Book
from ledgerbridge.errors import ConflictError, NotFoundError, RecordRejectedError
from support.books import make_all


def test_every_kind_round_trips(book: Book) -> None:
    made = make_all(book)
    assert set(made) == set(KINDS)
    paid = {"version": 2, "amount_paid": Decimal("100.00"), "balance": Decimal("135.00")}
    for kind, record in made.items():
        read = book.get(kind, record["id"])
        if kind == "invoice":  # the payment made after it moved its balance
            assert {k: read[k] for k in paid} == paid
            record = {**record, **paid, "updated_at": read["updated_at"]}
        assert read == record
        assert book.get_by_external(kind, record["external_id"])["id"] == record["id"]
        assert record["object"] == kind


def test_references_resolve_from_external_ids(book: Book) -> None:
    made = make_all(book)
    job = made["job"]
    assert job["customer_id"] == made["customer"]["id"]
    assert job["location_id"] == made["location"]["id"]
    line = made["invoice"]["lines"][0]
    assert line["work_code_id"] == made["work_code"]["id"]
    assert line["cost_type_id"] == made["cost_type"]["id"]
    assert made["purchase_order"]["lines"][0]["job_id"] == job["id"]


def test_totals_are_computed_half_up(book: Book) -> None:
    made = make_all(book)
    invoice = book.update("invoice", made["invoice"]["id"], {"lines": [
        {"description": "a third", "quantity": "0.3333", "unit_price": "3.00"},
        {"description": "half cent", "quantity": "2.5", "unit_price": "0.01"},
    ]}).record
    assert [line["amount"] for line in invoice["lines"]] == [Decimal("1.00"), Decimal("0.03")]
    assert invoice["total"] == Decimal("1.03")
    assert invoice["balance"] == Decimal("1.03") - Decimal("100.00")


def test_computed_fields_are_refused_as_input(book: Book) -> None:
    make_all(book)
    with pytest.raises(RecordRejectedError) as caught:
        book.create("invoice", {"customer_external_id": "C1", "total": "5.00",
                                "lines": [{"description": "x", "unit_price": "1", "amount": 9}]})
    paths = {p.path: p.message for p in caught.value.problems}
    assert "computed" in paths["total"] and "computed" in paths["lines[0].amount"]


def test_negative_invoice_is_a_credit(book: Book) -> None:
    make_all(book)
    credit = book.create("invoice", {"customer_external_id": "C1", "status": "finalized",
                                     "lines": [{"description": "refund", "quantity": "-1",
                                                "unit_price": "40.00"}]}).record
    assert credit["total"] == Decimal("-40.00") and credit["balance"] == Decimal("-40.00")


def test_upsert_same_body_twice_is_one_record(book: Book) -> None:
    body: dict[str, Any] = {"company_name": "Café Olé", "email": "a@b.c"}
    first = book.upsert("customer", "X1", body)
    second = book.upsert("customer", "X1", body)
    assert (first.outcome, second.outcome) == ("created", "unchanged")
    assert second.record["id"] == first.record["id"] and second.record["version"] == 1
    third = book.upsert("customer", "X1", {**body, "email": "new@b.c"})
    assert third.outcome == "updated" and third.record["version"] == 2
    assert len(book.page("customer", filters={"external_id": "X1"}).items) == 1


def test_upsert_replaces_whole_and_create_refuses_a_taken_external_id(book: Book) -> None:
    book.upsert("customer", "X2", {"company_name": "A", "phone": "555"})
    replaced = book.upsert("customer", "X2", {"company_name": "A"}).record
    assert replaced["phone"] is None
    with pytest.raises(ConflictError, match="already exists"):
        book.create("customer", {"company_name": "B", "external_id": "X2"})


def test_partial_update_changes_only_what_is_sent(book: Book) -> None:
    made = make_all(book)
    customer = book.update("customer", made["customer"]["id"], {"phone": "555-0100"}).record
    assert customer["phone"] == "555-0100"
    assert customer["billing_address"]["city"] == "Tulsa" and customer["version"] == 2
    cleared = book.update("customer", customer["id"], {"billing_address": None}).record
    assert cleared["billing_address"] is None
    same = book.update("customer", customer["id"], {"phone": "555-0100"})
    assert same.outcome == "unchanged" and same.record["version"] == 3


def test_lines_keep_their_ids_and_unknown_line_ids_are_refused(book: Book) -> None:
    made = make_all(book)
    invoice = made["invoice"]
    kept = invoice["lines"][0]
    new = book.update("invoice", invoice["id"], {"lines": [
        {"id": kept["id"], "work_code_id": kept["work_code_id"], "quantity": "3",
         "unit_price": "95.00"},
        {"description": "new line", "unit_price": "10.00"},
    ]}).record
    assert new["lines"][0]["id"] == kept["id"]
    assert new["lines"][1]["id"] not in {line["id"] for line in invoice["lines"]}
    assert new["total"] == Decimal("295.00")
    with pytest.raises(RecordRejectedError) as caught:
        book.update("invoice", invoice["id"], {"lines": [
            {"id": "ln_nope", "description": "x", "unit_price": "1"}]})
    assert caught.value.problems[0].path == "lines[0].id"


def test_payments_move_invoice_balances(book: Book) -> None:
    made = make_all(book)
    invoice_id = made["invoice"]["id"]
    assert book.get("invoice", invoice_id)["balance"] == Decimal("135.00")
    payment = made["payment"]
    book.update("payment", payment["id"], {"applications": [
        {"invoice_id": invoice_id, "amount": "235.00"}], "amount": "235.00"})
    assert book.get("invoice", invoice_id)["balance"] == Decimal("0.00")
    book.delete("payment", payment["id"])
    assert book.get("invoice", invoice_id)["balance"] == Decimal("235.00")


def test_payment_rules(book: Book) -> None:
    made = make_all(book)
    other = book.create("customer", {"company_name": "Other"}).record
    base = {"customer_external_id": "C1", "payment_date": "2026-03-02"}
    cases = [
        ({"amount": "500", "applications": [{"invoice_external_id": "I1", "amount": "500"}]},
         "applications[0].amount", "open"),
        ({"amount": "10", "applications": [{"invoice_external_id": "I1", "amount": "20"}]},
         "applications", "more than the payment"),
        ({**base, "customer_id": other["id"], "customer_external_id": None, "amount": "5",
          "applications": [{"invoice_id": made["invoice"]["id"], "amount": "5"}]},
         "applications[0].invoice_id", "not this payment's customer"),
    ]
    for body, path, words in cases:
        with pytest.raises(RecordRejectedError) as caught:
            book.create("payment", {**base, **body})
        found = {p.path: p.message for p in caught.value.problems}
        assert path in found and words in found[path], found


@pytest.mark.parametrize(("kind", "body", "path", "words"), [
    ("job", {"customer_external_id": "C1", "name": "j", "location_id": "LOC"},
     "location_id", "belongs to customer"),
    ("invoice", {"customer_external_id": "C1", "kind": "project", "lines": []},
     "job_id", "needs its job"),
    ("invoice", {"customer_external_id": "C1", "status": "finalized"}, "lines",
     "at least one line"),
    ("invoice", {"customer_external_id": "C1", "lines": [{"unit_price": "1"}]}, "lines[0]",
     "a work code, a cost code or a description"),
    ("purchase_order", {"vendor_external_id": "V1", "lines": [{"unit_cost": "1"}]},
     "lines[0]", "exactly one item"),
    ("job", {"customer_external_id": "NOPE", "name": "j"}, "customer_external_id",
     "no customer has external_id 'NOPE'"),
    ("location", {"name": "x"}, "customer_id", "is required"),
    ("job", {"customer_external_id": "C1", "name": "j", "start_date": "2026-02-02",
             "end_date": "2026-01-01"}, "end_date", "before start_date"),
])
def test_book_rules_name_the_field_and_the_fix(
    book: Book, kind: str, body: dict[str, Any], path: str, words: str
) -> None:
    make_all(book)
    other = book.create("customer", {"company_name": "Elsewhere"}).record
    other_location = book.create("location", {"customer_id": other["id"], "name": "x"}).record
    if body.get("location_id") == "LOC":
        body = {**body, "location_id": other_location["id"]}
    with pytest.raises(RecordRejectedError) as caught:
        book.create(kind, body)
    found = {p.path: p.message for p in caught.value.problems}
    assert path in found and words in found[path], found


def test_delete_is_refused_while_used_then_soft(book: Book) -> None:
    made = make_all(book)
    with pytest.raises(ConflictError) as caught:
        book.delete("work_code", made["work_code"]["id"])
    assert "1 invoice" in caught.value.message and made["invoice"]["id"] in caught.value.message
    with pytest.raises(ConflictError, match="payment"):
        book.delete("invoice", made["invoice"]["id"])
    book.delete("bill", made["bill"]["id"])
    deleted = book.delete("cost_code", made["cost_code"]["id"]).record
    assert deleted["deleted_at"] is not None
    with pytest.raises(NotFoundError):
        book.get("cost_code", deleted["id"])
    assert book.page("cost_code").items == []
    assert book.page("cost_code", include_deleted=True).items[0]["id"] == deleted["id"]
    restored = book.upsert("cost_code", "CC1", {"code": "01-100", "name": "Labor"}).record
    assert restored["id"] == deleted["id"] and restored["deleted_at"] is None


def test_expected_version_guards_updates(book: Book) -> None:
    made = make_all(book)
    customer_id = made["customer"]["id"]
    book.update("customer", customer_id, {"phone": "1"}, expected_version=1)
    with pytest.raises(ConflictError, match="version 2"):
        book.update("customer", customer_id, {"phone": "2"}, expected_version=1)


def test_tenants_are_isolated(engine: Engine, tenant_id: str) -> None:
    from ledgerbridge import tenants

    with engine.begin() as conn:
        made = make_all(Book(conn, tenant_id))
    with engine.begin() as conn:
        other = Book(conn, tenants.create_tenant(conn, f"other-{made['customer']['id']}").id)
        with pytest.raises(NotFoundError):
            other.get("customer", made["customer"]["id"])
        assert other.page("customer").items == []
        with pytest.raises(RecordRejectedError, match="no customer has id"):
            other.create("location", {"customer_id": made["customer"]["id"], "name": "x"})
        same_external = other.create("customer", {"company_name": "Mine", "external_id": "C1"})
        assert same_external.record["id"] != made["customer"]["id"]


def test_pages_cover_everything_once_with_filters(book: Book) -> None:
    ids = [book.create("customer", {"company_name": f"C{n}"}).record["id"] for n in range(25)]
    seen: list[str] = []
    cursor = None
    while True:
        page = book.page("customer", after=cursor, limit=10)
        seen += [item["id"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(ids)
    make_all(book)
    assert [j["status"] for j in book.page("job", status="open").items] == ["open"]
    assert book.page("job", status="closed").items == []
    with pytest.raises(RecordRejectedError, match="unknown status"):
        book.page("job", status="nonsense")


def test_all_live_is_every_page_at_once_without_the_deleted(engine: Engine, tenant_id: str
                                                             ) -> None:
    """``all_live`` (one compiled read, driver rows) gives exactly what ``page`` gives over
    all its pages, values of the same types, one tenant only."""
    from ledgerbridge import tenants

    with engine.begin() as conn:
        book = Book(conn, tenant_id)
        made = make_all(book)
        for n in range(5):
            book.create("customer", {"company_name": f"Live {n}"})
        gone = book.create("customer", {"company_name": "Gone"}).record
        book.delete("customer", gone["id"])
        other = Book(conn, tenants.create_tenant(conn, f"o-{made['customer']['id']}").id)
        other.create("customer", {"company_name": "Theirs"})
    with engine.connect() as conn:
        book = Book(conn, tenant_id)
        assert len(made) >= 10  # every kind, with addresses, lines and computed fields
        for kind in made:
            pages: list[dict[str, object]] = []
            cursor = None
            while True:
                page = book.page(kind, after=cursor, limit=2)
                pages += page.items
                if (cursor := page.next_cursor) is None:
                    break
            assert repr(book.all_live(kind)) == repr(pages)
        names = [c["company_name"] for c in book.all_live("customer")]
        assert "Gone" not in names and "Theirs" not in names and "Live 4" in names
