"""Entry commands on a federation: each entry judged against and written into one
entity's own books (a citizen's into the municipality holding it), a repayment into
the municipality's and the pool's books as two halves (both or neither), and
``init`` + ``allocate`` making a federation that ``check`` passes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from click.testing import CliRunner
from filelock import FileLock

from grantpool.cli import main
from grantpool.entry.route import holds_citizen
from grantpool.federation.layout import Entity
from tests.conftest import REPO

APPLICATIONS = """
applications:
  - {municipality: Aarhus, courses: 2, date: 2017-10-20}
  - {municipality: Kolding, courses: 2, date: 2017-10-21}
  - {municipality: Lejre, courses: 2, date: 2017-10-22}
"""
KNOWN = "Aarhus, Kolding, Lejre"


def gp(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, list(args), env=env)
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A federation of dk2017 made by commands: three grants, one budget in each."""
    folder = tmp_path_factory.mktemp("federation")
    ledger = folder / "ledger"
    (folder / "applications.yaml").write_text(APPLICATIONS, encoding="utf-8")
    assert gp("init", "--rules", "dk2017", "--out", str(ledger))[0] == 0
    assert gp("allocate", str(folder / "applications.yaml"), "--ledger", str(ledger),
              "--date", "2017-11-15")[0] == 0
    for name in ("Aarhus", "Kolding", "Lejre"):
        code, _, err = gp("budget", name, "--amount", "50000", "--date", "2018-03-15",
                          "--ledger", str(ledger / "main.beancount"))
        assert code == 0, err
    return ledger


@pytest.fixture
def books(template: Path, tmp_path: Path) -> Path:
    """A private copy of the federation; its consolidated main file."""
    shutil.copytree(template, tmp_path / "ledger")
    return tmp_path / "ledger" / "main.beancount"


def own(books: Path, slug: str) -> Path:
    return books.parent / "municipalities" / slug


def snapshot(books: Path) -> dict[str, bytes]:
    return {str(p.relative_to(books.parent)): p.read_bytes()
            for p in sorted(books.parent.rglob("*")) if p.is_file()
            and p.name != ".grantpool.lock"}


def purchase(books: Path, pid: str, amount: str, *extra: str,
             env: dict[str, str] | None = None) -> tuple[int, str, str]:
    return gp("purchase", pid, "--amount", amount, "--category", "health_glasses", "--date",
              "2018-05-02", "--ledger", str(books), *extra, env=env)


