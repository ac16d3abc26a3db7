"""QuickBooks-side changes to documents followed into the book, end to end on the
QuickBooks Online sandbox: credit memos (taken in, or made from a negative invoice here)
changed or deleted in QuickBooks, and a paid invoice opened again by a payment deleted
in QuickBooks. Nothing taken in is ever sent back. How a change made on both sides is
merged field by field: test_inbound_merge.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ledgerbridge import sync_service
from ledgerbridge.engine.links import GONE
from ledgerbridge.engine.tables import operations
from ledgerbridge.engine.unsynced import unsynced
from ledgerbridge.settings import mappings
from support import qbo_documents as docs
from support.qbo_world import World

Record = dict[str, Any]

# credit memos made in QuickBooks ----------------------------------------------------------
async def test_a_credit_memo_changed_in_quickbooks_changes_its_negative_invoice(
        world: World) -> None:
    made = docs.project(world)
    await world.sync("daily")
    memo, negative = await docs.memo_in_quickbooks(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    changed = await docs.sparse(world, "CreditMemo", memo, TxnDate="2026-03-12",
                                DocNumber="CM-8", Line=[docs.line(item, 95.5, "Two damaged doors"),
                                                        docs.line(item, 10.0)])
    report = await world.sync("daily")
    assert report.failures() == []
    assert "changed_here" in docs.results(report, negative["id"])
    now = docs.get(world, negative["id"])
    assert str(now["total"]) == "-105.50" and str(now["issue_date"]) == "2026-03-12"
    assert now["doc_number"] == "CM-8" and now["status"] == "finalized"
    assert [line["description"] for line in now["lines"]] == ["Two damaged doors",
                                                              "Damaged cabinet"]
    assert all(line["work_code_id"] == made["code"]["id"] for line in now["lines"])
    await docs.quiet(world, "CreditMemo", memo["Id"])          # not echoed back
    assert docs.outbound_ops(world, negative["id"]) == []
    assert (await world.get("CreditMemo", memo["Id"]))["SyncToken"] == changed["SyncToken"]
    assert len(await world.records("CreditMemo")) == 1


async def test_credit_memo_changes_stop_when_credit_memos_are_not_taken_in(
        world: World) -> None:
    made = docs.project(world)
    await world.sync("daily")
    memo, negative = await docs.memo_in_quickbooks(world, made)
    world.settings(invoices={"credit_memo_as_negative_invoice": False})
    item = world.remote_id("work_code", made["code"]["id"])
    await docs.sparse(world, "CreditMemo", memo, Line=[docs.line(item, 60.0)])
    await world.sync("daily")
    assert docs.get(world, negative["id"])["version"] == negative["version"]
    await docs.quiet(world, "CreditMemo", memo["Id"])


async def test_a_credit_memo_voided_in_quickbooks_voids_its_negative_invoice(
        world: World) -> None:
    made = docs.project(world)
    await world.sync("daily")
    memo, negative = await docs.memo_in_quickbooks(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    zero = docs.line(item, 0.0)          # voided in QuickBooks: amounts zeroed, noted Voided
    del zero["SalesItemLineDetail"]["Qty"], zero["SalesItemLineDetail"]["UnitPrice"]
    await docs.sparse(world, "CreditMemo", memo, PrivateNote="Voided", Line=[zero])
    report = await world.sync("daily")
    assert report.failures() == []
    now = docs.get(world, negative["id"])
    assert now["status"] == "void" and str(now["total"]) == "-80.00"
    await docs.quiet(world, "CreditMemo", memo["Id"])
    assert docs.outbound_ops(world, negative["id"]) == []


# credit memos made from a negative invoice here --------------------------------------------
@pytest.mark.parametrize("get_changes", [True, False])
async def test_a_credit_memo_we_sent_changed_in_quickbooks(world: World, get_changes: bool
                                                           ) -> None:
    world.settings(invoices={"get_project_invoice_changes": get_changes})
    made = docs.project(world)
    memo, negative = await docs.memo_from_here(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    changed = await docs.sparse(world, "CreditMemo", memo, TxnDate="2026-03-20",
                            Line=[docs.line(item, 90.0, "Cabinet, partly")])
    report = await world.sync("daily")
    assert report.failures() == []
    now = docs.get(world, negative["id"])
    if get_changes:
        assert str(now["total"]) == "-90.00" and str(now["issue_date"]) == "2026-03-20"
        assert now["lines"][0]["description"] == "Cabinet, partly"
        assert now["memo"] == "As agreed" and now["doc_number"] == "C-1"
    else:
        assert now["version"] == negative["version"] and str(now["total"]) == "-120.00"
    await docs.quiet(world, "CreditMemo", memo["Id"])
    assert docs.outbound_ops(world, negative["id"]) == [("create", 1)]   # never sent back
    assert (await world.get("CreditMemo", memo["Id"]))["SyncToken"] == changed["SyncToken"]


@pytest.mark.parametrize("mapped", [True, False])
async def test_cost_types_stay_on_the_lines_taken_in(world: World, mapped: bool) -> None:
    """A cost type sent as a QuickBooks class (mapped to one, or made as one) is the
    line's cost type again when QuickBooks' lines are taken in."""
    world.settings(invoices={"get_project_invoice_changes": True})
    made = docs.project(world)
    with world.book() as book:
        labor = book.create("cost_type", {"name": "Labor"}).record
        if mapped:
            class_ = (await world.seed({"Class": [{"Name": "Field Labor"}]}))["Class"][0]
            mappings.put(book.conn, world.connection_id, "cost_type_class", labor["id"],
                         class_, "Field Labor")
    memo, negative = await docs.memo_from_here(world, made, labor["id"])
    class_id = memo["Line"][0]["SalesItemLineDetail"]["ClassRef"]["value"]
    item = world.remote_id("work_code", made["code"]["id"])
    await docs.sparse(world, "CreditMemo", memo, Line=[docs.line(item, 90.0, class_=class_id)])
    await world.sync("daily")
    now = docs.get(world, negative["id"])
    assert str(now["total"]) == "-90.00" and now["lines"][0]["cost_type_id"] == labor["id"]
    await docs.quiet(world, "CreditMemo", memo["Id"])


async def test_a_credit_memo_we_sent_changed_on_both_sides(world: World) -> None:
    """QuickBooks' amounts, lines and date are taken; a change made here meanwhile to
    what QuickBooks does not change (the memo) still goes to QuickBooks."""
    world.settings(invoices={"get_project_invoice_changes": True})
    made = docs.project(world)
    memo, negative = await docs.memo_from_here(world, made)
    item = world.remote_id("work_code", made["code"]["id"])
    await docs.sparse(world, "CreditMemo", memo, Line=[docs.line(item, 90.0)])
    docs.update(world, negative, memo="Refund agreed on site")
    report = await world.sync("daily")
    assert report.failures() == []
    now = docs.get(world, negative["id"])
    assert str(now["total"]) == "-90.00" and now["memo"] == "Refund agreed on site"
    there = await world.get("CreditMemo", memo["Id"])
    assert there["TotalAmt"] == 90.0 and "Refund agreed on site" in there["PrivateNote"]
    await docs.quiet(world, "CreditMemo", memo["Id"])


# either kind of credit memo deleted in QuickBooks ---------------------------------------------
async def _credit_memo(world: World, origin: str) -> tuple[Record, Record]:
    """A credit memo in QuickBooks and its negative invoice here: made in QuickBooks and
    taken in (``taken_in``), or made from a negative invoice here (``sent``)."""
    made = docs.project(world)
    if origin == "sent":
        return await docs.memo_from_here(world, made)
    await world.sync("daily")
    return await docs.memo_in_quickbooks(world, made)


@pytest.mark.parametrize("delete", [True, False])
@pytest.mark.parametrize("origin", ["taken_in", "sent"])
async def test_a_credit_memo_deleted_in_quickbooks(world: World, origin: str, delete: bool
                                                   ) -> None:
    """Deleted here too, or kept here and remembered as gone there, as the setting says;
    never made again, and a change made here later says why it does not go."""
    world.settings(invoices={"delete_when_deleted_in_qb": delete})
    memo, negative = await _credit_memo(world, origin)
    await world.qb("CreditMemo", {"Id": memo["Id"], "SyncToken": memo["SyncToken"]},
                   action="delete")
    report = await world.sync("daily")
    assert report.failures() == []
    kept = docs.get(world, negative["id"])
    link = world.link("invoice", negative["id"])
    if delete:
        assert kept["deleted_at"] is not None and link is None
        assert docs.results(report, negative["id"]) == ["deleted"]
    else:
        assert kept["deleted_at"] is None and kept["version"] == negative["version"]
        assert link is not None and link.sent_hash == GONE
        assert docs.results(report, negative["id"]) == ["skipped"]
    await world.sync("daily")
    assert await world.records("CreditMemo") == []          # not made again
    if not delete:                  # changed here later: it says why it does not go
        docs.update(world, negative, memo="Refund")
        report = await world.sync("daily")
        failed = [o for o in report.outcomes if o.record_id == negative["id"]]
        assert [o.result for o in failed] == ["failed"]
        assert "was deleted in QuickBooks and is kept here" in failed[0].message
        assert await world.records("CreditMemo") == []


async def _invoice_deleted_in_quickbooks(world: World) -> tuple[Record, Record]:
    """A project's invoice, sent, then deleted in QuickBooks: (the book's, QuickBooks')."""
    made = docs.project(world)
    await world.sync("daily")
    invoice = made["invoice"]
    first = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    await world.qb("Invoice", {"Id": first["Id"], "SyncToken": first["SyncToken"]},
                   action="delete")
    return invoice, first


