"""The ``sandbox`` CLI, the demo company, background webhook delivery, admin details."""

from __future__ import annotations

import asyncio

import httpx
from typer.testing import CliRunner

from ledgerbridge.sandbox.cli import app as cli_app
from ledgerbridge.sandbox.qbo import ManualClock, create_app
from ledgerbridge.sandbox.qbo.demo import DEMO_REALM

from .conftest import new_company


def test_cli_offers_qbo_with_its_options() -> None:
    result = CliRunner().invoke(cli_app, ["qbo", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--state-file", "--seed-demo"):
        assert option in result.output
    assert "8765" in result.output


async def test_demo_company_is_consistent() -> None:
    app = create_app(seed_demo=True, auth_required=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://qbo.test") as http:
        query = f"/v3/company/{DEMO_REALM}/query"
        jobs = await http.get(query, params={"query": "SELECT * FROM Customer WHERE Job = true"})
        job = jobs.json()["QueryResponse"]["Customer"][0]
        assert job["FullyQualifiedName"] == "Amy's Bird Sanctuary:Garden Refresh"
        invoices = await http.get(query, params={"query": "SELECT * FROM Invoice"})
        assert invoices.json()["QueryResponse"]["Invoice"][0]["TotalAmt"] == 100


async def test_webhooks_delivered_in_the_background() -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    app = create_app(clock=ManualClock(), webhook_transport=httpx.MockTransport(receiver),
                     webhook_autoflush=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://qbo.test") as http:
        await http.post("/sandbox/apps", json={"client_id": "bg", "client_secret": "s",
                                               "webhook_url": "https://hooks.example/"})
        company = await new_company(http)
        await http.post(f"/sandbox/companies/{company.realm}/tokens", json={"client_id": "bg"})
        await company.create("Vendor", {"DisplayName": "Background"})
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.01)
    assert len(received) == 1


async def test_non_us_company_needs_tax_codes_on_lines(http: httpx.AsyncClient) -> None:
    company = await new_company(http, country="CA")
    codes = await company.query("SELECT * FROM TaxCode")
    standard = next(c for c in codes.json()["QueryResponse"]["TaxCode"] if c["Name"] == "Standard")
    customer = await company.create("Customer", {"DisplayName": "Maple"})
    item = await company.create("Item", {"Name": "Svc", "IncomeAccountRef": {"value": "1"}})
    line = {"Amount": 10, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}
    refused = await company.post("invoice", {"CustomerRef": {"value": customer["Id"]},
                                             "Line": [line]})
    assert refused.status_code == 400
    line["SalesItemLineDetail"]["TaxCodeRef"] = {"value": standard["Id"]}  # type: ignore[index]
    made = await company.create("Invoice", {"CustomerRef": {"value": customer["Id"]},
                                            "Line": [line]})
    assert made["CurrencyRef"]["value"] == "CAD"


async def test_stats_count_calls_per_endpoint(http: httpx.AsyncClient) -> None:
    company = await new_company(http)
    await company.create("Customer", {"DisplayName": "Counted"})
    await company.query("SELECT * FROM Customer")
    stats = (await http.get("/sandbox/stats")).json()
    assert stats["calls"][company.realm] == {"POST customer": 1, "query": 1}
    cleared = (await http.delete("/sandbox/stats")).json()
    assert cleared["total_calls"] == 0


def test_demo_with_background_webhooks_starts_outside_a_loop() -> None:
    app = create_app(seed_demo=True, webhook_autoflush=True)
    assert DEMO_REALM in app.state.sandbox.state.companies
