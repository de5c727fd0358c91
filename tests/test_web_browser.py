"""Sign-in and scoped access in a real headless Chromium against a real ``grantpool serve
--users`` on loopback (issue 14): a copy of the example federation, a users file made
with ``grantpool user add``, one user of each role signed in once through the sign-in
form.  The route table sends every route of Fava's own url map, with every method it
accepts, to every served ledger, as each role and signed out, through the browser's own
cookies (``page.request``) with the session's CSRF token, and checks each answer against
what the role's rules say; the books' bytes are the same afterwards."""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fava.application import create_app
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from grantpool.fava_ext import WRITE_ENDPOINTS, GrantPool
from grantpool.web.app import REFUSED_HEADER
from grantpool.web.context import CSRF_HEADER
from tests.servers import free_port, wait_for
from tests.test_browser import ARGS, CHROMIUM
from tests.webtools import AARHUS, CONSOLIDATED, KOLDING, PASSWORD, POOL, SLUGS, federation_copy

pytestmark = pytest.mark.browser

REBOUND = "rebound.example"   # resolved to 127.0.0.1 by the browser: a DNS rebinding
NOWHERE = "grant-pool-dk2017-nowhere"
LEDGERS: dict[str, str | None] = {**{slug: e for e, slug in SLUGS.items()}, NOWHERE: None}
EVERY = frozenset(SLUGS)       # entity names: "consolidated", "pool", the municipalities
# user: (``grantpool user add`` options, entities read, entities written, home ledger)
PEOPLE: dict[str, tuple[list[str], frozenset[str], frozenset[str], str]] = {
    "minister": (["--role", "ministry"], EVERY, frozenset(), CONSOLIDATED),
    "aarhus-officer": (["--role", "officer", "--municipality", "Aarhus"],
                       frozenset({"Aarhus"}), frozenset({"Aarhus"}), AARHUS),
    "revisor": (["--role", "auditor"], EVERY, frozenset(), CONSOLIDATED),
}
SAMPLE = {"name": "Assets", "report_name": "income_statement", "extension_name": "GrantPool",
          "result_format": "csv", "page_slug": "beancount_syntax", "filename": "app.js"}
QUERY = {"download_query": "?query_string=SELECT%20account", "document": "?filename=x.pdf"}
VARIABLE = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
PURCHASE = {"citizen": "P-AAR-001", "date": "2018-05-02", "amount": "100.00",
            "category": "health_glasses"}


@dataclass(frozen=True)
class Site:
    root: str          # http://127.0.0.1:<port>
    ledger: Path       # the served federation's folder
    log: Path
    key: bytes         # the --secret-file's key


@dataclass(frozen=True)
class Ask:
    method: str
    path: str
    entity: str | None   # the ledger's entity; None: no such ledger, "" no ledger at all
    write: bool          # a POST to one of the extension's checked write endpoints


def extension_endpoints() -> dict[str, list[str]]:
    """The Grant pool extension's endpoints and their methods, as Fava finds them."""
    found: dict[str, list[str]] = {}
    for _, func in inspect.getmembers(GrantPool, inspect.isfunction):
        if hasattr(func, "endpoint_key"):
            found.setdefault(func.endpoint_key[0], []).extend(func.endpoint_key[1])
    return found


def fill(rule: str, values: dict[str, str]) -> str:
    def one(found: re.Match[str]) -> str:
        converter, choices, name = found.groups()
        if converter == "any":
            return choices.split(",")[0].strip().strip("'\"")
        assert name in values, f"Fava's route {rule} has a new variable {name}: give a sample"
        return values[name]
    return VARIABLE.sub(one, rule)


def route_table() -> list[Ask]:
    """Every route of Fava's url map x every method it accepts (HEAD, OPTIONS aside) x
    every served ledger and one that does not exist; the extension's endpoint route once
    per endpoint the extension declares."""
    asks = []
    posts = {name for name, methods in extension_endpoints().items() if "POST" in methods}
    assert posts == set(WRITE_ENDPOINTS)  # the extension's writes are the gate's, and only
    for rule in create_app([]).url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        query = QUERY.get(rule.endpoint, "")
        if "bfile" not in rule.arguments:
            asks += [Ask(m, fill(rule.rule, SAMPLE) + query, "", False) for m in methods]
            continue
        endpoints = extension_endpoints() if "endpoint" in rule.arguments else {"": []}
        for slug, entity in LEDGERS.items():
            for endpoint in endpoints:
                path = fill(rule.rule, {**SAMPLE, "bfile": slug, "endpoint": endpoint}) + query
                asks += [Ask(m, path, entity, m == "POST" and endpoint in posts)
                         for m in methods]
    return asks


