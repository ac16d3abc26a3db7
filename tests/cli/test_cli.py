"""The command line: tenants and keys, migrations, the demo, and the server on a real
loopback port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select
from typer.testing import CliRunner

from ledgerbridge import db
from ledgerbridge.book.store import Book
from ledgerbridge.cli import app
from ledgerbridge.engine.tables import links, operations
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


def test_demo_syncs_the_sample_company_with_quickbooks(tmp_path: Path) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    for step in ("1. The book", "3. Full sync done", "5. Daily sync done", "Where to look"):
        assert step in first.output
    engine = db.make_engine(f"sqlite:///{tmp_path / 'demo' / 'ledgerbridge.db'}")
    try:
        with engine.connect() as conn:
            tenant = find_tenant(conn, "demo")
            book = Book(conn, tenant.id)
            expected = counts(sample_company())
            assert len(book.page("customer", limit=1000).items) == expected["customer"] + 3
            linked = conn.execute(select(links.c.remote_name, links.c.how)).all()
            failed = conn.execute(select(operations.c.id).where(
                operations.c.state.in_(("failed", "needs_attention")))).all()
    finally:
        engine.dispose()
    names = {name for name, _ in linked}
    assert "Cascade Supply Co (C)" in names  # the customer named like a vendor: suffixed
    assert "Trip Charge- After Hours" in names  # the colon replaced
    assert ("o'brien family dental", "matched") in linked  # matched, not duplicated
    assert failed == []
    _page_through_the_log(f"sqlite:///{tmp_path / 'demo' / 'ledgerbridge.db'}")
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output


def _page_through_the_log(url: str) -> None:
    """``ledgerbridge log`` prints a page and the cursor of the next; following it shows
    every operation once."""
    env = {"LEDGERBRIDGE_DATABASE_URL": url}
    printed: list[str] = []
    args = ["log", "--limit", "25", "--tenant", "demo"]
    while True:
        page = runner.invoke(app, args, env=env)
        assert page.exit_code == 0, page.output
        printed += re.findall(r"\b(op[0-9a-f]{32})$", page.output, re.MULTILINE)
        if "--after " not in page.output:
            break
        args = ["log", "--limit", "25", "--tenant", "demo", "--after",
                page.output.rsplit("--after ", 1)[1].split()[0]]
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(operations.c.id)).scalars().all()
    finally:
        engine.dispose()
    assert len(printed) == len(set(printed)) == len(stored) > 25
    assert set(printed) == set(stored)


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
