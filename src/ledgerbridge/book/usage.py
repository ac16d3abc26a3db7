"""Which live records still refer to a record (so deleting it must be refused)."""

from __future__ import annotations

from sqlalchemy import Connection, Text, select, type_coerce

from ledgerbridge.book.kinds import KindSpec, referrers

#: how many referring ids an error message names before "and N more"
NAMED = 3


def users_of(conn: Connection, tenant_id: str, target: str, record_id: str
             ) -> dict[str, list[str]]:
    """kind -> ids of live records that refer to ``record_id`` (a ``target`` record)."""
    found: dict[str, list[str]] = {}
    for spec, ref, in_items in referrers(target):
        table = spec.table
        live = (table.c.tenant_id == tenant_id) & table.c.deleted_at.is_(None)
        if not in_items:
            ids = conn.execute(
                select(table.c.id).where(live, table.c[ref.id_field] == record_id)
            ).scalars().all()
        else:
            assert spec.items_field is not None
            column = table.c[spec.items_field]
            as_text = type_coerce(column, Text)  # match the stored JSON text itself
            candidates = conn.execute(
                select(table.c.id, column).where(live, as_text.contains(f'"{record_id}"'))
            ).all()
            ids = [rid for rid, items in candidates
                   if any(item.get(ref.id_field) == record_id for item in items)]
        if ids:
            found.setdefault(spec.name, [])
            found[spec.name] += [i for i in ids if i not in found[spec.name]]
    return found


def describe(spec: KindSpec, record_id: str, users: dict[str, list[str]]) -> str:
    from ledgerbridge.book.kinds import KINDS

    parts = []
    for kind_name, ids in users.items():
        label = KINDS[kind_name].label
        named = ", ".join(ids[:NAMED]) + (f" and {len(ids) - NAMED} more" if len(ids) > NAMED
                                          else "")
        parts.append(f"{len(ids)} {label}{'s' if len(ids) != 1 else ''} ({named})")
    return (f"{spec.label} '{record_id}' is still used by {' and '.join(parts)}; delete or "
            "change those first" + (", or set active to false to retire it"
                                    if "active" in spec.model.model_fields else ""))
