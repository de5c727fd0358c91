"""How long each Grant pool page takes to render in Fava, on the example books and
on generated books of about 100k transactions (``bench/out/100k``, made by
``bench/run.py``).  Through Fava's Flask app in one process: the first request
of a page (figures computed) and the median of three more (figures cached).

    python bench/pages.py
    python bench/pages.py --national FOLDER   # federated national books (bench/federation.py)

With ``--national``, the pages of one municipality's own ledger (Aarhus, about 1,000
citizens: a national municipality's size) and of the pool's own ledger, whose page rolls
up every entity's books.  First as ``grantpool serve`` starts: its check of the federation
(timed, on ``--workers`` local processes, default 2), once as the check alone and once
also keeping each entity's figures and spending for the pool's page (``warm=True``);
then the pool's ledger's pages, the first view merging what the check kept.  With
``--cold`` also the pool's page with nothing kept (every entity's books loaded at its
first view: minutes at national size); with ``--warm-only`` the check runs once, warm.

    python bench/pages.py --national /tmp/nat/books --warm-only
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

from fava.application import create_app

from grantpool.federation import run
from grantpool.federation.discover import load_federation
from grantpool.federation.executor import Runner

HERE = Path(__file__).resolve().parent
BOOKS = {"example": HERE.parent / "ledger/main.beancount",
         "100k": HERE / "out/100k/main.beancount"}
PAGES = {"pool": "", "municipality": "?page=municipality&name={muni}",
         "citizen": "?page=citizen&name={pid}", "findings": "?page=findings",
         "pool, time filter 2018": "?time=2018"}
EXAMPLE_IDS = {"muni": "Kolding", "pid": "P-KOL-001"}


def measure(books: Path | list[Path], slug: str, ids: dict[str, str],
            pages: dict[str, str] | None = None) -> list[tuple[str, float, float]]:
    """Each page of *slug* (first request, median of 3 again) in Fava serving *books*."""
    served = books if isinstance(books, list) else [books]
    app = create_app([path.resolve() for path in served], load=True)
    client = app.test_client()
    base = f"/{slug}/extension/GrantPool/"
    out = []
    for name, query in (pages or PAGES).items():
        url = base + query.format(**ids)
        start = time.perf_counter()
        response = client.get(url)
        first = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        again = []
        for _ in range(3):
            start = time.perf_counter()
            client.get(url)
            again.append(time.perf_counter() - start)
        out.append((name, first, statistics.median(again)))
    return out


def with_extension(books: Path) -> Path:
    """The books' main file, with the extension declared if it is not (older books)."""
    text = books.read_text(encoding="utf-8")
    if '"fava-extension"' in text:
        return books
    copy = books.with_name("main-with-extension.beancount")
    copy.write_text(text + '2017-07-01 custom "fava-extension" "grantpool.fava_ext"\n',
                    encoding="utf-8")
    return copy


AARHUS = ("municipalities/aarhus/main.beancount", "grant-pool-dk2017-aarhus",
          {"": "", "citizen": "?page=citizen&name={pid}", "findings": "?page=findings",
           "time filter 2018": "?time=2018"})
POOL_LEDGER = ("pool/main.beancount", "grant-pool-dk2017-pool",
               {"pool": "", "municipality (Aarhus)": "?page=municipality&name={muni}",
                "citizen (P-AAR-001)": "?page=citizen&name={pid}",
                "findings": "?page=findings"})
NATIONAL_IDS = {"muni": "Aarhus", "pid": "P-AAR-001"}


def row(label: str, name: str, first: float, again: float | None = None) -> None:
    shown = f"{again * 1000:.0f} ms" if again is not None else "-"
    print(f"| national: {label} | {name} | {first * 1000:.0f} ms | {shown} |", flush=True)


def national(folder: Path, workers: int, cold: bool, warm_only: bool) -> None:
    """Aarhus's own pages; serve's check at start, alone and warm; the pool's pages,
    served beside Aarhus's own ledger (``grantpool serve`` serves every entity's: the
    pool's citizen page then reads the citizen's lines from Aarhus's loaded ledger)."""
    for name, first, again in measure(folder / AARHUS[0], AARHUS[1], NATIONAL_IDS,
                                      AARHUS[2]):
        row("Aarhus's own ledger", name or "municipality", first, again)
    federation = load_federation(folder)
    runner, today = Runner(workers), datetime.date.today()
    pool_and_aarhus = [folder / POOL_LEDGER[0], folder / AARHUS[0]]
    if cold:
        for name, first, again in measure(pool_and_aarhus, POOL_LEDGER[1],
                                          NATIONAL_IDS, POOL_LEDGER[2]):
            row("the pool's own ledger, nothing kept", name, first, again)
    for warm in (True,) if warm_only else (False, True):
        start = time.perf_counter()
        found = run.check_federation(federation, today, runner=runner, warm=warm)
        what = "also keeping the figures (warm=True)" if warm else "the check alone"
        row(f"serve's check at start, {workers} workers", f"{what}, "
            f"{len(found.findings)} findings", time.perf_counter() - start)
    assert run.warmed(federation, run.stamp(federation)) is not None
    for name, first, again in measure(pool_and_aarhus, POOL_LEDGER[1], NATIONAL_IDS,
                                      POOL_LEDGER[2]):
        row("the pool's own ledger, after serve's warm check", name, first, again)


def main() -> None:
    print("| books | page | first request | again (median of 3) |")
    print("|---|---|---|---|")
    if sys.argv[1:2] == ["--national"]:
        parser = argparse.ArgumentParser(prog="bench/pages.py")
        parser.add_argument("--national", type=Path, required=True)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--cold", action="store_true")
        parser.add_argument("--warm-only", action="store_true",
                            help="run serve's check once, keeping the figures (warm=True)")
        args = parser.parse_args()
        national(args.national, args.workers, args.cold, args.warm_only)
        return
    for label, books in BOOKS.items():
        if not books.exists():
            print(f"| {label} | (missing: run bench/run.py first) | | |", file=sys.stderr)
            continue
        ids = EXAMPLE_IDS if label == "example" else {"muni": "Aarhus", "pid": "P-AAR-001"}
        for name, first, again in measure(with_extension(books), "grant-pool-dk2017", ids):
            print(f"| {label} | {name} | {first * 1000:.0f} ms | {again * 1000:.0f} ms |",
                  flush=True)


if __name__ == "__main__":
    main()