async def test_an_invoice_deleted_in_quickbooks_and_kept_here_is_made_again_when_pushed(
        world: World) -> None:
    """Kept here (the default), it is listed as deleted in QuickBooks; a push creates it
    there again, and it is linked to the new copy."""
    invoice, first = await _invoice_deleted_in_quickbooks(world)
    assert docs.results(await world.sync("daily"), invoice["id"]) == ["skipped"]
    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        [listed] = list(unsynced(ctx))
    assert (listed.record_id, listed.reason) == (invoice["id"], "deleted_in_quickbooks")
    assert "invoices.delete_when_deleted_in_qb is off" in listed.message
    pushed = await world.sync("push", push=[("invoice", invoice["id"])])
    assert pushed.failures() == [] and docs.results(pushed, invoice["id"]) == ["created"]
    [again] = await world.records("Invoice")
    assert again["Id"] != first["Id"] and again["DocNumber"] == "1001"
    link = world.link("invoice", invoice["id"])
    assert link is not None and link.remote_id == again["Id"] and link.sent_hash != GONE
    assert [action for action, _ in docs.outbound_ops(world, invoice["id"])] == [
        "create", "recreate"]
    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        assert list(unsynced(ctx)) == []
    report = await world.sync("daily")
    assert report.failures() == [] and docs.results(report, invoice["id"]) == []
    assert len(await world.records("Invoice")) == 1


