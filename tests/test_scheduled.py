"""``grantpool scheduled`` with a real SMTP server on loopback (aiosmtpd): a new
finding is mailed once, to its own municipality; nothing changes, nothing is
sent; an unreachable server is exit 2 with the status still written; a
statement in the inbox is imported once and archived."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from grantpool.cli import main
from tests.servers import free_port
from tests.statements import statement_lines, write

TODAY = "2026-01-05"


class Inbox:
    """An SMTP handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def schedule(folder: Path, port: int) -> Path:
    path = folder / "schedule.yaml"
    path.write_text(f"""
inbox: inbox
archive: archive
state: state
thresholds: {{window_ends_within_days: 30, unspent_share_over: 0.5, dormant_days: 60}}
mail:
  host: 127.0.0.1
  port: {port}
  tls: none
  sender: grantpool@example.org
  ministry: [ministry@example.org]
  municipalities:
    Kolding: [kolding@example.org]
    Lejre: [lejre@example.org]
""", encoding="utf-8")
    (folder / "inbox").mkdir(exist_ok=True)
    return path


def run(ledger: Path, config: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["scheduled", str(ledger), "--config", str(config),
                                       "--as-of", TODAY])
    status = json.loads((config.parent / "state" / "status.json").read_text(encoding="utf-8"))
    return result.exit_code, status


OVER = """
2018-12-01 * "Purchase: clothing" #purchase
  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK
  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available  -1.00 DKK
"""  # over P-KOL-001's cap by 1.00, and Kolding's bank statements no longer agree


def test_scheduled__clean_books_send_nothing_and_exit_0(
    example_copy: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    code, status = run(example_copy, schedule(tmp_path, port))
    assert code == 0 and status["ok"] is True and status["summary"]["errors"] == 0
    assert inbox.messages == []


def test_scheduled__a_new_over_cap_purchase_is_mailed_once_to_its_municipality(
    example_copy: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    config = schedule(tmp_path, port)
    assert run(example_copy, config)[0] == 0
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a") as books:
        books.write(OVER)
    code, status = run(example_copy, config)
    assert code == 1
    [mail] = inbox.to("kolding@example.org")
    assert "[citizen-cap]" in mail.get_content() and "P-KOL-001" in mail.get_content()
    assert inbox.to("lejre@example.org") == []  # only its own municipality's findings
    assert len(inbox.to("ministry@example.org")) == 1
    new = [f for f in status["findings"] if f["new"]]
    assert {f["rule"] for f in new} >= {"citizen-cap"}
    assert all(f["municipality"] == "Kolding" for f in new if f["rule"] == "citizen-cap")
    code, status = run(example_copy, config)  # nothing changed since
    assert code == 1 and status["summary"]["new"] == 0
    assert len(inbox.messages) == 2
    history = (tmp_path / "state" / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["new"] for line in history] == [0, new.__len__(), 0]


def test_scheduled__unreachable_mail_server_is_exit_2_and_mailed_again_later(
    example_copy: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a") as books:
        books.write(OVER)
    dead = schedule(tmp_path, free_port())  # nobody listens there
    code, status = run(example_copy, dead)
    assert code == 2 and status["summary"]["mail_error"].startswith("ConnectionRefusedError")
    assert status["summary"]["errors"] > 0  # the findings are still in the status file
    code, status = run(example_copy, schedule(tmp_path, port))
    assert code == 1 and len(inbox.to("kolding@example.org")) == 1


def test_scheduled__a_statement_in_the_inbox_is_imported_once_and_archived(
    example_copy: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    config = schedule(tmp_path, port)
    bank = "Assets:Municipality:Lejre:Bank"
    rows = statement_lines(example_copy, bank, datetime.date(2018, 5, 1),
                           datetime.date(2018, 5, 31),
                           extra=[(datetime.date(2018, 5, 30), Decimal("-10.00"), "FEE-LEJ-0530")])
    write(tmp_path / "inbox" / "lejre-2018-05.csv", rows)
    code, status = run(example_copy, config)
    assert code == 1  # the bank's fee was not in the books: later statements disagree now
    assert status["summary"]["imported"] == ["lejre-2018-05.csv"]
    assert (tmp_path / "archive" / "lejre-2018-05.csv").exists()
    assert not (tmp_path / "inbox" / "lejre-2018-05.csv").exists()
    lejre = (example_copy.parent / "municipalities" / "lejre" / "books.beancount").read_text()
    assert lejre.count('bank_ref: "FEE-LEJ-0530"') == 1
    code, status = run(example_copy, config)
    assert code == 1 and status["summary"]["imported"] == []


def test_scheduled__time_brings_warnings_of_ending_and_dormant_budgets(
    example_copy: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    result = CliRunner().invoke(main, ["scheduled", str(example_copy), "--config",
                                       str(schedule(tmp_path, port)), "--as-of", "2018-12-10"])
    assert result.exit_code in (0, 1)
    status = json.loads((tmp_path / "state" / "status.json").read_text(encoding="utf-8"))
    rules = {f["rule"] for f in status["findings"]}
    assert {"window-ending", "dormant"} <= rules
    ending = next(f for f in status["findings"] if f["rule"] == "window-ending")
    assert "unspent" in ending["message"] and ending["severity"] == "warning"


def test_scheduled__a_bad_schedule_file_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "schedule.yaml"
    config.write_text("inbox: in\nstate: s\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scheduled", "--config", str(config)])
    assert result.exit_code == 2 and "missing field 'archive'" in result.stderr
