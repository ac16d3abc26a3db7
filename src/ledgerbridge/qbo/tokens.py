"""Access tokens of a stored connection, refreshed safely.

QuickBooks rotates the refresh token: after a refresh the old one stops working. So a
refresh happens under the connection's lock (:mod:`ledgerbridge.qbo.locks`); after taking
it the tokens are read again (another worker may have refreshed meanwhile, and then its
token is used); the new refresh token is stored together with the access token, and
committed, before the access token is handed out. ``invalid_grant`` marks the connection
``needs_reconnect`` and stops: it is never retried, and a connection in that state makes
no call to QuickBooks until a person reconnects it.

The lock is blocking (a file lock or a row lock), so the locked part runs in a worker
thread; the HTTP call to the token endpoint runs on the caller's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Connection as DbConnection
from sqlalchemy import Engine

from ledgerbridge.config import load_config
from ledgerbridge.errors import NeedsReconnectError, RetryLaterError
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo.connections import CONNECTED, NEEDS_RECONNECT, Credentials, NewTokens
from ledgerbridge.qbo.environments import Endpoints
from ledgerbridge.qbo.locks import ConnectionLock
from ledgerbridge.qbo.oauth import InvalidGrantError, OAuthClient
from ledgerbridge.qbo.secrets import SecretBox

log = logging.getLogger("ledgerbridge.qbo")
EARLY = timedelta(minutes=5)  # refresh this long before the access token expires
REFRESH_WAIT = 60.0  # seconds the locked part waits for the token endpoint
_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="qbo-refresh")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Held:
    token: str
    expires_at: datetime | None


class StoredTokens:
    """The :class:`~ledgerbridge.qbo.http.TokenSource` of a connection in the database."""

    def __init__(self, engine: Engine, connection_id: str, box: SecretBox,
                 endpoints: Endpoints, *, transport: httpx.AsyncBaseTransport | None = None,
                 lock_dir: Path | None = None, now: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self.connection_id = connection_id
        self.box = box
        self.endpoints = endpoints
        self.transport = transport
        self.lock_dir = lock_dir or load_config().data_dir / "locks"
        self.now = now
        self._held: _Held | None = None

    async def access_token(self) -> str:
        """A token valid for at least a few more minutes (refreshing first if needed)."""
        if self._usable(self._held):
            assert self._held is not None
            return self._held.token
        creds = await asyncio.to_thread(self._read)
        held = self._check(creds)
        if held is not None and self._usable(held):
            self._held = held
            return held.token
        return await self.refresh(held.token if held else None)

    async def refresh(self, rejected: str | None) -> str:
        """A new access token; ``rejected`` is the one QuickBooks refused (if any), so a
        token another worker refreshed meanwhile is taken instead of refreshing again."""
        loop = asyncio.get_running_loop()
        held = await loop.run_in_executor(_executor, self._refresh_locked, rejected, loop)
        self._held = held
        return held.token

    async def lost(self, message: str) -> None:
        """QuickBooks refused a fresh token: mark the connection for reconnection."""
        self._held = None
        await asyncio.to_thread(self._mark, message)

    # below: the worker-thread side ----------------------------------------------------
    def _read(self) -> Credentials:
        with self.engine.connect() as db:
            return store.credentials_of(db, self.box, self.connection_id)

    def _mark(self, message: str) -> None:
        with self.engine.begin() as db:
            store.set_status(db, self.connection_id, NEEDS_RECONNECT, message)

    def _usable(self, held: _Held | None) -> bool:
        return (held is not None and held.expires_at is not None
                and held.expires_at - EARLY > self.now())

    def _check(self, creds: Credentials) -> _Held | None:
        if creds.status != CONNECTED:
            raise NeedsReconnectError(
                creds.status_message or f"the QuickBooks connection is {creds.status}; "
                "reconnect it (ledgerbridge connect qbo)")
        if creds.access_token is None:
            return None
        return _Held(creds.access_token, creds.access_expires_at)

    def _refresh_locked(self, rejected: str | None, loop: asyncio.AbstractEventLoop) -> _Held:
        with ConnectionLock(self.engine, self.connection_id, self.lock_dir) as lock:
            creds = lock.run(lambda db: store.credentials_of(db, self.box, self.connection_id,
                                                             for_update=True))
            held = self._check(creds)
            if held is not None and held.token != rejected and self._usable(held):
                return held  # another worker refreshed while we waited for the lock
            outcome = self._call_token_endpoint(creds, loop)
            if isinstance(outcome, InvalidGrantError):
                message = outcome.message
                lock.run(lambda db: store.set_status(db, self.connection_id, NEEDS_RECONNECT,
                                                     message))
            else:
                lock.run(lambda db: self._keep(db, outcome, creds))
        if isinstance(outcome, InvalidGrantError):
            log.warning("QuickBooks connection %s needs reconnecting: refresh refused",
                        self.connection_id)
            raise outcome
        return _Held(outcome.access_token, outcome.access_expires_at)

    def _call_token_endpoint(self, creds: Credentials, loop: asyncio.AbstractEventLoop
                             ) -> NewTokens | InvalidGrantError:
        if not creds.refresh_token:
            return InvalidGrantError("this QuickBooks connection has no refresh token; "
                                     "reconnect it (ledgerbridge connect qbo)")
        oauth = OAuthClient(self.endpoints, creds.client_id, creds.client_secret,
                            transport=self.transport, now=self.now)
        future = asyncio.run_coroutine_threadsafe(oauth.refresh(creds.refresh_token), loop)
        try:
            return future.result(REFRESH_WAIT)
        except InvalidGrantError as exc:
            return exc
        except TimeoutError as exc:
            future.cancel()
            raise RetryLaterError("the QuickBooks token endpoint did not answer in time; "
                                  "try again later") from exc

    def _keep(self, db: DbConnection, tokens: NewTokens, creds: Credentials) -> None:
        if not tokens.refresh_token:  # QuickBooks kept the refresh token as it was
            tokens = NewTokens(tokens.access_token, creds.refresh_token or "",
                               tokens.access_expires_at, creds.refresh_expires_at)
        store.store_tokens(db, self.box, self.connection_id, tokens)
