"""QuickBooks changes into the book, as the settings allow. Every book write here has
origin "quickbooks", so the outbound side never echoes it back; a change whose
version the link already has is our own write coming back and is skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from ledgerbridge.engine.context import Context
from ledgerbridge.engine.ledger import RemoteRecord
from ledgerbridge.engine.links import Link
from ledgerbridge.engine.names import normalize
from ledgerbridge.engine.outcomes import RecordOutcome
from ledgerbridge.errors import LedgerbridgeError


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


class Inbound:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.outcomes: list[RecordOutcome] = []
        self.book = ctx.records.book

    def _note(self, kind: str, record_id: str, result: str, message: str = "",
              remote_id: str | None = None) -> None:
        self.outcomes.append(RecordOutcome(kind, record_id, result, message,  # type: ignore[arg-type]
                                           remote_id, None, "inbound"))

    def _relink(self, link: Link, record: RemoteRecord) -> None:
        self.ctx.links.put(Link(link.record_kind, link.record_id, record.kind, record.id,
                                record.version, record.name, link.sent_hash,
                                link.record_version, link.how))

    def _write(self, action: Callable[[], dict[str, Any]], kind: str, remote: RemoteRecord
               ) -> dict[str, Any] | None:
        try:
            return action()
        except LedgerbridgeError as exc:
            self._note(kind, "", "failed", f"{remote.kind} {remote.id} '{remote.name}' could "
                       f"not be taken into the book: {exc.message}", remote.id)
            return None

    def apply(self, records: Iterable[RemoteRecord]) -> list[RecordOutcome]:
        handlers: dict[str, Callable[[RemoteRecord], None]] = {
            "customer": self.customer, "item": self.item, "invoice": self.invoice,
            "credit_memo": self.credit_memo, "payment": self.payment}
        for record in records:
            handler = handlers.get(record.kind)
            if handler is not None:
                handler(record)
        return self.outcomes

    # names ----------------------------------------------------------------------------
    def customer(self, remote: RemoteRecord) -> None:
        link = self.ctx.links.by_remote("customer", remote.id)
        s = self.ctx.settings.customers
        if link is not None:
            if link.remote_version == remote.version:
                return
            if link.record_kind == "customer" and s.get_changes and not remote.deleted:
                done = self._write(lambda: self.book.update(
                    "customer", link.record_id, customer_fields(remote)).record, "customer",
                    remote)
                if done is not None:
                    self._note("customer", link.record_id, "changed_here", "", remote.id)
            self._relink(link, remote)
            return
        if remote.parent_id or remote.deleted or not s.get_new:
            return
        self._import_name("customer", remote, customer_fields(remote), "company_name")

    def item(self, remote: RemoteRecord) -> None:
        link = self.ctx.links.by_remote("item", remote.id)
        if link is not None:
            if link.remote_version == remote.version:
                return
            qty = remote.fields.get("qty_on_hand")
            if link.record_kind == "inventory_part" and qty is not None \
                    and self.ctx.settings.purchasing.update_inventory_counts:
                self._write(lambda: self.book.update("inventory_part", link.record_id, {
                    "quantity_on_hand": str(qty)}).record, "inventory_part", remote)
            self._relink(link, remote)
            return
        if remote.deleted or not self.ctx.settings.items.get_new_items \
                or remote.fields.get("item_type") == "other":
            return
        self._import_name("work_code", remote, item_fields(remote), "name")

    def _import_name(self, kind: str, remote: RemoteRecord, fields: dict[str, Any],
                     title: str) -> None:
        """Link the book record of the same name, or create one."""
        wanted = normalize(remote.name or "")
        for record in self.ctx.records.all(kind):
            if normalize(str(record[title])) == wanted and \
                    self.ctx.links.get(kind, record["id"]) is None:
                self._link(kind, record, remote, "matched")
                self._note(kind, record["id"], "linked", "matched by name", remote.id)
                return
        made = self._write(lambda: self.book.create(kind, fields).record, kind, remote)
        if made is not None:
            self._link(kind, made, remote, "imported")
            self._note(kind, made["id"], "imported", "", remote.id)

    def _link(self, kind: str, record: Mapping[str, Any], remote: RemoteRecord, how: str
              ) -> None:
        self.ctx.links.put(Link(kind, record["id"], remote.kind, remote.id, remote.version,
                                remote.name, None, record["version"], how))

    # transactions ---------------------------------------------------------------------
    def invoice(self, remote: RemoteRecord) -> None:
        link = self.ctx.links.by_remote("invoice", remote.id)
        if link is None:
            return
        if remote.deleted:
            if self.ctx.settings.invoices.delete_when_deleted_in_qb:
                self._write(lambda: self.book.delete("invoice", link.record_id).record,
                            "invoice", remote)
                self.ctx.links.remove("invoice", link.record_id)
                self._note("invoice", link.record_id, "deleted", "deleted in QuickBooks")
            return
        if link.remote_version == remote.version:
            return
        if self.ctx.settings.invoices.get_status:
            self._status_back(link, remote)
        self._relink(link, remote)

    def _status_back(self, link: Link, remote: RemoteRecord) -> None:
        record = self.ctx.records.get("invoice", link.record_id)
        if record is None or record.get("deleted_at"):
            return
        body = remote.fields
        total, balance = body.get("total"), body.get("balance")
        status = record["status"]
        if body.get("voided"):
            status = "void"
        elif balance is not None and float(balance) == 0 and float(total or 0) > 0:
            status = "paid"
        if status != record["status"]:
            done = self._write(lambda: self.book.update("invoice", link.record_id,
                                                        {"status": status}).record,
                               "invoice", remote)
            if done is not None:
                self._note("invoice", link.record_id, "changed_here", f"now {status}",
                           remote.id)

    def credit_memo(self, remote: RemoteRecord) -> None:
        if self.ctx.links.by_remote("credit_memo", remote.id) is not None or remote.deleted:
            return
        if not self.ctx.settings.invoices.credit_memo_as_negative_invoice:
            return
        customer = self._customer_of(remote)
        if customer is None:
            return
        lines = [{"description": line.get("description") or "Credit",
                  "quantity": "-1", "unit_price": _money(line.get("amount") or 0)}
                 for line in remote.fields.get("lines", [])]
        body = {"customer_id": customer, "status": "finalized", "doc_number":
                (remote.name or "")[:21] or None, "issue_date": remote.fields.get("txn_date"),
                "memo": "Credit memo from QuickBooks", "lines": lines}
        made = self._write(lambda: self.book.create("invoice", body).record, "invoice", remote)
        if made is not None:
            self._link("invoice", made, remote, "imported")
            self._note("invoice", made["id"], "imported", "credit memo", remote.id)

    def _customer_of(self, remote: RemoteRecord) -> str | None:
        ref = remote.fields.get("customer_id")
        link = self.ctx.links.by_remote("customer", str(ref)) if ref else None
        if link is None:
            return None
        if link.record_kind == "customer":
            return link.record_id
        record = self.ctx.records.get(link.record_kind, link.record_id)
        return str(record["customer_id"]) if record else None

    def payment(self, remote: RemoteRecord) -> None:
        s = self.ctx.settings.payments
        link = self.ctx.links.by_remote("payment", remote.id)
        if link is not None:
            if remote.deleted and s.delete_when_deleted_in_qb:
                self._write(lambda: self.book.delete("payment", link.record_id).record,
                            "payment", remote)
                self.ctx.links.remove("payment", link.record_id)
                self._note("payment", link.record_id, "deleted", "deleted in QuickBooks")
            elif not remote.deleted and link.remote_version != remote.version:
                if s.get_changes:
                    self._write(lambda: self.book.update(
                        "payment", link.record_id, self._payment_fields(remote)).record,
                        "payment", remote)
                self._relink(link, remote)
            return
        if remote.deleted or not s.get_new:
            return
        customer = self._customer_of(remote)
        if customer is None:
            return
        body = {"customer_id": customer, **self._payment_fields(remote)}
        made = self._write(lambda: self.book.create("payment", body).record, "payment", remote)
        if made is not None:
            self._link("payment", made, remote, "imported")
            self._note("payment", made["id"], "imported", "", remote.id)

    def _payment_fields(self, remote: RemoteRecord) -> dict[str, Any]:
        applications = []
        for applied in remote.fields.get("applied", []):
            invoice = self.ctx.links.by_remote("invoice", str(applied["invoice_id"]))
            if invoice is not None:
                applications.append({"invoice_id": invoice.record_id,
                                     "amount": _money(applied["amount"])})
        return {"amount": _money(remote.fields.get("amount") or 0),
                "payment_date": remote.fields.get("txn_date"),
                "reference": remote.fields.get("reference"),
                "applications": applications}
