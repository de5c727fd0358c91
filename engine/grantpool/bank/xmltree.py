"""An XML statement read safely into a small tree that remembers where each element is.

``defusedxml`` parses it: a document type declaration (the door to entity
expansion such as "billion laughs" and to external entities, XXE) is refused
outright, as no bank statement needs one.  Each element keeps its line and its
path (``/Document/BkToCstmrStmt/Stmt[2]/Ntry[3]/Amt``) for messages; any text
or attribute holding a CPR-like number refuses the file at its line, naming the
path, never the number.  Limits: 64 MiB, nesting 40 deep.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

import defusedxml.sax  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException

from grantpool.bank.reading import PersonalData, StatementError
from grantpool.privacy.cpr import looks_like_cpr

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 40


@dataclass
class Node:
    name: str  # the local name
    namespace: str
    line: int
    path: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def all(self, name: str) -> list[Node]:
        return [c for c in self.children if c.name == name]

    def find(self, *names: str) -> Node | None:
        """The first descendant along *names*, or None."""
        node: Node | None = self
        for name in names:
            node = next(iter(node.all(name)), None) if node else None
        return node

    def value(self, *names: str) -> str:
        node = self.find(*names)
        return node.text.strip() if node else ""


class _Builder(ContentHandler):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.file = path
        self.stack: list[Node] = []
        self.counts: list[dict[str, int]] = [{}]
        self.root: Node | None = None
        self.locator: Locator | None = None
        self.parts: list[list[str]] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def _line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator else 0

    def startElementNS(self, name: tuple[str | None, str], qname: str | None,
                       attrs: AttributesNSImpl) -> None:
        uri, local = name
        seen = self.counts[-1]
        seen[local] = seen.get(local, 0) + 1
        parent = self.stack[-1].path if self.stack else ""
        index = f"[{seen[local]}]" if self.stack and seen[local] > 1 else ""
        node = Node(local, uri or "", self._line(), f"{parent}/{local}{index}")
        if len(self.stack) >= MAX_DEPTH:
            raise StatementError(self.file, node.line, f"{node.path}: nested over {MAX_DEPTH} "
                                                       f"deep; this is not a bank statement")
        for (_, key), value in attrs.items():
            self._no_cpr(node, value, f"{node.path}/@{key}")
            node.attrs[key] = value
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        self.counts.append({})
        self.parts.append([])

    def characters(self, content: str) -> None:
        if self.parts:
            self.parts[-1].append(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        node = self.stack.pop()
        self.counts.pop()
        node.text = "".join(self.parts.pop())
        self._no_cpr(node, node.text, node.path)

    def _no_cpr(self, node: Node, text: str, where: str) -> None:
        if looks_like_cpr(text):
            raise PersonalData(self.file, node.line, f"{where} holds a CPR-like number; remove "
                                                     f"it from the statement (the books never "
                                                     f"hold CPR numbers) and import it again")


def parse(path: Path, raw: bytes) -> Node:
    """The root element of *raw*; ``StatementError`` at the line of what is wrong."""
    if len(raw) > MAX_BYTES:
        raise StatementError(path, 1, f"over {MAX_BYTES // (1024 * 1024)} MiB; a bank "
                                      f"statement is far smaller: was the wrong file sent?")
    builder = _Builder(path)
    parser = defusedxml.sax.make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setContentHandler(builder)
    try:
        parser.parse(io.BytesIO(raw))  # parse, not feed: only parse hands over a locator
    except SAXParseException as exc:
        raise StatementError(path, exc.getLineNumber() or 1, f"not well-formed XML "
                                                             f"({exc.getMessage()}, column "
                                                             f"{(exc.getColumnNumber() or 0) + 1})"
                             ) from None
    except DefusedXmlException:
        line = raw[: max(raw.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
        raise StatementError(path, line, "declares a document type (<!DOCTYPE ...>, entities): "
                                         "refused, as it could expand or fetch text; a bank "
                                         "statement has none") from None
    if builder.root is None:
        raise StatementError(path, 1, "no XML element in the file; export the statement again")
    return builder.root
