"""The query endpoint: grammar, filters, paging, order, errors."""

from __future__ import annotations

import pytest

from ledgerbridge.sandbox.qbo import ManualClock

from .conftest import Company


async def names(company: Company, text: str) -> list[str]:
    response = await company.query(text)
    assert response.status_code == 200, response.text
    body = response.json()["QueryResponse"]
    return [r.get("DisplayName") or r.get("Name") for r in next(
        (v for v in body.values() if isinstance(v, list)), [])]


@pytest.fixture
async def people(company: Company) -> Company:
    for name in ("Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars", "Diego"):
        await company.create("Customer", {"DisplayName": name})
    gone = await company.create("Customer", {"DisplayName": "Zed"})
    await company.post("customer", {"Id": gone["Id"], "SyncToken": "0", "sparse": True,
                                    "Active": False})
    return company


async def test_escaped_quote_and_equality(people: Company) -> None:
    text = "SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'"
    assert await names(people, text) == ["Amy's Bird Sanctuary"]


async def test_active_only_unless_asked(people: Company) -> None:
    assert "Zed (deleted)" not in await names(people, "SELECT * FROM Customer")
    assert await names(people, "SELECT * FROM Customer WHERE Active = false") == [
        "Zed (deleted)"]
    everyone = await names(people, "select * from customer where Active IN (true, false)")
    assert len(everyone) == 5


async def test_count_like_in_order_and_paging(people: Company) -> None:
    count = await people.query("SELECT COUNT(*) FROM Customer")
    assert count.json()["QueryResponse"] == {"totalCount": 4}
    assert await names(people, "SELECT * FROM Customer WHERE DisplayName LIKE '%s%'") == [
        "Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars"]
    assert await names(people, "SELECT * FROM Customer WHERE DisplayName IN ('Diego', "
                       "'Cool Cars') ORDERBY DisplayName DESC") == ["Diego", "Cool Cars"]
    page = await people.query("SELECT * FROM Customer STARTPOSITION 2 MAXRESULTS 2")
    body = page.json()["QueryResponse"]
    assert (body["startPosition"], body["maxResults"]) == (2, 2)
    assert [c["DisplayName"] for c in body["Customer"]] == ["Bill's Windsurf Shop", "Cool Cars"]
    beyond = await people.query("SELECT * FROM Customer STARTPOSITION 50")
    assert beyond.json()["QueryResponse"] == {}


async def test_default_and_maximum_page_sizes(company: Company) -> None:
    batch = [{"bId": str(i), "operation": "create", "Class": {"Name": f"C{i:04d}"}}
             for i in range(30)]
    for _ in range(4):
        body = {"BatchItemRequest": [{**b, "Class": {"Name": b["Class"]["Name"] + str(_)}}
                                     for b in batch]}
        assert (await company.post("batch", body)).status_code == 200
    assert len(await names(company, "SELECT * FROM Class")) == 100
    assert len(await names(company, "SELECT * FROM Class MAXRESULTS 1000")) == 120


async def test_numbers_and_last_updated_time(company: Company, clock: ManualClock) -> None:
    await company.create("Item", {"Name": "Cheap", "UnitPrice": 5,
                                  "IncomeAccountRef": {"value": "1"}})
    clock.advance(600)
    await company.create("Item", {"Name": "Dear", "UnitPrice": 500,
                                  "IncomeAccountRef": {"value": "1"}})
    assert await names(company, "SELECT * FROM Item WHERE UnitPrice > '100'") == ["Dear"]
    assert await names(company, "SELECT * FROM Item WHERE UnitPrice <= 5") == ["Cheap"]
    stamp = (await company.query("SELECT * FROM Item WHERE Name = 'Dear'")).json()[
        "QueryResponse"]["Item"][0]["MetaData"]["LastUpdatedTime"]
    later = f"SELECT * FROM Item WHERE MetaData.LastUpdatedTime >= '{stamp}'"
    assert await names(company, later) == ["Dear"]


async def test_post_query_body(people: Company) -> None:
    response = await people.http.post(people.url("query"), headers=people.headers,
                                      content=b"SELECT COUNT(*) FROM Customer")
    assert response.json()["QueryResponse"]["totalCount"] == 4


@pytest.mark.parametrize(("text", "code"), [
    ("SELECT * FROM Custmoer", "4001"),
    ("SELECT * FROM Customer WHERE Nope = '1'", "4001"),
    ("SELECT * FROM Customer WHERE DisplayName = 'unterminated", "4000"),
    ("SELECT Customer", "4000"),
    ("SELECT * FROM Customer WHERE DisplayName = 'a' OR Id = '1'", "4000"),
])
async def test_query_errors(company: Company, text: str, code: str) -> None:
    response = await company.query(text)
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == code
