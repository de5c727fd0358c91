"""Vouchers on the example books: generated here (synthetic receipt bytes for every purchase
over an amount, recorded in the entries' metadata of a private copy), then verified,
broken and pruned with the real command line."""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from grantpool.cli import main

HEADER = re.compile(r"^(\d{4}-\d\d-\d\d) \* \"Purchase: \w+\" #purchase$")


def with_vouchers(main: Path, over: Decimal) -> list[Path]:
    """Give every purchase over *over* in the federation at *main* (its consolidated main
    file) a synthetic voucher, stored as ``--voucher`` stores it: in the municipality's
    own folder, declared in its own main file and in the consolidated one; returns the
    voucher files."""
    stored = []
    for book in sorted((main.parent / "municipalities").glob("*/books.beancount")):
        folder = book.parent
        lines = book.read_text(encoding="utf-8").split("\n")
        out: list[str] = []
        for n, line in enumerate(lines):
            out.append(line)
            match = HEADER.match(line)
            if not match:
                continue
            body = lines[n + 1:n + 6]
            account, amount = next(x for x in body if x.startswith("  Expenses:")).split()[:2]
            pid = re.search(r"P-[A-Z]+-\d+", "".join(body))
            if Decimal(amount) <= over or pid is None:
                continue
            data = f"%PDF-1.4\n% synthetic voucher {folder.name}:{n + 1}\n".encode()
            sha = hashlib.sha256(data).hexdigest()
            path = folder.joinpath("documents", *account.split(":"),
                                   f"{match.group(1)}-{pid.group(0)}-{sha[:12]}.pdf")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(0o600)
            stored.append(path)
            out += [f'  document: "{path.relative_to(folder).as_posix()}"',
                    f'  voucher_sha256: "{sha}"']
        book.write_text("\n".join(out), encoding="utf-8")
        if (folder / "documents").is_dir():
            with (folder / "main.beancount").open("a", encoding="utf-8") as handle:
                handle.write('\noption "documents" "documents"\n')
            with main.open("a", encoding="utf-8") as handle:
                handle.write(f'\noption "documents" "municipalities/{folder.name}/documents"\n')
    return stored


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, list(args))
    return done.exit_code, done.stdout, done.stderr


def test_example_books_with_vouchers_check_clean_and_verify(example_copy: Path) -> None:
    stored = with_vouchers(example_copy, Decimal("10000"))
    assert len(stored) > 20
    assert run("check", str(example_copy), "--as-of", "2020-06-30")[0] == 0
    code, out, _ = run("vouchers", "verify", str(example_copy))
    assert code == 0 and f"{len(stored)} voucher(s) recorded" in out


def test_removed_or_altered_voucher_makes_check_report_it_at_the_purchase(
        example_copy: Path) -> None:
    stored = with_vouchers(example_copy, Decimal("10000"))
    stored[0].unlink()
    stored[1].write_bytes(b"%PDF-1.4 another receipt")
    code, out, _ = run("check", str(example_copy), "--as-of", "2020-06-30")
    assert code == 1
    found = [line for line in out.splitlines() if "[vouchers]" in line]
    assert len(found) == 2
    assert "is missing" in found[0] + found[1] and "was altered" in found[0] + found[1]
    assert all(".beancount:" in line for line in found)
    code, out, _ = run("vouchers", "verify", str(example_copy))
    assert code == 1 and "2 missing or altered" in out


def test_prune_deletes_expired_vouchers_notes_them_and_keeps_the_books_clean(
        example_copy: Path) -> None:
    stored = with_vouchers(example_copy, Decimal("10000"))
    early = [p for p in stored if p.name.startswith("2018-")]
    code, _, err = run("vouchers", "prune", str(example_copy), "--as-of", "2024-01-01")
    assert code == 0, err
    assert all(not p.exists() for p in early)
    assert all(p.exists() for p in stored if p not in early)
    books = "".join(p.read_text(encoding="utf-8")
                    for p in (example_copy.parent / "municipalities").glob("*/books.beancount"))
    assert books.count('event "voucher_pruned"') == len(early)
    assert run("check", str(example_copy), "--as-of", "2024-06-30")[0] == 0
    assert run("vouchers", "verify", str(example_copy))[0] == 0
    again = run("vouchers", "prune", str(example_copy), "--as-of", "2024-01-01")
    assert again[0] == 0 and "nothing to prune" in again[1]


def test_prune__as_of_after_today_is_refused_and_deletes_nothing(example_copy: Path) -> None:
    stored = with_vouchers(example_copy, Decimal("10000"))
    folder = example_copy.parent
    before = {p: p.read_bytes() for p in folder.rglob("*.beancount")}
    future = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    for extra in ((), ("--dry-run",)):
        code, out, err = run("vouchers", "prune", str(example_copy), "--as-of", "2099-01-01",
                             *extra)
        assert code == 2 and "--as-of 2099-01-01 is after today" in err
        assert len(err.strip().splitlines()) == 1 and out == ""
    code, _, err = run("vouchers", "prune", str(example_copy), "--as-of", future)
    assert code == 2 and "--as-of" in err
    assert all(p.exists() for p in stored)
    assert {p: p.read_bytes() for p in folder.rglob("*.beancount")} == before
    assert not list(folder.rglob(".*.pruning"))