def allowed(user: str, ask: Ask) -> bool:
    """The roles' rules: a user reads the ledgers of the entities they read (pages, API,
    downloads alike); an officer POSTs to the extension's write endpoints of their own
    books; nothing else that is not a GET is ever let through."""
    _, reads, writes, _ = PEOPLE[user]
    if ask.entity == "":
        return ask.method == "GET"
    if ask.entity is None or ask.entity not in reads:
        return False
    return ask.method == "GET" or (ask.write and ask.entity in writes)


def send(page: Any, site: Site, ask: Ask, token: str, **headers: str) -> Any:
    """*ask* sent with the browser's cookies (``page.request``) and the CSRF token."""
    endpoint = ask.path.rsplit("/", 1)[1] if "/extension/" in ask.path else ""
    sent = {CSRF_HEADER: token, "X-Grantpool": endpoint, **headers}
    if ask.path == "/jump":  # Fava's sidebar links: back to the page they are on
        sent.setdefault("Referer", f"{site.root}/")
    body = None if ask.method == "GET" else "{}"  # an endpoint refuses it: nothing written
    if body is not None:
        sent["Content-Type"] = "application/json"
    return page.request.fetch(site.root + ask.path, method=ask.method, headers=sent,
                                 data=body, max_redirects=0)


def books(site: Site) -> dict[str, str]:
    """Each file of the books and of the rules beside them, by its digest (the books'
    lock file aside, made by the checked path whether it writes or not)."""
    return {str(path.relative_to(site.ledger.parent)): hashlib.sha256(path.read_bytes())
            .hexdigest() for folder in (site.ledger, site.ledger.parent / "rules")
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != ".grantpool.lock"}


def refused(answer: Any, *statuses: int) -> bool:
    return REFUSED_HEADER.lower() in answer.headers and answer.status in (statuses or (401, 403))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("served")
    ledger = federation_copy(root)
    users = root / "users.yaml"
    for name, (options, *_) in PEOPLE.items():
        done = subprocess.run([sys.executable, "-m", "grantpool", "user", "add", name,
                               *options, "--users", str(users), "--password-stdin"],
                              input=PASSWORD + "\n", capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    key = root / "session.key"
    key.write_bytes(base64.b64encode(secrets.token_bytes(48)))
    key.chmod(0o600)
    log, port = root / "serve.log", free_port()
    with (root / "serve.out").open("w") as out:  # a pipe nobody reads would fill and stall it
        proc = subprocess.Popen([sys.executable, "-m", "grantpool", "serve", str(ledger),
                                 "--port", str(port), "--users", str(users), "--secret-file",
                                 str(key), "--log", str(log)], stdout=out, stderr=out,
                                text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            wait_for(f"http://127.0.0.1:{port}/signin", proc)
            yield Site(f"http://127.0.0.1:{port}", ledger, log, key.read_bytes().strip())
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (needs chromium)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*ARGS, f"--host-resolver-rules=MAP {REBOUND} 127.0.0.1"])
        yield chromium
        chromium.close()


def sign_in(page: Any, site: Site, user: str, password: str = PASSWORD) -> None:
    """Through the sign-in form, as a person does: type, click."""
    page.goto(f"{site.root}/signin")
    page.fill("#user", user)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#signin")


def csrf(page: Any, site: Site) -> str:
    """The session's CSRF token, from the sign-out page's form."""
    page.goto(f"{site.root}/signout")
    return str(page.locator("input[name=csrf_token]").get_attribute("value"))


@dataclass
class Session:
    context: Any
    page: Any
    landed: str
    token: str


@pytest.fixture(scope="module")
def sessions(browser: Any, site: Site) -> Iterator[dict[str, Session]]:
    """Each role signed in once, in a browser context of its own."""
    made = {}
    for user in PEOPLE:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, site, user)
        made[user] = Session(context, page, page.url, csrf(page, site))
    yield made
    for session in made.values():
        session.context.close()


def test_web_browser__each_role_signs_in_through_the_form_and_lands_on_its_home(
        sessions: dict[str, Session]) -> None:
    for user, session in sessions.items():
        assert f"/{PEOPLE[user][3]}/" in session.landed, (user, session.landed)
        [cookie] = [c for c in session.context.cookies() if c["name"] == "grantpool_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
        assert not cookie["secure"]  # plain http on loopback: served without --behind-tls


def test_web_browser__a_wrong_password_shows_the_error_and_stays_signed_out(
        browser: Any, site: Site) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, site, "aarhus-officer", "not the password at all")
    assert "Wrong user name or password" in page.inner_text("[role=alert]")
    assert page.url.startswith(f"{site.root}/signin")
    page.goto(f"{site.root}/{AARHUS}/income_statement/")
    assert page.url.startswith(f"{site.root}/signin?next=")
    context.close()


