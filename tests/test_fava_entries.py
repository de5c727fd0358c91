"""The citizen page's "record an entry" form and both write endpoints of the Fava
extension, through Fava's Flask test client on books in a temporary folder: each kind
written exactly as its command writes it, a refused or bad entry writing nothing, no
CPR-looking input repeated, no entry on the pool's own books, a signed-in user writing
only their own municipality's books (committed to git with the user as author), and the
form in a real Chromium sending its header and CSRF token."""

from __future__ import annotations

import inspect
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fava.application import create_app
from flask import g, session

from grantpool.cli import main
from grantpool.fava_ext import WRITE_ENDPOINTS, GrantPool
from grantpool.federation.discover import find
from grantpool.web.people import Role, User
from tests.rulebooks import books

HEADERS = {"X-Grantpool": "entry"}
RULE_TEST = "/rule-test/extension/GrantPool/"
LEJRE = "/grant-pool-dk2017-lejre/extension/GrantPool/"
POOL = "/grant-pool-dk2017-pool/extension/GrantPool/"
CONSOLIDATED = "/grant-pool-dk2017/extension/GrantPool/"
LEJRE_OFFICER = User("lejre-officer", Role.OFFICER, "", municipality="Lejre")
AVAILABLE = "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available"


def gp(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args))
    return done.exit_code, done.output


def writable(ledgers: list[Path], user: User | None = None, csrf: str | None = None) -> Any:
    """A writable Fava on *ledgers*; with *user* signed in on every request (as
    ``grantpool.web.app`` sets it), and with *csrf* as the session's token."""
    app = create_app(ledgers, load=True, read_only=False, poll_watcher=True)
    app.secret_key = "tests-only"

    def sign_in() -> None:
        if user is not None:
            g.grantpool_user = user
        if csrf is not None:
            g.grantpool_sessions = True
            session["csrf_token"] = csrf

    app.before_request(sign_in)
    return app.test_client()


