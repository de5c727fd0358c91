"""Entries under bad input and faults: every input of the catalogue is refused with a
one-line reason and exit 2 (or 1, a rules finding), the books byte-identical, no
traceback, no CPR-looking input repeated; text reaches the books only escaped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from filelock import FileLock

from grantpool.books.loading import load
from grantpool.cli import main
from grantpool.rules import engine
from tests.conftest import REPO, RULES

SYNTHETIC_CPR = "010190-1234"


def gp(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """dk2017 books with Lejre's grant (2 courses) and P-LEJ-001's budget of 50,000."""
    shutil.copytree(RULES, tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "examples" / "trial" / "applications.yaml", tmp_path)
    assert gp("init", "--rules", "rules/dk2017.yaml")[0] == 0
    assert gp("allocate", "applications.yaml", "--date", "2017-11-15")[0] == 0
    assert gp("budget", "Lejre", "--amount", "50000", "--date", "2018-03-15")[0] == 0
    yield tmp_path / "ledger" / "main.beancount"


def lejre_folder(ledger: Path) -> Path:
    """Lejre's own books: where its citizens' entries are locked, judged and written."""
    return ledger.parent / "municipalities" / "lejre"


def snapshot(ledger: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ledger.parent)): p.read_bytes()
            for p in sorted(ledger.parent.rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


PURCHASE = ["purchase", "P-LEJ-001", "--category", "id_docs", "--date", "2018-06-01"]

# (what is tried, the command line, the exit code it must give)
CATALOGUE: list[tuple[str, list[str], int]] = [
    ("approval that closes its string and writes an event",
     [*PURCHASE, "--amount", "10", "--approval",
      'X"\n2018-06-01 event "accounts_submitted" "Lejre'], 2),
    ("approval with a quote", [*PURCHASE, "--amount", "10", "--approval", 'LEJ"7'], 2),
    ("approval with a backslash", [*PURCHASE, "--amount", "10", "--approval", "LEJ\\7"], 2),
    ("approval holding a CPR number",
     [*PURCHASE, "--amount", "10", "--approval", SYNTHETIC_CPR], 2),
    ("municipality in lower case", ["salary", "lejre", "--amount", "10", "--date",
                                    "2018-06-30"], 2),
    ("municipality as a path", ["salary", "../Lejre", "--amount", "10", "--date",
                                "2018-06-30"], 2),
    ("budget in a municipality spelled otherwise", ["budget", "LEJRE", "--amount", "10",
                                                    "--date", "2018-06-30"], 2),
    ("grant event for a municipality spelled otherwise",
     ["event", "accounts_submitted", "lejre", "--date", "2020-03-20"], 2),
    ("amount NaN", [*PURCHASE, "--amount", "NaN"], 2),
    ("amount sNaN", [*PURCHASE, "--amount", "sNaN"], 2),
    ("amount Infinity", [*PURCHASE, "--amount", "Infinity"], 2),
    ("amount with three decimals", [*PURCHASE, "--amount", "1.005"], 2),
    ("amount negative", [*PURCHASE, "--amount", "-5"], 2),
    ("amount in Danish notation", [*PURCHASE, "--amount", "1.500,00"], 2),
    ("amount 1e400", [*PURCHASE, "--amount", "1e400"], 2),
    ("amount of 29 digits", [*PURCHASE, "--amount", "9" * 29], 2),
    ("amount with an exponent", [*PURCHASE, "--amount", "1E5"], 2),
    ("amount with an underscore", [*PURCHASE, "--amount", "1_000"], 2),
    ("amount with a space", [*PURCHASE, "--amount", " 100"], 2),
    ("amount in other digits", [*PURCHASE, "--amount", "\u0663\u0660\u0660"], 2),
    ("citizen id that is a CPR number", ["budget", "Lejre", SYNTHETIC_CPR, "--amount", "10",
                                         "--date", "2018-06-30"], 2),
    ("purchase for a CPR number", ["purchase", SYNTHETIC_CPR, "--amount", "10", "--category",
                                   "id_docs", "--date", "2018-06-01"], 2),
    ("category with a quote", ["purchase", "P-LEJ-001", "--amount", "10", "--category",
                               'id_docs"', "--date", "2018-06-01"], 2),
    ("unknown citizen", ["purchase", "P-LEJ-999", "--amount", "10", "--category", "id_docs",
                         "--date", "2018-06-01"], 2),
    ("--git with no repository", [*PURCHASE, "--amount", "10", "--git", "--officer",
                                  "Finance Officer <officer@lejre.example.org>"], 2),
    ("--git without --officer", [*PURCHASE, "--amount", "10", "--git"], 2),
    ("--officer that is not Name <email>", [*PURCHASE, "--amount", "10", "--git", "--officer",
                                            'x" <a@b>'], 2),
    ("purchase over the citizen's cap", [*PURCHASE, "--amount", "50000.01"], 1),
]


@pytest.mark.parametrize(("what", "args", "code"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_entry_faults__refused_whole_with_one_line_and_books_unchanged(
        books: Path, what: str, args: list[str], code: int) -> None:
    before = snapshot(books)
    got, out, err = gp(*args)
    assert got == code, (what, out, err)
    assert snapshot(books) == before
    assert "Traceback" not in out + err
    assert SYNTHETIC_CPR not in out + err and "0101901234" not in out + err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


def test_entry_faults__an_approval_reference_is_written_escaped_and_read_back_exactly(
        books: Path) -> None:
    assert gp(*PURCHASE, "--amount", "10", "--approval", "SAG/17-311 b")[0] == 0
    entries, _, _ = load(books)
    purchases = [e for e in entries if isinstance(e, data.Transaction) and "purchase" in e.tags]
    assert purchases[-1].meta["approval"] == "SAG/17-311 b"
    assert not [e for e in entries if isinstance(e, data.Event)]


def test_entry_faults__a_writer_that_waits_too_long_is_refused_and_writes_nothing(
        books: Path) -> None:
    before = snapshot(books)
    with FileLock(lejre_folder(books) / ".grantpool.lock"):
        got, _, err = gp(*PURCHASE, "--amount", "10", env={"GRANTPOOL_LOCK_TIMEOUT": "0.3"})
    assert got == 2 and "held by another writer" in err and len(err.strip().splitlines()) == 1
    assert snapshot(books) == before
    assert gp(*PURCHASE, "--amount", "10")[0] == 0  # once released, the write goes through


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "1e400", "3601"])
def test_entry_faults__a_lock_timeout_that_is_no_number_of_seconds_is_refused(
        books: Path, value: str) -> None:
    before = snapshot(books)
    got, _, err = gp(*PURCHASE, "--amount", "10", env={"GRANTPOOL_LOCK_TIMEOUT": value})
    assert got == 2 and "GRANTPOOL_LOCK_TIMEOUT must be a number of seconds" in err
    assert len(err.strip().splitlines()) == 1 and snapshot(books) == before


def test_entry_faults__a_books_file_that_is_a_symlink_is_refused(books: Path,
                                                                 tmp_path: Path) -> None:
    lejre = lejre_folder(books) / "books.beancount"
    elsewhere = tmp_path / "elsewhere.beancount"
    shutil.move(lejre, elsewhere)
    lejre.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    got, _, err = gp(*PURCHASE, "--amount", "10")
    assert got == 2 and "symbolic link" in err
    assert elsewhere.read_bytes() == before and lejre.is_symlink()


def test_entry_faults__temp_files_of_a_killed_writer_are_cleaned_at_the_next_write(
        books: Path) -> None:
    stale = lejre_folder(books) / ".books.beancount.abc123.tmp"
    stale.write_text("half", encoding="utf-8")
    assert gp(*PURCHASE, "--amount", "10")[0] == 0
    assert not stale.exists()


def test_entry_faults__nothing_is_judged_from_a_file_someone_could_plant(books: Path) -> None:
    """The entry is judged from a string, not a probe file: a symlink planted at any name
    in the books' folder is never followed or written."""
    victim = books.parent.parent / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    for folder in (books.parent, lejre_folder(books)):
        for pid in range(1, 40000, 997):
            (folder / f".grantpool-probe-{pid}.beancount").symlink_to(victim)
    assert gp(*PURCHASE, "--amount", "10")[0] == 0
    assert victim.read_text(encoding="utf-8") == "keep"


