"""What one checked entry costs, against a bean-check of the books it is judged in.

    python bench/entry.py [--citizens 800] [--municipalities 8] [--runs 5]

Generates federated books (dk2017, scaled), then alternates, run after run in fresh
processes: ``bean-check`` of Aarhus's own books (where the entry is judged and written),
``grantpool purchase … --dry-run`` (load under the lock, build, judge from a string; no
write) and ``grantpool purchase …`` (the same, written and re-parsed).  Prints the medians
and the ratios to bean-check (target ≤ 1.3 times).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {done.stderr[-500:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=800)
    parser.add_argument("--municipalities", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        subprocess.run([str(BIN / "grantpool"), "generate", "--rules", "dk2017", "--out",
                        "books", "--citizens", str(args.citizens), "--municipalities",
                        str(args.municipalities)], cwd=work, check=True, capture_output=True)
        # The entry is routed to Aarhus's own books: bean-check of those is the yardstick.
        main_file = "books/main.beancount"
        own_main = "books/municipalities/aarhus/main.beancount"
        purchase = [str(BIN / "grantpool"), "purchase", "P-AAR-001", "--amount", "1.00",
                    "--category", "id_docs", "--date", "2018-06-01", "--ledger", main_file]
        commands = {"bean-check": [str(BIN / "bean-check"), own_main],
                    "purchase --dry-run": [*purchase, "--dry-run"],
                    "purchase (written)": purchase}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, work))
    base = statistics.median(times["bean-check"])
    print(f"books: {args.citizens} citizens in {args.municipalities} municipalities, "
          f"medians of {args.runs} runs")
    for name, values in times.items():
        middle = statistics.median(values)
        print(f"| {name} | {middle:.2f} s | {middle / base:.2f}x |")


if __name__ == "__main__":
    main()
