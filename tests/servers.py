"""Real servers on loopback for tests: Fava, started through ``grantpool serve``, and an
SMTP server (aiosmtpd) that keeps what it receives, with TLS from a fresh certificate."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

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
def serving(ledger: Path, slug: str, *extra: str, cwd: Path = REPO,
            program: tuple[str, ...] = (sys.executable, "-m", "grantpool"),
            ) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``grantpool serve LEDGER`` on a free port (*program* runs grantpool, in *cwd*);
    yields the books' base URL and the process (its stdout: what the server printed)."""
    port = free_port()
    command = [*program, "serve", str(ledger), "--port", str(port), *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, cwd=cwd)
    base = f"http://127.0.0.1:{port}/{slug}"
    try:
        wait_for(f"{base}/income_statement/", proc)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class SmtpInbox:
    """An aiosmtpd handler that keeps what it receives and the logins it was given;
    ``refuse`` holds addresses whose message it answers 451 (a passing failure)."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.messages: list[tuple[list[str], Any]] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse = refuse

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if any(address in self.refuse for address in envelope.rcpt_tos):
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticator(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=True)

    def to(self, address: str) -> list[Any]:
        return [m for rcpt, m in self.messages if address in rcpt]


@contextmanager
def smtp_server(handler: SmtpInbox, **options: Any) -> Iterator[int]:
    """A real SMTP server (aiosmtpd) on a free loopback port; yields the port.
    *options* go to aiosmtpd's Controller (``tls_context``, ``ssl_context``,
    ``require_starttls``, ``authenticator``, ``auth_required``, ``auth_require_tls``)."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def self_signed(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A fresh self-signed certificate for *host* (``openssl`` CLI): (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def schedule_file(folder: Path, port: int, mail: str = "tls: none") -> Path:
    """A ``grantpool scheduled`` schedule in *folder* (inbox, archive, state beside it)
    mailing a loopback SMTP server on *port*; *mail* holds more lines of its mail section."""
    extra = "".join(f"\n  {line}" for line in mail.splitlines())
    path = folder / "schedule.yaml"
    path.write_text(f"""inbox: inbox
archive: archive
state: state
mail:
  host: 127.0.0.1
  port: {port}{extra}
  sender: grantpool@example.org
  ministry: [ministry@example.org]
  municipalities:
    Kolding: [kolding@example.org]
    Lejre: [lejre@example.org]
""", encoding="utf-8")
    (folder / "inbox").mkdir(exist_ok=True)
    return path
