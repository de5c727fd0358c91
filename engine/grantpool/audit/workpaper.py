"""The sample as the auditor's working paper: CSV and XLSX, and the results read back.

Each row: the item's date, citizen id, category, amount, ``file:line`` (relative to the
books' folder) and voucher, with empty ``result`` (ok / deviation) and ``note`` columns
for the auditor.  The XLSX has a second sheet, *Parameters*, saying how the sample was
drawn (entity, period, method, size, seed, key items, interval), from which ``sample
record`` draws the sample again to check the rows were not changed.  The same books and
options give byte-identical files: no clock time goes into them.  A working paper that
exists already is never overwritten: the auditor may have filled it in.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from grantpool.audit.accounts_files import _fixed_zip
from grantpool.audit.sample import Item, Sample
from grantpool.generate.writer import write_atomic
from grantpool.rules.pooldef import Period

COLUMNS = ("row", "selected_as", "date", "citizen", "category", "amount", "location",
           "voucher", "voucher_sha256", "result", "note")
RESULTS = ("ok", "deviation")
DRAWN_COLUMNS = COLUMNS[:9]  # what the draw fills in; result and note are the auditor's
DEFAULT_KEY_ITEMS = "interval"  # key_items_over_asked when --key-items-over was not given


class WorkpaperError(ValueError):
    """The working paper cannot be read back; the message names the sheet and row."""


@dataclass(frozen=True)
class Drawn:
    """How a sample was drawn, as the working paper records it."""

    entity: str
    period: Period
    method: str
    size: int
    seed: int
    key_over: Decimal | None = None  # --key-items-over as asked; None: by the interval


def location(item: Item, root: Path) -> str:
    path = Path(str(item.source.get("filename", "")))
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    return f"{shown}:{item.source.get('lineno', 0)}"


def rows(sample: Sample, root: Path) -> list[list[Any]]:
    return [[n, how, item.date, item.citizen, item.category, item.amount,
             location(item, root), item.voucher, item.sha256, "", ""]
            for n, (item, how) in enumerate(sample.chosen, 1)]


def parameters(sample: Sample, drawn: Drawn) -> list[tuple[str, Any]]:
    total = sum((i.amount for i in sample.population), Decimal(0))
    return [("entity", drawn.entity), ("period_start", drawn.period.start),
            ("period_end", drawn.period.end), ("method", drawn.method), ("size", drawn.size),
            ("seed", drawn.seed), ("key_items_over", sample.key_over),
            ("key_items_over_asked",
             DEFAULT_KEY_ITEMS if drawn.key_over is None else drawn.key_over),
            ("population_items", len(sample.population)), ("population_amount", total),
            ("sampling_interval", sample.interval), ("random_start", sample.start),
            ("rows", len(sample.chosen))]


def _text(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def to_csv(sample: Sample, root: Path) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(sample, root):
        writer.writerow([_text(v) for v in row])
    return out.getvalue()


def to_xlsx(sample: Sample, drawn: Drawn, root: Path) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sample"
    sheet.append(list(COLUMNS))
    for row in rows(sample, root):
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        cells[0].number_format = "#,##0.00"
    for column, width in (("G", 40), ("H", 70), ("K", 40)):
        sheet.column_dimensions[column].width = width
    about = book.create_sheet("Parameters")
    for key, value in parameters(sample, drawn):
        about.append([key, _text(value) if isinstance(value, Decimal) else value])
    stamp = datetime.datetime.combine(drawn.period.end, datetime.time())
    book.properties.created = book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue(), stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


def paths(folder: Path, stem: str) -> tuple[Path, Path]:
    return folder / f"{stem}.csv", folder / f"{stem}.xlsx"


def refuse_existing(folder: Path, stem: str) -> None:
    """Refuse to draw over a working paper that exists: it may have been filled in."""
    for path in paths(folder, stem):
        if path.exists():
            raise WorkpaperError(f"{path}: a working paper exists already (it may hold the "
                                 f"auditor's results); remove it or give another --out; "
                                 f"nothing written")


def write(sample: Sample, drawn: Drawn, root: Path, folder: Path, stem: str) -> list[Path]:
    """``stem.csv`` and ``stem.xlsx`` in *folder*, each written atomically; refused
    (``WorkpaperError``, nothing written) when either exists."""
    refuse_existing(folder, stem)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = paths(folder, stem)
    write_atomic(csv_path, to_csv(sample, root))
    tmp = xlsx_path.with_name(f".{xlsx_path.name}.tmp")
    tmp.write_bytes(to_xlsx(sample, drawn, root))
    tmp.replace(xlsx_path)
    return [csv_path, xlsx_path]


@dataclass(frozen=True)
class Result:
    row: int
    location: str
    date: datetime.date
    amount: Decimal
    deviation: bool
    line: int = 0  # the row of sheet Sample
    cells: tuple[str, ...] = ()  # its DRAWN_COLUMNS, as ``drawn_cells`` gives them


def drawn_cells(values: Sequence[Any]) -> tuple[str, ...]:
    """A row's DRAWN_COLUMNS as text, the same whether from ``rows`` or read back from
    the XLSX (where dates come back as datetimes and amounts as floats)."""
    out = []
    for name, value in zip(DRAWN_COLUMNS, values, strict=False):
        try:
            if value is None:
                out.append("")
            elif name == "date":
                out.append(_day(value).isoformat())
            elif name == "amount":
                out.append(f"{Decimal(str(value)).quantize(Decimal('0.01'))}")
            elif name == "row":
                out.append(str(int(value)))
            else:
                out.append(str(value))
        except (TypeError, ValueError, ArithmeticError):
            out.append(str(value))
    return tuple(out + [""] * (len(DRAWN_COLUMNS) - len(out)))


def read_results(path: Path) -> tuple[Drawn, list[Result]]:
    """The parameters and every row's result of a filled working paper."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        params = {str(r[0]): r[1] for r in book["Parameters"].iter_rows(values_only=True) if r}
        table = list(book["Sample"].iter_rows(values_only=True))
    except (OSError, KeyError, ValueError) as exc:
        raise WorkpaperError(f"{path}: not a working paper of `grantpool sample` "
                             f"({type(exc).__name__}); give the .xlsx it wrote") from exc
    try:
        drawn = Drawn(str(params["entity"]), Period(_day(params["period_start"]),
                                                    _day(params["period_end"])),
                      str(params["method"]), int(params["size"]), int(params["seed"]),
                      _asked(params.get("key_items_over_asked", DEFAULT_KEY_ITEMS)))
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise WorkpaperError(f"{path}: sheet Parameters is incomplete or altered; use the "
                             f"working paper as written") from exc
    header = [str(c) for c in table[0]] if table else []
    if header[:len(COLUMNS)] != list(COLUMNS):
        raise WorkpaperError(f"{path}: sheet Sample must keep its columns {', '.join(COLUMNS)}")
    return drawn, [_result(path, n, dict(zip(COLUMNS, r, strict=False)))
                   for n, r in enumerate(table[1:], 2) if any(c is not None for c in r)]


def _asked(value: Any) -> Decimal | None:
    text = str(value if value is not None else DEFAULT_KEY_ITEMS).strip()
    return None if text == DEFAULT_KEY_ITEMS else Decimal(text)


def _day(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _result(path: Path, line: int, row: dict[str, Any]) -> Result:
    said = str(row.get("result") or "").strip().lower()
    if said not in RESULTS:
        raise WorkpaperError(f"{path}: sheet Sample row {line}: result must be ok or "
                             f"deviation (got {said[:20] or 'nothing'}); fill every row")
    try:
        amount = Decimal(str(row["amount"])).quantize(Decimal("0.01"))
        return Result(int(row["row"]), str(row["location"]), _day(row["date"]), amount,
                      said == "deviation", line, drawn_cells([row.get(c) for c in
                                                              DRAWN_COLUMNS]))
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise WorkpaperError(f"{path}: sheet Sample row {line}: row, date, amount or location "
                             f"altered; use the working paper as written") from exc
