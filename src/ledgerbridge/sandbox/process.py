"""The QuickBooks Online sandbox as a child process on a free loopback port (for
benchmarks and tests that need a real server another process can crash against)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_sandbox(directory: Path, state_file: Path | None = None,
                    timeout: float = 30) -> Iterator[str]:
    """``ledgerbridge sandbox qbo`` started, answering, and always stopped at the end;
    yields its URL. Its output goes to ``directory/sandbox.log``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "ledgerbridge", "sandbox", "qbo", "--port", str(port)]
    if state_file is not None:
        command += ["--state-file", str(state_file)]
    log_path = directory / "sandbox.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - our own CLI
        try:
            deadline = time.monotonic() + timeout
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox server did not start: "
                                       + log_path.read_text()[-2000:])
                time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(url: str) -> bool:
    try:
        with httpx.Client(base_url=url, timeout=2) as http:
            return http.get("/sandbox/companies").status_code == 200
    except httpx.HTTPError:
        return False
