"""An entry judged with the books' one load gives the verdict of the full judge (the books
loaded again from a string that includes them and the new text), on a table of entries;
what it cannot judge alike goes to the full judge; and an entry loads the books once."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.parser import parser
from click.testing import CliRunner

from grantpool.books import writing
from grantpool.books.opening import Books, open_books
from grantpool.cli import main
from grantpool.entry import guard, judge
from grantpool.rules import engine
from tests.conftest import REPO, RULES

AVAILABLE = "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available"
COMMITTED = "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed"
IDDOCS = "Expenses:Municipality:Lejre:Purchases:IdDocs"
BANK = "Assets:Municipality:Lejre:Bank"


def gp(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dk2017 books with Lejre's grant and P-LEJ-001's budget of 50,000, and in Lejre's
    own books assertions after it: the bank's and the citizen's (true), and one false."""
    root = tmp_path_factory.mktemp("judge")
    shutil.copytree(RULES, root / "rules")
    shutil.copy(REPO / "examples" / "trial" / "applications.yaml", root)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert gp("init", "--rules", "rules/dk2017.yaml")[0] == 0
        assert gp("allocate", "applications.yaml", "--date", "2017-11-15")[0] == 0
        assert gp("budget", "Lejre", "--amount", "50000", "--date", "2018-03-15")[0] == 0
    own = root / "ledger" / "municipalities" / "lejre"
    books = open_books(own / "main.beancount", datetime.date(2018, 7, 1), run_rules=False)
    bank = sum(p.units.number for e in books.entries for p in getattr(e, "postings", [])
               if p.account.startswith(BANK + ":") or p.account == BANK)
    with (own / "books.beancount").open("a", encoding="utf-8") as handle:
        handle.write(f"\n2018-07-01 balance {BANK}  {bank:.2f} DKK\n"
                     f"\n2018-07-01 balance {AVAILABLE}  50000.00 DKK\n"
                     f"\n2018-07-02 balance {AVAILABLE}  1.00 DKK\n\n"
                     + purchase("2018-07-10", "5.00"))
    return own / "main.beancount"


@pytest.fixture(scope="module")
def books(made: Path) -> Books:
    return open_books(made, datetime.date(2018, 7, 1), run_rules=False)


def txn(day: str, *legs: str, head: str = '* "Purchase: id_docs" #purchase') -> str:
    return f"{day} {head}\n" + "".join(f"  {leg}\n" for leg in legs)


def purchase(day: str, amount: str, currency: str = "DKK", account: str = IDDOCS) -> str:
    return txn(day, f"{account}  {amount} {currency}", f"{AVAILABLE}  -{amount} {currency}")


# (what, the new text): judged with the one load, the same verdict as the full judge
JUDGED = {
    "accepted": purchase("2018-08-01", "10.00"),
    "accepted, with an auto-posting": txn("2018-08-01", f"{IDDOCS}  10.00 DKK", AVAILABLE),
    "over the cap": purchase("2018-08-01", "60000.00"),
    "an account not open": purchase("2018-08-01", "10.00",
                                    account="Expenses:Municipality:Lejre:Purchases:Nope"),
    "an assertion after it broken by it": purchase("2018-06-01", "10.00"),
    "moved within the bank, before the assertions": txn(
        "2018-06-01", f"{COMMITTED}  10.00 DKK", f"{AVAILABLE}  -10.00 DKK",
        head='* "Commitment: id_docs" #commitment'),
    "a currency the account refuses": purchase("2018-08-01", "10.00", "EUR"),
    "unbalanced": txn("2018-08-01", f"{IDDOCS}  10.00 DKK", f"{AVAILABLE}  -9.00 DKK"),
    "a parse error": '2018-08-01 * "Purchase never closed\n  ' + IDDOCS + "  10.00 DKK\n",
    "a pushtag never popped": "pushtag #x\n\n" + purchase("2018-08-01", "10.00"),
    "a duplicate open": f"2018-03-15 open {AVAILABLE} DKK\n",
    "a duplicate assertion, another amount": f"2018-07-01 balance {AVAILABLE}  7.00 DKK\n",
    "a duplicate of an existing assertion": f"2018-07-01 balance {AVAILABLE}  50000.00 DKK\n",
    "a failing assertion of its own": f"2018-08-01 balance {BANK}  1.00 DKK\n",
    "an assertion in a currency its account refuses": f"2018-08-01 balance {AVAILABLE}  "
                                                      f"1.00 EUR\n",
    "an account closed before what names it": f"2018-04-01 close {AVAILABLE}\n",
    "a new account and a purchase from it": (
        f"2018-08-01 open {BANK}:Citizen:P-LEJ-777:Available DKK\n\n"
        + txn("2018-08-02", f"{IDDOCS}  5.00 DKK", f"{BANK}:Citizen:P-LEJ-777:Available  "
                                                   f"-5.00 DKK")),
    "an event and a note": ('2018-08-01 event "moved_out" "P-LEJ-001"\n\n'
                            f'2018-08-01 note {AVAILABLE} "called"\n'),
    "dated after everything": purchase("2030-01-01", "10.00"),
    "empty": "; nothing but a comment\n",
}

