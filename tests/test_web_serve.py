"""``grantpool serve``'s refusals to serve the books to the wrong people: one line naming
the option or the file and what to do, exit 2, nothing served; and the single-sign-on
proxy's header believed from the proxy's address only."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fava.core.watcher import Watcher

from grantpool.cli import main
from grantpool.cli.serve import checked, slugs
from grantpool.fava_ext import WRITE_ENDPOINTS
from grantpool.web.setup import ServeOptions, guarded_app, settings_for
from tests.webtools import (
    AARHUS,
    KOLDING,
    PASSWORD,
    csrf_of,
    federation_copy,
    served,
    users_file,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("serve")
    yield federation_copy(root), users_file(root)


def serve(*args: str) -> Any:
    return CliRunner().invoke(main, ["serve", *args])


def one_line_exit_2(result: Any, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grantpool: "), result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_serve__beyond_loopback_without_sign_in_is_refused(site: tuple[Path, Path]) -> None:
    one_line_exit_2(serve(str(site[0]), "--host", "0.0.0.0"), "--host 0.0.0.0", "--users")


def test_serve__beyond_loopback_needs_the_host_names(site: tuple[Path, Path]) -> None:
    one_line_exit_2(serve(str(site[0]), "--host", "0.0.0.0", "--users", str(site[1])),
                    "--allowed-host")


def test_serve__a_users_file_others_can_read_is_refused(site: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    loose = tmp_path / "users.yaml"
    loose.write_bytes(site[1].read_bytes())
    loose.chmod(0o644)
    one_line_exit_2(serve(str(site[0]), "--users", str(loose)), "chmod 600")


def test_serve__a_users_file_naming_another_municipality_is_refused(
        site: tuple[Path, Path], tmp_path: Path) -> None:
    wrong = tmp_path / "users.yaml"
    wrong.write_text(site[1].read_text(encoding="utf-8").replace("Aarhus", "Arhus"),
                     encoding="utf-8")
    wrong.chmod(0o600)
    one_line_exit_2(serve(str(site[0]), "--users", str(wrong)), "users.yaml:", "Arhus")


def test_serve__a_broken_users_file_names_its_line(site: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    broken = tmp_path / "users.yaml"
    good = site[1].read_text(encoding="utf-8")
    broken.write_text(good.replace("role: auditor", "role: king", 1), encoding="utf-8")
    line = good.splitlines().index(next(x for x in good.splitlines() if "role: auditor" in x))
    broken.chmod(0o600)
    one_line_exit_2(serve(str(site[0]), "--users", str(broken)), f"users.yaml:{line + 1}",
                    "role")


def test_serve__the_user_header_needs_a_trusted_proxy(site: tuple[Path, Path]) -> None:
    one_line_exit_2(serve(str(site[0]), "--users", str(site[1]), "--user-header",
                          "X-Forwarded-User"), "--trusted-proxy")


def test_serve__a_short_secret_file_is_refused(site: tuple[Path, Path], tmp_path: Path) -> None:
    key = tmp_path / "session.key"
    key.write_text("short", encoding="utf-8")
    key.chmod(0o600)
    one_line_exit_2(serve(str(site[0]), "--users", str(site[1]), "--secret-file", str(key)),
                    "--secret-file", "32 bytes")


def test_serve__the_proxys_user_header_is_believed_from_the_proxy_only(
        site: tuple[Path, Path]) -> None:
    options = ServeOptions("127.0.0.1", 5000, users=site[1], trusted_proxies=("10.0.0.5",),
                           user_header="X-Forwarded-User")
    app = served(site[0], options)[0]
    client = app.test_client()
    header = {"X-Forwarded-User": "aarhus-officer"}
    from_proxy = {"REMOTE_ADDR": "10.0.0.5"}
    page = f"/{AARHUS}/extension/GrantPool/"
    assert client.get(page, headers=header, environ_base=from_proxy).status_code == 200
    assert client.get(f"/{KOLDING}/extension/GrantPool/", headers=header,
                      environ_base=from_proxy).status_code == 403
    elsewhere = client.get(page, headers=header, environ_base={"REMOTE_ADDR": "10.0.0.6"})
    assert elsewhere.status_code == 302 and "/signin" in elsewhere.headers["Location"]
    unknown = client.get(page, headers={"X-Forwarded-User": "nobody"}, environ_base=from_proxy)
    assert unknown.status_code == 302


def test_serve__behind_the_proxy_failures_count_per_browser_not_per_proxy(
        site: tuple[Path, Path]) -> None:
    """Every request comes from the proxy's address; the rate limit and the log use the
    browser's, which the trusted proxy puts last in X-Forwarded-For."""
    options = ServeOptions("127.0.0.1", 5000, users=site[1], trusted_proxies=("127.0.0.1",))
    client = served(site[0], options)[0].test_client()

    def attempt(browser: str, user: str, password: str) -> int:
        token = csrf_of(client.get("/signin").get_data(as_text=True))
        return int(client.post("/signin", headers={"X-Forwarded-For": f"1.2.3.4, {browser}"},
                               data={"user": user, "password": password,
                                     "csrf_token": token}).status_code)

    for n in range(5):
        assert attempt("203.0.113.7", f"guess-{n}", "a wrong password here") == 401
    assert attempt("203.0.113.7", "minister", PASSWORD) == 429   # that browser is shut out
    assert attempt("198.51.100.9", "minister", PASSWORD) == 302  # another is not


def test_serve__every_ledger_is_watched_by_polling_not_by_inotify(
        site: tuple[Path, Path]) -> None:
    ledger, _ = site
    _, pairs = checked(ledger, datetime.date(2020, 1, 1))
    files = [path for path, _ in pairs]
    settings = settings_for(ServeOptions("127.0.0.1", 5000), dict(zip(
        slugs(files), (entity for _, entity in pairs), strict=True)), frozenset(WRITE_ENDPOINTS))
    app = guarded_app(files, settings)  # as serve builds it
    watchers = [ledger.watcher for ledger in app.config["LEDGERS"].ledgers]
    # two inotify instances per ledger would exhaust Linux's default 128 at national size
    assert len(watchers) == 6 and all(type(w) is Watcher for w in watchers)
