"""The auditor's sample: reproducible, every key item in it, monetary-unit sampling with
the probabilities it promises; the working paper read back into the books."""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from openpyxl import load_workbook

from grantpool.audit.sample import Item, draw
from grantpool.books.loading import load
from tests.test_vouchers_example import run, with_vouchers


def items(amounts: list[Decimal]) -> list[Item]:
    day = datetime.date(2018, 1, 1)
    return [Item(day + datetime.timedelta(days=n), f"P-TST-{n:03d}", "leisure", a,
                 {"filename": "/books/t.beancount", "lineno": n + 1}, "", "")
            for n, a in enumerate(amounts)]


def generated(count: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    return items([Decimal(rng.randrange(10_000, 400_000)) / 100 for _ in range(count)])


def test_same_seed_same_sample_other_seed_other_sample() -> None:
    population = generated(300, 7)
    first, again = draw(population, 25, 1), draw(population, 25, 1)
    assert first == again
    assert draw(population, 25, 2).chosen != first.chosen
    assert draw(population, 25, 1, "random") == draw(population, 25, 1, "random")


def test_every_item_over_the_key_amount_is_in_the_sample() -> None:
    population = generated(200, 3) + items([Decimal("40000.00"), Decimal("30000.01")])
    sample = draw(population, 10, 5, key_over=Decimal("30000.00"))
    keys = [i for i, how in sample.chosen if how == "key item"]
    assert sorted(i.amount for i in keys) == [Decimal("30000.01"), Decimal("40000.00")]
    at_amount = draw(items([Decimal("30000.00"), Decimal(1)]), 1, 1, key_over=Decimal(30000))
    assert [how for _, how in at_amount.chosen if how == "key item"] == []


def test_default_key_items_are_those_as_large_as_the_interval() -> None:
    population = generated(100, 4) + items([Decimal("500000.00")])
    sample = draw(population, 20, 9)
    keys = [i for i, how in sample.chosen if how == "key item"]
    assert [i.amount for i in keys] == [Decimal("500000.00")]
    assert all(i.amount < sample.interval for i, how in sample.chosen if how == "mus")


def test_mus_selects_each_item_with_probability_size_times_amount_over_total() -> None:
    population = items([Decimal(a) for a in (50, 120, 300, 800, 1500, 2500, 4000, 7000)] * 5)
    total = sum(i.amount for i in population)
    size, runs = 8, 4000
    counts = [0] * len(population)
    for seed in range(runs):
        picked = draw(population, size, seed, key_over=Decimal(10**9)).chosen
        for item, _ in picked:
            counts[item.source["lineno"] - 1] += 1
    for item, hits in zip(population, counts, strict=True):
        p = min(1.0, float(size * item.amount / total))
        bound = 4.5 * math.sqrt(runs * p * (1 - p)) + 1  # |z| < 4.5: fails ~1 in 150,000
        assert abs(hits - runs * p) <= bound, (item.amount, hits, runs * p)


def test_random_method_selects_each_item_equally_often() -> None:
    population = generated(40, 11)
    counts = [0] * 40
    for seed in range(2000):
        for item, _ in draw(population, 10, seed, "random", Decimal(10**9)).chosen:
            counts[item.source["lineno"] - 1] += 1
    chi2 = sum((c - 500) ** 2 / 500 for c in counts)
    assert chi2 < 80  # 39 degrees of freedom: p < 0.0003 above 80


def test_sample_of_aarhus_writes_the_same_working_paper_twice_with_every_key_item(
        example_copy: Path, tmp_path: Path) -> None:
    with_vouchers(example_copy, Decimal("0"))
    outs = []
    for name in ("one", "two"):
        code, _, err = run("sample", "Aarhus", "--period", "--size", "25", "--seed", "1",
                           "--key-items-over", "10000", "--ledger", str(example_copy),
                           "--out", str(tmp_path / name))
        assert code == 0, err
        outs.append(sorted((tmp_path / name).iterdir()))
    assert [p.suffix for p in outs[0]] == [".csv", ".xlsx"]
    for first, second in zip(*outs, strict=True):
        assert first.read_bytes() == second.read_bytes()
    rows = [line.split(",") for line in outs[0][0].read_text(encoding="utf-8").splitlines()[1:]]
    entries, _, _ = load(example_copy)
    over = sorted(f"{t.date}:{p.units.number}" for t in entries
                  if isinstance(t, data.Transaction) and "purchase" in t.tags
                  for p in t.postings
                  if p.account.startswith("Expenses:Municipality:Aarhus:Purchases")
                  and p.units.number > 10000)
    keys = sorted(f"{r[2]}:{r[5]}" for r in rows if r[1] == "key item")
    assert over and keys == over
    assert len(rows) > len(keys)
    # Aarhus's vouchers are in its own books' folder; the paper names them from the
    # folder of the books it was drawn from (the federation's).
    assert all(r[7].startswith("municipalities/aarhus/documents/")
               and (example_copy.parent / r[7]).is_file() for r in rows)


def test_default_run_of_the_done_when_includes_every_purchase_over_the_interval(
        example_copy: Path, tmp_path: Path) -> None:
    with_vouchers(example_copy, Decimal("0"))
    code, _, err = run("sample", "Aarhus", "--period", "--size", "25", "--seed", "1",
                         "--ledger", str(example_copy), "--out", str(tmp_path))
    assert code == 0, err
    paper = tmp_path / "sample-aarhus-period-mus-seed1.xlsx"
    sheet = load_workbook(paper)["Sample"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) >= 20 and all(v[7] for v in values)


def test_record_writes_the_audit_event_and_each_deviation_is_a_finding_at_its_entry(
        example_copy: Path, tmp_path: Path) -> None:
    with_vouchers(example_copy, Decimal("0"))
    assert run("sample", "Aarhus", "--period", "--size", "10", "--seed", "3", "--ledger",
               str(example_copy), "--out", str(tmp_path))[0] == 0
    paper = tmp_path / "sample-aarhus-period-mus-seed3.xlsx"
    book = load_workbook(paper)
    sheet = book["Sample"]
    for n, row in enumerate(sheet.iter_rows(min_row=2), 2):
        row[9].value = "deviation" if n == 3 else "ok"
    deviating = sheet.cell(3, 7).value
    book.save(paper)
    code, out, err = run("sample", "record", str(paper), "--ledger", str(example_copy),
                         "--auditor", "Test Auditor <auditor@example.org>",
                         "--date", "2020-06-01")
    assert code == 0, err
    text = (example_copy.parent / "municipalities" / "aarhus" / "books.beancount").read_text()
    assert 'event "audit_sample"' in text and "1 deviation(s)" in text
    assert 'auditor: "Test Auditor <auditor@example.org>"' in text
    code, out, _ = run("check", str(example_copy), "--as-of", "2020-06-30")
    assert code == 1
    found = [line for line in out.splitlines() if "audit sample deviation" in line]
    assert len(found) == 1 and found[0].split(": ")[0].endswith(deviating)


def test_record_refuses_an_unfilled_working_paper_and_writes_nothing(
        example_copy: Path, tmp_path: Path) -> None:
    assert run("sample", "Aarhus", "--year", "2018", "--size", "5", "--seed", "3",
               "--ledger", str(example_copy), "--out", str(tmp_path))[0] == 0
    aarhus = example_copy.parent / "municipalities" / "aarhus" / "books.beancount"
    before = aarhus.read_bytes()
    code, _, err = run("sample", "record", str(tmp_path / "sample-aarhus-2018-mus-seed3.xlsx"),
                       "--ledger", str(example_copy), "--auditor", "A B <a@example.org>")
    assert code == 2 and "row 2: result must be ok or deviation" in err
    assert aarhus.read_bytes() == before


def test_sample_needs_year_or_period_and_a_known_municipality(example_copy: Path) -> None:
    assert run("sample", "Aarhus", "--size", "5", "--seed", "1", "--ledger",
               str(example_copy))[0] == 2
    code, _, err = run("sample", "aarhus", "--period", "--size", "5", "--seed", "1",
                       "--ledger", str(example_copy))
    assert code == 2 and "not a municipality" in err


AUDITOR = "Test Auditor <auditor@example.org>"


def drawn_paper(books: Path, out: Path, seed: int, *extra: str) -> Path:
    code, _, err = run("sample", "Aarhus", "--period", "--size", "10", "--seed", str(seed),
                       "--ledger", str(books), "--out", str(out), *extra)
    assert code == 0, err
    return out / f"sample-aarhus-period-mus-seed{seed}.xlsx"


def fill(paper: Path, change: dict[tuple[int, int], object] | None = None) -> None:
    """Mark every row ok, and set the cells (row, column) of *change*."""
    book = load_workbook(paper)
    sheet = book["Sample"]
    for row in sheet.iter_rows(min_row=2):
        row[9].value = "ok"
    for (row_n, col), value in (change or {}).items():
        sheet.cell(row_n, col).value = value
    book.save(paper)


def record(books: Path, paper: Path) -> tuple[int, str, str]:
    return run("sample", "record", str(paper), "--ledger", str(books), "--auditor", AUDITOR,
               "--date", "2020-06-01")


def test_sample__an_existing_working_paper_is_never_overwritten(
        example_copy: Path, tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    paper = drawn_paper(example_copy, audit, 3)
    fill(paper)
    before = {p.name: p.read_bytes() for p in audit.iterdir()}
    code, out, err = run("sample", "Aarhus", "--period", "--size", "10", "--seed", "3",
                         "--ledger", str(example_copy), "--out", str(audit))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "exists already" in err and "remove it or give another --out" in err
    assert {p.name: p.read_bytes() for p in audit.iterdir()} == before
    paper.unlink()  # the CSV alone still stops it: the pair is never half-replaced
    assert run("sample", "Aarhus", "--period", "--size", "10", "--seed", "3", "--ledger",
               str(example_copy), "--out", str(audit))[0] == 2
    assert not paper.exists()


def test_record__a_row_replaced_by_another_purchase_is_refused_naming_the_row(
        example_copy: Path, tmp_path: Path) -> None:
    with_vouchers(example_copy, Decimal("0"))
    paper = drawn_paper(example_copy, tmp_path / "three", 3)
    other = load_workbook(drawn_paper(example_copy, tmp_path / "four", 4))["Sample"]
    taken = {r[6] for r in load_workbook(paper)["Sample"].iter_rows(min_row=2,
                                                                      values_only=True)}
    swap = next(r for r in other.iter_rows(min_row=2, values_only=True)
                if r[1] == "mus" and r[6] not in taken)  # a real purchase, not drawn
    fill(paper, {(3, c): swap[c - 1] for c in range(3, 10)})
    aarhus = example_copy.parent / "municipalities" / "aarhus" / "books.beancount"
    before = aarhus.read_bytes()
    code, out, err = record(example_copy, paper)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "sheet Sample row 3: date" in err and "drawn again" in err, err
    assert aarhus.read_bytes() == before


def test_record__a_deleted_row_is_refused(example_copy: Path, tmp_path: Path) -> None:
    paper = drawn_paper(example_copy, tmp_path / "audit", 3)
    book = load_workbook(paper)
    last = book["Sample"].max_row
    book["Sample"].delete_rows(last)
    book.save(paper)
    fill(paper)
    aarhus = example_copy.parent / "municipalities" / "aarhus" / "books.beancount"
    before = aarhus.read_bytes()
    code, _, err = record(example_copy, paper)
    assert code == 2 and f"sheet Sample row {last}: missing" in err
    assert aarhus.read_bytes() == before


def test_record__the_same_working_paper_recorded_twice_is_refused_the_second_time(
        example_copy: Path, tmp_path: Path) -> None:
    paper = drawn_paper(example_copy, tmp_path / "audit", 5, "--key-items-over", "10000")
    fill(paper)
    code, _, err = record(example_copy, paper)
    assert code == 0, err
    aarhus = example_copy.parent / "municipalities" / "aarhus" / "books.beancount"
    once = aarhus.read_bytes()
    assert once.count(b'event "audit_sample"') == 1
    code, out, err = record(example_copy, paper)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "recorded already" in err, err
    assert aarhus.read_bytes() == once