# what only the full judge judges alike: the one load hands it over
HANDED_OVER = {
    "an option": 'option "booking_method" "FIFO"\n\n' + purchase("2018-08-01", "10.00"),
    "an include": 'include "elsewhere.beancount"\n',
    "a plugin": 'plugin "beancount.plugins.auto_accounts"\n',
    "a pad": f"2018-08-01 pad {AVAILABLE} Equity:Transfers:Lejre:Municipality\n",
    "a document": f'2018-08-01 document {AVAILABLE} "/nonexistent/receipt.pdf"\n',
    "a lot at cost": txn("2018-08-01", f"{IDDOCS}  1 SHARE {{10.00 DKK}}",
                         f"{AVAILABLE}  -10.00 DKK"),
    "an amount without its currency": txn("2018-08-01", f"{IDDOCS}  10.00",
                                          f"{AVAILABLE}  -10.00 DKK"),
}


def as_of(books: Books, text: str) -> datetime.date:
    days = [datetime.date.fromisoformat(line[:10]) for line in text.splitlines()
            if line[:4].isdigit()]
    return guard.judged_as_of(books.entries, max(days, default=datetime.date(2018, 8, 1)))


def verdicts(books: Books, text: str, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[guard.Verdict, guard.Verdict]:
    """(the one load's verdict, the full judge's) on *text*."""
    day = as_of(books, text)
    args = (books.path, books.entries, books.errors, books.options, books.rules, text, day)
    one = guard.judge_loaded(*args)
    strings: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(guard, "after_entry", lambda *_: None)
        patch.setattr(loader, "load_string", lambda text, *a, **k: strings.append(text) or
                      real_load_string(text, *a, **k))
        full = guard.judge_loaded(*args)
    assert len(strings) == 1 and strings[0].endswith(text)  # the full judge's own load
    return one, full


real_load_string = loader.load_string


@pytest.mark.parametrize("what", list(JUDGED))
def test_entry_judge__the_one_load_gives_the_full_judges_verdict(
        books: Books, what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = JUDGED[what]
    assert judge.after_entry(books.entries, books.errors, books.options, text) is not None
    one, full = verdicts(books, text, monkeypatch)
    assert one == full


@pytest.mark.parametrize("what", list(HANDED_OVER))
def test_entry_judge__what_it_cannot_judge_alike_goes_to_the_full_judge(
        books: Books, what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HANDED_OVER[what]
    assert judge.after_entry(books.entries, books.errors, books.options, text) is None
    one, full = verdicts(books, text, monkeypatch)
    assert one == full


def test_entry_judge__the_table_holds_what_it_is_named_for(
        books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdicts compared are the ones each row is there for (not all alike clean)."""
    def seen(what: str) -> tuple[set[str], set[str]]:
        one, _ = verdicts(books, JUDGED[what], monkeypatch)
        return {f.rule for f in one.errors}, {f.message.split(" '")[0] for f in one.errors}

    assert seen("accepted") == (set(), set())
    assert seen("accepted, with an auto-posting") == (set(), set())
    assert "citizen-cap" in seen("over the cap")[0]
    assert "Invalid reference to unknown account" in seen("an account not open")[1]
    assert seen("an assertion after it broken by it")[1] == {"Balance failed for"}
    assert seen("moved within the bank, before the assertions")[1] == {"Balance failed for"}
    assert "Invalid currency" in " ".join(seen("a currency the account refuses")[1])
    assert any("does not balance" in m for m in seen("unbalanced")[1])
    assert seen("a parse error")[0] == {"beancount"}
    assert any("Duplicate" in m for m in seen("a duplicate open")[1])
    assert any("Duplicate" in m for m in seen("a duplicate assertion, another amount")[1])
    assert seen("a duplicate of an existing assertion") == (set(), set())
    assert "Invalid reference to inactive account" in seen(
        "an account closed before what names it")[1]


def test_entry_judge__booking_that_may_hang_on_the_new_posting_goes_to_the_full_judge(
        tmp_path: Path) -> None:
    """Booking a later posting may hang on the new one: a lot at cost on an account it
    posts to, a later posting there whose currency Beancount took from the account's
    inventory, or a transaction booking failed on (it might book with the new one in)."""
    head = ("2020-01-01 open Assets:A\n2020-01-01 open Assets:B\n2020-01-01 open Assets:C\n\n"
            "2020-01-10 *\n  Assets:A  5.00 DKK\n  Assets:B  -5.00 DKK\n\n")
    new = "2020-02-01 *\n  Assets:A  1.00 DKK\n  Assets:B  -1.00 DKK\n"
    cases = {"2020-03-01 *\n  Assets:A  1 SHARE {1.00 DKK}\n  Assets:B  -1.00 DKK\n": None,
             "2020-03-01 *\n  Assets:A  1.00\n  Assets:B  -1.00 DKK\n": None,
             "2020-03-01 *\n  Assets:C  1.00\n  Assets:B  -1.00 DKK\n  Assets:B  -1.00 EUR\n":
                 None,
             "2020-03-01 *\n  Assets:A  1.00 DKK\n  Assets:B\n": "judged",
             "2020-01-15 *\n  Assets:A  1.00\n  Assets:B  -1.00 DKK\n": "judged",
             "2020-03-01 *\n  Assets:C  1.00 DKK\n  Assets:B  -1.00 DKK\n": "judged"}
    for later, expected in cases.items():
        path = tmp_path / "main.beancount"
        path.write_text(head + later, encoding="utf-8")
        entries, errors, options = loader.load_file(str(path))
        got = judge.after_entry(entries, errors, options, new)
        assert (got and "judged") == expected, later


# --- an entry through the command: one load of the books -------------------------------


@pytest.fixture
def own_copy(made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the books (and rules) of *made*; the working folder at its root."""
    root = made.parents[3]
    shutil.copytree(root / "ledger", tmp_path / "ledger")
    shutil.copytree(root / "rules", tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    yield tmp_path / "ledger" / "municipalities" / "lejre" / "books.beancount"


class Counted:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: dict[str, list[Any]] = {"load_file": [], "load_string": [], "_load": [],
                                            "parse_file": [], "tail": [], "rules": []}
        for module, name in ((loader, "load_file"), (loader, "load_string"), (loader, "_load"),
                             (parser, "parse_file"), (engine, "run")):
            monkeypatch.setattr(module, name, self.wrap(name, getattr(module, name)))
        monkeypatch.setattr(parser, "parse_string", self.tails(parser.parse_string))

    def wrap(self, name: str, real: Any) -> Any:
        key = "rules" if name == "run" else name

        def counted(*args: Any, **kwargs: Any) -> Any:
            if key == "rules":  # how many rules of the rules file were run
                self.calls[key].append(len(args[1].rules))
            elif name != "parse_file" or isinstance(args[0], str | Path):  # not a string
                self.calls[key].append(args[0] if args else None)
            return real(*args, **kwargs)
        return counted

    def tails(self, real: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("report_firstline", 1) > 1:
                self.calls["tail"].append(kwargs["report_firstline"])
            return real(*args, **kwargs)
        return counted

    def counts(self) -> dict[str, int]:
        return {name: len(calls) for name, calls in self.calls.items()}


PURCHASE = ["purchase", "P-LEJ-001", "--category", "id_docs", "--amount", "10",
            "--date", "2018-08-01"]


def test_entry_judge__an_entry_loads_its_books_once(
        own_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One load: main and books parsed once each.  The rules run over the books with the
    entry in; the one rule with a finding in the books' own files (a bank movement
    without its statement) runs again over the books as they were: it may be theirs."""
    counted = Counted(monkeypatch)
    assert gp(*PURCHASE, "--dry-run")[0] == 0
    assert counted.counts() == {"load_file": 1, "load_string": 0, "_load": 1,
                                "parse_file": 2, "tail": 0, "rules": 2}
    assert counted.calls["rules"][0] > 10 and counted.calls["rules"][1] == 1


def test_entry_judge__a_written_entry_is_reparsed_from_the_last_directive_read(
        own_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Still one load; the written file is read again from its last directive on."""
    lines = own_copy.read_text(encoding="utf-8").count("\n")
    counted = Counted(monkeypatch)
    code, _, err = gp(*PURCHASE)
    assert code == 0, err
    assert counted.counts() == {"load_file": 1, "load_string": 0, "_load": 1,
                                "parse_file": 2, "tail": 1, "rules": 2}
    assert lines - 5 <= counted.calls["tail"][0] <= lines
    assert "2018-08-01 * \"Purchase: id_docs\"" in own_copy.read_text(encoding="utf-8")


def test_entry_judge__a_string_left_open_is_still_refused_with_the_tail_reparsed(
        own_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with own_copy.open("a", encoding="utf-8") as handle:
        handle.write('\n2018-07-20 * "a note never closed\n')
    before = own_copy.read_bytes()
    counted = Counted(monkeypatch)
    code, _, err = gp(*PURCHASE)
    assert code == 2 and "would not be read as written" in err
    assert counted.counts()["tail"] == 1 and counted.counts()["parse_file"] == 2
    assert own_copy.read_bytes() == before


@pytest.mark.parametrize(("old", "line"), [
    ('; books\n\n2018-01-01 open Assets:A\n\n2018-01-02 * "never closed\n', 3),
    ("; books\npushtag #x\n2018-01-01 open Assets:A\n\n", 3),
    ("; books\n\n2018-01-01 open Assets:A\n\n", 3)])
def test_entry_judge__the_write_reparses_the_whole_file_unless_the_hint_holds(
        tmp_path: Path, old: str, line: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hint for another text, or a text carrying parser state (pushtag), re-parses the
    whole file; either way a string left open above is refused, the file unchanged."""
    target = tmp_path / "books.beancount"
    for hint in (writing.Parsed(writing.digest(old.encode()), line),
                 writing.Parsed(writing.digest(b"other"), line)):
        target.write_text(old, encoding="utf-8")
        with monkeypatch.context() as patch:
            counted = Counted(patch)
            try:
                writing.append_locked(tmp_path / "main.beancount", target,
                                      '2018-02-01 note Assets:A "read"\n', hint)
                written = True
            except writing.WriteRefused:
                written = False
                assert target.read_text(encoding="utf-8") == old
        assert written == ("never closed" not in old)
        whole = "pushtag" in old or hint.digest == writing.digest(b"other")
        assert counted.counts()["parse_file"] == int(whole)
        assert counted.counts()["tail"] == int(not whole)


# --- the assertions checked again: Beancount's own figures, digit for digit ----------------

TREE = ["Assets:B", "Assets:B:C", "Assets:B:C-D", "Assets:B:C:E", "Assets:B:Z", "Assets:X"]
AMOUNTS = ["1.00", "-1.00", "5", "-5", "0.5", "2.50", "-2.5", "10.000", "-3.25"]


def random_books(seed: int) -> tuple[str, str]:
    """Books over an account tree (children named so that depth-first and plain sorting
    differ) with amounts of mixed digits that cancel to zero on the way, assertions on
    parents and children, true and false; and a new transaction dated among them."""
    import random  # noqa: PLC0415 (only here)

    pick = random.Random(seed)
    lines = [f"2020-01-01 open {a}" for a in TREE] + ["2020-01-01 open Equity:O", ""]
    for day in range(2, 28):
        for _ in range(pick.randint(0, 3)):
            account, number = pick.choice(TREE[:-1]), pick.choice(AMOUNTS)
            currency = pick.choice(["DKK", "DKK", "EUR"])
            lines += [f"2020-01-{day:02} *", f"  {account}  {number} {currency}",
                      "  Equity:O", ""]
        if pick.random() < 0.5:
            account = pick.choice(TREE)
            number = pick.choice(["0", "0.00", "1.00", "-1", "5.00", "7.5", "-2.50"])
            lines += [f"2020-01-{day:02} balance {account}  {number} DKK", ""]
    day = pick.randint(2, 27)
    new = (f"2020-01-{day:02} *\n  {pick.choice(TREE[:-1])}  {pick.choice(AMOUNTS)} DKK\n"
           f"  {pick.choice(TREE[:-1])}  {pick.choice(AMOUNTS)} DKK\n  Equity:O\n")
    return "\n".join(lines) + "\n", new


@pytest.mark.parametrize("seed", range(40))
def test_entry_judge__assertions_checked_again_give_beancounts_own_errors(
        tmp_path: Path, seed: int) -> None:
    old, new = random_books(seed)
    path = tmp_path / "main.beancount"
    path.write_text(old, encoding="utf-8")
    entries, errors, options = loader.load_file(str(path))
    after = judge.after_entry(entries, errors, options, new)
    assert after is not None
    _, full, _ = loader.load_string(f'include "{path}"\n\n{new}')

    def failed(found: list[Any]) -> set[tuple[str, int, str]]:
        return {(e.source["filename"], e.source["lineno"], e.message) for e in found
                if "Balance" in e.message or "Invalid currency" in e.message}

    again = failed(after.errors)
    assert again <= failed(full)  # what was checked again is what Beancount says ...
    assert failed(full) - failed(errors) <= again  # ... and nothing new is missed


def test_entry_judge__an_assertion_checked_again_sums_the_tree_in_beancounts_order(
        tmp_path: Path) -> None:
    """Beancount sums a parent's tree depth-first (``B:C``, ``B:C:E``, then ``B:C-D``), and
    a sum that reaches zero starts again from the next amount's digits: here 7, where
    another order would say 7.00.  The error's text must be Beancount's to the digit."""
    old = "\n".join([*(f"2020-01-01 open {a}" for a in TREE), "2020-01-01 open Equity:O",
                     *(f"2020-01-0{day} *\n  {account}  {number} DKK\n  Equity:O"
                       for day, account, number in ((2, "Assets:B:C", "1.00"),
                                                    (3, "Assets:B:C:E", "-1.00"),
                                                    (4, "Assets:B:C-D", "5"))),
                     "2020-01-09 balance Assets:B  8 DKK", ""])
    path = tmp_path / "main.beancount"
    path.write_text(old, encoding="utf-8")
    entries, errors, options = loader.load_file(str(path))
    new = "2020-01-05 *\n  Assets:B:Z  2 DKK\n  Equity:O\n"
    after = judge.after_entry(entries, errors, options, new)
    assert after is not None
    _, full, _ = loader.load_string(f'include "{path}"\n\n{new}')
    assert [e.message for e in errors] == [
        "Balance failed for 'Assets:B': expected 8 DKK != accumulated 5 DKK (3 too little)"]
    assert [e.message for e in after.errors] == [e.message for e in full] == [
        "Balance failed for 'Assets:B': expected 8 DKK != accumulated 7 DKK (1 too little)"]
