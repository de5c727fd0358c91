"""Write generated books into a folder: ``main.beancount`` and the files it includes."""

from __future__ import annotations

from pathlib import Path

from engine.generate.books import build, fit_pool
from engine.generate.options import GenOptions
from engine.generate.writer import file_text, write_atomic
from engine.pooldef import PoolDef


def command_line(pool: PoolDef, opts: GenOptions) -> str:
    years = f" --years {opts.years}" if opts.years is not None else ""
    return (
        f"grantpool generate --rules rules/{Path(pool.filename).name} --seed {opts.seed} "
        f"--municipalities {opts.municipalities} --citizens {opts.citizens} "
        f"--purchases {opts.purchases}{years}"
    )


def main_text(pool: PoolDef, includes: list[str], header: str) -> str:
    lines = [
        f";; Grant pool books: {pool.name}",
        f";; {header}",
        "",
        f'option "title" "Grant pool {pool.id}"',
        f'option "operating_currency" "{pool.currency}"',
        "",
        *(f'include "{name}"' for name in includes),
    ]
    return "\n".join(lines) + "\n"


def generate(pool: PoolDef, opts: GenOptions, out: Path) -> tuple[list[Path], list[str]]:
    """Write the books; returns the files written and notes on how the pool was fitted."""
    fitted, notes = fit_pool(pool, opts)
    books = build(fitted, opts)
    header = f"Made by `{command_line(pool, opts)}`; regenerate rather than edit."
    texts = {book.name: file_text(book, fitted.currency, header) for book in books}
    texts["main.beancount"] = main_text(fitted, [b.name for b in books], header)
    written = []
    for name, text in texts.items():
        write_atomic(out / name, text)
        written.append(out / name)
    return written, notes
