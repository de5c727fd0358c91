"""A real Fava server on loopback, started by a test through ``grantpool serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {seconds} s")


@contextmanager
def serving(ledger: Path, slug: str,
            *extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``grantpool serve LEDGER`` on a free port; yields the books' base URL."""
    port = free_port()
    command = [sys.executable, "-m", "grantpool", "serve", str(ledger), "--port", str(port),
               *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}/{slug}"
    try:
        wait_for(f"{base}/income_statement/", proc)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
