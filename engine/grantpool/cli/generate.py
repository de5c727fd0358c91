"""``grantpool generate``: deterministic example books of a pool."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from grantpool.cli.oneline import fail
from grantpool.generate.books import GenerateError
from grantpool.generate.options import GenOptions
from grantpool.generate.run import generate as run_generate
from grantpool.rules.shipped import UnknownPool, load_named

DEFAULT_RULES = Path("dk2017")


@click.command("generate")
@click.option("--rules", type=click.Path(path_type=Path), default=DEFAULT_RULES,
              show_default=True,
              help="The pool: a shipped pool's id (dk2017, dk2022, uk2009) or a rules file.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("ledger"),
              show_default=True, help="Folder to write main.beancount and its files into.")
@click.option("--seed", type=int, default=GenOptions.seed, show_default=True)
@click.option("--municipalities", type=int, default=GenOptions.municipalities, show_default=True)
@click.option("--citizens", type=int, default=GenOptions.citizens, show_default=True)
@click.option("--purchases", type=int, default=GenOptions.purchases, show_default=True,
              help="At most this many purchases per citizen (the real cases may add some).")
@click.option("--years", type=int, default=None,
              help="Stretch the project period to this many years (default: the rules').")
@click.option("--small-unspent", type=Decimal, default=GenOptions.small_unspent,
              show_default=True, help="The final unspent money of the de-minimis case.")
def generate(rules: Path, out: Path, seed: int, municipalities: int, citizens: int,
             purchases: int, years: int | None, small_unspent: Decimal) -> None:
    """Write deterministic example books of the pool in RULES into OUT."""
    try:
        ruleset, shipped = load_named(rules)
    except UnknownPool as exc:
        fail(str(exc))
        return
    opts = GenOptions(seed, municipalities, citizens, purchases, years,
                      small_unspent=small_unspent)
    try:
        written, notes = run_generate(ruleset, opts, out, copy_rules=shipped)
    except GenerateError as exc:
        fail(str(exc))
        return
    for note in notes:
        click.echo(f"note: {note}")
    click.echo(f"wrote {len(written)} files into {out}")


