"""National books, federated, checked in parallel against one ledger's bean-check.

    python bench/federation.py [--municipalities 98] [--citizens 100000] [--runs 1]

Generates federated books (dk2017, scaled), then measures side by side in one run, each
command in a fresh process with Beancount's load cache off:

* ``bean-check`` of the consolidated main file: every entity's books as one ledger;
* ``grantpool check FOLDER --workers 1`` and ``--workers 2`` (a local process pool);
* ``grantpool check FOLDER --scheduler …`` on a Dask ``LocalCluster`` of 2 worker
  processes started here (its start-up not counted);

wall time, the peak resident memory of the command's own process (the parent; its
workers' peak is shown apart), and whether the three ``grantpool check`` runs print
the same JSON.  Prints a Markdown table with the ratios the issue's targets name:
check with 2 workers ≤ 0.6 x bean-check, parent ≤ 300 MB, 1 → 2 workers ≥ 1.7 x.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
# Runs the command in a child and reports the child's own peak memory (not its workers').
PROBE = """
import resource, runpy, sys, json, os
sys.argv = sys.argv[1:]
code = 0
try:
    runpy.run_module(sys.argv[0], run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(os.environ["BENCH_PROBE_OUT"], "w") as out:
    json.dump({"code": code, "own_kb": own, "children_kb": kids}, out)
"""


def measured(command: list[str], cwd: Path) -> dict[str, float | int | str]:
    """Wall time, exit code, stdout, own and children's peak memory (MB) of *command*
    (``[module, args…]``), run as ``python -m module``."""
    probe_file = cwd / "probe.json"
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
           "BENCH_PROBE_OUT": str(probe_file)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROBE, *command], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    probe = json.loads(probe_file.read_text(encoding="utf-8")) if probe_file.is_file() else {}
    probe_file.unlink(missing_ok=True)
    if probe.get("code") not in (0, 1):
        raise SystemExit(f"{command} failed: {done.stderr[-800:]}")
    return {"seconds": seconds, "own_mb": probe["own_kb"] / 1024,
            "children_mb": probe["children_kb"] / 1024, "stdout": done.stdout}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=98)
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep books here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        books = work / "books"
        if not (books / "main.beancount").is_file():
            subprocess.run([str(BIN / "grantpool"), "generate", "--rules", "dk2017", "--out",
                            str(books), "--municipalities", str(args.municipalities),
                            "--citizens", str(args.citizens)], check=True,
                           capture_output=True)
        rows = run_all(books, args.runs)
    print_table(rows, args)


def run_all(books: Path, runs: int) -> dict[str, list[dict[str, float | int | str]]]:
    from distributed import LocalCluster  # noqa: PLC0415 (the optional extra)

    check = ["grantpool", "check", str(books), "--as-of", "2026-01-01", "--format", "json"]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        commands = {
            "bean-check (one ledger)": ["beancount.scripts.check",
                                        str(books / "main.beancount")],
            "grantpool check, 1 worker": [*check, "--workers", "1"],
            "grantpool check, 2 workers": [*check, "--workers", "2"],
            "grantpool check, Dask (2 workers)": [*check, "--scheduler",
                                                  cluster.scheduler_address],
        }
        out: dict[str, list[dict[str, float | int | str]]] = {k: [] for k in commands}
        for _ in range(runs):
            for name, command in commands.items():
                out[name].append(measured(command, books.parent))
    return out


def print_table(rows: dict[str, list[dict[str, float | int | str]]],
                args: argparse.Namespace) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in rows[name])

    base = median("bean-check (one ledger)", "seconds")
    one = median("grantpool check, 1 worker", "seconds")
    outputs = {str(r["stdout"]) for name in rows if name.startswith("grantpool")
               for r in rows[name]}
    print(f"books: {args.citizens} citizens in {args.municipalities} municipalities, "
          f"federated; medians of {args.runs} run(s); same JSON from every grantpool run: "
          f"{len(outputs) == 1}")
    print("| command | wall time | x bean-check | parent peak | workers' peak |")
    print("|---|---|---|---|---|")
    for name in rows:
        seconds = median(name, "seconds")
        print(f"| {name} | {seconds:.1f} s | {seconds / base:.2f}x | "
              f"{median(name, 'own_mb'):.0f} MB | {median(name, 'children_mb'):.0f} MB |")
    two = median("grantpool check, 2 workers", "seconds")
    print(f"speed-up 1 → 2 workers: {one / two:.2f}x")
    print(f"host: {os.cpu_count()} cores, {resource.getpagesize()} B pages")


if __name__ == "__main__":
    main()
