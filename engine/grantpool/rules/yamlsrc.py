"""YAML with line numbers: every mapping remembers where it and its keys stand.

Numbers with a fraction are read as exact ``Decimal``s, never floats.
Config errors are typed values like Beancount's own (``source``, ``message``,
``entry``) so that bean-check, Fava and our commands can show them the same way.

A file is bounded before it is built (``yamlbounds``): its size, its nesting
and what its aliases expand to.  A key written twice in one mapping is an error
at the second one's line (YAML would let the later value replace the first
silently); a merge key (``<<: *defaults``) may still be overridden, as YAML means.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from grantpool.rules.yamlbounds import MAX_BYTES, excerpt, over_bounds


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
_MERGE = "tag:yaml.org,2002:merge"


def _owner(result: Node) -> str:
    """``rule 'id': `` for a rule's mapping (it has an id and a kind), else nothing."""
    rule_id = result.get("id")
    return f"rule {excerpt(rule_id)}: " if "kind" in result and isinstance(rule_id, str) else ""


def construct_mapping(loader: Any, node: yaml.MappingNode) -> Node:
    result = Node()
    result.filename = loader.grantpool_filename
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    own: dict[Any, int] = {}
    doubles: list[tuple[Any, int]] = []
    for key_node, _ in node.value:
        if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
            continue
        key, line = loader.construct_object(key_node), key_node.start_mark.line + 1
        if key in own:
            doubles.append((key, line))
        own.setdefault(key, line)
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            loader.grantpool_problems.append(ConfigError(
                {"filename": result.filename, "lineno": line},
                "a key must be a plain word, not a list or a mapping; write `name: value`"))
            continue
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = line
    for key, line in doubles:
        loader.grantpool_problems.append(ConfigError(
            {"filename": result.filename, "lineno": line},
            f"{_owner(result)}the key {excerpt(key)} is written twice in one mapping (first at "
            f"line {own[key]}); the later value would silently replace the first: keep one"))
    return result


def construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):  # e.g. 2017-13-23: keep the text, a reader names it
        return loader.construct_scalar(node)


def construct_float(loader: Any, node: yaml.ScalarNode) -> Any:
    # Money must not pass through float: 50000.00 stays Decimal("50000.00").
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


def construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts: keep the text, a reader refuses it
        return loader.construct_scalar(node)


class _Loader(_BASE):  # type: ignore[misc]
    grantpool_filename = "<string>"
    grantpool_problems: list[ConfigError]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
_Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


def location(source: dict[str, Any]) -> str:
    """``file:line`` of a problem's *source*; the file alone for the file as a whole."""
    line = source.get("lineno") or 0
    return f"{source.get('filename')}:{line}" if line else str(source.get("filename"))


def _read(path: Path) -> tuple[str | None, list[ConfigError]]:
    where = {"filename": str(path), "lineno": 0}
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [ConfigError(where, f"cannot read: {exc.strerror or exc}")]
    if len(raw) > MAX_BYTES:
        return None, [ConfigError(where, f"larger than {MAX_BYTES // 1024} KiB; a rules or "
                                         f"settings file is a few KiB of YAML")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8"
        return None, [ConfigError(where, msg)]


def load_yaml(path: Path) -> tuple[Any, list[ConfigError]]:
    """Read a YAML file; on failure return ``(None, errors)`` naming the lines."""
    filename = str(path)
    text, errors = _read(path)
    if text is None:
        return None, errors
    try:
        problem = over_bounds(text, _BASE)
        if problem is not None:
            lineno, message = problem
            return None, [ConfigError({"filename": filename, "lineno": lineno}, message)]
        loader = _Loader(text)
        loader.grantpool_filename = filename
        loader.grantpool_problems = []
        try:
            doc = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        lineno = mark.line + 1 if mark else 0
        problem_text = excerpt(exc.problem or str(exc), quote=False)
        msg = f"malformed YAML: {problem_text}; fix the syntax at this line"
        return None, [ConfigError({"filename": filename, "lineno": lineno}, msg)]
    except yaml.YAMLError as exc:
        msg = f"malformed YAML: {excerpt(str(exc), quote=False)}"
        return None, [ConfigError({"filename": filename, "lineno": 0}, msg)]
    if loader.grantpool_problems:
        return None, sorted(loader.grantpool_problems, key=lambda e: e.source["lineno"])
    return doc, []
