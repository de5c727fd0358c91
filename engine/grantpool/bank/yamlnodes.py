"""A bank profile's YAML, read as plain text scalars with the line of each key.

Only a mapping of known keys to strings, lists of strings or mappings of
strings is accepted; tags, anchors and aliases are refused (a profile is a few
lines: nothing in it needs them), and so is a file over 64 KiB.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from grantpool.bank.reading import StatementError
from grantpool.privacy.cpr import looks_like_cpr

MAX_BYTES = 64 * 1024
KEYS = ("name", "description", "header", "separator", "encoding", "date_format", "decimal",
        "thousands", "columns", "skip")
REQUIRED = ("name", "header", "separator", "encoding", "date_format", "decimal", "columns")


class ProfileError(StatementError):
    """A bank profile that cannot be used; ``path`` is the profile, ``line`` its line."""


@dataclass(frozen=True)
class Fields:
    path: Path
    nodes: dict[str, tuple[int, yaml.Node]]

    def line(self, key: str) -> int:
        return self.nodes[key][0] if key in self.nodes else 1

    def _refuse(self, key: str, what: str) -> ProfileError:
        return ProfileError(self.path, self.line(key), f"{key}: {what}")

    def text(self, key: str, default: str | None = None) -> str:
        if key not in self.nodes:
            if default is not None:
                return default
            raise self._refuse(key, "missing")
        node = self.nodes[key][1]
        if not isinstance(node, yaml.ScalarNode):
            raise self._refuse(key, "must be one text value")
        return str(node.value)

    def texts(self, key: str) -> list[str]:
        node = self.nodes[key][1]
        if not isinstance(node, yaml.SequenceNode) or not node.value or not all(
                isinstance(x, yaml.ScalarNode) and x.value for x in node.value):
            raise self._refuse(key, "must be a list of column names: [Dato, Tekst, ...]")
        names = [str(x.value) for x in node.value]
        if len(set(names)) != len(names):
            raise self._refuse(key, "names a column twice")
        return names

    def _pairs(self, key: str) -> list[tuple[str, yaml.Node]]:
        node = self.nodes[key][1] if key in self.nodes else None
        if node is None:
            return []
        if not isinstance(node, yaml.MappingNode) or not all(
                isinstance(k, yaml.ScalarNode) for k, _ in node.value):
            raise self._refuse(key, "must be a mapping")
        return [(str(k.value), v) for k, v in node.value]

    def mapping(self, key: str, required: tuple[str, ...],
                optional: tuple[str, ...]) -> dict[str, str]:
        pairs = self._pairs(key)
        out = {k: str(v.value) for k, v in pairs if isinstance(v, yaml.ScalarNode)}
        unknown = sorted(set(k for k, _ in pairs) - set(required) - set(optional))
        missing = [k for k in required if k not in out]
        if unknown or missing or len(out) != len(pairs):
            raise self._refuse(key, f"names {', '.join(required)} (and optionally "
                                    f"{', '.join(optional)}), each one column")
        return out

    def lists(self, key: str) -> dict[str, tuple[str, ...]]:
        out = {}
        for name, value in self._pairs(key):
            if not isinstance(value, yaml.SequenceNode) or not all(
                    isinstance(x, yaml.ScalarNode) for x in value.value):
                raise self._refuse(key, "maps a column to a list of values: {Status: [Venter]}")
            out[name] = tuple(str(x.value) for x in value.value)
        return out


def read_fields(path: Path) -> Fields:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(path, 0, f"cannot read the bank profile ({exc.strerror})") from exc
    if len(raw) > MAX_BYTES:
        raise ProfileError(path, 1, f"a bank profile is a few lines, this is over {MAX_BYTES} "
                                    f"bytes")
    try:
        text = raw.decode("utf-8-sig")
        _plain(path, text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProfileError(path, line, "not UTF-8 text; save the profile as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "not YAML"
        raise ProfileError(path, line, f"not a YAML mapping ({problem}); see the shipped "
                                       f"profiles for the shape") from None
    if not isinstance(root, yaml.MappingNode):
        raise ProfileError(path, 1, "a bank profile is a YAML mapping (name:, header:, ...)")
    nodes: dict[str, tuple[int, yaml.Node]] = {}
    for key, value in root.value:
        name = str(key.value)
        if name not in KEYS or name in nodes:
            what = "named twice" if name in nodes else "not a profile key"
            raise ProfileError(path, key.start_mark.line + 1, f"{name[:40]!r}: {what}; the "
                                                              f"keys are {', '.join(KEYS)}")
        nodes[name] = (key.start_mark.line + 1, value)
    missing = [k for k in REQUIRED if k not in nodes]
    if missing:
        raise ProfileError(path, 1, f"missing key(s) {', '.join(missing)}")
    return Fields(path, nodes)


def _plain(path: Path, text: str) -> None:
    """Refuse anchors, aliases and tags (no YAML feature a profile needs), and CPR-like
    numbers."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ProfileError(path, line, "anchors and aliases (&, *) are not allowed in a "
                                           "bank profile; write each value out")
        if getattr(event, "tag", None) is not None:
            raise ProfileError(path, line, "YAML tags (!...) are not allowed in a bank profile")
        if isinstance(event, yaml.ScalarEvent) and looks_like_cpr(event.value):
            raise ProfileError(path, line, "holds a CPR-like number; a bank profile names "
                                           "columns, never people")
