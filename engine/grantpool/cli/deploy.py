"""``grantpool deploy-files``: the shipped deployment files, ready to edit and install."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from grantpool.generate.writer import write_atomic

DEPLOY_FILES = ("schedule.yaml", "grantpool-scheduled.service", "grantpool-scheduled.timer",
                "crontab", "grantpool-serve.service", "nginx-grantpool.conf")
SHIPPED_LEDGER_LINE = "ledger: ../ledger/main.beancount"
SHIPPED_LEDGER_ARGUMENT = " scheduled ledger/main.beancount "
SHIPPED_SERVED_ARGUMENT = " serve /srv/grantpool/ledger/main.beancount "
SHIPPED_BOOKS_FOLDER = re.compile(r"^ReadWritePaths=/srv/grantpool/ledger(?=\s)", re.MULTILINE)


def for_ledger(name: str, text: str, ledger: Path, out: Path) -> str:
    """*text* of the deployment file *name* pointed at the books' main file *ledger*:
    ``schedule.yaml`` relative to itself, the units and the crontab line absolutely
    (and the units may write the books' folder); the nginx site names no books."""
    where = ledger.resolve()
    if name == "schedule.yaml":
        return text.replace(SHIPPED_LEDGER_LINE,
                            f"ledger: {os.path.relpath(where, out.resolve())}")
    text = text.replace(SHIPPED_LEDGER_ARGUMENT, f" scheduled {where} ")
    text = text.replace(SHIPPED_SERVED_ARGUMENT, f" serve {where} ")
    return SHIPPED_BOOKS_FOLDER.sub(lambda _: f"ReadWritePaths={where.parent}", text)


def shipped_folder() -> Path:
    """The installed folder of the deployment files (in a source checkout run without
    installing, the repository's ``deploy/``)."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "deploy"
    return installed if installed.is_dir() else package.parent.parent / "deploy"


@click.command("deploy-files")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path), default=None,
              help="The books' main file: written into schedule.yaml (relative to OUT), the "
                   "systemd units and the crontab line (absolute).")
def deploy_files_command(out: Path, ledger: Path | None) -> None:
    """Write the example schedule, systemd units, crontab line and nginx site into OUT."""
    taken = [name for name in DEPLOY_FILES if (out / name).exists()]
    if taken:
        click.echo(f"grantpool: {out / taken[0]} exists; deploy-files writes new files only",
                   err=True)
        raise SystemExit(2)
    for name in DEPLOY_FILES:
        text = (shipped_folder() / name).read_text(encoding="utf-8")
        if ledger is not None:
            text = for_ledger(name, text, ledger, out)
        write_atomic(out / name, text)
        click.echo(f"wrote {out / name}")
