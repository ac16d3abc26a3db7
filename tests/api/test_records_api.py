"""Every record kind through the REST API on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from ledgerbridge import tenants
from ledgerbridge.book.kinds import KINDS
from support.api import api_client
from support.books import SAMPLE_BODIES

PLURAL = {name: spec.plural for name, spec in KINDS.items()}
#: a field to change per kind, and its new value
CHANGE = {
    "customer": ("phone", "555-0100"), "location": ("name", "Dock 2"),
    "job": ("status", "completed"), "service_ticket": ("status", "scheduled"),
    "work_code": ("rate", "99.50"), "cost_code": ("name", "Labour"),
    "cost_type": ("name", "Material"), "vendor": ("email", "ap@cascade.test"),
    "inventory_part": ("quantity_on_hand", "11.5000"), "invoice": ("memo", "Thanks"),
    "payment": ("reference", "CHK 1042"), "purchase_order": ("memo", "Rush"),
    "bill": ("memo", "Net 30"),
}


async def _load(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    made = {}
    for kind, body in SAMPLE_BODIES:
        response = await client.post(f"/v1/{PLURAL[kind]}", json=body)
        assert response.status_code == 201, response.text
        made[kind] = response.json()
    return made


async def test_every_kind_round_trips(client: httpx.AsyncClient) -> None:
    made = await _load(client)
    for kind, record in made.items():
        path = f"/v1/{PLURAL[kind]}"
        read = (await client.get(f"{path}/{record['id']}")).json()
        assert read["object"] == kind and read["external_id"] == record["external_id"]
        field, value = CHANGE[kind]
        patched = await client.patch(f"{path}/{record['id']}", json={field: value},
                                     headers={"If-Match": str(read["version"])})
        assert patched.status_code == 200, patched.text
        assert patched.json()[field] == value
        assert patched.json()["version"] == read["version"] + 1
        listed = (await client.get(path, params={"external_id": record["external_id"]})).json()
        assert [item["id"] for item in listed["items"]] == [record["id"]]
        by_external = await client.get(f"{path}/by-external-id/{record['external_id']}")
        assert by_external.json() == patched.json()


async def test_money_travels_as_exact_strings(client: httpx.AsyncClient) -> None:
    made = await _load(client)
    invoice = made["invoice"]
    assert invoice["total"] == "235.00" and invoice["lines"][0]["amount"] == "190.00"
    assert invoice["lines"][0]["quantity"] == "2.0000"
    read = (await client.get(f"/v1/invoices/{invoice['id']}")).json()
    assert read["balance"] == "135.00" and read["amount_paid"] == "100.00"


async def test_upsert_twice_is_one_record(client: httpx.AsyncClient) -> None:
    body = {"company_name": "O'Brien Family Dental", "email": "front@obrien.test"}
    first = await client.put("/v1/customers/by-external-id/OB-1", json=body)
    second = await client.put("/v1/customers/by-external-id/OB-1", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.headers["X-Outcome"] == "unchanged"
    assert second.json()["id"] == first.json()["id"] and second.json()["version"] == 1
    listed = (await client.get("/v1/customers", params={"external_id": "OB-1"})).json()
    assert len(listed["items"]) == 1


BAD_INPUT = [
    ("customer", {"company_name": ""}, "company_name", "must not be empty"),
    ("location", {"customer_external_id": "C1", "name": "x",
                  "address": {"postal_code": "9" * 31}},
     "address.postal_code", "must be at most 30 characters (it has 31)"),
    ("job", {"customer_external_id": "C1", "name": "j", "status": "done"}, "status",
     "must be one of"),
    ("service_ticket", {"customer_external_id": "C1", "location_external_id": "L1",
                        "number": "T-9", "scheduled_date": "tomorrow"},
     "scheduled_date", "must be a date (YYYY-MM-DD)"),
    ("work_code", {"name": "Labor 2", "rate": "12.345"}, "rate",
     "must have at most 2 decimal places"),
    ("cost_code", {"name": "x" * 101}, "name", "must be at most 100 characters"),
    ("cost_type", {"name": "Other", "active": "maybe"}, "active", "must be true or false"),
    ("vendor", {"company_name": "V2", "colour": "red"}, "colour", "is not a known field"),
    ("inventory_part", {"name": "Fuse", "quantity_on_hand": "lots"}, "quantity_on_hand",
     "must be a number"),
    ("invoice", {"customer_external_id": "C1", "lines": [
        {"description": "a", "unit_price": "1"}, {"description": "b", "unit_price": "1"},
        {"description": "c", "quantity": "three", "unit_price": "1"}]},
     "lines[2].quantity", "must be a number"),
    ("payment", {"customer_external_id": "C1", "payment_date": "2026-01-01"}, "amount",
     "is required"),
    ("purchase_order", {"vendor_external_id": "V1", "lines": [
        {"inventory_part_external_id": "NOPE", "unit_cost": "1"}]},
     "lines[0].inventory_part_external_id", "no inventory part has external_id 'NOPE'"),
    ("bill", {"vendor_external_id": "V1", "status": "paid"}, "status", "must be one of"),
]


@pytest.mark.parametrize(("kind", "body", "path", "words"), BAD_INPUT,
                         ids=[case[0] for case in BAD_INPUT])
async def test_bad_input_names_the_field(
    client: httpx.AsyncClient, kind: str, body: dict[str, Any], path: str, words: str
) -> None:
    await _load(client)
    before = (await client.get(f"/v1/{PLURAL[kind]}")).json()["items"]
    response = await client.post(f"/v1/{PLURAL[kind]}", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    found = {p["path"]: p["message"] for p in error["problems"]}
    assert path in found and words in found[path], found
    assert f"{path}: {found[path]}" in error["message"]
    assert (await client.get(f"/v1/{PLURAL[kind]}")).json()["items"] == before


def test_bad_input_covers_every_kind() -> None:
    assert {case[0] for case in BAD_INPUT} == set(KINDS)


async def test_unauthenticated_and_unknown_keys_are_refused(engine: Engine) -> None:
    for key in (None, "lb_nope_nope", "not-a-key"):
        async with api_client(engine, key) as anonymous:
            response = await anonymous.get("/v1/customers")
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"]["type"] == "unauthorized"


async def test_revoked_keys_stop_working(engine: Engine, tenant_id: str) -> None:
    with engine.begin() as conn:
        key = tenants.issue_api_key(conn, tenant_id)
    async with api_client(engine, key) as client:
        assert (await client.get("/v1/customers")).status_code == 200
        with engine.begin() as conn:
            tenants.revoke_api_key(conn, key.split("_")[1])
        assert (await client.get("/v1/customers")).status_code == 401


async def test_tenants_see_only_their_own(engine: Engine, client: httpx.AsyncClient) -> None:
    made = await _load(client)
    with engine.begin() as conn:
        other = tenants.create_tenant(conn, f"other-{made['customer']['id']}")
        other_key = tenants.issue_api_key(conn, other.id)
    async with api_client(engine, other_key) as stranger:
        assert (await stranger.get(f"/v1/customers/{made['customer']['id']}")).status_code == 404
        assert (await stranger.get("/v1/customers")).json()["items"] == []
        patch = await stranger.patch(f"/v1/customers/{made['customer']['id']}",
                                     json={"phone": "1"})
        assert patch.status_code == 404
        assert (await stranger.get("/v1/changes")).json()["items"] == []


async def test_delete_in_use_is_409_with_the_reason(client: httpx.AsyncClient) -> None:
    made = await _load(client)
    response = await client.delete(f"/v1/customers/{made['customer']['id']}")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["type"] == "conflict" and "still used by" in error["message"]
    assert made["job"]["id"] in error["used_by"]["job"]
    gone = await client.delete(f"/v1/bills/{made['bill']['id']}")
    assert gone.status_code == 200 and gone.json()["deleted_at"] is not None
    assert (await client.get(f"/v1/bills/{made['bill']['id']}")).status_code == 404


async def test_stale_if_match_is_409(client: httpx.AsyncClient) -> None:
    created = (await client.post("/v1/vendors", json={"company_name": "Acme"})).json()
    response = await client.patch(f"/v1/vendors/{created['id']}", json={"phone": "1"},
                                  headers={"If-Match": "7"})
    assert response.status_code == 409 and "version 1" in response.json()["error"]["message"]


async def test_cursor_pages_and_filters(client: httpx.AsyncClient) -> None:
    for n in range(7):
        await client.post("/v1/cost_types", json={"name": f"Type {n}"})
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"after": cursor} if cursor else {})
        page = (await client.get("/v1/cost_types", params=params)).json()
        seen += [item["name"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert sorted(seen) == [f"Type {n}" for n in range(7)]
    wrong = await client.get("/v1/cost_types", params={"customer_id": "x"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["problems"][0]["path"] == "customer_id"
    bad_status = await client.get("/v1/jobs", params={"status": "nonsense"})
    assert bad_status.status_code == 422


async def test_bulk_upserts_reports_and_keeps_the_rest(client: httpx.AsyncClient) -> None:
    records = [{"object": kind, **body} for kind, body in SAMPLE_BODIES]
    records.insert(3, {"object": "job", "customer_external_id": "MISSING", "name": "x"})
    records.append({"object": "widget"})
    response = await client.post("/v1/bulk", json={"records": records})
    assert response.status_code == 200
    result = response.json()
    assert result["counts"] == {"created": 13, "updated": 0, "unchanged": 0, "rejected": 2}
    rejected = [r for r in result["results"] if r["status"] == "rejected"]
    assert [r["index"] for r in rejected] == [3, 14]
    assert rejected[0]["problems"][0]["path"] == "customer_external_id"
    again = (await client.post("/v1/bulk", json={"records": records[:3]})).json()
    assert again["counts"]["unchanged"] == 3
    too_many = await client.post("/v1/bulk", json={"records": [{}] * 1001})
    assert too_many.status_code == 422
    assert too_many.json()["error"]["problems"][0]["path"] == "records"


async def test_bad_json_and_wrong_types_are_422(client: httpx.AsyncClient) -> None:
    broken = await client.post("/v1/customers", content=b"{oops",
                               headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert "not valid JSON" in broken.json()["error"]["message"]
    listed = await client.post("/v1/customers", json=["not", "an", "object"])
    assert listed.status_code == 422


async def test_change_feed_over_the_api(client: httpx.AsyncClient) -> None:
    await _load(client)
    first = (await client.get("/v1/changes", params={"limit": 5})).json()
    rest = (await client.get("/v1/changes", params={"after": first["next_after"]})).json()
    kinds = [e["kind"] for e in first["items"] + rest["items"]]
    assert kinds[:5] == ["customer", "location", "job", "service_ticket", "work_code"]
    assert len(kinds) == len(SAMPLE_BODIES) + 1  # the payment also moved an invoice


async def test_openapi_documents_every_kind(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for plural in PLURAL.values():
        assert f"/v1/{plural}" in spec["paths"]
        assert f"/v1/{plural}/by-external-id/{{external_id}}" in spec["paths"]
    assert "/v1/bulk" in spec["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
