"""Database triggers that write the change feed.

Every insert, update and delete of a record row writes its change event in the same
statement, inside the database, so no code path (the store, a raw SQL statement, a
migration, a console) can change a record without its event. The event names the
fields that changed, computed by comparing the old and new row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table

#: columns that are bookkeeping, never "fields that changed"
BOOKKEEPING = frozenset(
    {"id", "tenant_id", "version", "origin", "created_at", "updated_at", "deleted_at"}
)
ADDRESS_PARTS = ("_line1", "_line2", "_city", "_state", "_postal_code", "_country")


def field_groups(table: Table) -> dict[str, list[str]]:
    """API field name -> the columns that hold it (an address is one field)."""
    groups: dict[str, list[str]] = {}
    for column in table.columns:
        if column.name in BOOKKEEPING:
            continue
        field = column.name
        for part in ADDRESS_PARTS:
            if field.endswith("address" + part):
                field = field[: -len(part)]
        groups.setdefault(field, []).append(column.name)
    return groups


def _changed_fields_sql(table: Table, differs: str) -> str:
    pieces = []
    for field, columns in field_groups(table).items():
        test = " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)
        pieces.append(f"CASE WHEN {test} THEN '\"{field}\",' ELSE '' END")
    return "'[' || rtrim(" + " || ".join(pieces) + ", ',') || ']'"


def _all_fields_literal(table: Table) -> str:
    return "'[" + ",".join(f'"{f}"' for f in field_groups(table)) + "]'"


_COLUMNS = "tenant_id, kind, record_id, version, op, fields, origin, occurred_at"
_OP = (
    "CASE WHEN NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN 'delete' "
    "WHEN NEW.deleted_at IS NULL AND OLD.deleted_at IS NOT NULL THEN 'restore' "
    "ELSE 'update' END"
)


def _inserts(table: Table, kind: str, differs: str) -> dict[str, str]:
    insert = f"INSERT INTO change_events ({_COLUMNS}) VALUES "
    return {
        "INSERT": insert + f"(NEW.tenant_id, '{kind}', NEW.id, NEW.version, 'create', "
        f"{_all_fields_literal(table)}, NEW.origin, CURRENT_TIMESTAMP)",
        "UPDATE": insert + f"(NEW.tenant_id, '{kind}', NEW.id, NEW.version, {_OP}, "
        f"{_changed_fields_sql(table, differs)}, NEW.origin, CURRENT_TIMESTAMP)",
        "DELETE": insert + f"(OLD.tenant_id, '{kind}', OLD.id, OLD.version + 1, 'purge', "
        "'[]', 'database', CURRENT_TIMESTAMP)",
    }


def create_ddl(dialect: str, table: Table, kind: str) -> list[str]:
    """Statements that install the change-feed triggers of ``table``."""
    name = table.name
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER lb_evt_{name}_{op.lower()} AFTER {op} ON {name} "
            f"FOR EACH ROW BEGIN {sql}; END"
            for op, sql in _inserts(table, kind, "IS NOT").items()
        ]
    if dialect == "postgresql":
        ins = _inserts(table, kind, "IS DISTINCT FROM")
        body = (
            f"IF TG_OP = 'INSERT' THEN {ins['INSERT']}; RETURN NEW; "
            f"ELSIF TG_OP = 'UPDATE' THEN {ins['UPDATE']}; RETURN NEW; "
            f"ELSE {ins['DELETE']}; RETURN OLD; END IF;"
        )
        return [
            f"CREATE OR REPLACE FUNCTION lb_evt_{name}() RETURNS trigger AS $$ BEGIN {body} "
            "END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER lb_evt_{name} AFTER INSERT OR UPDATE OR DELETE ON {name} "
            f"FOR EACH ROW EXECUTE FUNCTION lb_evt_{name}()",
        ]
    raise ValueError(f"no change-feed triggers for the {dialect} dialect")


def drop_ddl(dialect: str, table_names: Iterable[str]) -> list[str]:
    statements: list[str] = []
    for name in table_names:
        if dialect == "sqlite":
            statements += [
                f"DROP TRIGGER IF EXISTS lb_evt_{name}_{op}"
                for op in ("insert", "update", "delete")
            ]
        else:
            statements += [
                f"DROP TRIGGER IF EXISTS lb_evt_{name} ON {name}",
                f"DROP FUNCTION IF EXISTS lb_evt_{name}()",
            ]
    return statements
