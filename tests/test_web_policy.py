"""The access policy alone (``grantpool.web.policy``): who may do what to which books."""

from __future__ import annotations

import pytest

from grantpool.web.people import CONSOLIDATED, POOL, Role, User
from grantpool.web.policy import Ask, Verdict, decide, decide_open, first_readable, host_allowed

LEDGERS = {"gp": CONSOLIDATED, "gp-pool": POOL, "gp-aarhus": "Aarhus", "gp-kolding": "Kolding"}
WRITES = frozenset({"purchase", "entry"})
MINISTER = User("minister", Role.MINISTRY, "h")
OFFICER = User("aarhus", Role.OFFICER, "h", municipality="Aarhus")
AUDITOR = User("revisor", Role.AUDITOR, "h")
KOLDING_AUDITOR = User("k-revisor", Role.AUDITOR, "h", entities=("Kolding",))


def verdict(method: str, path: str, user: User | None) -> Verdict:
    return decide(Ask(method, path), user, LEDGERS, WRITES).verdict


def test_policy__nobody_signed_in_is_sent_to_sign_in_for_everything_but_signin() -> None:
    for path in ("/", "/gp/", "/gp-aarhus/api/journal", "/static/app.js", "/jump"):
        assert verdict("GET", path, None) is Verdict.SIGN_IN
    assert verdict("GET", "/signin", None) is Verdict.ALLOW
    assert decide(Ask("POST", "/signin"), None, LEDGERS, WRITES).write  # CSRF checked


@pytest.mark.parametrize(("user", "readable"), [
    (MINISTER, {"gp", "gp-pool", "gp-aarhus", "gp-kolding"}),
    (OFFICER, {"gp-aarhus"}),
    (AUDITOR, {"gp", "gp-pool", "gp-aarhus", "gp-kolding"}),
    (KOLDING_AUDITOR, {"gp-kolding"}),
])
def test_policy__each_role_reads_its_ledgers_only(user: User, readable: set[str]) -> None:
    for slug in [*LEDGERS, "gp-nowhere"]:
        expected = Verdict.ALLOW if slug in readable else Verdict.FORBIDDEN
        assert verdict("GET", f"/{slug}/api/query", user) is expected, slug


def test_policy__only_the_officer_writes_and_only_through_the_checked_endpoints() -> None:
    allowed = decide(Ask("POST", "/gp-aarhus/extension/GrantPool/purchase"), OFFICER,
                     LEDGERS, WRITES)
    assert allowed.verdict is Verdict.ALLOW and allowed.write
    assert verdict("POST", "/gp-kolding/extension/GrantPool/purchase", OFFICER) \
        is Verdict.FORBIDDEN
    assert verdict("POST", "/gp-aarhus/extension/GrantPool/other", OFFICER) is Verdict.FORBIDDEN
    assert verdict("PUT", "/gp-aarhus/extension/GrantPool/purchase", OFFICER) \
        is Verdict.FORBIDDEN
    for user in (MINISTER, AUDITOR):
        assert verdict("POST", "/gp-aarhus/extension/GrantPool/purchase", user) \
            is Verdict.FORBIDDEN


@pytest.mark.parametrize("user", [MINISTER, OFFICER, AUDITOR])
@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/gp-aarhus/api/source"), ("PUT", "/gp-aarhus/api/source_slice"),
    ("DELETE", "/gp-aarhus/api/source_slice"), ("PUT", "/gp-aarhus/api/format_source"),
    ("PUT", "/gp-aarhus/api/add_entries"), ("PUT", "/gp-aarhus/api/move"),
    ("PUT", "/gp-aarhus/api/add_document"), ("PUT", "/gp-aarhus/api/attach_document"),
    ("DELETE", "/gp-aarhus/api/document"), ("PUT", "/gp-aarhus/api/upload_import_file"),
    ("POST", "/gp-aarhus/api/source"), ("POST", "/static/x"), ("POST", "/"),
])
def test_policy__favas_own_writes_are_refused_for_every_role(user: User, method: str,
                                                              path: str) -> None:
    assert verdict(method, path, user) is Verdict.FORBIDDEN


def test_policy__without_sign_in_only_the_checked_endpoints_write_and_only_if_asked() -> None:
    post = Ask("POST", "/gp-aarhus/extension/GrantPool/purchase")
    assert decide_open(post, LEDGERS, WRITES, writable=False).verdict is Verdict.FORBIDDEN
    assert decide_open(post, LEDGERS, WRITES, writable=True).write
    source = Ask("PUT", "/gp-aarhus/api/source")
    assert decide_open(source, LEDGERS, WRITES, writable=True).verdict is Verdict.FORBIDDEN
    assert decide_open(Ask("GET", "/signin"), LEDGERS, WRITES, True).verdict \
        is Verdict.FORBIDDEN


def test_policy__home_is_the_first_ledger_the_user_reads() -> None:
    assert first_readable(OFFICER, LEDGERS) == "gp-aarhus"
    assert first_readable(MINISTER, LEDGERS) == "gp"
    assert first_readable(User("x", Role.OFFICER, "h", municipality="Lejre"), LEDGERS) is None


def test_policy__hosts_are_matched_with_or_without_the_port() -> None:
    allowed = frozenset({"grants.example.dk", "localhost"})
    assert host_allowed("grants.example.dk:443", allowed)
    assert host_allowed("LOCALHOST:5000", allowed)
    assert not host_allowed("evil.example", allowed)
    assert not host_allowed("grants.example.dk.evil.example", allowed)
