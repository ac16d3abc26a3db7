"""QuickBooks Online client benchmark: N customer creates through ``QboClient.apply``
against the in-process sandbox at its real limits (500 calls a minute, 10 in flight,
40 batch calls a minute, 30 operations a batch), with time scaled: the sandbox's minute
and the client budget's minute both last ``60 / time_scale`` real seconds.

    .venv/bin/python bench/qbo_client.py [--n 10000] [--time-scale 30]

Reports QuickBooks calls, operations per call (target >= 29), 429s met (target 0) and the
wall time against the floor the limits allow (target <= 1.15x): the floor is the moment
the sliding one-minute windows let the last call start, plus one call's mean duration.
The last line is ``RESULT calls=... ops_per_call=... throttled=... floor_ratio=...``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from ledgerbridge.qbo.budget import Limits, RealmBudget
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.http import StaticToken
from ledgerbridge.qbo.operations import Operation
from ledgerbridge.sandbox.qbo import create_app

BASE = "http://qbo.bench"
LIMITS = Limits()


def scaled(scale: float) -> tuple[Callable[[], float], Callable[[float], Awaitable[None]]]:
    """A clock and a sleep in scaled seconds."""
    def clock() -> float:
        return time.monotonic() * scale

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / scale)

    return clock, sleep


class Timed(httpx.AsyncBaseTransport):
    """Passes requests on and adds up how long the answers took (real seconds)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.seconds += time.monotonic() - started
            self.count += 1


def floor_seconds(calls: int, batches: int, call_seconds: float) -> float:
    by_batches = ((batches - 1) // LIMITS.batch_per_minute) * LIMITS.window
    by_calls = ((calls - 1) // LIMITS.per_minute) * LIMITS.window
    return max(by_batches, by_calls, 0.0) + call_seconds


async def run(n: int, scale: float) -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    timed = Timed(transport)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as admin:
        await admin.put("/sandbox/settings", json={"time_scale": scale})
        realm = (await admin.post("/sandbox/companies", json={"name": "Bench"})).json()[
            "realm_id"]
        token = (await admin.post(f"/sandbox/companies/{realm}/tokens", json={})).json()[
            "access_token"]
        clock, sleep = scaled(scale)
        budget = RealmBudget(LIMITS, clock=clock, sleep=sleep)
        ops = [Operation(f"bench-{i:06d}", "create", "Customer",
                         {"DisplayName": f"Bench Customer {i:06d}"}) for i in range(n)]
        async with QboClient(api_base=BASE, realm_id=realm, tokens=StaticToken(token),
                             transport=timed, budget=budget, sleep=sleep) as client:
            started = time.monotonic()
            results = await client.apply(ops)
            wall = (time.monotonic() - started) * scale
        stats = (await admin.get("/sandbox/stats")).json()
        stored = (await admin.get(f"/sandbox/companies/{realm}/records/Customer")).json()
    failed = sum(1 for r in results if not r.ok)
    calls = stats["total_calls"]
    batches = stats["calls"].get(realm, {}).get("batch", 0)
    mean_call = timed.seconds / max(timed.count, 1) * scale
    floor = floor_seconds(calls, batches, mean_call)
    ratio = wall / floor if floor > 0 else 1.0
    print(f"operations {n}, failed {failed}, customers stored {len(stored['records'])}")
    print(f"calls {calls} (batch {batches}), throttled {stats['total_throttled']}, "
          f"time scale {scale}")
    print(f"wall {wall:.1f} scaled s ({wall / scale:.1f} real s), floor {floor:.1f} scaled s")
    print(f"RESULT calls={calls} ops_per_call={n / max(calls, 1):.2f} "
          f"throttled={stats['total_throttled']} floor_ratio={ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="customer creates")
    parser.add_argument("--time-scale", type=float, default=30.0,
                        help="sandbox minutes per real minute")
    args = parser.parse_args()
    asyncio.run(run(args.n, args.time_scale))


if __name__ == "__main__":
    main()