def test_web_browser__signing_out_ends_the_session(browser: Any, site: Site) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, site, "minister")
    page.goto(f"{site.root}/signout")
    with page.expect_navigation():
        page.click("#signout")
    assert page.url == f"{site.root}/signin"
    page.goto(f"{site.root}/{POOL}/extension/GrantPool/")
    assert page.url.startswith(f"{site.root}/signin?next=")
    assert refused(page.request.get(f"{site.root}/{POOL}/api/ledger_data"), 401)
    context.close()


def test_web_browser__the_cookie_alone_never_signs_anyone_in(browser: Any, site: Site) -> None:
    """Sessions are the server's: the browser's real cookie, kept and sent again after
    signing out, asks for sign-in; so does a cookie signed with the server's own key
    (--secret-file) naming a session the server never opened.  (Idle expiry, measured
    on the server's clock, is tests/test_web_access.py's.)"""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, site, "revisor")
    [cookie] = [c for c in context.cookies() if c["name"] == "grantpool_session"]
    page.goto(f"{site.root}/signout")
    with page.expect_navigation():
        page.click("#signout")
    context.add_cookies([cookie])  # the cookie as a thief kept it
    page.goto(f"{site.root}/{POOL}/income_statement/")
    assert page.url.startswith(f"{site.root}/signin?next=")
    app = Flask(__name__)
    app.secret_key = site.key
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert signer is not None
    forged = signer.dumps({"sid": "made-up-session-id", "csrf_token": "x"})
    context.add_cookies([{**cookie, "value": forged}])
    page.goto(f"{site.root}/{POOL}/income_statement/")
    assert page.url.startswith(f"{site.root}/signin?next=")
    context.close()


@pytest.mark.parametrize("user", list(PEOPLE))
def test_web_browser__every_route_of_every_ledger_answers_as_the_role_says(
        sessions: dict[str, Session], site: Site, user: str) -> None:
    before = books(site)
    session, wrong = sessions[user], []
    for ask in route_table():
        answer = send(session.page, site, ask, session.token)
        if allowed(user, ask):
            ok = REFUSED_HEADER.lower() not in answer.headers and answer.status not in (401, 403)
            if ask.write:  # let through, and refused by the endpoint: an empty entry
                ok = ok and answer.status == 400
            if ask.path == "/":
                ok = ok and answer.headers["location"].endswith(
                    f"/{PEOPLE[user][3]}/extension/GrantPool/")
        else:
            ok = refused(answer)
        if not ok:
            wrong.append(f"{ask.method} {ask.path}: {answer.status}")
    assert not wrong, f"{user}: {len(wrong)} answers not as the role says: {wrong[:20]}"
    assert books(site) == before


def test_web_browser__signed_out_every_route_of_every_ledger_asks_for_sign_in(
        browser: Any, site: Site) -> None:
    before = books(site)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.root}/signin")  # a session with a CSRF token, and no user
    token = str(page.locator("input[name=csrf_token]").get_attribute("value"))
    wrong = []
    for ask in route_table():
        answer = send(page, site, ask, token)
        to_sign_in = answer.status == 302 and answer.headers["location"].startswith(
            "/signin?next=") and ask.method == "GET"
        if not (to_sign_in or refused(answer, 401)):
            wrong.append(f"{ask.method} {ask.path}: {answer.status}")
    context.close()
    assert not wrong, f"{len(wrong)} answers to no one signed in: {wrong[:20]}"
    assert books(site) == before


def purchase(page: Any, site: Site, **headers: str) -> Any:
    return page.request.post(f"{site.root}/{AARHUS}/extension/GrantPool/purchase",
                             data=json.dumps(PURCHASE), headers={
                                 "X-Grantpool": "purchase", "Content-Type": "application/json",
                                 **headers})


def test_web_browser__a_write_without_the_csrf_token_is_refused(
        sessions: dict[str, Session], site: Site) -> None:
    before = books(site)
    officer = sessions["aarhus-officer"]
    for token in ({}, {CSRF_HEADER: "not-the-token"}):
        answer = purchase(officer.page, site, **token)
        assert refused(answer, 403) and "security token" in answer.text()
    checked = purchase(officer.page, site, **{CSRF_HEADER: officer.token})
    assert REFUSED_HEADER.lower() not in checked.headers  # the same purchase, with the token,
    assert checked.json()["findings"]  # reaches the rules (the example's books are closed)
    assert books(site) == before


