"""Sign-in and scoped access through Fava's Flask test client: the example federation
served as ``grantpool serve --users`` serves it, one user of each role.  (The same
table over every route, in a real browser against a real server, is in
``test_web_browser.py``.)"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from grantpool.web.app import REFUSED_HEADER
from grantpool.web.limits import SignInLimit
from grantpool.web.people import Role, User
from grantpool.web.sessions import SessionTable
from grantpool.web.setup import ServeOptions
from grantpool.web.userfile import load_users
from grantpool.web.userwrite import save_users
from tests.webtools import (
    AARHUS,
    CONSOLIDATED,
    KOLDING,
    PASSWORD,
    POOL,
    SLUGS,
    books_digest,
    csrf_of,
    federation_copy,
    served,
    sign_in,
    users_file,
    with_settings,
)

PAGE = "/extension/GrantPool/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Path]]:
    root = tmp_path_factory.mktemp("site")
    ledger = federation_copy(root)
    users = users_file(root)
    app, settings, _ = served(ledger, ServeOptions("127.0.0.1", 5000, users=users))
    yield app, settings, ledger


@pytest.fixture
def client(site: tuple[Any, Any, Path]) -> Any:
    return site[0].test_client()


def own_site(root: Path) -> tuple[Any, Path]:
    """A client of a site of the test's own (its users file to change), and that file."""
    users = users_file(root)
    app = served(federation_copy(root), ServeOptions("127.0.0.1", 5000, users=users))[0]
    return app.test_client(), users


def refused(response: Any) -> bool:
    return REFUSED_HEADER in response.headers


def other_ledgers(client: Any, slug: str) -> list[str]:
    data = client.get(f"/{slug}/api/ledger_data").get_json()["data"]
    return [title for title, _url in data["other_ledgers"]]


def test_signin__no_request_reaches_a_ledger_before_sign_in(client: Any) -> None:
    for slug in [*SLUGS.values(), "no-such-books"]:
        page = client.get(f"/{slug}{PAGE}")
        assert page.status_code == 302 and "/signin?next=" in page.headers["Location"]
        api = client.get(f"/{slug}/api/query?query_string=SELECT%20account")
        assert api.status_code == 401 and refused(api)
    assert client.get("/").status_code == 302
    assert "Aarhus" not in client.get("/signin").get_data(as_text=True)


