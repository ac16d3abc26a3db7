"""One sync run of one connection in its own process, for crash-resume trials.

    python -m support.sync_driver --database URL --tenant T --connection C \
        [--mode full|daily ...] [--report FILE] [--open-limits]

It opens the book, connects to the QuickBooks Online sandbox (a real server, over
loopback HTTP) with the stored connection, and runs the sync to the end, writing a JSON
report (summary, failures, how often each crash point was passed). ``--mode`` given
several times runs those syncs one after the other in this process.

``LB_CRASH=point:N`` arms a crash: the Nth time the run passes ``point`` the process
SIGKILLs itself (no cleanup, no flush, as a power cut or OOM kill would). The points are
wrapped around the engine from outside (the engine has no hook of its own):

- ``stage``: before an operation is stored;
- ``sent``: after an operation is marked sent (not yet committed);
- ``commit``: after any commit of the run's database connection;
- ``apply``: when operations (already committed as sent) are handed to the ledger;
- ``request``: after QuickBooks answered one write call (a batch or a single write),
  before the answer reaches the client (other batches may be in flight: mid-batch);
- ``answered``: after the ledger returned every answer, before any was recorded;
- ``settle``: before each answer is recorded;
- ``lookup``: before a lookup of names or of a create whose outcome was unknown;
- ``inbound``: before each QuickBooks record is taken into the book.
``any:N`` crashes at the Nth point of any kind.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Connection

from ledgerbridge import db
from ledgerbridge.engine import apply as engine_apply
from ledgerbridge.engine import inbound as engine_inbound
from ledgerbridge.engine import operations as engine_operations
from ledgerbridge.engine.runner import SyncRunner
from ledgerbridge.ledgers.qbo.ledger import QboLedger
from ledgerbridge.qbo.budget import Limits, RealmBudget
from ledgerbridge.qbo.client import QboClient

POINTS = ("stage", "sent", "commit", "apply", "request", "answered", "settle", "lookup",
          "inbound")
HITS: Counter[str] = Counter()
_ARMED: tuple[str, int] | None = None


def _arm() -> None:
    global _ARMED
    spec = os.environ.get("LB_CRASH", "")
    if spec:
        point, _, count = spec.partition(":")
        _ARMED = (point, int(count))


def hit(point: str) -> None:
    """Pass crash point ``point``; die here if it is the armed one."""
    HITS[point] += 1
    HITS["any"] += 1
    if _ARMED is not None and HITS[_ARMED[0]] == _ARMED[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def _before(point: str, func: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            hit(point)
            return await func(*args, **kwargs)
        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        hit(point)
        return func(*args, **kwargs)
    return wrapper


def install_points() -> None:
    """Wrap the engine's steps with crash points (this process only)."""
    store = engine_operations.OperationStore
    store.stage = _before("stage", store.stage)  # type: ignore[method-assign]
    store.stage_many = _before("stage", store.stage_many)  # type: ignore[method-assign]
    move = store.move
    move_many = store.move_many

    @functools.wraps(move)
    def moved(self: Any, op_id: str, to: str, **values: Any) -> None:
        move(self, op_id, to, **values)  # type: ignore[arg-type]
        if to == "sent":
            hit("sent")
    store.move = moved  # type: ignore[method-assign,assignment]

    @functools.wraps(move_many)
    def moved_many(self: Any, rows: Any, to: str, **values: Any) -> None:
        move_many(self, rows, to, **values)  # type: ignore[arg-type]
        if to == "sent" and rows:
            hit("sent")
    store.move_many = moved_many  # type: ignore[method-assign,assignment]

    commit = Connection.commit

    @functools.wraps(commit)
    def committed(self: Connection) -> None:
        commit(self)
        hit("commit")
    Connection.commit = committed  # type: ignore[method-assign]

    ledger = QboLedger
    ledger.find_created = _before("lookup", ledger.find_created)  # type: ignore[method-assign]
    ledger.find_by_names = _before("lookup", ledger.find_by_names)  # type: ignore[method-assign]
    apply = ledger.apply

    @functools.wraps(apply)
    async def applied(self: Any, ops: Any) -> Any:
        hit("apply")
        results = await apply(self, ops)
        hit("answered")
        return results
    ledger.apply = applied  # type: ignore[method-assign]

    level = engine_apply.LevelRunner
    level._settle = _before("settle", level._settle)  # type: ignore[method-assign]
    inbound = engine_inbound.Inbound
    for name in ("customer", "item", "invoice", "credit_memo", "payment"):
        setattr(inbound, name, _before("inbound", getattr(inbound, name)))


class CrashingTransport(httpx.AsyncHTTPTransport):
    """Passes the ``request`` point after QuickBooks answered a write."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.method == "POST" and "/v3/company/" in request.url.path:
            await response.aread()
            hit("request")
        return response


async def run(args: argparse.Namespace) -> dict[str, Any]:
    engine = db.make_engine(args.database)
    limits = Limits(per_minute=10**6, in_flight=10, batch_per_minute=10**6) \
        if args.open_limits else None
    transport = CrashingTransport()
    client = QboClient.for_connection(engine, args.connection, transport=transport,
                                      budget=RealmBudget(limits))
    runs = []
    try:
        for mode in args.mode or ["full"]:
            runner = SyncRunner(engine, args.tenant, args.connection, QboLedger(client))
            report = await runner.run(mode)
            runs.append({
                "mode": mode, "summary": report.summary(),
                "failures": [[o.kind, o.record_id, o.result, o.message]
                             for o in report.failures()],
                "retry_later": sum(1 for o in report.outcomes if o.result == "retry_later")})
    finally:
        await client.aclose()
        engine.dispose()
    return {**runs[0], "runs": runs, "hits": dict(HITS)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--database", required=True)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--connection", required=True)
    parser.add_argument("--mode", action="append", choices=("full", "daily"))
    parser.add_argument("--report")
    parser.add_argument("--open-limits", action="store_true",
                        help="lift the client's call budget (the sandbox's own limits stay)")
    args = parser.parse_args(argv)
    _arm()
    install_points()
    result = asyncio.run(run(args))
    text = json.dumps(result, default=str)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
