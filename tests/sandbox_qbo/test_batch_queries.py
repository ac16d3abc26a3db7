"""Queries inside a batch answer as the same queries sent alone: COUNT gives totalCount,
pages page, a bad query is a Fault in its own item (HTTP 200, as QuickBooks does, see
``batch__basic.json``), and a batch of queries is one call and one batch call."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Company

ALL = "WHERE Active IN (true, false)"


async def seed_customers(company: Company, count: int) -> None:
    response = await company.http.post(
        f"/sandbox/companies/{company.realm}/seed",
        json={"Customer": [{"DisplayName": f"C{i:03d}", "Active": i % 4 != 0}
                           for i in range(count)]})
    assert response.status_code == 200, response.text


async def batch(company: Company, *queries: str) -> list[dict[str, Any]]:
    body = {"BatchItemRequest": [{"bId": f"q{i}", "Query": q} for i, q in enumerate(queries)]}
    response = await company.post("batch", body)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["BatchItemResponse"]
    assert [item["bId"] for item in items] == [f"q{i}" for i in range(len(queries))]
    return items


async def alone(company: Company, text: str) -> tuple[int, dict[str, Any]]:
    response = await company.query(text)
    body: dict[str, Any] = response.json()
    return response.status_code, body


@pytest.mark.parametrize("clause", ["", f" {ALL}", " WHERE Active = false"])
async def test_count_in_a_batch_gives_total_count_as_alone(company: Company,
                                                           clause: str) -> None:
    await seed_customers(company, 30)
    text = f"SELECT COUNT(*) FROM Customer{clause}"
    [item] = await batch(company, text)
    _, single = await alone(company, text)
    assert item["QueryResponse"] == single["QueryResponse"]
    assert item["QueryResponse"]["totalCount"] == {"": 22, f" {ALL}": 30,
                                                   " WHERE Active = false": 8}[clause]


async def test_pages_in_a_batch_are_the_pages_alone(company: Company) -> None:
    await seed_customers(company, 30)
    pages = [f"SELECT * FROM Customer {ALL} ORDERBY Id STARTPOSITION {start} MAXRESULTS 12"
             for start in (1, 13, 25, 37)]
    items = await batch(company, *pages)
    for item, text in zip(items, pages, strict=True):
        assert item["QueryResponse"] == (await alone(company, text))[1]["QueryResponse"]
    assert [len(item["QueryResponse"].get("Customer", [])) for item in items] == [12, 12, 6, 0]


@pytest.mark.parametrize(("text", "code"), [("SELECT * FRM Customer", "4000"),
                                            ("SELECT * FROM Nowhere", "4001"),
                                            ("SELECT * FROM Customer WHERE Nope = '1'", "4001")])
async def test_a_bad_query_is_a_fault_in_its_own_item(company: Company, text: str,
                                                      code: str) -> None:
    await seed_customers(company, 3)
    before, bad, after = await batch(company, f"SELECT COUNT(*) FROM Customer {ALL}", text,
                                     f"SELECT * FROM Customer {ALL}")
    assert before["QueryResponse"]["totalCount"] == 3
    assert len(after["QueryResponse"]["Customer"]) == 3
    assert "QueryResponse" not in bad
    status, single = await alone(company, text)
    assert status == 400
    [error] = bad["Fault"]["Error"]
    [single_error] = single["Fault"]["Error"]
    assert error["code"] == single_error["code"] == code
    assert (error["Message"], error["Detail"]) == (single_error["Message"],
                                                   single_error["Detail"])
    assert bad["Fault"]["type"] == "ValidationFault"


async def test_a_batch_of_queries_is_one_call_and_one_batch_call(company: Company) -> None:
    body = {"BatchItemRequest": [{"bId": str(i), "Query": "SELECT * FROM Customer"}
                                 for i in range(30)]}
    for _ in range(40):
        assert (await company.post("batch", body)).status_code == 200
    assert (await company.post("batch", body)).status_code == 429  # 40 batch calls
    for _ in range(460):  # the 40 batches were 40 of the minute's 500 calls, not 1200
        assert (await company.get("preferences")).status_code == 200
    assert (await company.get("preferences")).status_code == 429
    stats = (await company.http.get("/sandbox/stats")).json()
    assert stats["calls"][company.realm]["batch"] == 41