async def test_a_push_that_meets_a_passing_error_goes_with_the_next_sync(
        world: World) -> None:
    """A document made again by hand that meets a passing error (QuickBooks down for a
    while) stays pending, and the next daily sync sends it as the person asked, though
    the record has not changed since (its link says deleted in QuickBooks)."""
    invoice, first = await _invoice_deleted_in_quickbooks(world)
    await world.sync("daily")
    pushed = await world.push_while_down(("invoice", invoice["id"]))
    assert docs.results(pushed, invoice["id"]) == ["retry_later"]
    assert await world.records("Invoice") == []
    report = await world.sync("daily")
    assert report.failures() == [] and docs.results(report, invoice["id"]) == ["created"]
    [again] = await world.records("Invoice")
    assert again["Id"] != first["Id"] and again["DocNumber"] == "1001"
    link = world.link("invoice", invoice["id"])
    assert link is not None and link.remote_id == again["Id"] and link.sent_hash != GONE
    assert [action for action, _ in docs.outbound_ops(world, invoice["id"])] == [
        "create", "recreate"]
    assert docs.results(await world.sync("daily"), invoice["id"]) == []
    assert len(await world.records("Invoice")) == 1


# a paid invoice opened again -----------------------------------------------------------------
@pytest.mark.parametrize(("created", "then", "reopened"), [
    ("finalized", None, "finalized"), ("finalized", "sent", "sent"), ("sent", None, "sent")])
