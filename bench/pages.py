"""How long each Grant pool page takes to render in Fava, on the example books and
on generated books of about 100k transactions (``bench/out/100k``, made by
``bench/run.py``).  Through Fava's Flask app in one process: the first request
of a page (figures computed) and the median of three more (figures cached).

    python bench/pages.py
    python bench/pages.py --national FOLDER   # federated national books (bench/federation.py)

With ``--national``, the pages of one municipality's own ledger (Aarhus, about 1,000
citizens: a national municipality's size) and of the pool's own ledger, whose page rolls
up every entity's books (its first request builds the roll-up).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from fava.application import create_app

HERE = Path(__file__).resolve().parent
BOOKS = {"example": HERE.parent / "ledger/main.beancount",
         "100k": HERE / "out/100k/main.beancount"}
PAGES = {"pool": "", "municipality": "?page=municipality&name={muni}",
         "citizen": "?page=citizen&name={pid}", "findings": "?page=findings",
         "pool, time filter 2018": "?time=2018"}
EXAMPLE_IDS = {"muni": "Kolding", "pid": "P-KOL-001"}


def measure(books: Path, slug: str, ids: dict[str, str],
            pages: dict[str, str] | None = None) -> list[tuple[str, float, float]]:
    app = create_app([books.resolve()], load=True)
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


NATIONAL = {
    "Aarhus's own ledger": ("municipalities/aarhus/main.beancount", "grant-pool-dk2017-aarhus",
                            {"": "", "citizen": "?page=citizen&name={pid}",
                             "findings": "?page=findings",
                             "time filter 2018": "?time=2018"}),
    "the pool's own ledger (roll-up)": ("pool/main.beancount", "grant-pool-dk2017-pool",
                                        {"pool": "", "municipality (Aarhus)":
                                         "?page=municipality&name={muni}"}),
}


def national(folder: Path) -> None:
    ids = {"muni": "Aarhus", "pid": "P-AAR-001"}
    for label, (main_file, slug, pages) in NATIONAL.items():
        for name, first, again in measure(folder / main_file, slug, ids, pages):
            print(f"| national: {label} | {name or 'municipality'} | {first * 1000:.0f} ms "
                  f"| {again * 1000:.0f} ms |", flush=True)


def main() -> None:
    print("| books | page | first request | again (median of 3) |")
    print("|---|---|---|---|")
    if sys.argv[1:2] == ["--national"]:
        national(Path(sys.argv[2]))
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
