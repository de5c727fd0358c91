"""``--voucher FILE`` on the entry commands: the receipt stored with the entry, under the
books' lock, or not at all; private to the owner; never in git."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from tests.conftest import REPO

PDF = b"%PDF-1.4\n% synthetic receipt\n"


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, list(args))
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """New books of dk2017 with Lejre's grant and P-LEJ-001's budget."""
    folder = tmp_path_factory.mktemp("books")
    ledger = folder / "ledger"
    assert run("init", "--rules", "dk2017", "--out", str(ledger))[0] == 0
    apps = REPO / "examples" / "trial" / "applications.yaml"
    assert run("allocate", str(apps), "--date", "2017-11-15", "--ledger",
               str(ledger / "main.beancount"))[0] == 0
    assert run("budget", "Lejre", "--amount", "50000", "--date", "2018-03-15", "--ledger",
               str(ledger / "main.beancount"))[0] == 0
    return ledger


@pytest.fixture
def books(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "ledger")
    (tmp_path / "r.pdf").write_bytes(PDF)
    return tmp_path / "ledger" / "main.beancount"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".grantpool")}


def lejre(books: Path) -> Path:
    """Lejre's own books' folder: its vouchers are stored there, beside its main file."""
    return books.parent / "municipalities" / "lejre"


def purchase(books: Path, *extra: str) -> tuple[int, str, str]:
    return run("purchase", "P-LEJ-001", "--amount", "1890", "--category", "health_glasses",
               "--date", "2018-05-02", "--ledger", str(books), *extra)


def test_purchase_with_voucher_stores_it_private_and_records_its_hash(books: Path) -> None:
    code, _, err = purchase(books, "--voucher", str(books.parent.parent / "r.pdf"))
    assert code == 0, err
    stored = list((lejre(books) / "documents").rglob("*.pdf"))
    assert len(stored) == 1 and not (books.parent / "documents").exists()
    assert stored[0].read_bytes() == PDF and stored[0].stat().st_mode & 0o777 == 0o600
    assert stored[0].parent.stat().st_mode & 0o777 == 0o700
    assert "Purchases/HealthGlasses/2018-05-02-P-LEJ-001-" in stored[0].as_posix()
    text = (lejre(books) / "books.beancount").read_text(encoding="utf-8")
    assert f'voucher_sha256: "{hashlib.sha256(PDF).hexdigest()}"' in text
    assert '  document: "documents/Expenses/Municipality/Lejre/Purchases/' in text
    assert (lejre(books) / "documents" / ".gitignore").read_text().splitlines()[2] == "*"
    own = (lejre(books) / "main.beancount").read_text(encoding="utf-8")
    assert own.count('option "documents" "documents"') == 1
    consolidated = books.read_text(encoding="utf-8")
    assert consolidated.count('option "documents" "municipalities/lejre/documents"') == 1
    assert run("vouchers", "verify", str(books))[0] == 0
    assert run("vouchers", "verify", str(lejre(books) / "main.beancount"))[0] == 0


def test_second_voucher_adds_no_second_documents_option(books: Path) -> None:
    (books.parent.parent / "s.pdf").write_bytes(PDF + b"salary")
    assert purchase(books, "--voucher", str(books.parent.parent / "r.pdf"))[0] == 0
    code, _, err = run("salary", "Lejre", "--amount", "10000", "--date", "2018-03-31",
                       "--ledger", str(books), "--voucher", str(books.parent.parent / "s.pdf"))
    assert code == 0, err
    assert books.read_text(encoding="utf-8").count('option "documents"') == 1
    own = (lejre(books) / "main.beancount").read_text(encoding="utf-8")
    assert own.count('option "documents"') == 1
    assert list((lejre(books) / "documents" / "Expenses" / "Municipality" / "Lejre" /
                 "Salary").glob("2018-03-31-lejre-*.pdf"))


def test_refused_purchase_leaves_no_voucher_and_the_books_unchanged(books: Path) -> None:
    before = snapshot(books.parent)
    code, _, err = run("purchase", "P-LEJ-001", "--amount", "60000", "--category",
                       "health_dental", "--date", "2018-05-02", "--ledger", str(books),
                       "--voucher", str(books.parent.parent / "r.pdf"))
    assert code == 1 and "refused" in err
    assert not (lejre(books) / "documents").exists()
    assert not (books.parent / "documents").exists()
    assert snapshot(books.parent) == before


def test_missing_voucher_file_is_one_line_exit_2_nothing_written(books: Path) -> None:
    before = snapshot(books.parent)
    code, _, err = purchase(books, "--voucher", str(books.parent / "0101901234.pdf"))
    assert code == 2 and err.count("\n") == 1 and "--voucher" in err
    assert "0101901234" not in err
    assert snapshot(books.parent) == before


def test_empty_voucher_file_is_refused_before_the_books_are_touched(books: Path) -> None:
    empty = books.parent.parent / "empty.pdf"
    empty.write_bytes(b"")
    before = snapshot(books.parent)
    code, _, err = purchase(books, "--voucher", str(empty))
    assert code == 2 and "empty" in err
    assert snapshot(books.parent) == before


def test_dry_run_with_voucher_stores_nothing(books: Path) -> None:
    code, out, _ = purchase(books, "--voucher", str(books.parent.parent / "r.pdf"), "--dry-run")
    assert code == 0 and "voucher_sha256" in out
    assert not (lejre(books) / "documents").exists()
    assert not (books.parent / "documents").exists()


def test_git_commits_the_entry_but_never_the_voucher(books: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    root = books.parent
    for args in (["init", "-q"], ["-c", "user.name=T", "-c", "user.email=t@example.org",
                                  "add", "-A"],
                 ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "0"]):
        subprocess.run([git, "-C", str(root), *args], check=True, env=env)
    code, out, err = purchase(books, "--voucher", str(root.parent / "r.pdf"), "--git",
                              "--officer", "Test Officer <officer@example.org>")
    assert code == 0 and "committed to git" in out, err
    tracked = subprocess.run([git, "-C", str(root), "ls-files"], capture_output=True,
                             text=True, check=True, env=env).stdout
    assert "documents/" not in tracked and ".pdf" not in tracked
    subprocess.run([git, "-C", str(root), "add", "-A"], check=True, env=env)
    staged = subprocess.run([git, "-C", str(root), "diff", "--cached", "--name-only"],
                            capture_output=True, text=True, check=True, env=env).stdout
    assert ".pdf" not in staged


def test_fava_opens_the_voucher_from_the_transactions_document_metadata(books: Path) -> None:
    from beancount.core import data  # noqa: PLC0415
    from fava.beans.funcs import hash_entry  # noqa: PLC0415
    from fava.core import FavaLedger  # noqa: PLC0415

    assert purchase(books, "--voucher", str(books.parent.parent / "r.pdf"))[0] == 0
    ledger = FavaLedger(str(books.resolve()))
    txn = next(e for e in ledger.all_entries
               if isinstance(e, data.Transaction) and "document" in e.meta)
    opened = Path(ledger.statement_path(hash_entry(txn), "document"))
    assert opened.read_bytes() == PDF
    assert [Path(d.filename) for d in ledger.all_entries_by_type.Document] == [opened]
