"""Benchmark: what the rules add to bean-check, at about 10k, 100k and 1M transactions.

For each size, books come from ``grantpool generate``; then, in separate processes,
``bean-check`` loads a copy of the main file without the plugin line, ``bean-check``
loads the main file (the rules plugin in), and ``grantpool check`` loads the books.
Each measurement is wall time, CPU time (user and system) and the peak resident
memory of that process.  The three commands run in turn, round after round, so the
ratio of the plugin's run to the plain one is taken within each round (the machine is
shared and noisy) and the median of those ratios is reported.  The package's modules
are compiled first, so that no run pays for compiling them (``PYTHONDONTWRITEBYTECODE``
would otherwise make every run do it).  Results go to ``bench/RESULTS.md``.

    python bench/run.py                        # all three sizes (about 20 minutes on 2 cores)
    python bench/run.py --sizes 10k 100k --runs 7
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# citizens, municipalities: about 12.5 transactions per citizen with 10 purchases each
SIZES = {"10k": (800, 8), "100k": (8000, 98), "1M": (80000, 98)}
AS_OF = "2026-01-01"
TXN = re.compile(r"^\d{4}-\d\d-\d\d \* ", re.MULTILINE)

MEASURE = """
import os, resource, subprocess, sys, time, json
env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, env=env)
wall = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": used.ru_utime + used.ru_stime,
                  "peak_kb": used.ru_maxrss, "rc": done.returncode,
                  "err": done.stderr[-300:], "out": done.stdout[-300:]}))
"""


def measure(command: list[str]) -> dict[str, float]:
    """Wall time and peak memory of *command*, measured in a fresh wrapper process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def books(size: str, folder: Path) -> tuple[Path, Path, int]:
    citizens, munis = SIZES[size]
    out = folder / size
    if not (out / "main.beancount").exists():
        subprocess.run([sys.executable, "-m", "grantpool", "generate", "--rules",
                        str(REPO / "rules/dk2017.yaml"), "--out", str(out), "--citizens",
                        str(citizens), "--municipalities", str(munis)], check=True, cwd=REPO)
    main = out / "main.beancount"
    plain = out / "main-without-rules.beancount"
    plain.write_text("".join(line for line in main.read_text().splitlines(keepends=True)
                             if not line.startswith("plugin ")))
    count = sum(len(TXN.findall(p.read_text(encoding="utf-8")))
                for p in out.rglob("*.beancount"))
    return main, plain, count


def run_size(size: str, folder: Path, repeat: int) -> dict[str, object]:
    main, plain, txns = books(size, folder)
    env_bin = Path(sys.executable).parent
    commands = {
        "bean-check": [str(env_bin / "bean-check"), str(plain)],
        "bean-check + rules": [str(env_bin / "bean-check"), str(main)],
        "grantpool check": [str(env_bin / "grantpool"), "check", str(main), "--as-of", AS_OF,
                            "--format", "json"],
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            result = measure(command)
            if result["rc"] not in (0, 1):
                raise SystemExit(f"{name} failed on {size}: {result['err']}")
            runs[name].append(result)
    row: dict[str, object] = {"size": size, "transactions": txns, "repeat": repeat}
    declared = main.parent / "rules.yaml"
    row["in-process"] = in_process(plain, declared if declared.exists()
                                   else REPO / "rules/dk2017.yaml")
    for name, results in runs.items():
        row[name] = {"wall": statistics.median(r["wall"] for r in results),
                     "cpu": statistics.median(r["cpu"] for r in results),
                     "peak_mb": statistics.median(r["peak_kb"] for r in results) / 1024,
                     "rc": results[-1]["rc"]}
    # the rules' cost: the plugin's run over the plain one, within each round
    row["ratio"] = {key: statistics.median(
        plug[key] / bean[key] for plug, bean in zip(runs["bean-check + rules"],
                                                    runs["bean-check"], strict=True))
        for key in ("wall", "cpu")}
    return row


def _added(key: str, bean: dict[str, float], plug: dict[str, float],
           ours: dict[str, float]) -> str:
    with_plugin = (plug[key] / bean[key] - 1) * 100
    with_check = (ours[key] / bean[key] - 1) * 100
    return f"{with_plugin:+.1f} % / {with_check:+.1f} %"


INPROCESS = """
import datetime, json, sys, time
from pathlib import Path
from beancount import loader
loader.initialize(False)
start = time.perf_counter()
entries, errors, options = loader.load_file(sys.argv[1])
load = time.perf_counter() - start
from grantpool.rules import engine
start = time.perf_counter()
rules, _ = engine.load(Path(sys.argv[2]))
found = engine.run(entries, rules, datetime.date.fromisoformat(sys.argv[3]),
                   tuple(options["include"]) + (sys.argv[2],))
print(json.dumps({"load": load, "rules": time.perf_counter() - start, "findings": len(found)}))
"""


def in_process(plain: Path, rules: Path) -> dict[str, float]:
    """The load and the rules engine timed inside one process: the engine's own share."""
    out = subprocess.run([sys.executable, "-c", INPROCESS, str(plain), str(rules), AS_OF],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def markdown(rows: list[dict[str, object]]) -> str:
    lines = [
        "| books | transactions | runs | bean-check (no rules): wall, CPU, peak "
        "| bean-check + rules plugin: wall, CPU, peak | with the rules: x wall, x CPU "
        "| grantpool check: wall, peak | memory added (plugin / check) "
        "| engine alone: load / rules (share) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        bean, plug, ours = row["bean-check"], row["bean-check + rules"], row["grantpool check"]
        inner, ratio = row["in-process"], row["ratio"]
        assert isinstance(bean, dict) and isinstance(plug, dict) and isinstance(ours, dict)
        assert isinstance(inner, dict) and isinstance(ratio, dict)
        txns = int(row["transactions"])  # type: ignore[call-overload]
        lines.append(
            f"| {row['size']} | {txns:,} | {row['repeat']} "
            f"| {bean['wall']:.2f} s, {bean['cpu']:.2f} s, {bean['peak_mb']:.0f} MB "
            f"| {plug['wall']:.2f} s, {plug['cpu']:.2f} s, {plug['peak_mb']:.0f} MB "
            f"| {ratio['wall']:.3f}x, {ratio['cpu']:.3f}x "
            f"| {ours['wall']:.2f} s, {ours['peak_mb']:.0f} MB "
            f"| {_added('peak_mb', bean, plug, ours)} "
            f"| {inner['load']:.2f} s / {inner['rules']:.2f} s "
            f"({inner['rules'] / inner['load'] * 100:.1f} %) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--folder", type=Path, default=HERE / "out")
    parser.add_argument("--runs", type=int, default=5, help="rounds per size (1M: one)")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "engine")],
                   check=True, capture_output=True)
    rows = []
    for size in args.sizes:
        rows.append(run_size(size, args.folder, repeat=1 if size == "1M" else args.runs))
        print(json.dumps(rows[-1]), flush=True)
    table = markdown(rows)
    print(table)
    stamp = time.strftime("%Y-%m-%d")
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    (HERE / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"\nmeasured {stamp} on {machine}")


if __name__ == "__main__":
    main()
