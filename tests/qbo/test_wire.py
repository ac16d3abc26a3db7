"""The wires under QuickBooks calls, over real HTTP on loopback: aiohttp (the default)
and an httpx transport send the same request and read the same answer; failures come
back as ``timeout`` or ``dropped``; the environment's proxy is used, and bypassed for
``NO_PROXY`` hosts."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.qbo import wire as wire_module
from ledgerbridge.qbo.budget import Limits, RealmBudget
from ledgerbridge.qbo.http import QboHttp, RetryPolicy, StaticToken
from ledgerbridge.qbo.wire import AiohttpWire, HttpxWire, Wire, WireError

QUERY = "select * from Customer where DisplayName = 'A+B 100% Müller & Sons' startposition 1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    servers: list[TestServer] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    yield start
    for server in servers:
        await server.close()


def wires() -> list[Wire]:
    headers = {"Accept": "application/json", "User-Agent": "probe/1"}
    return [AiohttpWire(headers=headers),
            HttpxWire(httpx.AsyncHTTPTransport(), headers=headers)]


async def test_both_wires_send_the_same_request_and_read_the_same_answer(serve: Any) -> None:
    seen: list[dict[str, Any]] = []

    async def echo(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "path": request.path,
                     "query": dict(request.query), "body": await request.read(),
                     "headers": {k: request.headers.get(k) for k in (
                         "Authorization", "Content-Type", "Accept", "User-Agent")}})
        return web.Response(status=429, body=b'{"Fault":{}}', headers={"Retry-After": "7"})

    base = await serve(echo)
    answers = []
    for wire in wires():
        try:
            answers.append(await wire.send(
                "POST", f"{base}/v3/company/9/query",
                params={"query": QUERY, "minorversion": "75"}, body="SELECT ☃",
                headers={"Authorization": "Bearer t", "Content-Type": "application/text"}))
        finally:
            await wire.aclose()
    assert seen[0] == seen[1]
    assert seen[0]["query"] == {"query": QUERY, "minorversion": "75"}
    assert seen[0]["body"] == "SELECT ☃".encode()
    assert seen[0]["headers"]["User-Agent"] == "probe/1"
    assert answers[0] == answers[1]
    assert (answers[0].status, answers[0].content, answers[0].retry_after) == (
        429, b'{"Fault":{}}', "7")


async def test_a_refused_or_dropped_connection_is_dropped(serve: Any) -> None:
    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{free.getsockname()[1]}"

    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()  # mid-request, before any answer
        return web.Response()

    dropping = await serve(hang_up)
    for wire in wires():
        try:
            for base in (closed, dropping):
                with pytest.raises(WireError) as caught:
                    await wire.send("GET", f"{base}/v3/company/9/customer/1", params={},
                                    body=None, headers={})
                assert caught.value.kind == "dropped"
        finally:
            await wire.aclose()


async def test_a_slow_answer_times_out_and_is_retried_on_the_default_wire(serve: Any) -> None:
    calls = 0

    async def slow_once(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(2)
        return web.json_response({"Customer": {"Id": "1"}})

    base = await serve(slow_once)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    http = QboHttp(api_base=base, realm_id="9", tokens=StaticToken("t"), timeout=0.3,
                   budget=RealmBudget(Limits()), retry=RetryPolicy(attempts=3, base=0.01),
                   sleep=sleep)
    try:
        answer = await http.request("GET", "customer/1")
    finally:
        await http.aclose()
    assert (answer.status, answer.body, calls, len(slept)) == (
        200, {"Customer": {"Id": "1"}}, 2, 1)


async def test_nothing_answers_then_the_call_fails_with_an_error(serve: Any) -> None:
    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    base = await serve(hang_up)

    async def sleep(seconds: float) -> None:
        return None

    http = QboHttp(api_base=base, realm_id="9", tokens=StaticToken("t"),
                   budget=RealmBudget(Limits()), retry=RetryPolicy(attempts=2, base=0.01),
                   sleep=sleep)
    try:
        with pytest.raises(LedgerbridgeError):
            await http.request("GET", "customer/1")
    finally:
        await http.aclose()


async def test_the_environment_proxy_is_used_unless_the_host_bypasses_it(
        serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    proxied: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        proxied.append(str(request.url))
        return web.json_response({"via": "proxy"})

    async def direct(request: web.Request) -> web.Response:
        return web.json_response({"via": "direct"})

    proxy_url = await serve(proxy)
    direct_url = await serve(direct)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    wire = AiohttpWire()
    try:
        through = await wire.send("GET", "http://qbo.invalid/v3/company/9/customer/1",
                                  params={"minorversion": "75"}, body=None, headers={})
        bypassed = await wire.send("GET", f"{direct_url}/v3/company/9/customer/1",
                                   params={}, body=None, headers={})
    finally:
        await wire.aclose()
    assert through.content == b'{"via": "proxy"}'
    assert proxied == ["http://qbo.invalid/v3/company/9/customer/1?minorversion=75"]
    assert bypassed.content == b'{"via": "direct"}'



async def test_every_session_shares_one_verifying_context(
        serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(create(*args, **kwargs))
        return made[-1]

    async def ok(request: web.Request) -> web.Response:
        return web.json_response({})

    url = await serve(ok)
    monkeypatch.setattr(ssl, "create_default_context", counted)
    wire_module.verified_context.cache_clear()
    try:
        for _ in range(2):  # two clients, each opening its session, twice
            wire = AiohttpWire()
            for _ in range(2):
                answer = await wire.send("GET", f"{url}/v3/company/9/customer/1", params={},
                                         body=None, headers={})
                assert answer.status == 200
                await wire.aclose()
    finally:
        wire_module.verified_context.cache_clear()
    assert len(made) == 1, "the certificate bundle is loaded once a process"
    assert made[0].verify_mode == ssl.CERT_REQUIRED and made[0].check_hostname
    assert made[0].cert_store_stats()["x509_ca"] > 0
