"""A transport that keeps the requests it passes on (to count QuickBooks calls and read
what they asked)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Wraps a transport and keeps every request it passed on (only the Accounting API's,
    ``/v3/company/...``, when ``accounting_only``)."""

    inner: httpx.AsyncBaseTransport
    accounting_only: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if not self.accounting_only or "/v3/company/" in request.url.path:
            self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def batches(self) -> list[dict[str, Any]]:
        return [{"params": dict(r.url.params), "body": json.loads(r.content)}
                for r in self.requests if r.url.path.endswith("/batch")]

    def count(self, path_end: str) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith(path_end))

    def queries(self) -> list[list[str | None]]:
        """Each call's queries (a batch's items; None for an item that is no query)."""
        found: list[list[str | None]] = []
        for request in self.requests:
            if request.url.path.endswith("/batch"):
                items = json.loads(request.content)["BatchItemRequest"]
                found.append([item.get("Query") for item in items])
            else:
                found.append([request.url.params.get("query")])
        return found
