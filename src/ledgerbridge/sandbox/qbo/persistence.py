"""State in a SQLite file: companies, records (and tombstones), apps and tokens."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from .state import App, Company, SandboxState, Token

SCHEMA = """
CREATE TABLE IF NOT EXISTS companies (realm_id TEXT PRIMARY KEY, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    realm_id TEXT NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL,
    deleted INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (realm_id, entity, id));
CREATE TABLE IF NOT EXISTS apps (client_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (value TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


class MemoryStore:
    """Keeps nothing: the state lives only in memory."""

    def load(self, state: SandboxState) -> None:
        return None

    def save_company(self, company: Company) -> None:
        company.dirty.clear()

    def drop_company(self, realm_id: str) -> None:
        return None

    def save_app(self, app: App) -> None:
        return None

    def save_token(self, token: Token) -> None:
        return None

    def clear(self) -> None:
        return None

    def close(self) -> None:
        return None


class SqliteStore(MemoryStore):
    """Write-through to SQLite: each request's changes commit in one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.executescript(SCHEMA)

    def load(self, state: SandboxState) -> None:
        for _realm, meta in self.db.execute("SELECT realm_id, meta FROM companies"):
            company = Company.from_meta(json.loads(meta))
            state.companies[company.realm_id] = company
        rows = self.db.execute("SELECT realm_id, entity, id, deleted, body FROM records")
        for realm_id, entity, record_id, deleted, body in rows:
            owner = state.companies.get(realm_id)
            if owner is None:
                continue
            if deleted:
                owner.deleted.setdefault(entity, {})[record_id] = json.loads(body)
            else:
                owner.put(entity, json.loads(body))
        for company in state.companies.values():
            company.dirty.clear()
        for (body,) in self.db.execute("SELECT body FROM apps"):
            app = App(**json.loads(body))
            state.apps[app.client_id] = app
        for (body,) in self.db.execute("SELECT body FROM tokens"):
            token = Token(**json.loads(body))
            state.tokens[token.value] = token

    def save_company(self, company: Company) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO companies VALUES (?, ?)",
                            (company.realm_id, json.dumps(company.meta_json())))
            for entity, record_id in sorted(company.dirty):
                self._save_record(company, entity, record_id)
        company.dirty.clear()

    def _save_record(self, company: Company, entity: str, record_id: str) -> None:
        live = company.get(entity, record_id)
        body: Any = live if live is not None else company.deleted.get(entity, {}).get(record_id)
        if body is None:
            self.db.execute("DELETE FROM records WHERE realm_id=? AND entity=? AND id=?",
                            (company.realm_id, entity, record_id))
            return
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)",
                        (company.realm_id, entity, record_id, int(live is None),
                         json.dumps(body)))

    def drop_company(self, realm_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM records WHERE realm_id=?", (realm_id,))
            self.db.execute("DELETE FROM companies WHERE realm_id=?", (realm_id,))

    def save_app(self, app: App) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO apps VALUES (?, ?)",
                            (app.client_id, json.dumps(app.to_json())))

    def save_token(self, token: Token) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?)",
                            (token.value, json.dumps(token.to_json())))

    def clear(self) -> None:
        with self.db:
            for table in ("records", "companies", "apps", "tokens"):
                self.db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        self.db.close()
