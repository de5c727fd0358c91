"""YAML with line numbers: every mapping remembers where it and its keys stand.

Numbers with a fraction are read as exact ``Decimal``s, never floats.
Config errors are typed values like Beancount's own (``source``, ``message``,
``entry``) so that bean-check, Fava and our commands can show them the same way.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import yaml


class ConfigError(NamedTuple):
    """A problem in a rules file; ``source`` points at the offending line."""

    source: dict[str, Any]
    message: str
    entry: None = None


class Node(dict[str, Any]):
    """A YAML mapping that knows its file and the line of each key (1-based)."""

    filename: str = "<string>"
    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def source(self, key: str | None = None) -> dict[str, Any]:
        lineno = self.line if key is None else self.line_of(key)
        return {"filename": self.filename, "lineno": lineno}


# libyaml's parser where PyYAML has it (it keeps line marks too); the pure one else.
_BASE: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _loader_class(filename: str) -> type[Any]:
    class _Loader(_BASE):  # type: ignore[misc]
        pass

    def construct_mapping(loader: Any, node: yaml.MappingNode) -> Node:
        loader.flatten_mapping(node)
        result = Node()
        result.filename = filename
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[str(key)] = key_node.start_mark.line + 1
        return result

    def construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:  # e.g. 2017-13-23: keep the text, the field reader names it
            return loader.construct_scalar(node)

    def construct_float(loader: Any, node: yaml.ScalarNode) -> Any:
        # Money must not pass through float: 50000.00 stays Decimal("50000.00").
        text = str(loader.construct_scalar(node)).replace("_", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return text
        return value if value.is_finite() else text

    _Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    _Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    _Loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
        construct_mapping,
    )
    return _Loader


def load_yaml(path: Path) -> tuple[Any, list[ConfigError]]:
    """Read a YAML file; on failure return ``(None, [error])`` naming the line."""
    filename = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [ConfigError({"filename": filename, "lineno": 0}, f"cannot read: {exc}")]
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8"
        return None, [ConfigError({"filename": filename, "lineno": 0}, msg)]
    try:
        return yaml.load(text, Loader=_loader_class(filename)), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        lineno = mark.line + 1 if mark else 0
        problem = exc.problem or str(exc)
        msg = f"malformed YAML: {problem}; fix the syntax at this line"
        return None, [ConfigError({"filename": filename, "lineno": lineno}, msg)]
    except yaml.YAMLError as exc:
        return None, [ConfigError({"filename": filename, "lineno": 0}, f"malformed YAML: {exc}")]
