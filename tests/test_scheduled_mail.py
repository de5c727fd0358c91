"""Mail of ``grantpool scheduled`` over a real SMTP server on loopback: each message is
remembered the moment the server accepts it (no duplicate after a failure half-way),
carries ``Date`` and ``Message-ID``, a finding's key is its own per municipality, and
the credentials the schedule names must be there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scheduling import run
from tests.servers import SmtpInbox, schedule_file, smtp_server

OVER = """
2018-12-01 * "Purchase: clothing" #purchase
  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK
  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available  -1.00 DKK
"""  # over P-KOL-001's cap by 1.00




def books_of(ledger: Path, name: str) -> Path:
    return ledger.parent / "municipalities" / name / "books.beancount"


def test_scheduled__each_mail_has_a_date_and_a_message_id(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    with books_of(example_copy, "kolding").open("a") as books:
        books.write(OVER)
    result, _ = run(example_copy, schedule_file(tmp_path, port))
    assert result.exit_code == 1 and len(inbox.messages) == 2
    ids = {m["Message-ID"] for _, m in inbox.messages}
    assert len(ids) == 2 and all(i.endswith("@example.org>") for i in ids)
    assert all(m["Date"] and m["Date"].datetime.tzinfo for _, m in inbox.messages)


def test_scheduled__after_a_partial_smtp_failure_nothing_delivered_is_sent_again(
    example_copy: Path, tmp_path: Path
) -> None:
    with books_of(example_copy, "kolding").open("a") as books:
        books.write(OVER)
    flaky = SmtpInbox(refuse=("ministry@example.org",))  # Kolding's goes through, then 451
    with smtp_server(flaky) as port:
        result, status = run(example_copy, schedule_file(tmp_path, port))
    assert result.exit_code == 2 and "SMTPDataError" in status["summary"]["mail_error"]
    assert len(flaky.to("kolding@example.org")) == 1 and status["summary"]["mailed"] == 1
    mended = SmtpInbox()
    with smtp_server(mended) as port:
        result, status = run(example_copy, schedule_file(tmp_path, port))
        assert result.exit_code == 1 and status["summary"]["mail_error"] is None
        assert mended.to("kolding@example.org") == []  # delivered yesterday: not again
        assert len(mended.to("ministry@example.org")) == 1
        assert run(example_copy, schedule_file(tmp_path, port))[0].exit_code == 1
    assert len(mended.messages) == 1


def without_accounts_event(ledger: Path, name: str, muni: str) -> None:
    path = books_of(ledger, name)
    text = path.read_text(encoding="utf-8")
    event = f'2020-03-21 event "accounts_submitted" "{muni}"'
    assert event in text
    path.write_text(text.replace(event, ""), encoding="utf-8")


def test_scheduled__the_same_finding_for_two_municipalities_is_mailed_to_each(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    without_accounts_event(example_copy, "kolding", "Kolding")  # Kolding's accounts overdue
    result, status = run(example_copy, config)
    assert result.exit_code == 1
    assert any("accounts_submitted" in m.get_content() for m in inbox.to("kolding@example.org"))
    without_accounts_event(example_copy, "lejre", "Lejre")  # the next day, Lejre's too
    result, status = run(example_copy, config)
    overdue = [f for f in status["findings"] if f["rule"] == "accounts-due"]
    assert {f["municipality"] for f in overdue} == {"Kolding", "Lejre"}
    assert len({f["key"] for f in overdue}) == 2
    [mail] = inbox.to("lejre@example.org")
    assert "Lejre: event 'accounts_submitted'" in mail.get_content()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_scheduled__smtp_credentials_named_but_not_set_exit_2_naming_the_variable(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRANTPOOL_TEST_SMTP_USER", raising=False)
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.authenticator, auth_required=True,
                     auth_require_tls=False) as port:
        with books_of(example_copy, "kolding").open("a") as books:
            books.write(OVER)
        config = schedule_file(tmp_path, port, "tls: none\nusername_env: GRANTPOOL_TEST_SMTP_USER"
                                               "\npassword_env: GRANTPOOL_TEST_SMTP_PASSWORD")
        result, status = run(example_copy, config)
    assert result.exit_code == 2
    assert "GRANTPOOL_TEST_SMTP_USER" in status["summary"]["mail_error"]
    assert inbox.messages == []
