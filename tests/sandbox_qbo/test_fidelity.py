"""Replays the requests recorded against Intuit's QuickBooks Online sandbox
(``../shared/fixtures/qbo-captures``) and compares the sandbox's answers with the recorded
ones: status, Content-Type, the set of keys and the JSON type of values at every level,
list lengths, counts and paging numbers, Fault codes, Messages and the fixed part of each
Detail (ids, times, names and amounts may differ).

The company is seeded (admin API, ``mode=raw``) with the records the recordings show in
their read answers, as an existing QuickBooks company would hold them; a scenario's own
reads win over other files', and a record a scenario creates is left out of its seed.

Paths the recorder cut short (``/v3/customer``) get their ``/company/{realm}`` back.
Two recordings are adjusted, each for a stated reason:
- ``cdc__basic.json`` asked for changes since 2011, more than the 30 days QuickBooks allows
  today; its records are seeded as changed now and changedSince is set to a day ago.
- ``error__401.json`` used an expired token; the clock is moved past the token's hour.

All 24 files are covered; none is left out.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

from ledgerbridge.sandbox.qbo import ManualClock
from ledgerbridge.sandbox.qbo.clock import COMPANY_TZ

from .conftest import CAPTURES, captures_dir, new_company

JSON = dict[str, Any]
FILES = sorted(p.name for p in CAPTURES.glob("*.json")) if CAPTURES.is_dir() else []
EXACT_VALUES = ("totalCount", "startPosition", "maxResults", "status", "code", "Message",
                "message", "type")
SCENARIO_COMPANY = {"tax_agency": "California",
                    "preferences": {"sales_custom_fields": ["Crew #"]}}


def service_item(ref: JSON) -> JSON:
    """A Service item for an ItemRef the recordings use but never read."""
    return {"Id": ref["value"], "Name": ref.get("name", f"Item {ref['value']}"), "Active": True,
            "FullyQualifiedName": ref.get("name", ""), "Taxable": False, "UnitPrice": 0,
            "Type": "Service", "IncomeAccountRef": {"value": "1", "name": "Services"}}


def _item_refs(value: Any) -> list[JSON]:
    if isinstance(value, dict):
        own = [value["ItemRef"]] if isinstance(value.get("ItemRef"), dict) else []
        return own + [ref for v in value.values() for ref in _item_refs(v)]
    if isinstance(value, list):
        return [ref for v in value for ref in _item_refs(v)]
    return []


def load(name: str) -> JSON:
    data: JSON = json.loads((captures_dir() / name).read_text(encoding="utf-8"))
    return data


def _records_in(body: Any) -> list[tuple[str, JSON]]:
    """(entity, record) pairs in a read answer: single reads, queries, CDC."""
    found: list[tuple[str, JSON]] = []
    if not isinstance(body, dict):
        return found
    for key, value in body.items():
        if key == "QueryResponse" and isinstance(value, dict):
            found += [(k, r) for k, v in value.items() if isinstance(v, list) for r in v]
        elif key == "CDCResponse":
            for block in value:
                for response in block.get("QueryResponse", []):
                    found += [(k, r) for k, v in response.items() if isinstance(v, list)
                              for r in v]
        elif key[:1].isupper() and isinstance(value, dict) and "Id" in value:
            found.append((key, value))
    return [(e, r) for e, r in found if "status" not in r]


def _reads(data: JSON) -> list[tuple[str, JSON]]:
    out: list[tuple[str, JSON]] = []
    for interaction in data["interactions"]:
        if interaction["request"]["method"] == "GET" and interaction["response"]["status"] == 200:
            out += _records_in(interaction["response"]["body"])
    return out


def sample_company(scenario: str) -> dict[str, dict[str, JSON]]:
    """Records seen in every recording's reads; this scenario's own reads win."""
    records: dict[str, dict[str, JSON]] = {}
    for name in FILES:
        if name != scenario:
            for entity, record in _reads(load(name)):
                records.setdefault(entity, {})[record["Id"]] = record
    own: set[tuple[str, str]] = set()
    for entity, record in _reads(load(scenario)):
        if (entity, record["Id"]) not in own:
            records.setdefault(entity, {})[record["Id"]] = record
            own.add((entity, record["Id"]))
    _drop_created(records, load(scenario))
    items = records.setdefault("Item", {})
    for ref in _item_refs([load(name)["interactions"] for name in FILES]):
        items.setdefault(ref["value"], service_item(ref))
    return records


def _created_names(data: JSON) -> set[str]:
    names: set[str] = set()
    for interaction in data["interactions"]:
        body = interaction["request"].get("body")
        items = body.get("BatchItemRequest", [body]) if isinstance(body, dict) else []
        for item in items:
            inner = next((v for v in item.values() if isinstance(v, dict)), item)
            if isinstance(inner, dict) and "Id" not in inner and inner.get("DisplayName"):
                names.add(str(inner["DisplayName"]).casefold())
    return names


def _drop_created(records: dict[str, dict[str, JSON]], data: JSON) -> None:
    if data["interactions"][0]["response"]["status"] == 400:
        return  # a failing create: the name must exist
    names = _created_names(data)
    for table in records.values():
        for record_id in [i for i, r in table.items()
                          if str(r.get("DisplayName", "")).casefold() in names]:
            del table[record_id]


def local_path(path: str, realm: str) -> str:
    path = path.replace("-COMPANY_ID-", realm)
    if path.startswith("/v3/") and not path.startswith("/v3/company/"):
        path = f"/v3/company/{realm}/" + path[len("/v3/"):]
    return path


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_type(recorded: Any, actual: Any) -> bool:
    if _number(recorded):
        return _number(actual)
    return type(recorded) is type(actual)


def _fixed_part(detail: str) -> str:
    return detail.split(":", 1)[0] if ":" in detail else detail


def shape_diff(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """Differences in keys, value types, list lengths, exact fields and Fault details."""
    if not _same_type(recorded, actual):
        return [f"{where}: {type(recorded).__name__} recorded, {type(actual).__name__} here"]
    if isinstance(recorded, dict):
        return _dict_diff(recorded, actual, where)
    if isinstance(recorded, list):
        return _list_diff(recorded, actual, where)
    return []


def _dict_diff(recorded: JSON, actual: JSON, where: str) -> list[str]:
    diffs = []
    if set(recorded) != set(actual):
        diffs.append(f"{where}: keys missing {sorted(set(recorded) - set(actual))}, "
                     f"extra {sorted(set(actual) - set(recorded))}")
    for key in set(recorded) & set(actual):
        if key in EXACT_VALUES and not isinstance(recorded[key], dict | list):
            if recorded[key] != actual[key]:
                diffs.append(f"{where}.{key}: {recorded[key]!r} recorded, {actual[key]!r} here")
        elif key in ("Detail", "detail") and isinstance(recorded[key], str):
            if _fixed_part(recorded[key]) != _fixed_part(str(actual[key])):
                diffs.append(f"{where}.{key}: {recorded[key]!r} recorded, {actual[key]!r}")
        else:
            diffs += shape_diff(recorded[key], actual[key], f"{where}.{key}")
    return diffs


def _list_diff(recorded: list[Any], actual: list[Any], where: str) -> list[str]:
    if len(recorded) != len(actual):
        return [f"{where}: {len(recorded)} items recorded, {len(actual)} here"]
    if recorded and all(isinstance(r, dict) and "Id" in r for r in recorded + actual):
        mine = {a["Id"]: a for a in actual}
        if set(mine) != {r["Id"] for r in recorded}:
            return [f"{where}: ids {sorted(r['Id'] for r in recorded)} recorded, "
                    f"{sorted(mine)} here"]
        pairs = [(r, mine[r["Id"]]) for r in recorded]
    else:
        pairs = list(zip(recorded, actual, strict=True))
    diffs: list[str] = []
    for index, (r, a) in enumerate(pairs):
        diffs += shape_diff(r, a, f"{where}[{index}]")
    return diffs


async def _prepare(http: httpx.AsyncClient, scenario: str, clock: ManualClock) -> Any:
    company = await new_company(http, **SCENARIO_COMPANY)
    records = sample_company(scenario)
    if scenario == "cdc__basic.json":
        records = {e: {i: _changed_now(r, clock) for i, r in t.items()}
                   for e, t in records.items()}
    seeded = await http.post(f"/sandbox/companies/{company.realm}/seed",
                             json={e: list(t.values()) for e, t in records.items()})
    assert seeded.status_code == 200, seeded.text
    if scenario == "error__401.json":
        clock.advance(3601)
    return company


def _changed_now(record: JSON, clock: ManualClock) -> JSON:
    stamp = datetime.fromtimestamp(clock.now(), COMPANY_TZ).isoformat(timespec="seconds")
    return {**record, "MetaData": {**record.get("MetaData", {}), "LastUpdatedTime": stamp}}


def _request(request: JSON, realm: str, clock: ManualClock) -> tuple[str, str, list[Any]]:
    parts = urlsplit(request["path"])
    params = parse_qsl(parts.query, keep_blank_values=True)
    if "changedSince" in dict(params):
        since = datetime.fromtimestamp(clock.now(), COMPANY_TZ) - timedelta(days=1)
        params = [(k, since.isoformat(timespec="seconds") if k == "changedSince" else v)
                  for k, v in params]
    return request["method"], local_path(parts.path, realm), params


async def replay(http: httpx.AsyncClient, scenario: str, clock: ManualClock) -> list[str]:
    company = await _prepare(http, scenario, clock)
    problems: list[str] = []
    for number, interaction in enumerate(load(scenario)["interactions"]):
        method, path, params = _request(interaction["request"], company.realm, clock)
        body = interaction["request"].get("body")
        query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params)
        response = await http.request(method, path + ("?" + query if query else ""),
                                      headers=company.headers,
                                      json=body if body is not None else None)
        problems += _compare(number, interaction["response"], response)
    return problems


def _compare(number: int, recorded: JSON, response: httpx.Response) -> list[str]:
    where = f"interaction {number}"
    if recorded["status"] != response.status_code:
        return [f"{where}: status {recorded['status']} recorded, {response.status_code} here: "
                f"{response.text[:300]}"]
    problems = []
    wanted_type = recorded.get("headers", {}).get("Content-Type", "").replace(" ", "")
    if wanted_type and wanted_type != response.headers["content-type"].replace(" ", ""):
        problems.append(f"{where}: Content-Type {wanted_type} recorded, "
                        f"{response.headers['content-type']} here")
    challenge = recorded.get("headers", {}).get("Www-Authenticate")
    if challenge and response.headers.get("www-authenticate") != challenge:
        problems.append(f"{where}: WWW-Authenticate differs")
    return problems + [f"{where}: {d}" for d in shape_diff(recorded["body"], response.json())]


def test_every_recording_is_replayed() -> None:
    """The module covers all 24 files (the issue asks for at least 20)."""
    captures_dir()
    assert len(FILES) == 24


@pytest.mark.parametrize("scenario", FILES)
async def test_recorded_scenario(http: httpx.AsyncClient, clock: ManualClock,
                                 scenario: str) -> None:
    problems = await replay(http, scenario, clock)
    assert not problems, "\n".join(problems)
