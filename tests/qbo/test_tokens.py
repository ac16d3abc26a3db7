"""Connections and tokens on SQLite and PostgreSQL: encrypted at rest, twenty concurrent
refreshers never lose the connection, an old refresh token means reconnect (once)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from ledgerbridge.errors import NeedsReconnectError
from ledgerbridge.qbo import connections as store
from ledgerbridge.qbo import local_sandbox
from ledgerbridge.qbo.budget import RealmBudget
from ledgerbridge.qbo.client import QboClient
from ledgerbridge.qbo.connections import Connection
from ledgerbridge.qbo.operations import Operation
from ledgerbridge.qbo.secrets import KEY_FILE, SecretBox, load_key
from ledgerbridge.qbo.tables import connections
from ledgerbridge.qbo.tokens import StoredTokens

from .conftest import BASE, Recorder

LATER = timedelta(hours=2)


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(load_key())


async def connect(engine: Engine, box: SecretBox, tenant: str, recorder: Recorder,
                  name: str = "QBO") -> Connection:
    return await local_sandbox.connect(engine, box, tenant, BASE, name=name,
                                       transport=recorder)


def tokens_for(engine: Engine, box: SecretBox, connection: Connection, recorder: Recorder,
               tmp_path: Path, shift: timedelta = timedelta(0)) -> StoredTokens:
    return StoredTokens(engine, connection.id, box, connection.endpoints, transport=recorder,
                        lock_dir=tmp_path / "locks",
                        now=lambda: datetime.now(UTC) + shift)


def test_the_key_is_made_once_with_mode_0600(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEDGERBRIDGE_SECRET_KEY")
    key = load_key()
    assert load_key() == key
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert load_key({"LEDGERBRIDGE_SECRET_KEY": "k" * 43 + "="}) != key


async def test_connecting_stores_tokens_encrypted(engine: Engine, tenant_id: str,
                                                  box: SecretBox, recorder: Recorder) -> None:
    connection = await connect(engine, box, tenant_id, recorder)
    assert connection.status == "connected" and connection.company_name == "Sandbox Company"
    assert connection.realm_id and "secret" not in repr(connection)
    with engine.connect() as db:
        row = db.execute(select(connections).where(connections.c.id == connection.id)).one()
        creds = store.credentials_of(db, box, connection.id)
    assert creds.access_token and creds.refresh_token and creds.client_secret
    stored = " ".join(str(v) for v in row)
    for secret in (creds.access_token, creds.refresh_token, creds.client_secret):
        assert secret not in stored
    assert creds.access_token not in repr(creds)


async def test_twenty_concurrent_refreshers_keep_the_connection(
        engine: Engine, tenant_id: str, box: SecretBox, recorder: Recorder,
        tmp_path: Path) -> None:
    connection = await connect(engine, box, tenant_id, recorder)
    before = recorder.count("/tokens/bearer")
    workers = [tokens_for(engine, box, connection, recorder, tmp_path, LATER)
               for _ in range(20)]  # each sees the access token about to expire
    got = await asyncio.gather(*(w.access_token() for w in workers))

    assert len(set(got)) == 1
    assert recorder.count("/tokens/bearer") - before == 1  # one refresh; 19 re-read it
    with engine.connect() as db:
        assert store.get_connection(db, tenant_id, connection.id).status == "connected"
    async with QboClient(api_base=BASE, realm_id=connection.realm_id or "",
                         tokens=workers[0], transport=recorder,
                         budget=RealmBudget()) as client:
        assert (await client.get("CompanyInfo", connection.realm_id or ""))["CompanyName"]
    again = tokens_for(engine, box, connection, recorder, tmp_path, LATER * 2)
    assert await again.access_token() != got[0]  # the rotated refresh token still works


async def test_a_401_refreshes_once(engine: Engine, tenant_id: str, box: SecretBox,
                                    recorder: Recorder, admin: httpx.AsyncClient,
                                    tmp_path: Path) -> None:
    connection = await connect(engine, box, tenant_id, recorder)
    await admin.post("/sandbox/clock", json={"advance_seconds": 3700})  # token now expired
    tokens = tokens_for(engine, box, connection, recorder, tmp_path)
    async with QboClient(api_base=BASE, realm_id=connection.realm_id or "", tokens=tokens,
                         transport=recorder, budget=RealmBudget()) as client:
        [result] = await client.apply([Operation("a", "create", "Customer",
                                                 {"DisplayName": "After 401"})])
    assert result.ok
    assert recorder.count("/tokens/bearer") == 2  # the code exchange, then one refresh


async def test_an_old_refresh_token_means_reconnect_without_looping(
        engine: Engine, tenant_id: str, box: SecretBox, recorder: Recorder,
        admin: httpx.AsyncClient, tmp_path: Path) -> None:
    connection = await connect(engine, box, tenant_id, recorder)
    with engine.connect() as db:
        creds = store.credentials_of(db, box, connection.id)
    rotated = await admin.post("/oauth2/v1/tokens/bearer", auth=(creds.client_id,
                               creds.client_secret), data={
        "grant_type": "refresh_token", "refresh_token": creds.refresh_token})
    assert rotated.status_code == 200  # someone else used it: ours is now the old one
    before = recorder.count("/tokens/bearer")
    tokens = tokens_for(engine, box, connection, recorder, tmp_path, LATER)
    async with QboClient(api_base=BASE, realm_id=connection.realm_id or "", tokens=tokens,
                         transport=recorder, budget=RealmBudget()) as client:
        for _ in range(3):
            with pytest.raises(NeedsReconnectError, match="Reconnect QuickBooks"):
                await client.apply([Operation("a", "create", "Customer",
                                              {"DisplayName": "Never"})])
    assert recorder.count("/tokens/bearer") - before == 1
    assert recorder.count("/customer") + recorder.count("/batch") == 0
    with engine.connect() as db:
        lost = store.get_connection(db, tenant_id, connection.id)
    assert lost.status == "needs_reconnect" and "Reconnect" in (lost.status_message or "")


async def test_disconnect_revokes_and_remove_deletes(engine: Engine, tenant_id: str,
                                                     box: SecretBox, recorder: Recorder,
                                                     admin: httpx.AsyncClient) -> None:
    from ledgerbridge.qbo import authorize

    connection = await connect(engine, box, tenant_id, recorder)
    with engine.connect() as db:
        access = store.credentials_of(db, box, connection.id).access_token
    done = await authorize.disconnect(engine, box, tenant_id, connection.id, transport=recorder)
    assert done.status == "disconnected" and "revoked" in (done.status_message or "")
    probe = await admin.get(f"/v3/company/{connection.realm_id}/companyinfo/"
                            f"{connection.realm_id}", headers={"Authorization": f"Bearer {access}"})
    assert probe.status_code == 401
    with engine.connect() as db:
        assert store.credentials_of(db, box, connection.id).refresh_token is None
    await authorize.remove(engine, box, tenant_id, connection.id, transport=recorder)
    with engine.connect() as db:
        assert store.list_connections(db, tenant_id) == []


