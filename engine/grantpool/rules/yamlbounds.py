"""Bounds on a YAML file before anything is built from it, and short excerpts.

YAML aliases repeat a node wherever they are written, so a few KiB of nested
aliases ("billion laughs") stand for billions of values.  Before a file is
built, its parse events are walked once (no recursion) and it is refused when
it is larger than ``MAX_BYTES``, nests deeper than ``MAX_DEPTH`` or expands,
aliases counted in full, to more than ``MAX_NODES`` values.  The shipped rules
files are about 8 KiB, nest 4 deep and expand to under 600 values.  Tags
(``!!python/…``, ``!!binary``, ``!!set``) are refused too: a rules file needs none.

``excerpt`` is how every error message quotes what was written: at most
``EXCERPT`` characters, CPR-looking numbers removed.
"""

from __future__ import annotations

from typing import Any

import yaml

from grantpool.privacy.cpr import redact

MAX_BYTES = 256 * 1024
MAX_DEPTH = 16
MAX_NODES = 20_000
EXCERPT = 40


def excerpt(value: object, quote: bool = True) -> str:
    """*value* as a short text for a message: ``repr`` (or ``str``), cut, CPR removed."""
    if isinstance(value, list | dict | set | tuple) and len(value) > 8:
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value) if quote else str(value)
    if len(text) > EXCERPT:
        text = text[:EXCERPT - 1] + "…"
    return redact(text)


def _line(event: Any) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


class _Expansion:
    """Counts the values a stream of parse events stands for, aliases in full."""

    def __init__(self) -> None:
        self.count = 0
        self.sizes: dict[str, int] = {}  # an anchor's name -> how many values it stands for
        self.open: list[tuple[int, str | None]] = []  # (count when opened, anchor)

    def step(self, event: Any) -> str | None:
        """Count *event*; why the file is refused, or ``None``."""
        if getattr(event, "tag", None) is not None:
            tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")
            return f"the tag {excerpt(tag)} is not allowed; write plain values"
        if isinstance(event, yaml.AliasEvent):
            self.count += self.sizes.get(str(event.anchor), 1)
        elif isinstance(event, yaml.ScalarEvent):
            self.count += 1
            if event.anchor is not None:
                self.sizes[str(event.anchor)] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            self.count += 1
            self.open.append((self.count, event.anchor))
            if len(self.open) > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep; a rules file needs a few"
        elif isinstance(event, yaml.CollectionEndEvent) and self.open:
            opened, anchor = self.open.pop()
            if anchor is not None:
                self.sizes[str(anchor)] = self.count - opened + 1
        if self.count > MAX_NODES:
            return (f"the file stands for more than {MAX_NODES} values once its aliases "
                    f"(*name) are expanded; write the values out instead of nesting aliases")
        return None


def over_bounds(text: str, loader: type[Any]) -> tuple[int, str] | None:
    """``(line, why)`` when *text* is too deep or expands too far; ``None`` when it is fine.

    A syntax error is left for the real load to report (with its own line).
    """
    expansion = _Expansion()
    try:
        for event in yaml.parse(text, Loader=loader):
            why = expansion.step(event)
            if why is not None:
                return _line(event), why
    except yaml.YAMLError:
        return None
    return None