def test_web_browser__a_foreign_host_is_refused_before_anything(
        browser: Any, sessions: dict[str, Session], site: Site) -> None:
    before = books(site)
    minister, officer = sessions["minister"], sessions["aarhus-officer"]
    read = minister.page.request.get(f"{site.root}/{POOL}/api/ledger_data",
                                     headers={"Host": "evil.example"})
    assert refused(read, 400)
    write = purchase(officer.page, site, Host=f"{REBOUND}:{site.root.rsplit(':', 1)[1]}",
                     **{CSRF_HEADER: officer.token})
    assert refused(write, 400)
    context = browser.new_context()  # a page that reached the server by a rebound name
    page = context.new_page()
    rebound = site.root.replace("127.0.0.1", REBOUND)
    answer = page.goto(f"{rebound}/{AARHUS}/extension/GrantPool/")
    assert answer is not None and refused(answer, 400)
    assert "does not answer to that host name" in page.inner_text("body")
    context.close()
    assert books(site) == before


def test_web_browser__favas_source_api_writes_nothing_for_any_role(
        sessions: dict[str, Session], site: Site) -> None:
    before = books(site)
    aarhus = site.ledger / "municipalities" / "aarhus" / "books.beancount"
    body = {"file_path": str(aarhus.resolve()), "source": "; wiped\n",
            "sha256sum": hashlib.sha256(aarhus.read_bytes()).hexdigest()}
    for user, session in sessions.items():
        answer = session.page.request.put(
            f"{site.root}/{AARHUS}/api/source", data=json.dumps(body),
            headers={CSRF_HEADER: session.token, "Content-Type": "application/json"})
        assert refused(answer, 403), (user, answer.status)
    assert books(site) == before


def other_ledgers(page: Any, site: Site, slug: str) -> set[str]:
    page.goto(f"{site.root}/{slug}/income_statement/")
    data = json.loads(page.locator("#ledger-data").text_content())
    return {unquote(url).strip("/") for _title, url in data["other_ledgers"]}


def test_web_browser__the_ledger_switcher_names_only_the_users_ledgers(
        sessions: dict[str, Session], site: Site) -> None:
    officer = sessions["aarhus-officer"].page
    assert other_ledgers(officer, site, AARHUS) == set()
    own = officer.content() + officer.request.get(
        f"{site.root}/{AARHUS}/extension/GrantPool/").text()
    assert not [slug for slug in SLUGS.values() if slug != AARHUS and f"/{slug}/" in own]
    minister = sessions["minister"].page
    assert other_ledgers(minister, site, KOLDING) == set(SLUGS.values()) - {KOLDING}


def test_web_browser__favas_add_and_import_controls_are_hidden_the_editor_stays(
        sessions: dict[str, Session], site: Site) -> None:
    page = sessions["aarhus-officer"].page
    page.goto(f"{site.root}/{AARHUS}/income_statement/")
    page.wait_for_selector('aside a[href$="/editor/"]')
    assert page.is_visible('aside a[href$="/editor/"]')  # a finding's line, read-only
    assert page.is_visible('aside a[href$="/journal/"]')
    assert page.locator("aside a.add-transaction").count() == 1
    assert not page.is_visible("aside a.add-transaction")  # its PUT is refused (403)
    assert not page.is_visible('aside a[href$="/import/"]')
    page.click('aside a[href$="/journal/"]')  # Fava's own navigation keeps them hidden
    page.wait_for_url("**/journal/**")
    assert not page.is_visible("aside a.add-transaction")


def test_web_browser__the_officers_purchase_form_reaches_the_checked_path(
        sessions: dict[str, Session], site: Site) -> None:
    before = books(site)
    page = sessions["aarhus-officer"].page
    page.goto(f"{site.root}/{AARHUS}/extension/GrantPool/?page=citizen&name=P-AAR-001"
              f"&time=2018&lang=en")
    page.wait_for_selector("form.gp-purchase[data-ready]")
    page.fill("form.gp-purchase input[name=date]", PURCHASE["date"])
    page.fill("form.gp-purchase input[name=amount]", PURCHASE["amount"])
    page.select_option("form.gp-purchase select[name=category]", PURCHASE["category"])
    page.click("form.gp-purchase button")
    page.wait_for_selector(".gp-result.gp-error")  # the form's token let it through to the
    assert "refused" in page.inner_text(".gp-result")  # rules, which refuse it
    assert books(site) == before


def test_web_browser__the_log_names_the_user_of_each_refusal_and_write(
        sessions: dict[str, Session], site: Site) -> None:
    officer = sessions["aarhus-officer"]
    officer.page.request.get(f"{site.root}/{KOLDING}/api/journal")
    purchase(officer.page, site, **{CSRF_HEADER: officer.token})
    log = site.log.read_text(encoding="utf-8")
    assert "signin user=aarhus-officer from=127.0.0.1" in log
    assert f"refused user=aarhus-officer GET /{KOLDING}/api/journal" in log
    assert f"write user=aarhus-officer POST /{AARHUS}/extension/GrantPool/purchase" in log
    assert PASSWORD not in log