def test_entry_faults__git_commit_records_the_officer_under_the_lock(books: Path) -> None:
    folder = books.parent
    ident = ["-c", "user.name=setup", "-c", "user.email=setup@example.org"]
    subprocess.run(["git", "-C", str(folder), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(folder), *ident, "commit", "-qm", "books"], check=True)
    env = {"GIT_COMMITTER_NAME": "grantpool", "GIT_COMMITTER_EMAIL": "grantpool@example.org"}
    got, _, err = gp(*PURCHASE, "--amount", "10", "--git", "--officer",
                     "Finance Officer <officer@lejre.example.org>", env=env)
    assert got == 0, err
    log = subprocess.run(["git", "-C", str(folder), "log", "-1", "--format=%an <%ae>|%s"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert log == ("Finance Officer <officer@lejre.example.org>|grantpool: purchase 10.00 "
                   "id_docs for P-LEJ-001")
    status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout
    assert status == ""


BUDGETS = """
from click.testing import CliRunner
from grantpool.cli import main
for _ in range(10):
    result = CliRunner().invoke(main, ["budget", "Lejre", "--amount", "100", "--date",
                                       "2018-04-01"])
    assert result.exit_code == 0, result.output + result.stderr
"""


def test_entry_faults__new_ids_are_chosen_under_the_lock_by_two_writers(books: Path) -> None:
    workers = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(BUDGETS)],
                                cwd=books.parent.parent, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=dict(os.environ))
               for _ in range(2)]
    results = [w.communicate(timeout=600) for w in workers]
    assert all(w.returncode == 0 for w in workers), results
    entries, _, _ = load(books)
    ids = [e.meta["citizen"] for e in entries if isinstance(e, data.Open)
           and e.account.endswith(":Available")]
    assert len(ids) == len(set(ids)) == 21  # P-LEJ-001 and 20 new ones, none refused


def test_entry_faults__a_lock_that_cannot_be_taken_is_one_line_exit_2(books: Path) -> None:
    """The lock file's place is taken by a folder: the lock cannot be had (as root, a
    read-only folder would not stop us, so this stands in for a permission problem)."""
    before = snapshot(books)
    lock = lejre_folder(books) / ".grantpool.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    got, _, err = gp(*PURCHASE, "--amount", "10", env={"GRANTPOOL_LOCK_TIMEOUT": "0.5"})
    assert got == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(books) == before


def test_entry_faults__an_entry_loads_the_books_once_and_runs_the_rules_twice(
        books: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once, for the books as they are: the entry is judged into that load
    (``grantpool.entry.judge``), never from a second one; the rules run on the books with
    the entry in, and on the books as they were when a finding names their own files (it
    may be theirs).  More would be time an officer waits for."""
    counts = {"load_file": 0, "load_string": 0, "rules": 0}

    def counting(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(loader, "load_file", counting("load_file", loader.load_file))
    monkeypatch.setattr(loader, "load_string", counting("load_string", loader.load_string))
    monkeypatch.setattr(engine, "run", counting("rules", engine.run))
    assert gp(*PURCHASE, "--amount", "10", "--dry-run")[0] == 0
    assert counts == {"load_file": 1, "load_string": 0, "rules": 2}