def test_purchase__federation_writes_only_aarhus_and_loads_no_other_entity(
        books: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (own(books, "kolding") / "books.beancount").write_text("this is {{ not beancount\n",
                                                           encoding="utf-8")
    before = snapshot(books)
    loaded: list[str] = []

    def spying(real: Any) -> Any:
        def spy(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            loaded.extend(result[2]["include"])
            return result
        return spy

    monkeypatch.setattr(loader, "load_file", spying(loader.load_file))
    monkeypatch.setattr(loader, "load_string", spying(loader.load_string))
    code, out, err = purchase(books, "P-AAR-001", "1890")
    assert code == 0, err
    aarhus = own(books, "aarhus") / "books.beancount"
    assert out.strip() == f"wrote purchase 1890.00 health_glasses for P-AAR-001 to {aarhus}"
    after = snapshot(books)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"municipalities/aarhus/books.beancount"}
    tail = aarhus.read_text(encoding="utf-8").rsplit("\n\n", 1)[1].split()
    assert tail == ["2018-05-02", "*", '"Purchase:', 'health_glasses"', "#purchase",
                    "Expenses:Municipality:Aarhus:Purchases:HealthGlasses", "1890.00", "DKK",
                    "Assets:Municipality:Aarhus:Bank:Citizen:P-AAR-001:Available", "-1890.00",
                    "DKK"]
    assert loaded and all(Path(p).parent == own(books, "aarhus").resolve()
                          for p in loaded if p.endswith(".beancount"))


def test_purchase__over_the_cap_on_a_federation_is_refused_and_every_file_byte_identical(
        books: Path) -> None:
    before = snapshot(books)
    code, _, err = gp("purchase", "P-LEJ-001", "--amount", "50000.01", "--category",
                      "housing_furniture", "--approval", "LEJ-7", "--date", "2018-06-01",
                      "--ledger", str(books))
    assert code == 1
    assert "[citizen-cap] P-LEJ-001: 50000.01 DKK committed and spent" in err
    assert f"{own(books, 'lejre') / 'books.beancount'} is unchanged" in err
    assert snapshot(books) == before


@pytest.mark.parametrize("args", [
    ["salary", "Odense", "--amount", "10", "--date", "2018-06-30"],
    ["event", "accounts_submitted", "Odense", "--date", "2020-03-20"],
    ["budget", "Odense", "--amount", "10", "--date", "2018-06-30"],
    ["repayment", "Odense", "--date", "2020-04-20"],
    ["purchase", "P-ODE-001", "--amount", "10", "--category", "id_docs"],
    ["event", "moved_out", "P-ODE-001", "--date", "2018-09-14"],
], ids=["salary", "grant event", "budget", "repayment", "purchase", "citizen event"])
def test_entry__unknown_municipality_or_citizen_is_one_line_exit_2_naming_the_known(
        books: Path, args: list[str]) -> None:
    before = snapshot(books)
    code, out, err = gp(*args, "--ledger", str(books))
    assert code == 2, out + err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "ODE" in err or "Odense" in err
    assert f"(its municipalities: {KNOWN})" in err
    assert snapshot(books) == before


def test_entry__a_citizen_in_books_saved_with_windows_line_ends_is_found(books: Path) -> None:
    aarhus = own(books, "aarhus") / "books.beancount"
    aarhus.write_bytes(aarhus.read_bytes().replace(b"\n", b"\r\n"))
    assert holds_citizen(Entity("municipality", "Aarhus", own(books, "aarhus") / "main.beancount"),
                         "P-AAR-001")
    code, out, err = purchase(books, "P-AAR-001", "12.00", "--dry-run")
    assert code in (0, 1) and "no budget" not in err, out + err  # judged in Aarhus's books
    assert "aarhus" in out + err


def test_entry__a_cpr_number_as_citizen_on_a_federation_is_never_repeated(books: Path) -> None:
    code, _, err = gp("purchase", "010190-1234", "--amount", "10", "--category", "id_docs",
                      "--ledger", str(books))
    assert code == 2 and "not a pseudonymous id" in err and "010190" not in err


def test_entry__a_writer_holding_aarhus_books_does_not_hold_up_lejre(books: Path) -> None:
    wait = {"GRANTPOOL_LOCK_TIMEOUT": "0.3"}
    with FileLock(own(books, "aarhus") / ".grantpool.lock"):
        assert purchase(books, "P-LEJ-001", "1890", env=wait)[0] == 0
        code, _, err = purchase(books, "P-AAR-001", "1890", env=wait)
    assert code == 2 and "held by another writer" in err
    assert purchase(books, "P-AAR-001", "1890", env=wait)[0] == 0


def test_entity_main__an_entitys_own_main_file_is_one_set_of_books(books: Path) -> None:
    aarhus_main = own(books, "aarhus") / "main.beancount"
    code, out, err = purchase(aarhus_main, "P-AAR-001", "1890")
    assert code == 0, err
    assert str(own(books, "aarhus") / "books.beancount") in out
    before = snapshot(books)
    code, _, err = gp("repayment", "Aarhus", "--date", "2020-04-20", "--ledger",
                      str(aarhus_main))
    assert code == 2 and "only its half of a repayment claim" in err
    assert snapshot(books) == before


STORY = [
    ["budget", "Lejre", "--amount", "50000", "--date", "2018-03-20"],
    ["commit", "P-LEJ-001", "--amount", "15000", "--category", "housing_deposit", "--date",
     "2018-04-01"],
    ["purchase", "P-LEJ-001", "--amount", "15000", "--category", "housing_deposit",
     "--from-commitment", "--date", "2018-04-20"],
    ["purchase", "P-LEJ-001", "--amount", "1890", "--category", "health_glasses", "--date",
     "2018-05-02"],
    ["event", "moved_out", "P-LEJ-002", "--date", "2018-09-14"],
    ["return", "P-LEJ-002", "--date", "2018-09-20"],
    ["return", "P-LEJ-001", "--date", "2019-03-20"],
    *(["salary", "Lejre", "--amount", "10000", "--date", day]
      for day in ("2017-12-31", "2018-03-31", "2018-06-30", "2018-09-30", "2018-12-31",
                  "2019-03-31", "2019-06-30", "2019-09-30", "2019-12-31")),
    ["event", "accounts_submitted", "Lejre", "--date", "2020-03-20"],
]


@pytest.fixture
def trial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The README's trial (examples/trial) up to the repayment: Lejre's grant of two
    courses, two budgets spent and returned, the salary paid, the accounts submitted."""
    shutil.copytree(REPO / "examples" / "trial", tmp_path / "trial")
    monkeypatch.chdir(tmp_path / "trial")
    assert gp("init", "--rules", "dk2017", "--out", "ledger")[0] == 0
    assert gp("allocate", "applications.yaml", "--date", "2017-11-15")[0] == 0
    assert gp("budget", "Lejre", "--amount", "50000", "--date", "2018-03-15")[0] == 0
    for args in STORY:
        code, _, err = gp(*args)
        assert code == 0, (args, err)
    return tmp_path / "trial" / "ledger"


def test_repayment__federation_books_both_halves_with_one_link_and_reconcile_ties(
        trial: Path) -> None:
    lejre, pool = trial / "municipalities" / "lejre" / "books.beancount", trial / "pool" / \
        "books.beancount"
    others = {p: p.read_bytes() for p in trial.rglob("*.beancount") if p not in (lejre, pool)}
    code, out, err = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-05-20")
    assert code == 0, err
    assert out.strip() == f"wrote repayment claim 83110.00 (Lejre) to {lejre.resolve()} and " \
                          f"{pool.resolve()}"
    own_text, pool_text = lejre.read_text(encoding="utf-8"), pool.read_text(encoding="utf-8")
    for link in ("^claim-lejre-2020-04-20", "^repayment-lejre-2020-05-20"):
        assert own_text.count(link) == 1 and pool_text.count(link) == 1
    assert ("2020-04-20 open Assets:Pool:Bank:AwaitingRepayment:Lejre DKK\n"
            '  municipality: "Lejre"\n') in pool_text
    assert "AwaitingRepayment" not in own_text and "Municipality:Lejre" not in pool_text
    assert all(p.read_bytes() == before for p, before in others.items())
    assert gp("import", *sorted(str(p) for p in Path("statements").glob("*.csv")))[0] == 0
    code, out, _ = gp("reconcile", str(trial), "--as-of", "2020-12-31")
    assert code == 0, out
    assert "every transfer booked by both sides (7 pairs)" in out
    assert gp("check", str(trial), "--as-of", "2020-12-31")[0] == 0


def test_repayment__a_refused_pool_half_writes_neither_half(trial: Path) -> None:
    pool = trial / "pool" / "books.beancount"
    with pool.open("a", encoding="utf-8") as handle:
        handle.write("\n2020-05-01 close Equity:Transfers:Lejre:Pool\n")
    before = {p: p.read_bytes() for p in trial.rglob("*") if p.is_file()
              and p.name != ".grantpool.lock"}
    code, _, err = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-05-20")
    assert code == 1
    assert "<new entry, the pool's half>" in err and "are unchanged" in err
    assert "<new entry, the municipality's half>" not in err  # its half alone was fine
    assert {p: p.read_bytes() for p in before} == before


def test_repayment__under_the_de_minimis_touches_the_municipality_only(books: Path) -> None:
    for args in (["budget", "Lejre", "--amount", "49700", "--date", "2018-03-20"],
                 *(["salary", "Lejre", "--amount", "10000", "--date", day]
                   for day in ("2017-12-31", "2018-03-31", "2018-06-30", "2018-09-30",
                               "2018-12-31", "2019-03-31", "2019-06-30", "2019-09-30",
                               "2019-12-31"))):
        code, _, err = gp(*args, "--ledger", str(books))
        assert code == 0, (args, err)
    before = snapshot(books)
    code, out, err = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-05-20",
                        "--ledger", str(books))
    assert code == 0, err
    assert "300.00 kept under the de-minimis (Lejre)" in out
    after = snapshot(books)
    assert {n for n in after if after[n] != before.get(n)} == {
        "municipalities/lejre/books.beancount"}
    assert "#de-minimis" in after["municipalities/lejre/books.beancount"].decode()


def files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and p.name != ".grantpool.lock"}


def test_init_and_allocate__make_a_federation_that_check_passes(tmp_path: Path) -> None:
    out = tmp_path / "X"
    apps = tmp_path / "apps.yaml"
    apps.write_text(APPLICATIONS + "  - {municipality: Halsnæs, courses: 3, date: 2017-10-19}\n",
                    encoding="utf-8")
    assert gp("init", "--out", str(out))[0] == 0
    assert gp("init", "--out", str(out))[0] == 2  # new books only
    before = files(out)
    for held in (out, out / "pool"):  # the consolidated books' lock, the pool's
        with FileLock(held / ".grantpool.lock"):
            code, _, err = gp("allocate", str(apps), "--ledger", str(out), "--date",
                              "2017-11-15", env={"GRANTPOOL_LOCK_TIMEOUT": "0.3"})
        assert code == 2 and "held by another writer" in err
        assert files(out) == before and not (out / "municipalities").exists()
    code, _, err = gp("allocate", str(apps), "--ledger", str(out / "main.beancount"), "--date",
                      "2017-11-15")
    assert code == 0, err
    halsnaes = out / "municipalities" / "halsnaes"
    own_main = (halsnaes / "main.beancount").read_text(encoding="utf-8")
    assert '"grantpool-entity" "municipality" "Halsnæs"' in own_main
    assert 'plugin "grantpool.plugin" "../../rules.yaml"' in own_main
    consolidated = (out / "main.beancount").read_text(encoding="utf-8")
    assert 'include "municipalities/halsnaes/books.beancount"' in consolidated
    pool_text = (out / "pool" / "books.beancount").read_text(encoding="utf-8")
    own_text = (halsnaes / "books.beancount").read_text(encoding="utf-8")
    assert pool_text.count("^award-halsnaes-2017-11-15") == own_text.count(
        "^award-halsnaes-2017-11-15") == 1
    assert "Assets:Pool" not in own_text and "Assets:Municipality" not in pool_text
    code, report, _ = gp("check", str(out), "--as-of", "2017-12-31")
    assert code == 0, report
    assert gp("check", str(out / "main.beancount"), "--as-of", "2017-12-31")[0] == 0
    assert gp("reconcile", str(out), "--as-of", "2017-11-30")[0] == 0

    before = files(out)
    code, _, err = gp("allocate", str(apps), "--ledger", str(out), "--date", "2017-11-16")
    assert code == 2 and "already granted: Aarhus, Halsnæs, Kolding, Lejre" in err
    assert files(out) == before


def test_allocate__books_that_are_no_federation_exit_2(tmp_path: Path) -> None:
    single = tmp_path / "main.beancount"
    single.write_text('option "title" "one ledger"\n', encoding="utf-8")
    apps = tmp_path / "apps.yaml"
    apps.write_text(APPLICATIONS, encoding="utf-8")
    code, _, err = gp("allocate", str(apps), "--ledger", str(single))
    assert code == 2 and "not a federation's books" in err
    assert single.read_text(encoding="utf-8") == 'option "title" "one ledger"\n'


def test_fava_purchase__on_the_consolidated_ledger_writes_only_the_citizens_books(
        books: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grantpool.fava_ext.form import record_purchase  # noqa: PLC0415 (Fava loads late)

    (own(books, "kolding") / "books.beancount").write_text("garbage {{{\n", encoding="utf-8")
    before = snapshot(books)
    loaded: list[str] = []
    for name in ("load_file", "load_string"):
        real = getattr(loader, name)
        monkeypatch.setattr(loader, name, lambda *a, _real=real, **k: _seen(_real(*a, **k),
                                                                             loaded))
    status, answer = record_purchase(books, {
        "citizen": "P-AAR-001", "date": "2018-05-02", "amount": "250.00",
        "category": "education_books"})
    assert status == 200, answer
    after = snapshot(books)
    assert {name for name in after if after[name] != before.get(name)} == {
        "municipalities/aarhus/books.beancount"}
    assert loaded and all(Path(p).parent == own(books, "aarhus").resolve()
                          for p in loaded if p.endswith(".beancount"))


def test_fava_purchase__an_unknown_citizen_is_refused_in_the_pages_language_no_path(
        books: Path) -> None:
    from grantpool.fava_ext.form import record_purchase  # noqa: PLC0415 (Fava loads late)
    from grantpool.fava_ext.texts import texts  # noqa: PLC0415

    before = snapshot(books)
    status, answer = record_purchase(books, {
        "citizen": "P-AAR-999", "date": "2018-05-02", "amount": "250.00",
        "category": "education_books"}, texts("da", None).t)
    assert status == 400 and snapshot(books) == before
    said = answer["message"]
    assert said.startswith("borger P-AAR-999 har intet budget i sammenslutningen i "), said
    assert str(books.parent) not in said and f"i {books.parent.name} (" in said


def _seen(result: Any, loaded: list[str]) -> Any:
    loaded.extend(result[2]["include"])
    return result


def test_purchase__after_a_string_left_open_is_refused_not_swallowed(books: Path) -> None:
    aarhus = own(books, "aarhus") / "books.beancount"
    with aarhus.open("a", encoding="utf-8") as handle:
        handle.write('\n2018-04-01 * "an officer\'s note never closed\n')
    before = snapshot(books)
    code, out, err = purchase(books, "P-AAR-001", "100")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "would not be read as written" in err
    assert snapshot(books) == before


def test_repayment__a_string_left_open_in_the_pools_books_writes_neither_half(
        trial: Path) -> None:
    pool = trial / "pool" / "books.beancount"
    with pool.open("a", encoding="utf-8") as handle:
        handle.write('\n2020-01-01 * "a note never closed\n')
    before = {p: p.read_bytes() for p in trial.rglob("*.beancount")}
    code, _, err = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-05-20")
    assert code == 2 and "would not be read as written" in err
    assert {p: p.read_bytes() for p in trial.rglob("*.beancount")} == before


def test_repayment__paid_after_its_claim_books_the_payment_halves(trial: Path) -> None:
    lejre, pool = trial / "municipalities" / "lejre" / "books.beancount", trial / "pool" / \
        "books.beancount"
    assert gp("repayment", "Lejre", "--date", "2020-04-20")[0] == 0
    code, out, err = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-05-20")
    assert code == 0, err
    assert "repayment 83110.00 paid (Lejre)" in out
    for books in (lejre, pool):
        text = books.read_text(encoding="utf-8")
        assert text.count("^claim-lejre-2020-04-20") == 1
        assert text.count("^repayment-lejre-2020-05-20") == 1
    assert gp("import", *sorted(str(p) for p in Path("statements").glob("*.csv")))[0] == 0
    code, out, _ = gp("reconcile", str(trial), "--as-of", "2020-12-31")
    assert code == 0 and "(7 pairs)" in out, out
    again = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-06-01")
    assert again[0] == 2 and "nothing unspent" in again[2]


def test_repayment__paid_before_its_claim_is_bad_input(trial: Path) -> None:
    code, out, err = gp("repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-04-01")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--paid 2020-04-01 is before the claim's --date 2020-04-20" in err
