"""What one checked entry costs, against a bean-check of the books it is judged in.

    python bench/entry.py [--citizens 800] [--municipalities 8] [--runs 5] [--books FOLDER]

Generates federated books (dk2017, scaled), or with ``--books`` copies an existing
federation (e.g. the national books of ``grantpool generate --municipalities 98 --citizens
100000``; never written in place).  The entries are made in Aarhus's own books, given
Aarhus's main file, and once given the federation's folder (routed: the citizen's
municipality found from the books' text, as an officer's command finds it).
Then alternates, run after run, each command in a fresh process with Beancount's load
cache off: ``bean-check`` of Aarhus's own books (where the entry is judged and written);
a purchase dated back into the books, ``--dry-run`` (loaded under the lock, built,
judged; refused: it breaks the bank's later assertions), judged with the books' one load
and, as before, with the full judge (a second load, from a string that includes the
books); and an entry the books accept, written: an event after their last day
(generated books are closed by then, so no purchase is accepted), again both ways
(before: the full judge and the whole file re-parsed after the write).  Prints the
medians and the ratios to bean-check (target ≤ 1.3 times).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The judge as it was before the one-load judge: the full load from a string, and the
# whole written file re-parsed.
FULL_JUDGE = ("import sys; from grantpool.entry import guard; "
              "guard.after_entry = lambda *a: None; guard.last_directives = lambda *a: {}; "
              "from grantpool.cli import main; sys.argv[0] = 'grantpool'; main()")


# Beancount's load cache off for every command (ours never use it): bean-check would
# otherwise read the books from its pickle, or write one, instead of checking them.
ENV = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str], cwd: Path, written: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of *command*; CPU time (user and system) is what a busy shared
    machine disturbs least."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                          env=ENV)
    if done.returncode not in ((0,) if written else (0, 1)):
        raise SystemExit(f"{command[:3]} failed: {done.stderr[-500:]}")
    return time.perf_counter() - start, _cpu() - cpu


def books(work: Path, args: argparse.Namespace) -> Path:
    """Aarhus's own main file, in *work*."""
    if args.books is None:
        subprocess.run([str(BIN / "grantpool"), "generate", "--rules", "dk2017", "--out",
                        "books", "--citizens", str(args.citizens), "--municipalities",
                        str(args.municipalities)], cwd=work, check=True, capture_output=True)
    else:  # the whole federation: an entry given the folder is routed through it
        shutil.copytree(args.books, work / "books", ignore=shutil.ignore_patterns(".*"))
    return work / "books" / "municipalities" / "aarhus" / "main.beancount"


def after_last_day(main: Path) -> str:
    text = (main.parent / "books.beancount").read_text(encoding="utf-8")
    last = max(re.findall(r"^(\d{4}-\d\d-\d\d) ", text, re.MULTILINE))
    return (datetime.date.fromisoformat(last) + datetime.timedelta(days=1)).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=800)
    parser.add_argument("--municipalities", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--books", type=Path, help="a federation's folder to copy Aarhus from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        own = books(work, args)
        ledger = ["--ledger", str(own.relative_to(work))]
        purchase = ["purchase", "P-AAR-001", "--amount", "1.00", "--category", "id_docs",
                    "--date", "2018-06-01", *ledger, "--dry-run"]
        event = ["event", "carry_over_approved", "Aarhus", "--date", after_last_day(own),
                 *ledger]
        ours, full = [str(BIN / "grantpool")], [sys.executable, "-c", FULL_JUDGE]
        routed = [*purchase[:-3], "--ledger", "books", "--dry-run"]
        commands = {"bean-check": [str(BIN / "bean-check"), str(own.relative_to(work))],
                    "purchase --dry-run (refused), one load": [*ours, *purchase],
                    "the same, --ledger the federation's folder (routed to Aarhus)":
                        [*ours, *routed],
                    "purchase --dry-run (refused), full judge (before)": [*full, *purchase],
                    "event (accepted, written), one load": [*ours, *event],
                    "event (accepted, written), full judge (before)": [*full, *event]}
        lines = sum(1 for _ in (own.parent / "books.beancount").open(encoding="utf-8"))
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, work, "written" in name))
    where = f"Aarhus copied from {args.books}" if args.books else (
        f"{args.citizens} citizens in {args.municipalities} municipalities")
    print(f"books: {where} ({lines} lines in Aarhus's books); medians of {args.runs} runs")
    print("| command | wall (range) | x bean-check | CPU | x bean-check |\n|---|---|---|---|---|")
    wall, cpu = (statistics.median(t[i] for t in times["bean-check"]) for i in (0, 1))
    for name, values in times.items():
        w, c = (statistics.median(t[i] for t in values) for i in (0, 1))
        low, high = min(t[0] for t in values), max(t[0] for t in values)
        print(f"| {name} | {w:.2f} s ({low:.2f}-{high:.2f}) | {w / wall:.2f}x | {c:.2f} s | "
              f"{c / cpu:.2f}x |")


if __name__ == "__main__":
    main()
