"""Conversions between a record's table row and its API shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from ledgerbridge.book.kinds import KINDS, KindSpec
from ledgerbridge.book.schemas import Address
from ledgerbridge.book.triggers import ADDRESS_PARTS, BOOKKEEPING
from ledgerbridge.many_rows import tuple_getter

#: fields computed by the book, shown but never taken from input
COMPUTED = frozenset({"total", "amount_paid", "balance", "unapplied"})
DECIMAL_ITEM_KEYS = frozenset({"quantity", "unit_price", "unit_cost", "amount"})
ADDRESS_KEYS = tuple(part[1:] for part in ADDRESS_PARTS)


def ref_fields(spec: KindSpec) -> set[str]:
    return {f for ref in spec.refs for f in (ref.id_field, ref.external_field)}


def plain_fields(spec: KindSpec) -> tuple[str, ...]:
    """Input fields stored as a column of the same name."""
    return _plain_fields(spec.name)


@cache
def _plain_fields(kind: str) -> tuple[str, ...]:
    spec = KINDS[kind]
    skip = ref_fields(spec) | set(spec.addresses) | {"external_id", spec.items_field}
    return tuple(name for name in spec.model.model_fields if name not in skip)


def flatten_address(prefix: str, address: Mapping[str, Any] | None) -> dict[str, Any]:
    address = address or {}
    return {f"{prefix}_{key}": address.get(key) for key in ADDRESS_KEYS}


def nest_address(prefix: str, row: Mapping[Any, Any]) -> dict[str, Any] | None:
    values = {key: row[column] for key, column in _address_columns(prefix)}
    return values if any(v is not None for v in values.values()) else None


@cache
def _address_columns(prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, f"{prefix}_{key}") for key in ADDRESS_KEYS)


def content_columns(spec: KindSpec) -> tuple[str, ...]:
    return _content_columns(spec.name)


@cache
def _content_columns(kind: str) -> tuple[str, ...]:
    return tuple(c.name for c in KINDS[kind].table.columns if c.name not in BOOKKEEPING)


def to_out(spec: KindSpec, row: Mapping[Any, Any]) -> dict[str, Any]:
    """The API shape of a stored row: its bookkeeping, plain fields and references,
    addresses nested, line items with Decimals, then the computed fields."""
    copied, addresses, items, computed = _shape(spec.name)
    out: dict[str, Any] = {"id": row["id"], "object": spec.name}
    for name in copied:
        out[name] = row[name]
    for prefix in addresses:
        out[prefix] = nest_address(prefix, row)
    if items:
        out[items] = [_item_out(item) for item in row[items]]
    for name in computed:
        out[name] = row[name]
    return out


def to_out_many(spec: KindSpec, columns: tuple[str, ...], found: Sequence[Sequence[Any]]
                ) -> list[dict[str, Any]]:
    """``to_out`` of many rows given as value lists in ``columns`` order (a full sync
    shapes every record of the book: this takes each part of a row by one C call)."""
    plain, computed, addresses, id_at, items_at = _many_shape(spec.name, columns)
    copied, address_prefixes, items, computed_names = _shape(spec.name)
    kind = spec.name
    out = []
    for row in found:
        record: dict[str, Any] = {"id": row[id_at], "object": kind}
        record.update(zip(copied, plain(row), strict=True))
        for prefix, parts in zip(address_prefixes, addresses, strict=True):
            values = dict(zip(ADDRESS_KEYS, parts(row), strict=True))
            record[prefix] = values if any(v is not None for v in values.values()) else None
        if items is not None:  # the driver's rows are this read's own: converted in place
            record[items] = [_decimals(item) for item in row[items_at]]
        if computed_names:
            record.update(zip(computed_names, computed(row), strict=True))
        out.append(record)
    return out


@cache
def _many_shape(kind: str, columns: tuple[str, ...]) -> tuple[
        Callable[[Sequence[Any]], tuple[Any, ...]], Callable[[Sequence[Any]], tuple[Any, ...]],
        tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...], int, int]:
    at = {name: n for n, name in enumerate(columns)}
    copied, addresses, items, computed = _shape(kind)
    return (tuple_getter([at[name] for name in copied]), tuple_getter([at[n] for n in computed]),
            tuple(tuple_getter([at[column] for _, column in _address_columns(prefix)])
                  for prefix in addresses),
            at["id"], at[items] if items else -1)


@cache
def _shape(kind: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...]]:
    """What ``to_out`` copies, nests and converts for a kind, in its output order
    (worked out once: a full sync shapes every record of the book)."""
    spec = KINDS[kind]
    copied = ("external_id", "version", "origin", "created_at", "updated_at", "deleted_at",
              *plain_fields(spec), *(ref.id_field for ref in spec.refs))
    return copied, tuple(spec.addresses), spec.items_field or None, _computed_columns(kind)


@cache
def _computed_columns(kind: str) -> tuple[str, ...]:
    return tuple(name for name in sorted(COMPUTED) if name in KINDS[kind].table.c)


def _item_out(item: Mapping[str, Any]) -> dict[str, Any]:
    return _decimals(dict(item))


def _decimals(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its numeric values as Decimals (changed in place)."""
    for key in DECIMAL_ITEM_KEYS:  # the few numeric keys, not every key of the item
        value = item.get(key)
        if value is not None:
            item[key] = Decimal(value)
    return item


def to_input(spec: KindSpec, row: Mapping[Any, Any]) -> dict[str, Any]:
    """The input that would produce ``row`` (used to apply a partial update)."""
    data: dict[str, Any] = {"external_id": row["external_id"]}
    for name in plain_fields(spec):
        data[name] = row[name]
    for ref in spec.refs:
        data[ref.id_field] = row[ref.id_field]
    for prefix in spec.addresses:
        data[prefix] = nest_address(prefix, row)
    if spec.items_field:
        computed = {"amount"} if spec.price_field else set()  # priced lines compute it
        data[spec.items_field] = [
            {k: v for k, v in item.items() if k not in computed and v is not None}
            for item in row[spec.items_field]
        ]
    return data


assert set(ADDRESS_KEYS) == set(Address.model_fields)
