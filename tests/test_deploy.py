"""The deploy files name a command that exists and a schedule file that parses, and run
as their shell runs them, passing the SMTP credentials."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from grantpool.scheduled.config import load_schedule
from tests.servers import SmtpInbox, schedule_file, smtp_server

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


# The deploy files run as their shell runs them: the crontab line through sh and bash,
# the unit's ExecStart with the environment systemd gives it, both against a real SMTP
# server on loopback that requires a login.  The paths are the test's own folders.

OVER = """
2018-12-01 * "Purchase: clothing" #purchase
  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK
  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available  -1.00 DKK
"""
LOGIN = ("grantpool-test", "not a real password")
ENV_FILE = f"GRANTPOOL_SMTP_USER={LOGIN[0]}\nGRANTPOOL_SMTP_PASSWORD='{LOGIN[1]}'\n"


def installed(example_copy: Path, port: int) -> tuple[Path, Path]:
    """A server as README installs it: (GRANTPOOL_HOME, GRANTPOOL_ETC) in the test's folder."""
    home = example_copy.parent.parent
    venv = home / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "grantpool").symlink_to(Path(sys.executable).parent / "grantpool")
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a") as books:
        books.write(OVER)  # a new finding, mailed to Kolding
    etc = home / "etc"
    etc.mkdir()
    schedule = schedule_file(etc, port, "tls: none\nusername_env: GRANTPOOL_SMTP_USER\n"
                                        "password_env: GRANTPOOL_SMTP_PASSWORD")
    assert schedule == etc / "schedule.yaml"
    env = etc / "smtp.env"
    env.write_text(ENV_FILE, encoding="utf-8")
    env.chmod(0o600)
    return home, etc


def crontab() -> tuple[dict[str, str], str]:
    """The crontab's variables and its job's command (what cron hands to /bin/sh -c)."""
    variables, jobs = {}, []
    for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            variables[name] = value
        else:
            jobs.append(line.split(None, 5)[5])
    [command] = jobs
    return variables, command


@pytest.fixture
def smtp_login() -> Iterator[tuple[SmtpInbox, int]]:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.authenticator, auth_required=True,
                     auth_require_tls=False) as port:
        yield inbox, port


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_deploy__the_crontab_line_passes_the_smtp_credentials_and_reports_failure(
    example_copy: Path, smtp_login: tuple[SmtpInbox, int], shell: str
) -> None:
    inbox, port = smtp_login
    home, etc = installed(example_copy, port)
    variables, command = crontab()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh",
           **variables, "GRANTPOOL_HOME": str(home), "GRANTPOOL_ETC": str(etc)}
    done = subprocess.run([shell, "-c", command], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0 and done.stdout == done.stderr == "", done.stderr  # findings
    assert inbox.logins == [LOGIN] and len(inbox.to("kolding@example.org")) == 1
    (etc / "smtp.env").unlink()  # forgotten credentials: a failure cron mails, not a silence
    done = subprocess.run([shell, "-c", command], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 2 and "smtp.env" in done.stderr


def systemd_environment(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (quotes removed)."""
    env = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip().strip("'\"")
    return env


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_deploy__the_service_passes_the_smtp_credentials_from_its_environment_file(
    example_copy: Path, smtp_login: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp_login
    home, etc = installed(example_copy, port)
    unit = (DEPLOY / "grantpool-scheduled.service").read_text(encoding="utf-8")
    unit = unit.replace("/srv/grantpool", str(home)).replace("/etc/grantpool", str(etc))
    keys = [line.split("=", 1) for line in unit.splitlines() if re.match(r"^[A-Za-z]+=", line)]
    [env_file] = [v for k, v in keys if k == "EnvironmentFile"]
    assert not env_file.startswith("-")  # a missing file fails the unit, never runs bare
    env = {"PATH": "/usr/bin:/bin", **systemd_environment(Path(env_file).read_text())}
    env.update(v.split("=", 1) for k, v in keys if k == "Environment")
    [start] = [v for k, v in keys if k == "ExecStart"]
    [cwd] = [v for k, v in keys if k == "WorkingDirectory"]
    done = subprocess.run(shlex.split(start), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    success = {0} | {int(v) for k, v in keys if k == "SuccessExitStatus"}
    assert done.returncode == 1 and done.returncode in success, done.stderr
    assert inbox.logins == [LOGIN] and len(inbox.to("kolding@example.org")) == 1
    if shutil.which("systemd-analyze"):  # where systemd is at hand, it reads the unit too
        path = home / "grantpool-scheduled.service"
        path.write_text(unit, encoding="utf-8")
        verify = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                                text=True, timeout=60, check=False)
        assert verify.returncode == 0 and "Unknown" not in verify.stderr, verify.stderr
