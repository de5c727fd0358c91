"""The pools shipped with grantpool, found by id (``dk2017``) as well as by path.

Their rules files are installed in the package (``grantpool/pools/<id>.yaml``, from
the repository's ``rules/`` folder), so ``grantpool init --rules dk2017`` works
from any folder on any install.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from grantpool.rules.yamlsrc import location

if TYPE_CHECKING:
    from grantpool.rules.spec import RuleSet

POOL_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")


class UnknownPool(Exception):
    """Neither a rules file at that path nor a shipped pool of that id."""


def pools_folder() -> Path:
    """The installed folder of the shipped pools' rules files (in a source checkout run
    without installing, the repository's ``rules/``)."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "pools"
    return installed if installed.is_dir() else package.parent.parent / "rules"


def shipped_ids() -> list[str]:
    """The ids of the shipped pools, sorted."""
    return sorted(p.stem for p in pools_folder().glob("*.yaml"))


def resolve(name: Path) -> tuple[Path, bool]:
    """``(rules file, shipped)`` for *name*: a path to a rules file, or a shipped pool's id.

    A path that exists wins; a bare id is looked up among the shipped pools.
    """
    if name.exists():
        return name, False
    text = str(name)
    if POOL_ID.fullmatch(text):
        candidate = pools_folder() / f"{text}.yaml"
        if candidate.is_file():
            return candidate, True
    raise UnknownPool(
        f"--rules {text!r}: no such rules file, and no shipped pool of that id; give a path "
        f"to a rules file or one of: {', '.join(shipped_ids())}")


def load_named(name: Path) -> tuple[RuleSet, bool]:
    """``(ruleset, shipped)`` of a pool named by path or id; ``UnknownPool`` with every
    problem of the rules file as ``file:line: message`` otherwise."""
    from grantpool.rules.engine import load  # noqa: PLC0415 (the engine imports the kinds)

    path, shipped = resolve(name)
    ruleset, errors = load(path)
    if ruleset is None:
        raise UnknownPool("; ".join(f"{location(e.source)}: {e.message}"
                                    for e in errors))
    return ruleset, shipped
