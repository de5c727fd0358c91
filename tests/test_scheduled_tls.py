"""Mail over verified TLS, against a real SMTP server on loopback with a certificate made
for the test: a server whose certificate does not verify never sees the password (nor
any mail), STARTTLS and SMTPS work once its CA is given (``ca_file:`` or
``SSL_CERT_FILE``), and clear text is only allowed to a loopback host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from grantpool.cli import main
from tests.servers import SmtpInbox, schedule_file, self_signed, server_tls, smtp_server

TODAY = "2026-01-05"
LOGIN = ("grantpool-test", "not a real password")
CREDENTIALS = "username_env: GRANTPOOL_TEST_SMTP_USER\npassword_env: GRANTPOOL_TEST_SMTP_PASSWORD"
OVER = """
2018-12-01 * "Purchase: clothing" #purchase
  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK
  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available  -1.00 DKK
"""


@pytest.fixture
def books(example_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example books with a new finding for Kolding, and credentials in the env."""
    with (example_copy.parent / "municipalities" / "kolding" / "books.beancount").open("a") as f:
        f.write(OVER)
    monkeypatch.setenv("GRANTPOOL_TEST_SMTP_USER", LOGIN[0])
    monkeypatch.setenv("GRANTPOOL_TEST_SMTP_PASSWORD", LOGIN[1])
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    return example_copy


def run(ledger: Path, config: Path) -> tuple[Result, dict[str, Any]]:
    result = CliRunner().invoke(main, ["scheduled", str(ledger), "--config", str(config),
                                       "--as-of", TODAY])
    status = json.loads((config.parent / "state" / "status.json").read_text(encoding="utf-8"))
    return result, status


def tls_options(cert: Path, key: Path, mode: str, inbox: SmtpInbox) -> dict[str, Any]:
    context = server_tls(cert, key)
    # aiosmtpd offers AUTH on implicit TLS only when told TLS is not required: it counts
    # STARTTLS alone as TLS.  The connection is TLS all the same.
    tls = ({"ssl_context": context, "auth_require_tls": False} if mode == "ssl"
           else {"tls_context": context, "require_starttls": True})
    return {**tls, "authenticator": inbox.authenticator, "auth_required": True}


pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.mark.parametrize("spelling", ["tls: starttls", "starttls: true", "tls: ssl"])
def test_scheduled__a_server_whose_certificate_does_not_verify_never_gets_the_password(
    books: Path, tmp_path: Path, spelling: str
) -> None:
    cert, key = self_signed(tmp_path)
    inbox = SmtpInbox()
    mode = "ssl" if "ssl" in spelling else "starttls"
    with smtp_server(inbox, **tls_options(cert, key, mode, inbox)) as port:
        result, status = run(books, schedule_file(tmp_path, port, f"{spelling}\n{CREDENTIALS}"))
    assert result.exit_code == 2
    assert "certificate verify failed" in status["summary"]["mail_error"]
    assert inbox.logins == [] and inbox.messages == []
    assert not any(f["new"] is False for f in status["findings"])  # mailed again next run


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_scheduled__a_verified_server_gets_the_login_and_the_mail_ca_file(
    books: Path, tmp_path: Path, mode: str
) -> None:
    cert, key = self_signed(tmp_path)
    inbox = SmtpInbox()
    with smtp_server(inbox, **tls_options(cert, key, mode, inbox)) as port:
        config = schedule_file(tmp_path, port, f"tls: {mode}\nca_file: cert.pem\n{CREDENTIALS}")
        result, status = run(books, config)
    assert result.exit_code == 1 and status["summary"]["mail_error"] is None, status["summary"]
    assert inbox.logins == [LOGIN]
    assert len(inbox.to("kolding@example.org")) == 1


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_scheduled__a_verified_server_gets_the_login_and_the_mail_ssl_cert_file(
    books: Path, tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    inbox = SmtpInbox()
    with smtp_server(inbox, **tls_options(cert, key, mode, inbox)) as port:
        result, status = run(books, schedule_file(tmp_path, port, f"tls: {mode}\n{CREDENTIALS}"))
    assert result.exit_code == 1 and status["summary"]["mail_error"] is None, status["summary"]
    assert inbox.logins == [LOGIN] and len(inbox.to("ministry@example.org")) == 1


def test_scheduled__clear_text_to_a_remote_host_is_a_schedule_error(tmp_path: Path) -> None:
    config = schedule_file(tmp_path, 25, "tls: none")
    text = config.read_text(encoding="utf-8").replace("host: 127.0.0.1", "host: smtp.example.org")
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scheduled", "--config", str(config)])
    assert result.exit_code == 2 and "only allowed to a loopback host" in result.stderr
    assert not (tmp_path / "state").exists()


def test_scheduled__a_misspelt_mail_field_is_a_schedule_error(tmp_path: Path) -> None:
    config = schedule_file(tmp_path, 25, "tsl: ssl")  # would have meant an unverified default
    result = CliRunner().invoke(main, ["scheduled", "--config", str(config)])
    assert result.exit_code == 2 and "unknown field 'tsl'" in result.stderr
