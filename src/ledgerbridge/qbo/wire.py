"""The wire under QuickBooks Online calls: one request out, its status, body and
Retry-After back.

:class:`AiohttpWire` is the default: aiohttp's session, called directly. A full sync
makes thousands of batch calls, and httpx's client over aiohttp cost about twice
aiohttp alone in CPU a call (its URL model parses every URL several times, and its
request and response objects are built on top of aiohttp's own). :class:`HttpxWire`
takes any httpx transport: the sandbox's in-process ``httpx.ASGITransport`` in tests and
the demo, recording or failing transports in tests.

A wire raises :class:`WireError` (``timeout`` or ``dropped``) and nothing else; what an
answer means is the caller's business (``ledgerbridge.qbo.http``).
"""

from __future__ import annotations

import functools
import ssl
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

import aiohttp
import certifi
import httpx

Body = bytes | str | None


@dataclass(frozen=True)
class WireAnswer:
    status: int
    content: bytes
    retry_after: str | None = None  # the header as sent, if it was


class WireError(Exception):
    """The call got no answer: it timed out, or the connection failed or dropped."""

    def __init__(self, kind: Literal["timeout", "dropped"], detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


class Wire(Protocol):
    async def send(self, method: str, url: str, *, params: Mapping[str, str], body: Body,
                   headers: Mapping[str, str]) -> WireAnswer: ...

    async def aclose(self) -> None: ...


@functools.cache
def verified_context() -> ssl.SSLContext:
    """The TLS context every session verifies QuickBooks with: certifi's bundle, as
    httpx uses. Made once a process and shared (a context is safe to share between
    sessions and threads): loading the bundle costs about 50 ms of CPU, which every
    client's first call paid, a quiet daily sync's one call included."""
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpWire:
    """aiohttp's client session, opened at the first call (it belongs to the running
    event loop), with the same certificate bundle as httpx and the proxy the
    environment names (``HTTPS_PROXY``, ``NO_PROXY``...), looked up once per host:
    aiohttp's own ``trust_env`` looks it up on every request, which cost more than the
    rest of the request."""

    def __init__(self, *, headers: Mapping[str, str] | None = None,
                 connections: int = 100) -> None:
        self._headers = dict(headers or {})
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(parts.scheme)
            if proxy and urllib.request.proxy_bypass(key[1]):
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections,
                                               ssl=verified_context()),
                headers=self._headers,
                cookie_jar=aiohttp.DummyCookieJar(),  # QuickBooks' API sets none we need
                timeout=aiohttp.ClientTimeout(total=None))  # the caller times calls out
        return self._session

    async def send(self, method: str, url: str, *, params: Mapping[str, str], body: Body,
                   headers: Mapping[str, str]) -> WireAnswer:
        session = self._open()
        try:
            async with session.request(method, url, params=params, data=body,
                                       headers=headers, allow_redirects=False,
                                       proxy=self._proxy(url)) as response:
                content = await response.read()
                return WireAnswer(response.status, content,
                                  response.headers.get("Retry-After"))
        except TimeoutError as exc:
            raise WireError("timeout", type(exc).__name__) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise WireError("dropped", type(exc).__name__) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxWire:
    """An httpx client over ``transport``."""

    def __init__(self, transport: httpx.AsyncBaseTransport, *,
                 headers: Mapping[str, str] | None = None, timeout: float = 60.0) -> None:
        self._client = httpx.AsyncClient(transport=transport, timeout=timeout,
                                         headers=dict(headers or {}))

    async def send(self, method: str, url: str, *, params: Mapping[str, str], body: Body,
                   headers: Mapping[str, str]) -> WireAnswer:
        try:
            response = await self._client.request(method, url, params=params, content=body,
                                                  headers=headers)
        except httpx.TimeoutException as exc:
            raise WireError("timeout", type(exc).__name__) from exc
        except (httpx.TransportError, OSError) as exc:
            raise WireError("dropped", type(exc).__name__) from exc
        return WireAnswer(response.status_code, response.content,
                          response.headers.get("retry-after"))

    async def aclose(self) -> None:
        await self._client.aclose()
