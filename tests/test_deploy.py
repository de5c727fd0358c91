"""The deploy files name a command that exists and a schedule file that parses."""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from grantpool.cli import main
from grantpool.scheduled.config import load_schedule

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_deploy__schedule_example_parses() -> None:
    schedule, errors = load_schedule(DEPLOY / "schedule.yaml")
    assert errors == [] and schedule is not None and schedule.mail is not None
    assert schedule.mail.municipalities["Halsnæs"] == ("borgerservice@halsnaes.example.org",)
    assert schedule.mail.username_env == "GRANTPOOL_SMTP_USER"


def test_deploy__service_runs_the_scheduled_command_as_an_unprivileged_user() -> None:
    unit = (DEPLOY / "grantpool-scheduled.service").read_text(encoding="utf-8")
    assert "User=grantpool" in unit and "SuccessExitStatus=1" in unit
    command = next(line.split("=", 1)[1] for line in unit.splitlines()
                   if line.startswith("ExecStart="))
    args = shlex.split(command)[1:]
    help_text = CliRunner().invoke(main, [*args[:1], "--help"]).output
    assert args[0] == "scheduled" and "--config" in help_text
    assert "OnCalendar=" in (DEPLOY / "grantpool-scheduled.timer").read_text(encoding="utf-8")
    assert "grantpool scheduled" in (DEPLOY / "crontab").read_text(encoding="utf-8")
