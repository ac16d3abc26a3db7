"""Batch write answers read for a few fields: the same as the whole answer read and then
cut down to those fields; faults whole; anything the slim read cannot vouch for is left
to the ordinary parse. And ``apply(keep=...)`` against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import orjson
from hypothesis import given
from hypothesis import strategies as st

from ledgerbridge.ledgers.qbo.translate import ANSWER_FIELDS
from ledgerbridge.qbo.answers import batch_reader
from ledgerbridge.qbo.operations import Operation

from .conftest import Company, MakeClient, records

KEEP = ("Id", "SyncToken", "DisplayName", "Active", "ParentRef")


def cut(answer: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    """The whole answer, each written entity cut down to ``keep``."""
    items = []
    for item in answer["BatchItemResponse"]:
        items.append({key: value if key in ("bId", "Fault")
                      else {k: v for k, v in value.items() if k in keep}
                      for key, value in item.items()})
    return {"BatchItemResponse": items}


def recorded_writes(shared_dir: Path) -> dict[str, Any]:
    """The recorded batch answer's write items (its query item is no write)."""
    capture = json.loads((shared_dir / "fixtures" / "qbo-captures" / "batch__basic.json")
                         .read_text())
    body = capture["interactions"][0]["response"]["body"]
    return {"BatchItemResponse": [item for item in body["BatchItemResponse"]
                                  if "QueryResponse" not in item], "time": body["time"]}


def test_a_recorded_answer_reads_as_the_whole_one_cut_down(shared_dir: Path) -> None:
    answer = recorded_writes(shared_dir)
    read = batch_reader(ANSWER_FIELDS, ["Vendor", "Invoice", "SalesReceipt"])
    slim = read(orjson.dumps(answer))
    assert slim == cut(answer, ANSWER_FIELDS)
    assert slim is not None
    vendor, *faults = slim["BatchItemResponse"]
    assert vendor["Vendor"] == {"Id": "71", "SyncToken": "0", "Active": True,
                                "DisplayName": "Boraski Family Store"}
    assert [f["Fault"]["Error"][0]["code"] for f in faults] == ["610", "5010"]


def test_what_the_slim_read_cannot_vouch_for_goes_to_the_ordinary_parse(
        shared_dir: Path) -> None:
    read = batch_reader(KEEP, ["Customer"])
    answer = recorded_writes(shared_dir)
    assert read(orjson.dumps(answer)) is None, "a Vendor item in a batch of customers"
    assert read(b'{"Fault": {"Error": [{"code": "500"}]}, "time": "x"}') is None
    assert read(b'{"BatchItemResponse": [{"bId": "0", "Customer": 7}]}') is None
    assert read(b'{"BatchItemResponse": [') is None
    assert read(b"<IntuitResponse/>") is None
    query = {"BatchItemResponse": [{"bId": "0", "QueryResponse": {"Customer": []}}]}
    assert read(orjson.dumps(query)) is None


scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
entities = st.dictionaries(st.sampled_from([*KEEP, "Line", "MetaData", "Balance", "domain"]),
                           values, min_size=1)


@given(st.lists(entities, min_size=1, max_size=5))
def test_any_entities_read_as_the_whole_ones_cut_down(written: list[dict[str, Any]]) -> None:
    answer = {"BatchItemResponse": [{"Customer": entity, "bId": str(n)}
                                    for n, entity in enumerate(written)], "time": "t"}
    read = batch_reader(KEEP, ["Customer", "Vendor"])
    assert read(json.dumps(answer).encode()) == cut(answer, KEEP)


async def test_apply_keeps_the_fields_asked_for(make_client: MakeClient,
                                                admin: httpx.AsyncClient,
                                                company: Company) -> None:
    client = await make_client()
    ops = [Operation(f"op-k-{i}", "create", "Customer", {"DisplayName": f"Kept {i}"})
           for i in range(3)]
    slim = await client.apply(ops, keep=("Id", "SyncToken", "DisplayName"))
    whole = await client.apply([Operation(f"op-w-{i}", "create", "Customer",
                                          {"DisplayName": f"Whole {i}"}) for i in range(3)])
    stored = {row["DisplayName"]: row for row in await records(admin, company.realm,
                                                                "Customer")}
    for result in slim:
        assert result.ok and result.object is not None
        assert set(result.object) == {"Id", "SyncToken", "DisplayName"}
        row = stored[result.object["DisplayName"]]
        assert (result.entity_id, result.sync_token) == (row["Id"], row["SyncToken"])
    for result in whole:
        assert result.object is not None and "MetaData" in result.object
