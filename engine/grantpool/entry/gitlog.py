"""``--git --officer``: each write committed to the books' git repository, with the
officer as its author, under the books' lock.

Everything that can be checked is checked before anything is written: the officer
is ``Name <email>`` in plain text, the books' folder is inside a git work tree, and
git itself runs.  If the commit still fails, the write is undone
(``grantpool.entry.guard.write_parts``) and ``GitError`` says why.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from grantpool.entry.guard import AfterWrite
from grantpool.privacy.cpr import looks_like_cpr

OFFICER = re.compile(r"[^\W\d_][\w .'-]{0,79} <[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>")


class GitError(Exception):
    """The write cannot be committed as asked; nothing was written."""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git could not run ({exc}); install git or leave out --git; "
                       f"nothing was written") from exc


def check_officer(officer: str | None) -> str:
    if officer is None:
        raise GitError('--git needs --officer "Name <email>": who records the entry')
    if not OFFICER.fullmatch(officer) or looks_like_cpr(officer):
        raise GitError('--officer must be "Name <email>" (letters, spaces, . \' -; one '
                       "address); nothing was written")
    return officer


def git_commit_step(ledger: Path, officer: str | None) -> AfterWrite:
    """Checks now, and returns the step that commits the written files."""
    author = check_officer(officer)
    folder = ledger.resolve().parent
    inside = _git(folder, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise GitError(f"{folder}: not in a git repository; run `git init` there or leave "
                       f"out --git; nothing was written")

    def commit(paths: list[Path], summary: str) -> None:
        added = _git(folder, "add", "--", *(str(p.resolve()) for p in paths))
        done = added if added.returncode else _git(
            folder, "commit", "-q", "--author", author, "-m", f"grantpool: {summary}",
            "--", *(str(p.resolve()) for p in paths))
        if done.returncode:
            first = (done.stderr.strip().splitlines() or ["git failed"])[0][:200]
            raise GitError(f"git commit failed ({first}); the write was undone")

    return commit
