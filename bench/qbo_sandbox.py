"""Benchmark: in-process throughput of the QuickBooks Online sandbox.

Simple reads and writes (half reads by id, a quarter queries, a quarter creates) sent
to ``create_app()`` with the limits lifted, measured two ways:
- through ``httpx.ASGITransport``, as tests and the QBO client drive it (the RESULT);
- as bare ASGI calls, which is the sandbox's own cost without the HTTP client.
The last line printed is ``RESULT requests_per_s=...``.

    .venv/bin/python bench/qbo_sandbox.py [--requests 6000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx

from ledgerbridge.sandbox.qbo import create_app


async def setup(http: httpx.AsyncClient) -> tuple[str, dict[str, str], list[str]]:
    await http.put("/sandbox/settings", json={"limits": {"per_minute": 10**9,
                                                         "in_flight": 10**6}})
    realm = (await http.post("/sandbox/companies", json={"name": "Bench"})).json()["realm_id"]
    tokens = (await http.post(f"/sandbox/companies/{realm}/tokens", json={})).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    ids = []
    for number in range(50):
        made = await http.post(f"/v3/company/{realm}/customer", headers=headers,
                               json={"DisplayName": f"Seed {number}"})
        ids.append(made.json()["Customer"]["Id"])
    return realm, headers, ids


async def one(http: httpx.AsyncClient, realm: str, headers: dict[str, str], ids: list[str],
              number: int) -> int:
    base = f"/v3/company/{realm}"
    kind = number % 4
    if kind in (0, 1):
        response = await http.get(f"{base}/customer/{ids[number % len(ids)]}", headers=headers)
    elif kind == 2:
        response = await http.get(f"{base}/query", headers=headers, params={
            "query": f"SELECT * FROM Customer WHERE Id = '{ids[number % len(ids)]}'"})
    else:
        response = await http.post(f"{base}/customer", headers=headers,
                                   json={"DisplayName": f"Bench {number}"})
    return response.status_code


async def worker(http: httpx.AsyncClient, context: Any, numbers: range) -> list[int]:
    return [await one(http, *context, n) for n in numbers]


async def run(total: int, concurrency: int) -> float:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://qbo.bench") as http:
        context = await setup(http)
        share = total // concurrency
        started = time.perf_counter()
        results = await asyncio.gather(*(
            worker(http, context, range(i * share, (i + 1) * share)) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    statuses = [s for batch in results for s in batch]
    bad = [s for s in statuses if s != 200]
    if bad:
        raise SystemExit(f"{len(bad)} requests failed, e.g. HTTP {bad[0]}")
    return len(statuses) / elapsed


async def asgi_call(app: Any, method: str, path: str, query: str = "", body: bytes = b"",
                    headers: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[int, bytes]:
    """One request as a bare ASGI call (no HTTP client)."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "server": ("bench", 80),
             "client": ("bench", 1), "headers": [(b"host", b"bench"), *headers]}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def run_bare(total: int) -> float:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://qbo.bench") as http:
        realm, headers, ids = await setup(http)
    auth = ((b"authorization", headers["Authorization"].encode()),)
    base = f"/v3/company/{realm}"
    started = time.perf_counter()
    for number in range(total):
        kind, target = number % 4, ids[number % len(ids)]
        if kind in (0, 1):
            status, _ = await asgi_call(app, "GET", f"{base}/customer/{target}", headers=auth)
        elif kind == 2:
            status, _ = await asgi_call(app, "GET", f"{base}/query", headers=auth, query=(
                f"query=SELECT%20*%20FROM%20Customer%20WHERE%20Id%20%3D%20%27{target}%27"))
        else:
            status, _ = await asgi_call(app, "POST", f"{base}/customer", headers=auth,
                                        body=f'{{"DisplayName": "Bare {number}"}}'.encode())
        if status != 200:
            raise SystemExit(f"bare ASGI request failed with HTTP {status}")
    return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is kept")
    args = parser.parse_args()
    bare = statistics.median(asyncio.run(run_bare(args.requests)) for _ in range(args.repeat))
    rates = [asyncio.run(run(args.requests, args.concurrency)) for _ in range(args.repeat)]
    rate = statistics.median(rates)
    print(f"{args.requests} requests a run (50% read by id, 25% query, 25% create), "
          f"median of {args.repeat} runs")
    print(f"bare ASGI calls (the sandbox alone): {bare:.0f} requests/s")
    print(f"through httpx.ASGITransport, concurrency {args.concurrency}: {rate:.0f} requests/s "
          f"(runs: {', '.join(f'{r:.0f}' for r in rates)})")
    print(f"RESULT requests_per_s={rate:.0f}")


if __name__ == "__main__":
    main()
