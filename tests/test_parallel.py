"""Work over a federation in parallel: a local process pool, or a Dask distributed
cluster (a real ``LocalCluster``); the same results as one process, byte for byte;
a progress line on a terminal only; one entity's broken books never stop the others."""

from __future__ import annotations

import datetime
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import distributed  # a test dependency ([test] extra): never skipped
import pytest
from click.testing import CliRunner

from grantpool.cli import main
from tests.conftest import EXAMPLE

AS_OF = "2026-01-01"
COMMANDS = [
    ["check", "--format", "json"],
    ["reconcile", "--format", "json"],
    ["report", "--level", "citizen", "--format", "json"],
]


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, [*args, "--as-of", AS_OF])
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real Dask LocalCluster of two worker processes; its scheduler's address."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local.scheduler_address


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_parallel__two_local_workers_give_the_same_bytes_as_one(command: list[str]) -> None:
    one = run(*command[:1], str(EXAMPLE), *command[1:], "--workers", "1")
    two = run(*command[:1], str(EXAMPLE), *command[1:], "--workers", "2")
    assert one[0] == two[0] == 0
    assert one[1] == two[1]
    assert '"ledger"' in one[1] or '"level"' in one[1]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_parallel__a_dask_cluster_gives_the_same_bytes_as_the_process_pool(
        cluster: str, command: list[str]) -> None:
    pooled = run(*command[:1], str(EXAMPLE), *command[1:], "--workers", "2")
    dask = run(*command[:1], str(EXAMPLE), *command[1:], "--scheduler", cluster)
    assert dask[0] == pooled[0] == 0, dask[2]
    assert dask[1] == pooled[1]