def lines(text: str) -> list[str]:
    """The lines of *text* as Beancount reads them: blank lines and runs of spaces aside."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def appended(path: Path, before: str) -> str:
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)
    return after[len(before):]


# --- each kind, on books kept in one ledger ------------------------------------------

KINDS: dict[str, tuple[dict[str, str], list[str], list[str]]] = {
    "budget": ({"citizen": "P-LEJ-002", "municipality": "Lejre", "date": "2018-04-01",
                "amount": "20000.00"},
               ["budget", "Lejre", "P-LEJ-002", "--amount", "20000.00", "--date", "2018-04-01"],
               ["2018-04-01 open Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-002:Available DKK",
                'citizen: "P-LEJ-002"', 'municipality: "Lejre"',
                "2018-04-01 open Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-002:Committed DKK",
                'citizen: "P-LEJ-002"', 'municipality: "Lejre"',
                '2018-04-01 * "Budget granted: P-LEJ-002" #budget',
                "Assets:Municipality:Lejre:Bank:DrawingRights -20000.00 DKK",
                "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-002:Available 20000.00 DKK"]),
    "commitment": ({"citizen": "P-LEJ-001", "date": "2018-05-01", "amount": "300.00",
                    "category": "housing_deposit"},
                   ["commit", "P-LEJ-001", "--amount", "300.00", "--category",
                    "housing_deposit", "--date", "2018-05-01"],
                   ['2018-05-01 * "Commitment: housing_deposit" #commitment',
                    f"{AVAILABLE} -300.00 DKK",
                    "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed 300.00 DKK"]),
    "return": ({"citizen": "P-LEJ-001", "date": "2018-06-01", "amount": "100.00"},
               ["return", "P-LEJ-001", "--amount", "100.00", "--date", "2018-06-01"],
               ['2018-06-01 * "Unspent budget returned: P-LEJ-001" #return',
                f"{AVAILABLE} -100.00 DKK",
                "Assets:Municipality:Lejre:Bank:DrawingRights 100.00 DKK"]),
    "return-all": ({"citizen": "P-LEJ-001", "date": "2018-06-01"},
                   ["return", "P-LEJ-001", "--date", "2018-06-01"],
                   ['2018-06-01 * "Unspent budget returned: P-LEJ-001" #return',
                    f"{AVAILABLE} -50000.00 DKK",
                    "Assets:Municipality:Lejre:Bank:DrawingRights 50000.00 DKK"]),
    "moved_out": ({"citizen": "P-LEJ-001", "date": "2018-07-01"},
                  ["event", "moved_out", "P-LEJ-001", "--date", "2018-07-01"],
                  ['2018-07-01 event "moved_out" "P-LEJ-001"']),
    "excluded": ({"citizen": "P-LEJ-001", "date": "2018-07-01"},
                 ["event", "excluded", "P-LEJ-001", "--date", "2018-07-01"],
                 ['2018-07-01 event "excluded" "P-LEJ-001"']),
}


@pytest.mark.parametrize("case", list(KINDS))
def test_fava_entries__each_kind_is_written_as_its_command_writes_it_and_shown_on_the_page(
    write_doc: Callable[..., Path], case: str,
) -> None:
    fields, command, expected = KINDS[case]
    kind = case.split("-", maxsplit=1)[0]
    ledger, twin = write_doc(books()), write_doc(books(), "twin.beancount")
    before = ledger.read_text(encoding="utf-8")
    client = writable([ledger])
    answer = client.post(f"{RULE_TEST}entry", json={"kind": kind, **fields}, headers=HEADERS)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["entered"] == f"{kind},{fields['date']}"
    assert lines(appended(ledger, before)) == expected
    assert gp(*command, "--ledger", str(twin))[0] == 0  # the command's own bytes
    assert ledger.read_bytes() == twin.read_bytes()
    shown = client.get(f"{RULE_TEST}?page=citizen&name={answer.get_json()['citizen']}"
                       f"&entered={answer.get_json()['entered']}&lang=en")
    text = shown.data.decode()
    assert f'class="gp-confirm" role="status" data-entered="{kind}"' in text
    assert "It is the highlighted line of the statement below." in text
    marked = (f'<tr class="gp-stop-row gp-new" data-stop="{kind}">' if kind in (
        "moved_out", "excluded") else f'<tr data-kind="{kind}" class="gp-new">')
    assert text.count(marked) == 1


def test_fava_entries__a_budget_over_the_cap_is_refused_and_the_books_are_byte_identical(
    write_doc: Callable[..., Path],
) -> None:
    ledger = write_doc(books())
    before = ledger.read_bytes()
    answer = writable([ledger]).post(f"{RULE_TEST}entry", headers=HEADERS, json={
        "kind": "budget", "citizen": "P-LEJ-001", "date": "2018-04-01", "amount": "1.00"})
    assert answer.status_code == 409 and ledger.read_bytes() == before
    assert answer.get_json()["message"] == "refused: 1 error(s); nothing was written"
    [finding] = answer.get_json()["findings"]
    assert finding["rule"] == "citizen-cap" and "over the cap of 50000.00 DKK by 1.00" in (
        finding["message"])


BAD: dict[str, tuple[Any, str]] = {
    "not an object": (["budget"], "send the entry as a JSON object"),
    "unknown kind": ({"kind": "purchase"}, "kind must be one of budget, commitment, return, "
                     "moved_out, excluded"),
    "a name as citizen": ({"kind": "moved_out", "citizen": "Anna Hansen",
                           "date": "2018-07-01"}, "citizen must be a pseudonymous id"),
    "no citizen": ({"kind": "return", "date": "2018-07-01"}, "citizen must be a pseudonymous"),
    "bad date": ({"kind": "excluded", "citizen": "P-LEJ-001", "date": "2018-13-01"},
                 "date must be YYYY-MM-DD"),
    "bad amount": ({"kind": "return", "citizen": "P-LEJ-001", "date": "2018-07-01",
                    "amount": "1,5"}, "amount must be like 1500.00"),
    "amount as a number": ({"kind": "return", "citizen": "P-LEJ-001", "date": "2018-07-01",
                            "amount": 100}, "amount must be text, as the form sends it"),
    "budget without amount": ({"kind": "budget", "citizen": "P-LEJ-001",
                               "date": "2018-07-01"}, "amount must be like 1500.00"),
    "no category": ({"kind": "commitment", "citizen": "P-LEJ-001", "date": "2018-07-01",
                     "amount": "10.00"}, "a commitment needs its category"),
    "unknown category": ({"kind": "commitment", "citizen": "P-LEJ-001", "date": "2018-07-01",
                          "amount": "10.00", "category": "yachts"},
                         "unknown category 'yachts'; use one of comms_phone"),
    "an amount on an event": ({"kind": "moved_out", "citizen": "P-LEJ-001",
                               "date": "2018-07-01", "amount": "10.00"},
                              "moved_out takes no amount: leave it out"),
    "a category on a budget": ({"kind": "budget", "citizen": "P-LEJ-001", "date": "2018-07-01",
                                "amount": "10.00", "category": "alcohol"},
                               "budget takes no category: leave it out"),
    "a new citizen, no municipality": ({"kind": "budget", "citizen": "P-LEJ-009",
                                        "date": "2018-07-01", "amount": "10.00"},
                                       "a new citizen's budget needs its municipality"),
    "a citizen without budget": ({"kind": "return", "citizen": "P-LEJ-009",
                                  "date": "2018-07-01"}, "no budget for citizen P-LEJ-009"),
    "Danish": ({"kind": "excluded", "citizen": "P-LEJ-001", "date": "1.7.2018", "lang": "da"},
               "dato skal være ÅÅÅÅ-MM-DD"),
    # what the books refuse, said on the Danish page in Danish, not the command line's words
    "Danish, a citizen without budget": ({"kind": "return", "citizen": "P-LEJ-009",
                                          "date": "2018-07-01", "lang": "da"},
                                         "borger P-LEJ-009 har intet budget; bevilg et først"),
    "Danish, an unknown category": ({"kind": "commitment", "citizen": "P-LEJ-001",
                                     "date": "2018-07-01", "amount": "10,00",
                                     "category": "yachts", "lang": "da"},
                                    "ukendt kategori 'yachts'; brug en af comms_phone"),
    "Danish, another municipality's id": ({"kind": "budget", "citizen": "P-AAR-001",
                                           "municipality": "Lejre", "date": "2018-07-01",
                                           "amount": "10,00", "lang": "da"},
                                          "P-AAR-001 er ikke et id for borgere i Lejre"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_fava_entries__a_bad_field_is_400_with_one_line_and_nothing_written(
    write_doc: Callable[..., Path], case: str,
) -> None:
    body, said = BAD[case]
    ledger = write_doc(books())
    before = ledger.read_bytes()
    answer = writable([ledger]).post(f"{RULE_TEST}entry", json=body, headers=HEADERS)
    assert answer.status_code == 400, answer.get_json()
    message = answer.get_json()["message"]
    assert said in message and "\n" not in message and answer.get_json()["ok"] is False
    assert ledger.read_bytes() == before


@pytest.mark.parametrize("body", [
    {"kind": "moved_out", "citizen": "010190-1234", "date": "2018-07-01"},
    {"kind": "return", "citizen": "0101901234", "date": "2018-07-01"},
    {"kind": "budget", "municipality": "010190-1234", "date": "2018-07-01", "amount": "1.00"},
    {"kind": "commitment", "citizen": "P-LEJ-001", "date": "2018-07-01", "amount": "1.00",
     "category": "0101901234"},
])
def test_fava_entries__a_cpr_looking_value_is_never_repeated(
    write_doc: Callable[..., Path], body: dict[str, str],
) -> None:
    ledger = write_doc(books())
    before = ledger.read_bytes()
    answer = writable([ledger]).post(f"{RULE_TEST}entry", json=body, headers=HEADERS)
    assert answer.status_code == 400 and ledger.read_bytes() == before
    raw = answer.data.decode()
    assert "010190" not in raw and "0101901234" not in raw and "1234" not in raw


def test_fava_entries__without_the_forms_header_nothing_is_written(
    write_doc: Callable[..., Path],
) -> None:
    ledger = write_doc(books())
    before = ledger.read_bytes()
    client = writable([ledger])
    body = {"kind": "moved_out", "citizen": "P-LEJ-001", "date": "2018-07-01"}
    for headers in ({}, {"X-Grantpool": "purchase"}):  # another form's header: not ours
        answer = client.post(f"{RULE_TEST}entry", json=body, headers=headers)
        assert answer.status_code == 403 and "X-Grantpool" in answer.get_json()["message"]
    assert ledger.read_bytes() == before


def test_fava_entries__read_only_fava_offers_no_form_and_refuses_the_entry(
    write_doc: Callable[..., Path],
) -> None:
    ledger = write_doc(books())
    client = create_app([ledger], load=True, read_only=True, poll_watcher=True).test_client()
    text = client.get(f"{RULE_TEST}?page=citizen&name=P-LEJ-001").data.decode()
    assert "gp-readonly" in text and 'form class="gp-entry"' not in text
    answer = client.post(f"{RULE_TEST}entry", headers=HEADERS, json={
        "kind": "moved_out", "citizen": "P-LEJ-001", "date": "2018-07-01"})
    assert answer.status_code == 401


def test_fava_entries__write_endpoints_are_exactly_the_extensions_posts() -> None:
    posts = {func.endpoint_key[0] for _, func in inspect.getmembers(GrantPool, inspect.isfunction)
             if hasattr(func, "endpoint_key") and "POST" in func.endpoint_key[1]}
    assert set(WRITE_ENDPOINTS) == posts == {"purchase", "entry"}


# --- a federation, signed in -----------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A federation made by commands: Aarhus' and Lejre's grants, a budget in Lejre."""
    folder = tmp_path_factory.mktemp("federation")
    (folder / "apps.yaml").write_text(
        "applications:\n  - {municipality: Aarhus, courses: 2, date: 2017-10-20}\n"
        "  - {municipality: Lejre, courses: 2, date: 2017-10-22}\n", encoding="utf-8")
    ledger = folder / "ledger"
    assert gp("init", "--rules", "dk2017", "--out", str(ledger))[0] == 0
    assert gp("allocate", str(folder / "apps.yaml"), "--ledger", str(ledger), "--date",
              "2017-11-15")[0] == 0
    assert gp("budget", "Lejre", "--amount", "30000", "--date", "2018-03-15", "--ledger",
              str(ledger / "main.beancount"))[0] == 0
    return ledger