async def test_a_payment_deleted_in_quickbooks_opens_the_invoice_as_it_was(
        world: World, created: str, then: str | None, reopened: str) -> None:
    world.settings(payments={"delete_when_deleted_in_qb": True})
    made = docs.project(world)
    invoice = docs.invoice(world, made, "1002", ("1", "200.00"), status=created)
    await world.sync("daily")
    if then is not None:
        invoice = docs.update(world, invoice, status=then)
        await world.sync("daily")
    remote = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    payment = await docs.pay_in_quickbooks(world, remote, 200.0)
    await world.sync("daily")
    paid = docs.get(world, invoice["id"])
    assert paid["status"] == "paid" and str(paid["balance"]) == "0.00"
    await world.qb("Payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
                   action="delete")
    report = await world.sync("daily")
    assert report.failures() == []
    back = docs.get(world, invoice["id"])
    assert back["status"] == reopened
    assert str(back["balance"]) == "200.00" and str(back["amount_paid"]) == "0.00"
    await docs.quiet(world, "Invoice", remote["Id"])             # not echoed back
    assert [action for action, _ in docs.outbound_ops(world, invoice["id"])] == ["create"]
    with world.engine.connect() as conn:         # the log says what QuickBooks changed
        logged = conn.execute(select(operations.c.payload).where(
            operations.c.record_id == invoice["id"], operations.c.direction == "inbound"
        ).order_by(operations.c.record_version)).scalars().all()
    assert logged == [{"status": "paid", "was": reopened}, {"status": reopened, "was": "paid"}]


async def test_a_payment_deleted_in_quickbooks_and_kept_here_keeps_paying_until_pushed(
        world: World) -> None:
    """With payments.delete_when_deleted_in_qb off (the default), a payment deleted in
    QuickBooks stays here: the invoice takes QuickBooks' status (open again) while the
    kept payment still pays it here, so the payment says so and is listed under unsynced
    records with what to do; a push creates it in QuickBooks again, which pays the invoice
    there too, and its status follows."""
    made = docs.project(world)
    invoice = docs.invoice(world, made, "1002", ("1", "200.00"))
    await world.sync("daily")
    remote = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    payment = await docs.pay_in_quickbooks(world, remote, 200.0)
    await world.sync("daily")
    assert docs.get(world, invoice["id"])["status"] == "paid"
    await world.qb("Payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
                   action="delete")
    report = await world.sync("daily")
    assert report.failures() == []
    [noted] = [o for o in report.outcomes if o.kind == "payment"]
    assert (noted.result, noted.message) == ("skipped",
                                             "deleted in QuickBooks; kept here (setting)")
    still = docs.get(world, invoice["id"])
    assert (still["status"], str(still["balance"])) == ("finalized", "0.00")
    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        [listed] = list(unsynced(ctx))
    assert (listed.kind, listed.record_id, listed.reason) == (
        "payment", noted.record_id, "deleted_in_quickbooks")
    assert "payments.delete_when_deleted_in_qb is off" in listed.message
    assert "push it" in listed.message
    assert (await world.sync("daily")).outcomes == []           # quiet until pushed
    pushed = await world.sync("push", push=[("payment", noted.record_id)])
    assert pushed.failures() == []
    assert [o.result for o in pushed.outcomes if o.kind == "payment"] == ["created"]
    again = await world.records("Payment")
    assert len(again) == 1 and again[0]["Id"] != payment["Id"]
    assert (await world.get("Invoice", remote["Id"]))["Balance"] == 0
    with sync_service.context(world.engine, world.tenant_id, world.connection_id) as ctx:
        assert list(unsynced(ctx)) == []
    assert (await world.sync("daily")).failures() == []
    assert docs.get(world, invoice["id"])["status"] == "paid"
    assert len(await world.records("Payment")) == 1


async def test_a_change_made_here_still_goes_when_quickbooks_changes_the_invoice(
        world: World) -> None:
    """A payment in QuickBooks changes the invoice there (its balance) while it was
    changed here: taking QuickBooks' change in does not pass the change made here off as
    one QuickBooks has."""
    made = docs.project(world)
    invoice = docs.invoice(world, made, "1002", ("1", "200.00"))
    await world.sync("daily")
    remote = await world.get("Invoice", world.remote_id("invoice", invoice["id"]))
    docs.update(world, invoice, memo="Second visit included")
    await docs.pay_in_quickbooks(world, remote, 50.0)
    report = await world.sync("daily")
    assert report.failures() == []
    assert "updated" in docs.results(report, invoice["id"])
    there = await world.get("Invoice", remote["Id"])
    assert "Second visit included" in there["PrivateNote"] and there["Balance"] == 150.0
    assert str(docs.get(world, invoice["id"])["balance"]) == "150.00"
    await docs.quiet(world, "Invoice", remote["Id"])