def test_parallel__no_scheduler_at_the_address_exits_2_in_one_line() -> None:
    code, out, err = run("check", str(EXAMPLE), "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--scheduler tcp://127.0.0.1:9: no Dask scheduler" in err


@pytest.mark.parametrize("address", ["nonsense", "tcp://", "http://127.0.0.1:8786", "127.0.0.1",
                                     "tcp://127.0.0.1:notaport", "", "tcp://127.0.0.1:70000",
                                     "tcp://127.0.0.1:8786/x"])
def test_parallel__a_scheduler_address_that_is_none_is_one_line_exit_2(address: str) -> None:
    for command in (["check", str(EXAMPLE)], ["reconcile", str(EXAMPLE)]):
        code, out, err = run(*command, "--scheduler", address)
        assert code == 2 and out == "", err
        assert err.count("\n") == 1 and "--scheduler" in err and "tcp://HOST:PORT" in err


def test_cli__no_command_prints_the_help_as_click_does_exit_2() -> None:
    done = CliRunner().invoke(main, [], prog_name="grantpool")
    code, out, err = done.exit_code, done.stdout, done.stderr
    assert code == 2 and out == ""
    assert err.startswith("Usage: grantpool") and "\nCommands:\n" in err
    assert "  check " in err and err.count("\n") > 20  # readable, not one squashed line


def test_parallel__findings_come_in_the_same_order_from_one_worker_two_and_dask(
        example_copy: Path, cluster: str) -> None:
    root = example_copy.parent
    for name in ("kolding", "aarhus"):
        books = root / "municipalities" / name / "books.beancount"
        books.write_text(books.read_text(encoding="utf-8") + "2019-01-01 open Oops\n",
                         encoding="utf-8")
    pool = root / "pool" / "books.beancount"
    text = pool.read_text(encoding="utf-8")
    pool.write_text(text.replace("#tranche ^tranche-lejre-2018-03-01", "#tranche", 1),
                    encoding="utf-8")
    outputs = {run("check", str(root), "--format", "json", *how)
               for how in (["--workers", "1"], ["--workers", "2"], ["--scheduler", cluster])}
    [(code, out, _)] = outputs
    # two bad lines; the pool's half without its link, and so Lejre's half without a partner
    assert code == 1 and out.count('"rule"') == 4


def test_parallel__a_broken_entity_is_a_finding_and_the_others_are_checked(
        example_copy: Path) -> None:
    root = example_copy.parent
    (root / "municipalities" / "lejre" / "main.beancount").write_bytes(b"\xff not utf-8\n")
    code, out, _ = run("check", str(root), "--workers", "2")
    assert code == 1
    assert "[books-unreadable] the books of lejre could not be checked" in out
    assert out.count("error:") == 1  # nothing else: the other entities are clean
    code, out, err = run("report", str(root), "--level", "municipality", "--workers", "2")
    assert code == 1 and "left out: the books of lejre" in err
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["Aarhus", "Halsnæs",
                                                                  "Kolding"]


def on_a_terminal(*args: str) -> str:
    """What the command writes to its stderr when that is a real terminal (a pty)."""
    parent, child = os.openpty()
    env = {**os.environ, "COLUMNS": "120"}
    with subprocess.Popen([sys.executable, "-m", "grantpool", *args, "--as-of", AS_OF],
                          stdout=subprocess.DEVNULL, stderr=child, env=env) as proc:
        os.close(child)
        seen = b""
        while True:
            ready, _, _ = select.select([parent], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(parent, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        proc.wait(timeout=60)
    os.close(parent)
    return seen.decode("utf-8", "replace")


def test_progress__a_terminal_sees_entities_done_elapsed_and_left() -> None:
    shown = on_a_terminal("check", str(EXAMPLE), "--workers", "2")
    assert "checking [" in shown and "5/5 entities" in shown and "elapsed" in shown
    assert "0/5 entities" in shown  # drawn from the start, rewritten in place
    assert "\r" in shown


def test_progress__silent_for_json_and_when_not_a_terminal() -> None:
    assert "entities" not in on_a_terminal("check", str(EXAMPLE), "--format", "json")
    _, out, err = run("check", str(EXAMPLE))
    assert "entities" not in out + err


def test_parallel__a_missing_books_file_is_that_entitys_finding_everywhere(
        example_copy: Path) -> None:
    root = example_copy.parent
    (root / "municipalities" / "kolding" / "books.beancount").unlink()
    code, out, _ = run("check", str(root))
    assert code == 1 and out.count("error:") == 1
    assert "[books-unreadable] the books of Kolding could not be checked" in out
    code, out, err = run("report", str(root), "--level", "pool")
    assert code == 1 and "left out: the books of Kolding" in err
    code, out, _ = run("reconcile", str(root))
    assert code == 1 and "municipality Kolding: DOES NOT TIE" in out
    done = CliRunner().invoke(main, ["accounts", "Kolding", "--period", "--ledger", str(root)])
    assert done.exit_code == 2 and "kolding/books.beancount: no such file" in done.stderr


def test_parallel__workers_started_clean_give_the_same_roll_up() -> None:
    """The Fava roll-up's workers are spawned (Fava is threaded): the same figures and
    spending as in this process."""
    from grantpool.federation.discover import find  # noqa: PLC0415
    from grantpool.federation.executor import Runner  # noqa: PLC0415
    from grantpool.federation.run import merged, rollup_outcomes, spending  # noqa: PLC0415

    federation = find(EXAMPLE)
    assert federation is not None
    day = datetime.date(2019, 6, 30)
    here = rollup_outcomes(federation, day)
    spawned = rollup_outcomes(federation, day, Runner(2, context="spawn"))
    assert merged(federation, spawned)[0] == merged(federation, here)[0]
    assert spending(spawned) == spending(here) and len(spending(here)) == 4


def test_parallel__bad_workers_or_scheduler_are_one_line_exit_2_no_cpr_repeated() -> None:
    code, out, err = run("check", str(EXAMPLE), "--workers", "0")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--workers" in err
    code, out, err = run("report", str(EXAMPLE), "--level", "pool", "--scheduler",
                         "tcp://010190-1234:9")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "010190" not in err and "--scheduler" in err