@pytest.fixture
def federation(template: Path, tmp_path: Path) -> Path:
    """A private copy of the federation: its folder (``tmp_path/ledger``)."""
    return Path(shutil.copytree(template, tmp_path / "ledger"))


def served(folder: Path) -> list[Path]:
    """What ``grantpool serve`` serves: the consolidated main file, then every entity's."""
    found = find(folder)
    assert found is not None and found.consolidated is not None
    return [found.consolidated, *(entity.main for entity in found.entities)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".grantpool.lock" and ".git" not in p.parts}


COMMITMENT = {"kind": "commitment", "citizen": "P-LEJ-001", "date": "2018-04-03",
              "amount": "100.00", "category": "id_docs"}
PURCHASE = {"citizen": "P-LEJ-001", "date": "2018-04-02", "amount": "250.00",
            "category": "education_books"}


def test_fava_entries__the_pools_own_books_take_no_entry(federation: Path) -> None:
    before = snapshot(federation)
    client = writable(served(federation))
    answer = client.post(f"{POOL}entry", json=COMMITMENT, headers=HEADERS)
    assert answer.status_code == 403
    assert "in the municipality's books" in answer.get_json()["message"]
    assert snapshot(federation) == before


@pytest.mark.parametrize("user", [
    User("aarhus-officer", Role.OFFICER, "", municipality="Aarhus"),
    User("minister", Role.MINISTRY, ""),
    User("revisor", Role.AUDITOR, "", entities=("Lejre",)),
], ids=lambda user: user.name)
def test_fava_entries__a_user_who_does_not_write_lejres_books_gets_403_and_they_are_unchanged(
    federation: Path, user: User,
) -> None:
    before = snapshot(federation)
    client = writable(served(federation), user)
    for base in (LEJRE, CONSOLIDATED):
        entry = client.post(f"{base}entry", json=COMMITMENT, headers=HEADERS)
        assert entry.status_code == 403, base
        assert entry.get_json()["message"] == "you may not record entries in these books"
        purchase = client.post(f"{base}purchase", json=PURCHASE,
                               headers={"X-Grantpool": "purchase"})
        assert purchase.status_code == 403, base
    assert snapshot(federation) == before
    text = client.get(f"{LEJRE}?page=citizen&name=P-LEJ-001&lang=en").data.decode()
    assert 'class="gp-purchase"' not in text and 'class="gp-entry"' not in text
    assert 'class="gp-note gp-not-yours"' in text


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def test_fava_entries__lejres_officer_writes_and_each_write_is_committed_as_the_officer(
    federation: Path,
) -> None:
    root = federation.parent  # the books inside a git work tree, not at its top
    git(root, "init", "-q")
    git(root, "config", "user.name", "The Server")
    git(root, "config", "user.email", "server@grantpool.invalid")
    client = writable(served(federation), LEJRE_OFFICER, csrf="token-of-this-session")
    text = client.get(f"{LEJRE}?page=citizen&name=P-LEJ-001&lang=en").data.decode()
    assert text.count('data-csrf="token-of-this-session"') == 2  # both forms
    assert 'form class="gp-purchase"' in text and 'form class="gp-entry"' in text
    books = federation / "municipalities" / "lejre" / "books.beancount"
    before = books.read_text(encoding="utf-8")
    others = {k: v for k, v in snapshot(federation).items() if "lejre" not in k}
    bought = client.post(f"{LEJRE}purchase", json=PURCHASE, headers={"X-Grantpool": "purchase"})
    assert bought.status_code == 200, bought.get_json()
    entry = client.post(f"{LEJRE}entry", json=COMMITMENT, headers=HEADERS)
    assert entry.status_code == 200, entry.get_json()
    assert lines(appended(books, before))[-3:] == [
        '2018-04-03 * "Commitment: id_docs" #commitment',
        f"{AVAILABLE} -100.00 DKK",
        "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed 100.00 DKK"]
    log = git(root, "log", "--format=%an <%ae>|%s").splitlines()
    assert log == [f"{LEJRE_OFFICER.commit_author()}|grantpool: commitment 100.00 for P-LEJ-001",
                   f"{LEJRE_OFFICER.commit_author()}|grantpool: purchase 250.00 "
                   "education_books for P-LEJ-001"]
    assert git(root, "show", "--name-only", "--format=") == (
        "ledger/municipalities/lejre/books.beancount")
    assert git(root, "status", "--porcelain", "--", str(books)) == ""  # all committed
    assert {k: v for k, v in snapshot(federation).items() if "lejre" not in k} == others


