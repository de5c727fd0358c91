"""The pool's Grant pool page for days other than serve's check day, at national size.

    python bench/pool_days.py --national FOLDER [--days 2019 2018-06]

Serves the pool's and every municipality's ledger of the federation FOLDER in one Fava app
(``load=True``, as ``grantpool serve`` serves them, without the consolidated overview), keeps
no check, and asks the pool's page with each time filter twice: the first view of a day works
the figures out from the served ledgers, the second comes from the roll-up's cache.  Prints
the load time, the peak memory and each request's time.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from fava.application import create_app

from grantpool.federation.discover import find


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", type=Path, required=True)
    parser.add_argument("--days", nargs="+", default=["2019", "2018-06"])
    args = parser.parse_args()
    federation = find(args.national)
    if federation is None:
        raise SystemExit(f"{args.national}: not a federation's folder")
    files = [entity.main.resolve() for entity in federation.entities]
    start = time.perf_counter()
    app = create_app(files, load=True, poll_watcher=True)  # as grantpool serve runs it
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"loaded {len(files)} ledgers in {time.perf_counter() - start:.1f} s, "
          f"peak {peak} MB", flush=True)
    client = app.test_client()
    [slug] = [slug for slug, ledger in app.config["LEDGERS"].items()
              if Path(ledger.beancount_file_path).resolve() == files[0]]
    for day in args.days:
        for view in ("first", "again"):
            start = time.perf_counter()
            answer = client.get(f"/{slug}/extension/GrantPool/?time={day}")
            took = time.perf_counter() - start
            print(f"| `?time={day}`, {view} | {answer.status_code} | {took:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
