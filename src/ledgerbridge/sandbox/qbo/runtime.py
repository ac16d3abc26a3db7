"""``QboSandbox``: the state, the clock, the throttles and the side channels, together."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .clock import Clock, SandboxClock
from .entities.company import seed_starter
from .faults import FaultInjector
from .limits import RateLimiter
from .persistence import MemoryStore, SqliteStore
from .rules import Ctx
from .state import App, Company, Preferences, SandboxState

JSON = dict[str, Any]


class QboSandbox:
    """One running sandbox (an app factory builds the HTTP side on top of it)."""

    def __init__(self, *, state_file: str | None = None, clock: Clock | None = None,
                 webhook_transport: httpx.AsyncBaseTransport | None = None,
                 auth_required: bool = True, webhook_autoflush: bool = False) -> None:
        from .webhooks import WebhookDispatcher

        self.clock = SandboxClock(clock)
        self.state = SandboxState()
        self.store = SqliteStore(state_file) if state_file else MemoryStore()
        self.store.load(self.state)
        self.auth_required = auth_required
        self.limiter = RateLimiter(self.state.settings, self.clock)
        self.injector = FaultInjector(self.state.settings.faults)
        self.webhooks = WebhookDispatcher(self.state, self.clock, webhook_transport)
        self.webhook_autoflush = webhook_autoflush
        self._tasks: set[asyncio.Task[Any]] = set()

    # companies -----------------------------------------------------------------
    def create_company(self, *, name: str = "Sandbox Company", country: str = "US",
                       realm_id: str | None = None, preferences: JSON | None = None,
                       tax_agency: str | None = None) -> Company:
        realm = str(realm_id or self.state.new_realm_id())
        if realm in self.state.companies:
            raise ValueError(f"company {realm} already exists")
        prefs = Preferences.from_json(preferences or {})
        company = Company(realm_id=realm, name=name, country=country.upper(), prefs=prefs,
                          tax_agency=tax_agency)
        self.state.companies[realm] = company
        seed_starter(self.context(company), tax_agency)
        self.store.save_company(company)
        return company

    def reset_company(self, realm_id: str) -> Company:
        old = self.state.companies.pop(realm_id)
        self.store.drop_company(realm_id)
        return self.create_company(name=old.name, country=old.country, realm_id=realm_id,
                                   preferences=old.prefs.to_json(), tax_agency=old.tax_agency)

    def reset_all(self) -> None:
        self.state.companies.clear()
        self.state.apps.clear()
        self.state.tokens.clear()
        self.state.stats.calls.clear()
        self.state.stats.throttled.clear()
        self.state.stats.faults_injected.clear()
        self.limiter.reset()
        self.webhooks.pending.clear()
        self.webhooks.deliveries.clear()
        self.store.clear()

    def context(self, company: Company, include: frozenset[str] = frozenset()) -> Ctx:
        return Ctx(company=company, clock=self.clock, include=include)

    def commit(self, ctx: Ctx) -> None:
        """Persist what a request changed and queue its webhook notifications."""
        if ctx.company.dirty or ctx.changes:
            self.store.save_company(ctx.company)
        if ctx.changes:
            self.webhooks.enqueue(ctx.company.realm_id, ctx.changes)
            if self.webhook_autoflush:
                self._schedule_flush()

    def _schedule_flush(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside a request (start-up seeding): deliver on next flush
            return
        task = loop.create_task(self.webhooks.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # apps ------------------------------------------------------------------------
    def register_app(self, app: App) -> App:
        self.state.apps[app.client_id] = app
        self.store.save_app(app)
        return app

    def close(self) -> None:
        self.store.close()