def test_fava_entries__lejres_officer_writes_without_a_commit_when_no_git_holds_the_books(
    federation: Path,
) -> None:
    books = federation / "municipalities" / "lejre" / "books.beancount"
    before = books.read_text(encoding="utf-8")
    client = writable(served(federation), LEJRE_OFFICER)
    answer = client.post(f"{LEJRE}entry", json=COMMITMENT, headers=HEADERS)
    assert answer.status_code == 200, answer.get_json()
    assert lines(appended(books, before)) == [
        '2018-04-03 * "Commitment: id_docs" #commitment', f"{AVAILABLE} -100.00 DKK",
        "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed 100.00 DKK"]
    assert not any((parent / ".git").exists() for parent in books.parents)


def test_fava_entries__a_budget_on_lejres_books_is_lejres(federation: Path) -> None:
    before = snapshot(federation)
    client = writable(served(federation), LEJRE_OFFICER)
    aarhus = client.post(f"{LEJRE}entry", headers=HEADERS, json={
        "kind": "budget", "municipality": "Aarhus", "date": "2018-04-01", "amount": "10.00"})
    assert aarhus.status_code == 400 and snapshot(federation) == before
    assert aarhus.get_json()["message"] == ("these books are Lejre's: record another "
                                           "municipality's budget in its own books")
    new = client.post(f"{LEJRE}entry", headers=HEADERS, json={
        "kind": "budget", "date": "2018-04-01", "amount": "10.00"})
    assert new.status_code == 200 and new.get_json()["citizen"] == "P-LEJ-002"