async def _sent_payment(world: World, made: Record, **fields: Any) -> tuple[Record, Record]:
    """A payment of the project's invoice made here and sent; it and QuickBooks' copy."""
    with world.book() as book:
        payment = book.create("payment", {
            "customer_id": made["customer"]["id"], "amount": "150.00",
            "payment_date": "2026-03-05", "reference": "CHK-1",
            "applications": [{"invoice_id": made["invoice"]["id"], "amount": "150.00"}],
            **fields}).record
    assert (await world.sync("daily")).failures() == []
    return payment, await world.get("Payment", world.remote_id("payment", payment["id"]))


async def test_a_payment_memo_changed_in_quickbooks_is_taken_in(world: World) -> None:
    """Payments follow QuickBooks field by field: its new note (our marker left out)
    comes in, the rest stays, and nothing goes back."""
    payment, remote = await _sent_payment(world, docs.project(world), memo="Left at the desk")
    note = remote["PrivateNote"].replace("Left at the desk", "Paid in person")
    await world.qb("Payment", {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                               "sparse": True, "PrivateNote": note}, action="update")
    report = await world.sync("daily")
    assert report.failures() == []
    assert "changed_here" in docs.results(report, payment["id"])
    now = docs.get(world, payment["id"], "payment")
    assert now["memo"] == "Paid in person"
    assert (now["reference"], str(now["amount"])) == ("CHK-1", "150.00")
    await docs.quiet(world, "Payment", remote["Id"])


async def test_the_same_payment_field_changed_on_both_sides_keeps_the_change_made_here(
        world: World) -> None:
    """QuickBooks changes the reference and the memo; the book changed the memo too.
    The reference comes in; the memo made here wins and goes to QuickBooks."""
    payment, remote = await _sent_payment(world, docs.project(world), memo="First note")
    with world.book() as book:
        book.update("payment", payment["id"], {"memo": "Our note"})
    await world.qb("Payment", {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                               "sparse": True, "PaymentRefNum": "CHK-9",
                               "PrivateNote": "Their note"}, action="update")
    assert (await world.sync("daily")).failures() == []
    now = docs.get(world, payment["id"], "payment")
    assert (now["reference"], now["memo"]) == ("CHK-9", "Our note")
    there = await world.get("Payment", remote["Id"])
    assert there["PaymentRefNum"] == "CHK-9" and "Our note" in there["PrivateNote"]
    await docs.quiet(world, "Payment", remote["Id"])


async def test_a_change_made_here_still_goes_when_quickbooks_changes_the_payment(
        world: World) -> None:
    """A payment changed on both sides: QuickBooks' change is taken in, and the change
    made here (its memo, which QuickBooks' change did not touch) still goes."""
    made = docs.project(world)
    with world.book() as book:
        payment = book.create("payment", {
            "customer_id": made["customer"]["id"], "amount": "150.00",
            "payment_date": "2026-03-05", "reference": "CHK-1",
            "applications": [{"invoice_id": made["invoice"]["id"], "amount": "150.00"}]}
        ).record
    assert (await world.sync("daily")).failures() == []
    remote = await world.get("Payment", world.remote_id("payment", payment["id"]))
    with world.book() as book:
        book.update("payment", payment["id"], {"memo": "Paid at the door"})
    await world.qb("Payment", {"Id": remote["Id"], "SyncToken": remote["SyncToken"],
                               "sparse": True, "PaymentRefNum": "CHK-1A"}, action="update")
    report = await world.sync("daily")
    assert report.failures() == []
    assert "updated" in docs.results(report, payment["id"])
    there = await world.get("Payment", remote["Id"])
    assert there["PaymentRefNum"] == "CHK-1A"                 # QuickBooks' change kept
    assert "Paid at the door" in there["PrivateNote"]         # ours sent
    assert docs.get(world, payment["id"], "payment")["reference"] == "CHK-1A"
    await docs.quiet(world, "Payment", remote["Id"])


