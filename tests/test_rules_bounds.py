"""Rules files are bounded and validated: aliases, nesting, size, duplicate keys,
the range of every number, short messages; a rule that crashes is named, never
silent, and no rules file that passes validation crashes the engine."""

from __future__ import annotations

import datetime
import json
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grantpool.cli import main
from grantpool.rules.engine import load, run
from tests.conftest import RULES, Loaded
from tests.rulebooks import books
from tests.ruletools import custom_rules, findings, line_of


def _refused(path: Path) -> list[Any]:
    ruleset, errors = load(path)
    assert ruleset is None and errors
    return errors


def test_rules_file__nested_aliases_are_refused_at_once_with_a_short_message(
    tmp_path: Path,
) -> None:
    lines = ["pool: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 6)]
    lines += ["categories: *a5", "rules: *a5"]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    began = time.perf_counter()
    [error] = _refused(path)
    assert time.perf_counter() - began < 1
    assert "aliases" in error.message and len(error.message) < 200
    # refused where the count passes the budget: a4 stands for 10^5 values
    assert error.source == {"filename": str(path), "lineno": line_of(path, "a4: &a4")}


def test_rules_file__deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = "[" * 200 + "]" * 200
    path = custom_rules(tmp_path, replace=('source: "GDPR', f'source: {deep}\n    x: "GDPR'))
    [error] = _refused(path)
    assert "nested more than 16 levels" in error.message
    assert error.source["lineno"] == line_of(path, "[[[[")


def test_rules_file__a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    path = custom_rules(tmp_path, extra="# padding\n" * 40_000)
    [error] = _refused(path)
    assert "larger than 256 KiB" in error.message


def test_rules_file__duplicate_key_is_refused_with_its_line(tmp_path: Path) -> None:
    path = custom_rules(tmp_path, replace=(
        "  de_minimis: 500.00", "  de_minimis: 500.00\n  de_minimis: 5000000.00"))
    [error] = _refused(path)
    assert error.source == {"filename": str(path), "lineno": line_of(path, "5000000.00")}
    assert f"the key 'de_minimis' is written twice in one mapping (first at line " \
           f"{line_of(path, 'de_minimis: 500.00')})" in error.message
    # a merge key's value may be overridden, as YAML means: that is no duplicate
    merged = custom_rules(tmp_path, replace=(
        "  - id: grant-started\n    kind: deadline\n",
        "  - id: grant-started\n    <<: &deadline {kind: deadline, months: 1}\n"))
    ruleset, errors = load(merged)
    assert errors == [] and ruleset is not None


def test_rules_file__duplicate_key_in_a_rule_names_the_rule(tmp_path: Path) -> None:
    path = custom_rules(tmp_path, replace=(
        "    within_days: 30\n", "    within_days: 30\n    within_days: 3000\n"))
    [error] = _refused(path)
    assert error.message.startswith("rule 'return-to-grant': the key 'within_days' is written")
    assert error.source["lineno"] == line_of(path, "within_days: 3000")


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("de_minimis: 500.00", "de_minimis: -500.00", "de_minimis",
         "'de_minimis' must be 0 or more, got -500.00"),
        ("appropriation: 10000000.00", "appropriation: -1", "appropriation:",
         "'appropriation' must be 0 or more"),
        ("de_minimis: 500.00", 'de_minimis: "NaN"', "de_minimis",
         "'de_minimis' must be a number like 50000.00"),
        ("de_minimis: 500.00", "de_minimis: 500.001", "de_minimis",
         "'de_minimis' has more than 2 decimals"),
        ("drawing_right: 50000.00", "drawing_right: 1.0e+400", "drawing_right",
         "'drawing_right' must be at most 1000000000000"),
        ("budget_window_months: 12", "budget_window_months: 0", "budget_window_months",
         "'budget_window_months' must be at least 1"),
        ("budget_window_months: 12", "budget_window_months: 99999999", "budget_window_months",
         "'budget_window_months' must be at most 1200"),
        ("{every_months: 3, count: 4}", "{every_months: 3, count: -4}", "tranches",
         "'count' must be at least 1"),
        ("{every_months: 3, count: 4}", "{every_months: 120, count: 120}", "tranches",
         "the tranches span more than 1200 months"),
        ("min_group: 5", "min_group: 0", "min_group", "'min_group' must be at least 1"),
        ("price: [757, 757]", "price: [757, -757]", "id_docs", "'price' must be 0 or more"),
        ("price: [757, 757]", "price: [757, 1]", "id_docs", "must be [low, high], low first"),
        ("{up_to: 100000.00,", "{up_to: -100000.00,", "up_to: -1", "'up_to' must be 0 or more"),
        ("end: 2019-12-31}", "end: 9999-12-31}", "project_period",
         "'end' must lie between 1900-01-01 and 2199-12-31"),
        ("    within_days: 30\n", "    within_days: -30\n", "within_days",
         "rule 'return-to-grant': 'within_days' must be 0 or more"),
        ("    within_days: 60 ", "    within_days: 1000000 ", "within_days: 1000000",
         "rule 'repayment-claim': 'within_days' must be at most 36525"),
        ("    anchor: decision  ", "    months: 99999999\n    anchor: decision  ", "99999999",
         "rule 'budget-window': 'months' must be at most 1200"),
        ("    months: 6\n", "    months: 6\n    days: -3\n", "days: -3",
         "rule 'grant-started': 'days' must be 0 or more"),
        ("    warn_days: 30\n    severity: warning", "    warn_days: 10000000\n    severity: "
         "warning", "warn_days: 1", "rule 'grant-started': 'warn_days' must be at most 36525"),
        ("above: 20000.00 DKK", "above: -20000.00 DKK", "above:",
         "rule 'large-purchase-approval': 'above' must be 0 or more"),
        ("over_percent: 10", "over_percent: -10", "over_percent",
         "rule 'budget-change-approval': 'over_percent' must be 0 or more"),
        ("warn_at: 0.8", "warn_at: 0.8\n    amount: 99999999999999.00 DKK", "999999999",
         "rule 'citizen-cap': 'amount' must be at most 1000000000000"),
    ],
)
def test_rules_file__every_number_is_range_checked(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    path = custom_rules(tmp_path, replace=(old, new))
    errors = _refused(path)
    matching = [e for e in errors if message in e.message]
    assert matching, errors
    assert matching[0].source["filename"] == str(path)
    assert abs(matching[0].source["lineno"] - line_of(path, needle)) <= 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("within_days: 30", "within_days: 1" + "0" * 5000, "'within_days' must be a whole"),
        ("    severity: warning", "    severity: !!bool maybe", "the tag '!!bool' is not"),
        ("{every_months: 3, count: 4}", "{every_months: 3, count: 4, [a]: b}", "plain word"),
    ],
)
def test_rules_file__odd_yaml_is_an_error_not_a_traceback(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = custom_rules(tmp_path, replace=(old, new))
    errors = _refused(path)
    assert any(message in e.message for e in errors), errors


def test_rules_file__messages_quote_a_short_excerpt_and_no_cpr_number(tmp_path: Path) -> None:
    long = "x" * 10_000
    path = custom_rules(tmp_path, replace=("de_minimis: 500.00", f'de_minimis: "{long}"'))
    [error] = _refused(path)
    assert "'de_minimis' must be a number" in error.message and len(error.message) < 200
    path = custom_rules(tmp_path, replace=("severity: warning", 'severity: "010190-1234"'))
    [error] = _refused(path)
    assert "severity must be error or warning" in error.message
    assert "1234" not in error.message and "CPR-like number removed" in error.message


def test_rules_file__a_huge_window_is_refused_by_check_with_its_line(
    tmp_path: Path, write_doc: Callable[[str], Path]
) -> None:
    path = custom_rules(tmp_path, replace=(
        "    anchor: decision  ", "    months: 99999999\n    anchor: decision  "))
    ledger = write_doc(books(rules=path))
    result = CliRunner().invoke(main, ["check", str(ledger)])
    assert result.exit_code == 2, result.output
    assert f"{path}:{line_of(path, '99999999')}: error: [rules-file]" in result.stderr
    assert "'months' must be at most 1200" in result.stderr


def test_plugin__a_rule_that_crashes_is_named_and_the_others_still_run(
    tmp_path: Path, load_doc: Callable[[str], Loaded]
) -> None:
    """Books dated at the calendar's end take a deadline past it: the rule is named."""
    path = custom_rules(tmp_path, replace=(
        "    anchor: project_start\n    months: 6\n", "    anchor: award\n    months: 6\n"))
    text = books(rules=path, as_of="9999-12-31").replace(
        '2017-11-15 * "Grant awarded', '9999-11-15 * "Grant awarded')
    found = findings(load_doc(text))
    [crash] = [f for f in found if type(f).__name__ == "RuleCrash"]
    assert crash.rule == "grant-started" and crash.severity == "error"
    assert crash.source == {"filename": str(path), "lineno": line_of(path, "id: grant-started")}
    assert "[grant-started] the rule stopped (ValueError: year 10000 is out of range)" in (
        crash.message)
    assert {f.rule for f in found} > {"grant-started"}  # the other rules ran


# --- the property: a rules file either is refused with errors, or runs without a crash ---

SOURCE = (RULES / "dk2017.yaml").read_text(encoding="utf-8")
# every `key: value` in block or flow style, the value up to a comment, comma or brace
VALUE = re.compile(r"(?m)\b[a-z_]+: (?P<value>[^,{}\[\]\n#&*]+?)(?=[ \t]*(?:#|,|\}|\]|$))")
ENDS = {m.start("value"): m.end("value") for m in VALUE.finditer(SOURCE)
        if "#" not in SOURCE[SOURCE.rfind("\n", 0, m.start()):m.start()]}  # not in a comment
ODD = ["0", "-1", "1" + "0" * 5000, "99999999", "36526", "1201", "0.0000001", "-0.01",
       "1.0e+999", ".inf", ".nan", "NaN", "null", "~", "[]", "{}", "true", "''", "9999-12-31",
       "0001-01-01", "2017-02-30", "-5.00 DKK", "5.001 DKK", "50000.00 EUR",
       "99999999999999 DKK", "1e30 DKK", '"010190-1234"', "x" * 300, "pool", "citizen",
       "award", "catalogue", "error", "warning", "decision"]
ODDITIES = st.one_of(
    st.sampled_from(ODD),
    st.integers(-10**7, 10**7).map(str),
    st.decimals(min_value=-10**13, max_value=10**13, places=3).map(str),
    st.dates().map(str),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6)
    .map(lambda text: json.dumps(text, ensure_ascii=False)),
)
DAYS = (datetime.date(2016, 1, 1), datetime.date(2021, 12, 31))
SHAPES: list[tuple[str, st.SearchStrategy[str], st.SearchStrategy[str]]] = [
    # (what was written, a value near it, any value of its kind)
    (r"[0-9]+ [A-Z]{3}", st.decimals(0, 10**6, places=2).map(lambda d: f"{d} DKK"),
     st.decimals(-100, 10**13, places=3).map(lambda d: f"{d} DKK")),
    (r"[0-9]+\.[0-9]+", st.decimals(0, 10**7, places=2).map(str),
     st.one_of(st.decimals(-100, 10**13, places=3).map(str), st.sampled_from(["0.0", "1.5"]))),
    (r"[0-9]+", st.integers(0, 60).map(str), st.integers(-10**5, 10**9).map(str)),
    (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", st.dates(*DAYS).map(str), st.dates().map(str)),
]


def _values(written: str) -> st.SearchStrategy[str] | None:
    """Values for what was *written*: mostly near it, else anything of its kind, or odd."""
    near, wide = next(((n, w) for shape, n, w in SHAPES if re.fullmatch(shape, written)),
                      (None, None))
    return None if near is None or wide is None else st.one_of(near, near, near, wide, ODDITIES)


# the numbers, amounts and dates of the file, each with the values it may become
SLOTS = {at: values for at, end in ENDS.items()
         if (values := _values(SOURCE[at:end].strip())) is not None}
MUTATIONS = st.lists(
    st.sampled_from(sorted(SLOTS)).flatmap(lambda at: st.tuples(
        st.sampled_from(("replace",) * 10 + ("delete", "duplicate")), st.just(at), SLOTS[at])),
    min_size=1, max_size=2)


def mutated(mutations: list[tuple[str, int, str]]) -> str:
    """dk2017.yaml with at most one mutation per line, applied from the end."""
    by_line: dict[int, tuple[str, int, str]] = {}
    for op, at, value in mutations:
        by_line.setdefault(SOURCE.count("\n", 0, at), (op, at, value))
    text = SOURCE
    for op, at, value in sorted(by_line.values(), key=lambda m: -m[1]):
        start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at) + 1
        if op == "replace":
            text = text[:at] + value + text[ENDS[at]:]
        elif op == "delete":
            text = text[:start] + text[end:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text


@pytest.fixture(scope="module")
def inline_books() -> list[Any]:
    from grantpool.books.loading import load as load_books  # noqa: PLC0415
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "main.beancount"
        path.write_text(books(), encoding="utf-8")
        entries, _, _ = load_books(path)
    return entries


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=MUTATIONS, as_of=st.sampled_from(["2018-12-31", "2021-01-01", "9999-12-31"]))
def test_rules_file__any_mutation_is_refused_or_runs_without_a_crash(
    mutations: list[tuple[str, int, str]], as_of: str, inline_books: list[Any],
    example_loaded: Loaded,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_text(mutated(mutations), encoding="utf-8")
        ruleset, errors = load(path)
    event("refused" if ruleset is None else "ran")
    if ruleset is None:
        assert errors, "refused without saying why"
        for error in errors:
            assert error.source["filename"] == str(path) and error.source["lineno"] >= 0
            assert len(error.message) < 400, error.message
        return
    day = datetime.date.fromisoformat(as_of)
    for entries in (inline_books, example_loaded[0]):
        crashed = [f for f in run(entries, ruleset, day) if type(f).__name__ == "RuleCrash"]
        assert crashed == []
