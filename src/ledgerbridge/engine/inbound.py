"""QuickBooks changes into the book, as the settings allow. Every book write here has
origin "quickbooks", so the outbound side never echoes it back; a change whose
version the link already has is our own write coming back and is skipped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from ledgerbridge.engine import document_merge, invoice_status, payment_merge
from ledgerbridge.engine.context import Context
from ledgerbridge.engine.fields import build
from ledgerbridge.engine.ledger import RemoteRecord
from ledgerbridge.engine.links import GONE, Link, content_hash
from ledgerbridge.engine.names import normalize
from ledgerbridge.engine.outcomes import RecordOutcome
from ledgerbridge.errors import LedgerbridgeError

T = TypeVar("T")


def customer_fields(record: RemoteRecord) -> dict[str, Any]:
    body = record.fields
    return {"company_name": body.get("company_name") or record.name,
            "email": body.get("email"), "phone": body.get("phone"),
            "billing_address": body.get("billing_address"), "active": record.active}


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01")))


def item_fields(record: RemoteRecord) -> dict[str, Any]:
    body = record.fields
    kind = str(body.get("item_type") or "service")
    return {"name": (record.name or "")[:100], "description": body.get("description"),
            "rate": _money(body.get("unit_price")),
            "item_kind": kind if kind in ("service", "non_inventory", "inventory")
            else "service", "active": record.active}

#: the book kind a QuickBooks document changes (read ahead when many come at once)
BOOK_KIND = {"invoice": "invoice", "credit_memo": "invoice", "payment": "payment"}
#: past this many changes of a kind, one read of all its records beats a read each
READ_ALL_PAST = 200
#: the order QuickBooks records are taken in (stable within a kind)
TAKEN_IN_ORDER = {"customer": 0, "vendor": 0, "item": 0, "invoice": 1, "credit_memo": 1,
                  "payment": 2}


class Inbound:
    def __init__(self, ctx: Context, take_all_names: bool = False) -> None:
        """``take_all_names``: import every QuickBooks customer and vendor whatever the
        settings say (the "import QuickBooks customers and vendors" action)."""
        self.take_all_names = take_all_names
        self.ctx = ctx
        self.outcomes: list[RecordOutcome] = []
        self.book = ctx.records.book
        self.book_names: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def _note(self, kind: str, record_id: str, result: str, message: str = "",
              remote_id: str | None = None) -> None:
        self.outcomes.append(RecordOutcome(kind, record_id, result, message,  # type: ignore[arg-type]
                                           remote_id, None, "inbound"))

    def _relink(self, link: Link, record: RemoteRecord,
                taken: Mapping[str, Any] | None = None, sent: str | None = None) -> None:
        """Keep the link at QuickBooks' new version. ``taken``: the book record as this
        change left it, which QuickBooks now equals (``sent`` None: the next outbound
        pass adopts it without sending; "void": it is void on both sides)."""
        sent_hash, version = link.sent_hash, link.record_version
        if taken is not None:
            sent_hash, version = sent, taken["version"]
        self.ctx.links.put(Link(link.record_kind, link.record_id, record.kind, record.id,
                                record.version, record.name, sent_hash, version, link.how))

    def _write(self, action: Callable[[], dict[str, Any]], kind: str, remote: RemoteRecord
               ) -> dict[str, Any] | None:
        try:
            written = action()
        except LedgerbridgeError as exc:
            self._note(kind, "", "failed", f"{remote.kind} {remote.id} '{remote.name}' could "
                       f"not be taken into the book: {exc.message}", remote.id)
            return None
        self.ctx.records.forget(kind, written["id"])  # the outbound side reads it as now
        return written

    def _unsent_here(self, link: Link, record: Mapping[str, Any]) -> bool:
        """Whether the book record has a change QuickBooks has not got yet (made here
        since it was last sent or taken in)."""
        if record["version"] == link.record_version:
            return False
        if link.sent_hash is None or link.sent_hash in ("void", GONE):
            return True  # changed since it was taken in: what changed is unknown
        built = build(self.ctx, link.record_kind, record)
        return content_hash(built.fields) != link.sent_hash

    def _settle(self, link: Link, remote: RemoteRecord, before: Mapping[str, Any],
                after: Mapping[str, Any], unsent: bool) -> None:
        """Keep the link at QuickBooks' new version after ``remote`` was taken in.
        ``before`` / ``after``: the book record before and after. What this change wrote
        is what QuickBooks has, so it is not sent back; but a change made here that
        QuickBooks has not got (``unsent``) still goes, with what was taken."""
        if after["status"] == "void" and remote.fields.get("voided"):
            self._relink(link, remote, after, "void")  # void on both sides
        elif after["version"] != before["version"] and not unsent:
            self._relink(link, remote, after)
        else:
            self._relink(link, remote)

    def apply(self, records: Iterable[RemoteRecord]) -> list[RecordOutcome]:
        handlers: dict[str, Callable[[RemoteRecord], None]] = {
            "customer": self.customer, "vendor": self.vendor, "item": self.item,
            "invoice": self.invoice, "credit_memo": self.credit_memo, "payment": self.payment}
        # names before the documents that name them, invoices before the payments
        # applied to them (QuickBooks' change feed lists its entities by name:
        # CreditMemo before Customer, Invoice before Item)
        ordered = sorted(records, key=lambda found: TAKEN_IN_ORDER.get(found.kind, 3))
        self._read_ahead(ordered)
        for record in ordered:
            handler = handlers.get(record.kind)
            if handler is not None:
                handler(record)
        return self.outcomes

    def _read_ahead(self, records: Sequence[RemoteRecord]) -> None:
        """Many changes of a kind (a daily sync after a big full sync reads back what it
        wrote): the book's records of that kind in one read, not one read each."""
        wanted = Counter(BOOK_KIND[record.kind] for record in records
                         if record.kind in BOOK_KIND)
        for kind, count in wanted.items():
            if count > READ_ALL_PAST:
                self.ctx.records.all(kind)

    # names ----------------------------------------------------------------------------
    def customer(self, remote: RemoteRecord) -> None:
        link = self.ctx.links.by_remote("customer", remote.id)
        s = self.ctx.settings.customers
        if link is not None:
            if link.remote_version == remote.version:
                return
            done = None
            if link.record_kind == "customer" and s.get_changes and not remote.deleted:
                done = self._write(lambda: self.book.update(
                    "customer", link.record_id, customer_fields(remote)).record, "customer",
                    remote)
                if done is not None:
                    self._note("customer", link.record_id, "changed_here", "", remote.id)
            self._relink(link, remote, done)
            return
        if remote.parent_id or remote.deleted or not (s.get_new or self.take_all_names):
            return
        self._import_name("customer", remote, customer_fields(remote), "company_name")

    def vendor(self, remote: RemoteRecord) -> None:
        """Vendors come in only by the import action (they are created when a purchase
        order or bill needs them otherwise)."""
        if not self.take_all_names or remote.deleted:
            return
        link = self.ctx.links.by_remote("vendor", remote.id)
        if link is not None:
            self._relink(link, remote)
            return
        fields = {**customer_fields(remote)}
        fields["address"] = fields.pop("billing_address", None)
        self._import_name("vendor", remote, fields, "company_name")

    def item(self, remote: RemoteRecord) -> None:
        link = self.ctx.links.by_remote("item", remote.id)
        if link is not None:
            if link.remote_version == remote.version:
                return
            qty = remote.fields.get("qty_on_hand")
            taken = None
            if link.record_kind == "inventory_part" and qty is not None:
                taken = self._write(lambda: self.book.update("inventory_part", link.record_id, {
                    "quantity_on_hand": str(qty)}).record, "inventory_part", remote)
            self._relink(link, remote, taken)  # the count came from QuickBooks: not echoed
            return
        if remote.deleted or not self.ctx.settings.items.get_new_items \
                or remote.fields.get("item_type") == "other":
            return
        self._import_name("work_code", remote, item_fields(remote), "name")

    def _import_name(self, kind: str, remote: RemoteRecord, fields: dict[str, Any],
                     title: str) -> None:
        """Link the book record of the same name (an inactive record's name while active
        counts too), or create one."""
        base = remote.fields.get("base_name")
        names = [normalize(str(n)) for n in (remote.name, base, self._unsuffixed(kind, remote))
                 if n]
        if base:
            fields = {**fields, title: str(base)}
        book_names = self._names(kind, title)
        for wanted in names:
            for record in book_names.get(wanted, []):
                if self.ctx.links.get(kind, record["id"]) is None:
                    self._link(kind, record, remote, "matched")
                    self._note(kind, record["id"], "linked", "matched by name", remote.id)
                    return
        made = self._write(lambda: self.book.create(kind, fields).record, kind, remote)
        if made is not None:
            self._link(kind, made, remote, "imported")
            self._note(kind, made["id"], "imported", "", remote.id)

    def _unsuffixed(self, kind: str, remote: RemoteRecord) -> str | None:
        """The name before the collision rule's suffix ("Acme (C)" -> "Acme"): the book
        record that QuickBooks knows under the suffixed name."""
        wide = self.ctx.settings.connection
        suffix = {"customer": wide.customer_suffix, "vendor": wide.vendor_suffix}.get(kind)
        name = remote.name or ""
        return name[: -len(suffix)].rstrip() if suffix and name.endswith(suffix) else None

    def _names(self, kind: str, title: str) -> dict[str, list[dict[str, Any]]]:
        """The book's records of ``kind`` by normalized name, read once per run."""
        if kind not in self.book_names:
            found: dict[str, list[dict[str, Any]]] = {}
            for record in self.ctx.records.all(kind):
                found.setdefault(normalize(str(record[title])), []).append(record)
            self.book_names[kind] = found
        return self.book_names[kind]

    def _link(self, kind: str, record: Mapping[str, Any], remote: RemoteRecord, how: str
              ) -> None:
        self.ctx.links.put(Link(kind, record["id"], remote.kind, remote.id, remote.version,
                                remote.name, None, record["version"], how))

    # transactions ---------------------------------------------------------------------
    def _document_changed(self, remote: RemoteRecord, take_new: bool,
                          new: Callable[[RemoteRecord], None]
                          ) -> tuple[Link, dict[str, Any]] | None:
        """The link and book invoice a QuickBooks invoice or credit memo's change is to
        be followed into; None when it was handled here (a new one made when
        ``take_new``, a deletion followed) or there is nothing to follow."""
        link = self.ctx.links.by_remote(remote.kind, remote.id)
        if link is None:
            if not remote.deleted and take_new:
                new(remote)
            return None
        if remote.deleted:
            if not self._deleted_here("invoice", link):
                self._deleted_there(link, remote)
            return None
        if link.remote_version == remote.version:
            return None
        record = self.ctx.records.get("invoice", link.record_id)
        if record is None or record.get("deleted_at"):
            self._relink(link, remote)
            return None
        return link, record

    def invoice(self, remote: RemoteRecord) -> None:
        found = self._document_changed(
            remote, self.ctx.settings.invoices.get_new_project_invoices,
            self._new_project_invoice)
        if found is None:
            return
        link, record = found
        unsent = self._unsent_here(link, record)
        after = record
        invoices = self.ctx.settings.invoices
        if record["kind"] == "project" and invoices.get_project_invoice_changes \
                and not remote.fields.get("voided"):
            after = self._merge(link, record, remote) or after
        if invoices.get_status:
            after = self._status_back(after, remote) or after
        self._settle(link, remote, record, after, unsent)

    def _deleted_here(self, kind: str, link: Link) -> bool:
        """Whether the book record of a QuickBooks deletion is deleted here already: the
        deletion is then our own delete seen again (or one made on both sides), no news.
        The link stays as it is: a delete whose answer was lost is sent again and
        settled (QuickBooks answers that it is gone)."""
        if link.sent_hash == "deleted":
            return True
        record = self.ctx.records.get(kind, link.record_id)
        return record is None or record.get("deleted_at") is not None

    def _deleted_there(self, link: Link, remote: RemoteRecord) -> None:
        """An invoice or credit memo deleted in QuickBooks: deleted here too, or kept
        here and remembered as gone there, as invoices.delete_when_deleted_in_qb says
        (kept too when the book refuses to delete it)."""
        if self.ctx.settings.invoices.delete_when_deleted_in_qb \
                and self._delete_here("invoice", link.record_id, remote):
            self.ctx.links.remove("invoice", link.record_id)
            self._note("invoice", link.record_id, "deleted", "deleted in QuickBooks")
        elif link.sent_hash != GONE:  # kept here; remembered as gone there
            self.ctx.links.put(replace(link, sent_hash=GONE))
            self._note("invoice", link.record_id, "skipped",
                       "deleted in QuickBooks; kept here (setting)", remote.id)

    def _delete_here(self, kind: str, record_id: str, remote: RemoteRecord) -> bool:
        """Delete the book record of a QuickBooks record deleted there; False when the
        book refuses (the failure is noted)."""
        record = self.ctx.records.get(kind, record_id)
        if record is None or record.get("deleted_at") is not None:
            return True
        return self._write(lambda: self.book.delete(kind, record_id).record, kind,
                           remote) is not None

    # documents made or changed in QuickBooks ------------------------------------------
    def _party_of(self, remote: RemoteRecord) -> tuple[str, str | None] | None:
        """The book customer (and job) a QuickBooks document is for, by its party's link."""
        ref = remote.fields.get("customer_id")
        link = self.ctx.links.by_remote("customer", str(ref)) if ref else None
        if link is None:
            return None
        if link.record_kind == "customer":
            return link.record_id, None
        record = self.ctx.records.get(link.record_kind, link.record_id)
        if record is None:
            return None
        job = link.record_id if link.record_kind == "job" else record.get("job_id")
        return str(record["customer_id"]), job

    def _new_project_invoice(self, remote: RemoteRecord) -> None:
        party = self._party_of(remote)
        ref = str(remote.fields.get("customer_id"))
        billed = self.ctx.links.by_remote("customer", ref)
        if party is None or billed is None or billed.record_kind != "job" \
                or remote.fields.get("voided"):
            return  # only invoices of a linked job (project) are project invoices
        customer, job = party
        body = {"customer_id": customer, "job_id": job, "kind": "project",
                "status": "finalized", **self._fields_in(remote)}
        self._new_document(body, remote, "project invoice")

    def _fields_in(self, remote: RemoteRecord) -> dict[str, Any]:
        """The book fields of QuickBooks' document ``remote`` (a credit memo's as a
        negative invoice's)."""
        return document_merge.fields_in(self.ctx, remote.kind,
                                        document_merge.source_of(remote))

    def _new_document(self, body: Mapping[str, Any], remote: RemoteRecord, what: str
                      ) -> None:
        """A book invoice made from QuickBooks' new document ``remote``, linked, and
        logged as taken in (the base of the first merge of its changes)."""
        made = self._write(lambda: self.book.create("invoice", body).record, "invoice", remote)
        if made is not None:
            self._link("invoice", made, remote, "imported")
            document_merge.remember(self.ctx, made, remote, document_merge.FIELDS[remote.kind])
            self._note("invoice", made["id"], "imported", what, remote.id)

    def _merge(self, link: Link, record: Mapping[str, Any], remote: RemoteRecord
               ) -> dict[str, Any] | None:
        """Take QuickBooks' changes to the document into its book invoice, field by
        field (``document_merge``), and log what was taken; None when none is taken."""
        fields = document_merge.changes(self.ctx, link, record, remote)
        if not fields:
            return None
        done = self._write(lambda: self.book.update("invoice", record["id"], fields).record,
                           "invoice", remote)
        if done is not None and done["version"] != record["version"]:
            document_merge.remember(self.ctx, done, remote, list(fields))
            self._note("invoice", record["id"], "changed_here", "changed in QuickBooks",
                       remote.id)
        return done

    def _status_back(self, record: Mapping[str, Any], remote: RemoteRecord
                     ) -> dict[str, Any] | None:
        status = invoice_status.status_there(self.ctx, record, remote)
        return None if status == record["status"] else self._status(record, status, remote)

    def _status(self, record: Mapping[str, Any], status: str, remote: RemoteRecord
                ) -> dict[str, Any] | None:
        """Give the invoice the status QuickBooks says, logged with the one it had."""
        done = self._write(lambda: self.book.update("invoice", record["id"],
                                                    {"status": status}).record,
                           "invoice", remote)
        if done is not None:
            invoice_status.remember(self.ctx, done, str(record["status"]), remote)
            self._note("invoice", record["id"], "changed_here", f"now {status}", remote.id)
        return done

    # credit memos: negative invoices here ---------------------------------------------
    def credit_memo(self, remote: RemoteRecord) -> None:
        found = self._document_changed(
            remote, self.ctx.settings.invoices.credit_memo_as_negative_invoice,
            self._new_credit_memo)
        if found is None:
            return
        link, record = found
        unsent = self._unsent_here(link, record)
        after = record
        if remote.fields.get("voided"):
            if self.ctx.settings.invoices.get_status and record["status"] != "void":
                after = self._status(record, "void", remote) or record
        elif self._credit_changes_taken(link, record):
            after = self._merge(link, record, remote) or record
        self._settle(link, remote, record, after, unsent)

    def _credit_changes_taken(self, link: Link, record: Mapping[str, Any]) -> bool:
        """A credit memo taken in from QuickBooks follows it there while credit memos
        are taken in; one made from a negative invoice here takes QuickBooks' changes
        only as project invoices do."""
        invoices = self.ctx.settings.invoices
        if link.how == "imported":
            return invoices.credit_memo_as_negative_invoice
        return record["kind"] == "project" and invoices.get_project_invoice_changes

    def _no_party(self, kind: str, remote: RemoteRecord, label: str) -> None:
        """A document made in QuickBooks for a customer the book does not have: not
        taken in, and said so (it comes in with its next change once the customer
        does)."""
        number = f" {remote.name}" if remote.name else ""
        self._note(kind, "", "skipped", f"QuickBooks {label}{number} (id {remote.id}) is "
                   f"for QuickBooks customer {remote.fields.get('customer_id')}, which is "
                   "not in the book: take that customer in (customers.get_new, or link it "
                   f"by name), then change the {label} in QuickBooks to bring it here",
                   remote.id)

    def _new_credit_memo(self, remote: RemoteRecord) -> None:
        if remote.fields.get("voided"):
            return
        party = self._party_of(remote)
        if party is None:
            self._no_party("invoice", remote, "credit memo")
            return
        body = {"customer_id": party[0], "job_id": party[1], "status": "finalized",
                **self._fields_in(remote)}
        self._new_document(body, remote, "credit memo")

    def payment(self, remote: RemoteRecord) -> None:
        link = self.ctx.links.by_remote("payment", remote.id)
        if link is not None:
            self._payment_changed(link, remote)
            return
        if remote.deleted or not self.ctx.settings.payments.get_new:
            return
        party = self._party_of(remote)
        if party is None:
            self._no_party("payment", remote, "payment")
            return
        body = {"customer_id": party[0], **payment_merge.fields_in(self.ctx, remote.fields)}
        made = self._paying(lambda: self._write(
            lambda: self.book.create("payment", body).record, "payment", remote), body)
        if made is not None:
            self._link("payment", made, remote, "imported")
            payment_merge.remember(self.ctx, made, remote, list(body))
            self._note("payment", made["id"], "imported", "", remote.id)

    def _payment_changed(self, link: Link, remote: RemoteRecord) -> None:
        s = self.ctx.settings.payments
        here = self.ctx.records.get("payment", link.record_id)
        if remote.deleted and self._deleted_here("payment", link):
            return
        if remote.deleted and s.delete_when_deleted_in_qb:
            if self._paying(lambda: self._delete_here("payment", link.record_id, remote),
                            here):
                self.ctx.links.remove("payment", link.record_id)
                self._note("payment", link.record_id, "deleted", "deleted in QuickBooks")
        elif remote.deleted:
            if link.sent_hash != GONE:  # kept here; remembered as gone there
                self.ctx.links.put(replace(link, sent_hash=GONE))
                self._note("payment", link.record_id, "skipped",
                           "deleted in QuickBooks; kept here (setting)", remote.id)
        elif link.remote_version != remote.version:
            # a change made here that QuickBooks has not got still goes (with what is
            # taken now), as for invoices: the link keeps the version last sent
            unsent = here is not None and self._unsent_here(link, here)
            done = None
            fields = payment_merge.changes(self.ctx, link, here, remote) \
                if s.get_changes and here is not None else {}
            if fields:
                done = self._paying(lambda: self._write(lambda: self.book.update(
                    "payment", link.record_id, fields).record, "payment", remote),
                    here, fields)
                if done is not None and here is not None \
                        and done["version"] != here["version"]:
                    payment_merge.remember(self.ctx, done, remote, list(fields))
                    self._note("payment", link.record_id, "changed_here",
                               "changed in QuickBooks", remote.id)
            self._relink(link, remote, None if unsent else done)

    def _paying(self, write: Callable[[], T], *payments: Mapping[str, Any] | None) -> T:
        """``write`` a payment taken from QuickBooks (``payments``: its fields before and
        after), keeping the links of the invoices whose balances it moves at their new
        versions: QuickBooks moved those balances itself, there is nothing to send."""
        invoices = {str(app["invoice_id"]) for payment in payments if payment
                    for app in payment.get("applications") or []}
        before = {}
        for invoice_id in invoices:
            self.ctx.records.forget("invoice", invoice_id)
            found = self.ctx.records.get("invoice", invoice_id)
            if found is not None:
                before[invoice_id] = found["version"]
        done = write()
        for invoice_id, version in before.items():
            self.ctx.records.forget("invoice", invoice_id)
            now = self.ctx.records.get("invoice", invoice_id)
            link = self.ctx.links.get("invoice", invoice_id)
            if link is not None and now is not None \
                    and link.record_version == version != now["version"]:
                self.ctx.links.put(replace(link, record_version=now["version"]))
        return done

