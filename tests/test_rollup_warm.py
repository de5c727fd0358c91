"""The pool's roll-up readied by the check ``grantpool serve`` starts with: each entity's
figures and spending from the check's own loads (``check_federation(..., warm=True)``),
the same as a load without the rules gives; the pool's first page view then merges
them and loads no books; a books file changed since, and the page computes afresh."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from fava.application import create_app

from grantpool.fava_ext import federated
from grantpool.federation import run
from grantpool.federation.discover import Federation, find
from grantpool.federation.run import check_federation, merged, rollup_outcomes, spending
from grantpool.federation.work import check_and_figures_entity, check_entity, figures_entity
from tests.conftest import EXAMPLE
from tests.test_fava_ext import cells, figure, page
from tests.test_federation_serve import POOL, at, main_files

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[Path, run.Warm]]:
    """An empty warm store for each test (none leaks into another test's federation)."""
    fresh: dict[Path, run.Warm] = {}
    monkeypatch.setattr(run, "_WARM", fresh)
    yield fresh


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The main file of every books load from now on: Beancount's loader, wrapped (every
    load of ours goes through ``grantpool.books.loading.load``, which calls it)."""
    calls: list[str] = []
    real: Callable[..., Any] = loader.load_file

    def counting(filename: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(filename))
        return real(filename, *args, **kwargs)

    monkeypatch.setattr(loader, "load_file", counting)
    return calls


def federation_of(main: Path) -> Federation:
    found = find(main.parent)
    assert found is not None
    return found


def served(main: Path) -> Any:
    """Fava's client over every ledger ``grantpool serve`` serves for the federation."""
    return create_app(main_files(main.parent), load=True, poll_watcher=True).test_client()


@pytest.mark.parametrize("day", [datetime.date(2019, 6, 30), TODAY])
def test_rollup_warm__a_rules_run_load_gives_the_figures_of_a_load_without_rules(
    day: datetime.date,
) -> None:
    federation = find(EXAMPLE)
    assert federation is not None
    for entity in federation.entities:
        both = check_and_figures_entity(entity, day)
        alone, checked = figures_entity(entity, day), check_entity(entity, day)
        assert both.figures is not None and both.figures == alone.figures, entity.name
        assert (both.cap, both.daily, both.pool) == (alone.cap, alone.daily, alone.pool)
        assert (both.findings, both.halves) == (checked.findings, checked.halves)
    assert any(check_and_figures_entity(e, day).daily for e in federation.entities)


def test_rollup_warm__a_warmed_rollup_gives_the_figures_and_page_of_a_computed_one(
    example_copy: Path, store: dict[Path, run.Warm],
) -> None:
    federation = federation_of(example_copy)
    cold = served(example_copy)
    cold_page = page(cold, base=at(POOL))
    report = check_federation(federation, TODAY, warm=True)
    assert report == check_federation(federation, TODAY)  # the report is the check's
    [warm] = store.values()
    assert warm.as_of == TODAY and len(warm.outcomes) == len(federation.entities) == 5
    assert federation.pool is not None
    place = federated.place_of(federation.pool.main)
    assert place is not None
    rollup = federated.Rollup(place)
    computed = rollup_outcomes(federation, TODAY)
    assert rollup.figures(TODAY) == merged(federation, computed)[0]
    assert rollup.spending() == spending(rollup_outcomes(federation, datetime.date.max))
    warm_page = page(served(example_copy), base=at(POOL))
    assert cells(warm_page, "data-municipality") == cells(cold_page, "data-municipality")
    for name in ("pool-granted", "pool-returned", "pool-remaining", "total-granted"):
        assert figure(warm_page, name) == figure(cold_page, name), name
    assert warm_page.count("<path") == cold_page.count("<path") > 4


def test_rollup_warm__the_first_pool_page_after_warming_loads_no_books(
    example_copy: Path, loads: list[str],
) -> None:
    federation = federation_of(example_copy)
    check_federation(federation, TODAY, warm=True)
    client = served(example_copy)
    loads.clear()
    text = page(client, base=at(POOL))
    assert loads == [] and len(cells(text, "data-municipality")) == 4
    federated.prewarm(federation, datetime.date(2019, 6, 30),
                      rollup_outcomes(federation, datetime.date(2019, 6, 30)))
    loads.clear()
    assert len(cells(page(client, "?time=2019-06", base=at(POOL)), "data-municipality")) == 4
    assert loads == []  # prewarm's day, from its outcomes
    page(client, "?time=2018", base=at(POOL))  # another day: from the ledgers served here
    assert loads == []


def test_rollup_warm__a_books_file_changed_since_and_the_page_computes_afresh(
    example_copy: Path, loads: list[str], store: dict[Path, run.Warm],
) -> None:
    federation = federation_of(example_copy)
    check_federation(federation, TODAY, warm=True)
    client = served(example_copy)
    before = cells(page(client, base=at(POOL)), "data-municipality")["Kolding"]["spent"]
    books = example_copy.parent / "municipalities/kolding/books.beancount"
    with books.open("a", encoding="utf-8") as out:
        out.write('\n2018-01-31 * "Purchase: education_books" #purchase\n'
                  "  Expenses:Municipality:Kolding:Purchases:EducationBooks  100.00 DKK\n"
                  "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available\n")
    loads.clear()
    after = cells(page(client, base=at(POOL)), "data-municipality")["Kolding"]["spent"]
    assert after == before + 100
    assert loads == [] and not store  # stale: dropped; Kolding's served ledger reloaded
