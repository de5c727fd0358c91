"""Write a generated federation into a folder: the consolidated ``main.beancount``,
each entity's own main file and its books (``grantpool.federation.layout``).

The books declare the rules plugin with the rules file they were made for.
When the options stretch the pool (more years, more citizens than the pool
funds), a copy of the rules file with the stretched pool section is written
beside the books as ``rules.yaml`` and declared instead; so is a plain copy of a
shipped pool's rules file named by its id.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from grantpool.federation.layout import (
    MAIN,
    POOL_DIR,
    consolidated_text,
    entity_dir,
    entity_text,
    rules_from,
)
from grantpool.generate.books import build, fit_pool, municipality_names
from grantpool.generate.options import GenOptions
from grantpool.generate.policy import policy
from grantpool.generate.writer import file_text, write_atomic
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.spec import RuleSet


def command_line(pool: PoolDef, opts: GenOptions) -> str:
    years = f" --years {opts.years}" if opts.years is not None else ""
    return (
        f"grantpool generate --rules rules/{Path(pool.filename).name} --seed {opts.seed} "
        f"--municipalities {opts.municipalities} --citizens {opts.citizens} "
        f"--purchases {opts.purchases}{years}"
    )


def fitted_rules_text(source: Path, pool: PoolDef) -> str:
    """The rules file with its pool section set to the stretched *pool*."""
    doc: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    section = doc["pool"]
    section["appropriation"] = str(pool.appropriation)
    section["application_pool"] = str(pool.application_pool)
    section["project_period"] = {"start": pool.project_period.start,
                                 "end": pool.project_period.end}
    header = f"# Made by grantpool generate from {source.name}, its pool stretched.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def generate(ruleset: RuleSet, opts: GenOptions, out: Path,
             copy_rules: bool = False) -> tuple[list[Path], list[str]]:
    """Write the books; returns the files written and notes on how the pool was fitted.

    With *copy_rules* (a shipped pool), the books carry their own copy of the rules
    file as ``rules.yaml``, so they keep the rules they were made under.
    """
    pool = ruleset.pool
    fitted, notes = fit_pool(pool, opts)
    books = build(fitted, opts, policy(ruleset, fitted))
    header = f"Made by `{command_line(pool, opts)}`; regenerate rather than edit."
    texts = {book.name: file_text(book, fitted.currency, header) for book in books}
    rules_path = Path(ruleset.filename)
    if fitted != pool:
        texts["rules.yaml"] = fitted_rules_text(rules_path, fitted)
        declared = "rules.yaml"
    elif copy_rules:
        texts["rules.yaml"] = rules_path.read_text(encoding="utf-8")
        declared = "rules.yaml"
    else:
        declared = os.path.relpath(rules_path.resolve(), out.resolve())
    texts[MAIN] = consolidated_text(fitted, [b.name for b in books], header, declared)
    texts[f"{POOL_DIR}/{MAIN}"] = entity_text(fitted, "pool", fitted.id, header,
                                              rules_from(POOL_DIR, declared))
    for muni in municipality_names(fitted)[: opts.municipalities]:
        folder = entity_dir("municipality", muni)
        texts[f"{folder}/{MAIN}"] = entity_text(fitted, "municipality", muni, header,
                                                rules_from(folder, declared))
    written = []
    for name, text in texts.items():
        write_atomic(out / name, text)
        written.append(out / name)
    return written, notes

