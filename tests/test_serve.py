"""The main README job: check the books, then serve them read-only in a real Fava."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE


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


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    command = [sys.executable, "-m", "engine.cli", "serve", str(EXAMPLE / "main.beancount"),
               "--port", str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, cwd=Path(__file__).parent.parent)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/grant-pool-dk2017/income_statement/", proc)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve__fava_shows_the_books_on_loopback(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = served
    with urllib.request.urlopen(f"{base}/grant-pool-dk2017/api/errors") as response:
        body = response.read().decode()
    assert '"data":[]' in body.replace(" ", "")
    with urllib.request.urlopen(f"{base}/grant-pool-dk2017/balance_sheet/") as response:
        page = response.read().decode()
    assert "Grant pool dk2017" in page


def test_serve__books_are_read_only(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = served
    request = urllib.request.Request(
        f"{base}/grant-pool-dk2017/api/source", method="PUT",
        data=b'{"file_path": "x", "source": "", "sha256sum": ""}',
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    assert info.value.code == 401


def test_serve__missing_books_exit_2_without_serving(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "serve", str(tmp_path / "none.beancount"),
         "--port", str(free_port())],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2 and "no such file" in result.stderr
