"""A transport that keeps the requests it passes on (to count QuickBooks calls and read
what they asked), and on request the answers (to count the objects they held)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Wraps a transport and keeps every request it passed on (only the Accounting API's,
    ``/v3/company/...``, when ``accounting_only``), and their answers' bodies when
    ``keep_answers``."""

    inner: httpx.AsyncBaseTransport
    accounting_only: bool = False
    keep_answers: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        kept = not self.accounting_only or "/v3/company/" in request.url.path
        if kept:
            self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        if not (kept and self.keep_answers):
            return response
        content = await response.aread()
        try:
            self.answers.append(json.loads(content))
        except ValueError:
            self.answers.append(None)
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers, content=content,
                              request=request)

    def objects_read(self) -> Counter[tuple[str, str]]:
        """How many times each object, ``(entity, Id)``, came in the kept answers of
        queries, batches of queries and CDC calls."""
        read: Counter[tuple[str, str]] = Counter()
        for body in self.answers:
            if not isinstance(body, dict):
                continue
            blocks = [item.get("QueryResponse", {})
                      for item in body.get("BatchItemResponse", [])]
            blocks += [body.get("QueryResponse", {})]
            blocks += [block for part in body.get("CDCResponse", [])
                       for block in part.get("QueryResponse", [])]
            read.update((entity, str(row.get("Id"))) for block in blocks
                        for entity, rows in block.items() if isinstance(rows, list)
                        for row in rows if isinstance(row, dict))
        return read

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