# --- in a real browser ----------------------------------------------------------------

@pytest.fixture
def chromium() -> Iterator[Any]:
    executable = Path("/usr/bin/chromium")
    if not executable.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium (README)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (needs chromium)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable),
                                             args=["--no-sandbox", "--disable-gpu"])
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


@pytest.mark.browser
def test_fava_entries__browser_form_shows_the_kinds_fields_and_sends_header_and_token(
    chromium: Any, write_doc: Callable[..., Path],
) -> None:
    from tests.servers import serving  # noqa: PLC0415 (a server only for this test)

    page = chromium
    ledger = write_doc(books())
    with serving(ledger, "rule-test", "--read-write") as (url, _):
        page.goto(f"{url}/extension/GrantPool/?page=citizen&name=P-LEJ-001&time=2018&lang=en")
        page.wait_for_selector("form.gp-entry[data-ready]")
        amount = page.locator("form.gp-entry input[name=amount]")
        assert amount.is_visible() and amount.get_attribute("required") is not None  # budget
        page.select_option("form.gp-entry select[name=kind]", "moved_out")
        assert not amount.is_visible() and amount.is_disabled()
        token = page.get_attribute("form.gp-entry", "data-csrf")  # the session's, from the page
        page.fill("form.gp-entry input[name=date]", "2018-07-01")
        with page.expect_request(lambda r: r.url.endswith("/entry")) as sent:
            page.click("form.gp-entry button")
        headers = sent.value.headers
        assert headers["x-grantpool"] == "entry" and headers["x-csrf-token"] == token
        page.wait_for_selector(".gp-confirm[data-entered=moved_out]")
        assert page.locator("table.gp-statement tr.gp-stop-row.gp-new").count() == 1
    assert ledger.read_text(encoding="utf-8").count('event "moved_out" "P-LEJ-001"') == 1