def test_signin__wrong_password_and_unknown_user_get_the_same_answer(client: Any) -> None:
    wrong = sign_in(client, "aarhus-officer", "not the password at all")
    unknown = sign_in(client, "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password" in wrong.get_data(as_text=True)
    assert client.get(f"/{AARHUS}{PAGE}").status_code == 302  # still not signed in


def test_signin__officer_lands_on_own_books_and_sees_only_them(client: Any) -> None:
    answer = sign_in(client, "aarhus-officer")
    assert answer.status_code == 302
    home = client.get("/")
    assert home.headers["Location"].endswith(f"/{AARHUS}{PAGE}")  # the Grant pool page
    assert client.get(f"/{AARHUS}{PAGE}").status_code == 200
    assert other_ledgers(client, AARHUS) == []  # the switcher names no other entity
    for slug in (KOLDING, POOL, CONSOLIDATED, "no-such-books"):
        answer = client.get(f"/{slug}{PAGE}")
        assert answer.status_code == 403 and refused(answer), slug
        assert client.get(f"/{slug}/api/source?filename=x").status_code == 403


def test_signin__a_refusal_does_not_tell_whether_the_books_exist(client: Any) -> None:
    sign_in(client, "aarhus-officer")
    kolding = client.get(f"/{KOLDING}/api/journal")
    nowhere = client.get("/grant-pool-dk2017-nowhere/api/journal")
    assert (kolding.status_code, kolding.get_data()) == (nowhere.status_code, nowhere.get_data())


def test_signin__ministry_reads_every_ledger_and_the_switcher_lists_them(client: Any) -> None:
    sign_in(client, "minister")
    for slug in SLUGS.values():
        assert client.get(f"/{slug}{PAGE}").status_code == 200, slug
    assert len(other_ledgers(client, POOL)) == len(SLUGS) - 1


def test_signin__auditor_with_a_list_reads_only_those_entities(client: Any) -> None:
    sign_in(client, "kolding-revisor")
    assert client.get("/").headers["Location"].endswith(f"/{KOLDING}{PAGE}")
    assert client.get(f"/{KOLDING}/download-journal/").status_code == 200
    for slug in (AARHUS, POOL, CONSOLIDATED):
        assert client.get(f"/{slug}/download-journal/").status_code == 403


@pytest.mark.parametrize("user", ["minister", "aarhus-officer", "revisor"])
def test_signin__favas_own_write_endpoints_are_refused_for_every_role(
        site: tuple[Any, Any, Path], client: Any, user: str) -> None:
    ledger = site[2]
    before = books_digest(ledger.parent)
    sign_in(client, user)
    token = csrf_of(client.get("/signin").get_data(as_text=True))
    books = ledger / "municipalities" / "aarhus" / "books.beancount"
    headers = {"X-CSRF-Token": token}
    writes = [
        ("PUT", "api/source", {"file_path": str(books), "source": "", "sha256sum": ""}),
        ("PUT", "api/format_source", {"source": ""}),
        ("PUT", "api/add_entries", {"entries": []}),
        ("DELETE", "api/source_slice?entry_hash=x&sha256sum=y", None),
        ("PUT", "api/upload_import_file", None),
        ("DELETE", "api/document?filename=x", None),
    ]
    for method, path, body in writes:
        answer = client.open(f"/{AARHUS}/{path}", method=method, json=body, headers=headers)
        assert answer.status_code == 403 and refused(answer), (user, method, path)
    assert books_digest(ledger.parent) == before


def test_signin__a_write_without_the_csrf_token_is_refused(
        site: tuple[Any, Any, Path], client: Any) -> None:
    before = books_digest(site[2].parent)
    sign_in(client, "aarhus-officer")
    body = {"citizen": "P-AAR-001", "date": "2018-03-01", "amount": "10.00",
            "category": "leisure"}
    answer = client.post(f"/{AARHUS}{PAGE}purchase", json=body,
                         headers={"X-Grantpool": "purchase"})
    assert answer.status_code == 403 and refused(answer)
    assert b"security token" in answer.get_data()
    assert books_digest(site[2].parent) == before


def test_signin__a_foreign_host_is_refused_before_anything(client: Any) -> None:
    sign_in(client, "minister")
    answer = client.get(f"/{POOL}{PAGE}", headers={"Host": "evil.example"})
    assert answer.status_code == 400 and refused(answer)
    assert client.get(f"/{POOL}{PAGE}", headers={"Host": "localhost:5000"}).status_code == 200


@pytest.mark.parametrize("asked", ["//evil.example/x", "/\t/evil.example/", "/\r/x",
                                   "/\\evil.example", "https://evil.example/", "/ /x"])
def test_signin__next_never_leads_off_the_server(client: Any, asked: str) -> None:
    token = csrf_of(client.get("/signin").get_data(as_text=True))
    answer = client.post("/signin", data={"user": "minister", "password": PASSWORD,
                                          "csrf_token": token, "next": asked})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_signin__next_leads_back_to_the_page_asked_for(client: Any) -> None:
    token = csrf_of(client.get("/signin").get_data(as_text=True))
    asked = "/grant-pool-dk2017-halsnæs/extension/GrantPool/?page=municipality&name=Halsnæs"
    answer = client.post("/signin", data={"user": "minister", "password": PASSWORD,
                                          "csrf_token": token, "next": asked})
    assert answer.status_code == 302
    assert client.get(answer.headers["Location"]).status_code == 200


def test_signin__a_visit_without_the_cookie_never_replaces_it(client: Any) -> None:
    """A link followed from another site arrives without the SameSite=Strict cookie: the
    answer must not set a new session cookie over the signed-in one."""
    sign_in(client, "minister")
    stranger = client.application.test_client()  # no cookies, as a cross-site visit
    for path in (f"/{POOL}{PAGE}", "/signin?next=/x", f"/{POOL}/api/ledger_data"):
        answer = stranger.get(path)
        assert all(not c.startswith("grantpool_session=")
                   for c in answer.headers.getlist("Set-Cookie")), path
    assert "Fortsæt / Continue" in stranger.get("/signin?next=/x").get_data(as_text=True)


def test_signin__a_query_may_not_open_files_on_the_server(client: Any) -> None:
    sign_in(client, "minister")
    probe = 'CREATE TABLE t (a str) USING "csv:/etc/passwd"'
    for path in (f"/{POOL}/api/query", f"/{POOL}/download-query/query_result.csv"):
        answer = client.get(path, query_string={"query_string": probe})
        assert answer.status_code == 403 and refused(answer), path
    plain = client.get(f"/{POOL}/api/query", query_string={"query_string": "SELECT account"})
    assert plain.status_code == 200


def test_signin__jump_leads_back_to_this_server_only(client: Any) -> None:
    sign_in(client, "minister")
    away = client.get("/jump?time=2018", headers={"Referer": "https://evil.example/x"})
    assert away.status_code == 403 and refused(away)
    back = client.get("/jump?time=2018", headers={"Referer": f"http://localhost/{POOL}/"})
    assert back.status_code == 302 and back.headers["Location"].startswith("http://localhost/")


def test_signin__an_unsigned_write_is_logged(client: Any,
                                            caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="grantpool.web"):
        assert client.put(f"/{AARHUS}/api/source", json={}).status_code == 401
    assert f"refused user=- PUT /{AARHUS}/api/source: not signed in" in caplog.text


def test_signin__sign_out_ends_the_session(client: Any) -> None:
    sign_in(client, "minister")
    page = client.get("/signout").get_data(as_text=True)
    assert client.post("/signout", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert client.get(f"/{POOL}{PAGE}").status_code == 302


def test_signin__sign_out_without_the_token_is_refused(client: Any) -> None:
    sign_in(client, "minister")
    assert client.post("/signout", data={}).status_code == 403
    assert client.get(f"/{POOL}{PAGE}").status_code == 200


def test_signin__an_idle_session_expires(site: tuple[Any, Any, Path],
                                        caplog: pytest.LogCaptureFixture) -> None:
    app, settings, _ = site
    now = [1000.0]
    app.config["GRANTPOOL_SETTINGS"] = with_settings(
        settings, sessions=SessionTable(30 * 60.0, clock=lambda: now[0]))
    try:
        client = app.test_client()
        sign_in(client, "minister")
        now[0] += 29 * 60
        assert client.get(f"/{POOL}{PAGE}").status_code == 200  # used: idle time restarts
        now[0] += 29 * 60
        assert client.get(f"/{POOL}{PAGE}").status_code == 200
        now[0] += 31 * 60
        with caplog.at_level(logging.INFO, logger="grantpool.web"):
            answer = client.get(f"/{POOL}{PAGE}")
        assert answer.status_code == 302 and "/signin" in answer.headers["Location"]
        assert "session ended user=minister (idle" in caplog.text
    finally:
        app.config["GRANTPOOL_SETTINGS"] = settings


def test_signin__a_copy_of_the_cookie_is_worthless_after_sign_out(client: Any) -> None:
    sign_in(client, "minister")
    cookie = client.get_cookie("grantpool_session").value
    page = client.get("/signout").get_data(as_text=True)
    client.post("/signout", data={"csrf_token": csrf_of(page)})
    client.set_cookie("grantpool_session", cookie)  # the old cookie, as a thief kept it
    assert client.get(f"/{POOL}/api/ledger_data").status_code == 401


def test_signin__a_new_password_ends_the_users_open_sessions(tmp_path: Path) -> None:
    client, users = own_site(tmp_path)
    sign_in(client, "revisor")
    assert client.get(f"/{POOL}{PAGE}").status_code == 200
    changed = CliRunner().invoke(main, ["user", "passwd", "revisor", "--users", str(users),
                                        "--password-stdin"], input="another long password\n")
    assert changed.exit_code == 0, changed.output
    assert client.get(f"/{POOL}{PAGE}").status_code == 302
    assert sign_in(client, "revisor", "another long password").status_code == 302
    assert client.get(f"/{POOL}{PAGE}").status_code == 200


def test_signin__a_users_file_fixed_in_place_is_read_again(tmp_path: Path) -> None:
    client, users = own_site(tmp_path)
    good = users.read_bytes()
    users.write_bytes(good.replace(b"role: ministry", b"role: minister"))
    assert sign_in(client, "minister").status_code == 401  # a broken file lets nobody in
    stat = users.stat()
    users.write_bytes(good)
    os.utime(users, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time as broken
    assert users.stat().st_size == stat.st_size  # so only a retry can notice the fix
    assert sign_in(client, "minister").status_code == 302


def test_signin__the_cookie_is_httponly_and_samesite_strict(client: Any) -> None:
    answer = sign_in(client, "minister")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_signin__too_many_failures_close_the_name_even_to_the_right_password(
        site: tuple[Any, Any, Path]) -> None:
    app, settings, _ = site
    app.config["GRANTPOOL_SETTINGS"] = with_settings(settings, limit=SignInLimit(3, 600))
    try:
        client = app.test_client()
        for _ in range(3):
            assert sign_in(client, "revisor", "a wrong password here").status_code == 401
        assert sign_in(client, "revisor").status_code == 429
    finally:
        app.config["GRANTPOOL_SETTINGS"] = settings


def test_signin__sign_in_refusal_and_write_are_logged_with_the_user(
        client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="grantpool.web"):
        sign_in(client, "aarhus-officer", "a wrong password here")
        sign_in(client, "aarhus-officer")
        client.get(f"/{KOLDING}{PAGE}")
    text = caplog.text
    assert "signin refused user=aarhus-officer" in text
    assert "signin user=aarhus-officer" in text
    assert f"refused user=aarhus-officer GET /{KOLDING}" in text
    assert "correct horse" not in text


def test_signin__a_cpr_looking_user_name_is_not_logged(
        client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="grantpool.web"):
        sign_in(client, "010203-1234", "a wrong password here")
    assert "010203-1234" not in caplog.text and "signin refused" in caplog.text


def test_signin__pages_are_not_cached_and_not_framed(client: Any) -> None:
    sign_in(client, "minister")
    answer = client.get(f"/{POOL}{PAGE}")
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_signin__json_of_the_ledger_list_keeps_to_the_users_scope(client: Any) -> None:
    sign_in(client, "kolding-revisor")
    body = client.get(f"/{KOLDING}{PAGE}").get_data(as_text=True)
    assert json.dumps("Aarhus")[1:-1] not in body.split('id="ledger-data"')[1].split("</script>")[0]


def test_signin__the_grant_pool_page_names_the_user_and_signs_them_out(client: Any) -> None:
    sign_in(client, "aarhus-officer")
    page = client.get(f"/{AARHUS}{PAGE}?lang=da").get_data(as_text=True)
    assert "Logget ind som aarhus-officer" in page and ">Log ud</button>" in page
    form = page.split('class="gp-signout"')[1].split("</form>")[0]
    assert client.post("/signout", data={"csrf_token": csrf_of(form)}).status_code == 302
    assert client.get(f"/{AARHUS}{PAGE}").status_code == 302


def test_signin__pool_findings_list_only_the_municipalities_the_auditor_reads(
        tmp_path: Path) -> None:
    users = users_file(tmp_path)
    people, errors = load_users(users)
    assert errors == []
    people["pool-revisor"] = User("pool-revisor", Role.AUDITOR, people["revisor"].password_hash,
                                  entities=("pool", "Kolding"))
    save_users(users, people)
    app = served(federation_copy(tmp_path), ServeOptions("127.0.0.1", 5000, users=users))[0]
    listed = {}
    for user in ("pool-revisor", "revisor"):
        client = app.test_client()
        sign_in(client, user)
        page = client.get(f"/{POOL}{PAGE}?page=findings&lang=en").get_data(as_text=True)
        listed[user] = set(re.findall(r'<tr data-municipality="([^"]+)">', page))
    assert listed["pool-revisor"] == {"Kolding"}
    assert listed["revisor"] == {"Aarhus", "Halsnæs", "Kolding", "Lejre"}


def test_signin__favas_pages_hide_the_controls_the_gate_refuses(client: Any) -> None:
    sign_in(client, "minister")
    whole = client.get(f"/{AARHUS}/income_statement/").get_data(as_text=True)
    head = whole.split("</head>", 1)[0]
    assert head.count('<style id="grantpool-hidden">') == 1 and "a.add-transaction" in head
    part = client.get(f"/{AARHUS}/income_statement/?partial=true").get_data(as_text=True)
    assert "grantpool-hidden" not in part  # a fragment: the whole page's rule stays
    api = client.get(f"/{AARHUS}/api/ledger_data")
    assert api.status_code == 200 and "grantpool-hidden" not in api.get_data(as_text=True)

