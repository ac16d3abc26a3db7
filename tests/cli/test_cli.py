"""The command line: tenants and keys, migrations, the demo, and the server on a real
loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from ledgerbridge import db
from ledgerbridge.book.store import Book
from ledgerbridge.cli import app
from ledgerbridge.config import load_config
from ledgerbridge.sample.company import counts, sample_company
from ledgerbridge.tenants import find_tenant

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_db_upgrade_then_current() -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"revision {db.head_revision()}" in result.output
    assert runner.invoke(app, ["db", "current"]).output.strip() == db.head_revision()


def test_tenants_create_prints_the_key_last() -> None:
    result = runner.invoke(app, ["tenants", "create", "Acme Heating"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("lb_")
    again = runner.invoke(app, ["tenants", "create", "Acme Heating"])
    assert again.exit_code != 0


def test_demo_loads_the_sample_company_idempotently() -> None:
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "rejected record" not in first.output
    second = runner.invoke(app, ["demo", "--no-serve"])
    assert second.exit_code == 0
    engine = db.engine_from_config(load_config())
    try:
        with engine.connect() as conn:
            tenant = find_tenant(conn, "demo")
            book = Book(conn, tenant.id)
            expected = counts(sample_company())
            for kind, number in expected.items():
                assert len(book.page(kind, limit=1000).items) == number, kind
    finally:
        engine.dispose()
    assert "Unit 4: Riverside Lofts HOA" in first.output


def test_serve_answers_over_http(tmp_path: Path) -> None:
    created = runner.invoke(app, ["tenants", "create", "served"])
    key = created.stdout.strip().splitlines()[-1]
    port = _free_port()
    env = {**os.environ, "LEDGERBRIDGE_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "ledgerbridge", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {key}"}
        created_customer = httpx.post(f"{base}/v1/customers", headers=headers,
                                      json={"company_name": "Zoë Müller"})
        assert created_customer.status_code == 201
        listed = httpx.get(f"{base}/v1/customers", headers=headers).json()
        assert [c["company_name"] for c in listed["items"]] == ["Zoë Müller"]
    finally:
        server.terminate()
        server.wait(timeout=10)
