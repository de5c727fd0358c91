"""``grantpool scheduled`` never fails silently: whatever stops part of the daily job (a
bank export the csv reader rejects, an archive or state folder that takes no writes, a
rules value that crashes the engine, an error nobody foresaw) is exit 2, a one-line
reason in ``status.json`` (no traceback, no CPR-looking number), and a mail to the
ministry; the other statements are imported all the same."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from tests.scheduling import run
from tests.servers import SmtpInbox, schedule_file
from tests.statements import HEADER, statement_lines, write

LEJRE_BANK = "Assets:Municipality:Lejre:Bank"
CPR_LIKE = "010190-1234"  # a date-shaped test number, no real person's




def good_lejre_statement(ledger: Path, inbox: Path) -> Path:
    rows = statement_lines(ledger, LEJRE_BANK, datetime.date(2018, 5, 1),
                           datetime.date(2018, 5, 31))
    return write(inbox / "lejre-2018-05.csv", rows)


def assert_one_line_reason(status: dict[str, Any], *words: str) -> None:
    error = status["summary"]["error"]
    assert status["ok"] is False and status["summary"]["exit_code"] == 2
    assert "\n" not in error and "Traceback" not in error and CPR_LIKE not in error
    for word in words:
        assert word in error


def failure_mails(inbox: SmtpInbox) -> list[Any]:
    return [m for m in inbox.to("ministry@example.org")
            if "den daglige kørsel fejlede" in m["Subject"]]  # dk2017 books: Danish mail


def refused_and_rest_imported(example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int],
                              bad: bytes) -> dict[str, Any]:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    (tmp_path / "inbox" / "kolding-2018-05.csv").write_bytes(bad)
    good_lejre_statement(example_copy, tmp_path / "inbox")
    result, status = run(example_copy, config)
    assert result.exit_code == 2
    assert_one_line_reason(status, "kolding-2018-05.csv")
    assert status["summary"]["imported"] == ["lejre-2018-05.csv"]  # the others go on
    assert (tmp_path / "inbox" / "kolding-2018-05.csv").exists()  # left for a person
    assert (tmp_path / "archive" / "lejre-2018-05.csv").exists()
    [refused] = [f for f in status["findings"] if f["rule"] == "statement-refused"]
    assert refused["municipality"] == "Kolding" and refused["new"] is True
    [to_kolding] = inbox.to("kolding@example.org")  # the refusal is a finding, mailed
    assert "kolding-2018-05.csv" in to_kolding.get_content()
    assert any("kolding-2018-05.csv" in m.get_content() for m in inbox.to("ministry@example.org")
               if "nyt fund" in m["Subject"] or "nye fund" in m["Subject"])
    assert len(failure_mails(inbox)) == 1
    return status


def test_scheduled__oversized_field_exits_2_with_status_and_mail(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    text = "x" * (200 * 1024)  # over the csv module's 128 KiB field limit
    bad = f"{HEADER}\n01-05-2018;01-05-2018;{text};-1,00;-1,00;REF-1\n".encode()
    refused_and_rest_imported(example_copy, tmp_path, smtp, bad)
    inbox, _ = smtp
    result, status = run(example_copy, tmp_path / "schedule.yaml")  # the next day: still there
    assert result.exit_code == 2 and status["summary"]["refused"]
    assert len(inbox.to("kolding@example.org")) == 1  # the finding is mailed once ...
    assert len(failure_mails(inbox)) == 2  # ... the failure on every run until mended


def test_scheduled__lone_cr_line_endings_exit_2_and_the_rest_is_imported(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    bad = f'{HEADER}\r01-05-2018;01-05-2018;"two\rlines";-1,00;-1,00;REF-1\r'.encode()
    refused_and_rest_imported(example_copy, tmp_path, smtp, bad)


def test_scheduled__cpr_like_text_in_a_statement_never_reaches_status_or_mail(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    write(tmp_path / "inbox" / "kolding-2018-05.csv",
          [HEADER, f"01-05-2018;01-05-2018;Betaling;{CPR_LIKE};-1,00;REF-1"])
    result, status = run(example_copy, config)
    assert result.exit_code == 2 and status["summary"]["refused"]
    state = tmp_path / "state"
    for name in ("status.json", "history.jsonl", "mailed.json"):
        assert CPR_LIKE not in (state / name).read_text(encoding="utf-8")
    assert inbox.messages and all(CPR_LIKE not in m.as_string() for _, m in inbox.messages)
    assert CPR_LIKE not in result.output + result.stderr


def test_scheduled__unwritable_archive_exits_2_and_leaves_the_statements_in_the_inbox(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    (tmp_path / "archive").write_text("a file where the archive folder should be\n")
    statement = good_lejre_statement(example_copy, tmp_path / "inbox")
    lejre = example_copy.parent / "municipalities" / "lejre" / "books.beancount"
    books = lejre.read_text()
    result, status = run(example_copy, config)
    assert result.exit_code == 2
    assert_one_line_reason(status, "archive")
    assert statement.exists() and status["summary"]["imported"] == []
    assert lejre.read_text() == books
    assert len(failure_mails(inbox)) == 1 and "archive" in failure_mails(inbox)[0]["Subject"]


def test_scheduled__unwritable_state_folder_exits_2_says_why_and_mails_the_ministry(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    (tmp_path / "state").write_text("a file where the state folder should be\n")
    result, _ = run(example_copy, config)
    assert result.exit_code == 2
    assert "state" in result.stderr and "Traceback" not in result.output + result.stderr
    [mail] = failure_mails(inbox)  # the alarm goes out; findings wait (they could not be
    assert "state" in mail.get_content()  # remembered, so they would be mailed every day)


def test_scheduled__a_rules_value_that_crashes_the_engine_exits_2_with_a_one_line_reason(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    rules = tmp_path / "rules" / "dk2017.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("budget_window_months: 12", "budget_window_months: 1200000"),
                     encoding="utf-8")
    result, status = run(example_copy, schedule_file(tmp_path, port))
    assert result.exit_code == 2
    assert_one_line_reason(status, "rules")
    assert "Traceback" not in json.dumps(status)
    assert len(failure_mails(inbox)) == 1


def test_scheduled__an_unforeseen_error_exits_2_with_status_and_mail(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp

    def broken(*args: Any) -> None:
        raise RuntimeError(f"nobody saw this coming\nat {CPR_LIKE}")

    monkeypatch.setattr("grantpool.scheduled.run.notice", broken)
    result, status = run(example_copy, schedule_file(tmp_path, port))
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert_one_line_reason(status, "RuntimeError", "nobody saw this coming")
    [mail] = failure_mails(inbox)
    assert "RuntimeError" in mail.get_content() and CPR_LIKE not in mail.as_string()