async def _memo_for_a_new_customer(world: World, take_in: bool) -> tuple[Record, Record]:
    """A customer and a credit memo for it, both made in QuickBooks in one change window
    (new customers taken in as ``take_in`` says)."""
    made = docs.project(world)
    world.settings(customers={"get_new": take_in})
    await world.sync("daily")
    item = world.remote_id("work_code", made["code"]["id"])
    customer = await world.qb("Customer", {"DisplayName": "Zephyr Builders"})
    memo = await world.qb("CreditMemo", {
        "CustomerRef": {"value": customer["Id"]}, "DocNumber": "CM-9",
        "TxnDate": "2026-03-09", "Line": [docs.line(item, 40.0)]})
    return customer, memo


async def test_a_credit_memo_for_a_customer_new_in_the_same_window_is_taken_in(
        world: World) -> None:
    """QuickBooks' change feed lists its entities by name (CreditMemo before Customer):
    the customer made in QuickBooks is taken in first, so its credit memo, made in the
    same window, has a customer to go to and is not dropped."""
    _, memo = await _memo_for_a_new_customer(world, take_in=True)
    report = await world.sync("daily")
    assert report.failures() == []
    link = next((link for link in docs.credit_links(world) if link.remote_id == memo["Id"]),
                None)
    assert link is not None
    negative = docs.get(world, link.record_id)
    assert str(negative["total"]) == "-40.00"
    with world.book(write=False) as book:
        assert book.get("customer", negative["customer_id"])["company_name"] == \
            "Zephyr Builders"


async def test_a_credit_memo_for_a_customer_not_taken_in_says_so(world: World) -> None:
    """New customers are not taken in: a credit memo made in QuickBooks for one cannot
    come in, and the run says why instead of dropping it without a word."""
    customer, memo = await _memo_for_a_new_customer(world, take_in=False)
    report = await world.sync("daily")
    said = [(o.result, o.message) for o in report.outcomes
            if o.direction == "inbound" and o.remote_id == memo["Id"]]
    assert said == [("skipped", f"QuickBooks credit memo CM-9 (id {memo['Id']}) is for "
                                f"QuickBooks customer {customer['Id']}, which is not in the "
                                "book: take that customer in (customers.get_new, or link it "
                                "by name), then change the credit memo in QuickBooks to "
                                "bring it here")]
    assert all(link.remote_id != memo["Id"] for link in docs.credit_links(world))


async def test_many_changes_of_a_kind_read_the_book_once(world: World) -> None:
    """QuickBooks changed 250 of our invoices (a daily sync after a big full sync reads
    back what it wrote, with the balances its payments moved): the book's invoices are
    read in one go, not one read each; every change is still taken in."""
    from sqlalchemy import event

    from ledgerbridge.qbo.operations import Operation

    world.settings(invoices={"get_project_invoice_changes": True})
    made = docs.project(world)
    invoices = [docs.invoice(world, made, f"2{n:03d}", ("1", "10.00")) for n in range(250)]
    await world.sync("daily")
    updates = []
    for n, invoice in enumerate(invoices):
        remote_id = world.remote_id("invoice", invoice["id"])
        updates.append(Operation(f"memo{n}", "update", "Invoice", {
            "Id": remote_id, "SyncToken": "0", "sparse": True,
            "PrivateNote": f"Checked by the office {n}"}))
    results = await world.client.apply(updates)
    assert all(result.ok for result in results)
    reads: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        # the engine's reads of invoices (a page of the book); the book's updates of the
        # changed ones read their own rows too, one each, as every write does
        if statement.lstrip().upper().startswith("SELECT") and "FROM invoices" in statement \
                and "LIMIT" in statement.upper():
            reads.append(statement)

    event.listen(world.engine, "before_cursor_execute", note)
    try:
        report = await world.sync("daily")
    finally:
        event.remove(world.engine, "before_cursor_execute", note)
    assert report.failures() == []
    assert len(reads) <= 10, len(reads)
    assert docs.get(world, invoices[7]["id"])["memo"] == "Checked by the office 7"
    assert docs.get(world, invoices[249]["id"])["memo"] == "Checked by the office 249"
