"""Shared fixtures: inline ledgers loaded by the real loader, copies of the example books."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grantpool.books.loading import load
from tests.servers import SmtpInbox, smtp_server

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "ledger"
RULES = REPO / "rules"

Loaded = tuple[list[Any], list[Any], dict[str, Any]]


@pytest.fixture
def write_doc(tmp_path: Path) -> Callable[[str], Path]:
    """Write an inline ledger (dedented) to a file and return its path."""

    def write(text: str, name: str = "main.beancount") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load_doc(write_doc: Callable[[str], Path]) -> Callable[[str], Loaded]:
    """Load an inline ledger with the real Beancount loader."""

    def run(text: str) -> Loaded:
        return load(write_doc(text))

    return run


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example books and rules; returns the path of the main file."""
    target = tmp_path / "ledger"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(RULES, tmp_path / "rules")
    return target / "main.beancount"


@pytest.fixture(scope="session")
def example_loaded() -> Loaded:
    return load(EXAMPLE / "main.beancount")


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpInbox, int]]:
    """A real SMTP server (aiosmtpd) on loopback: its inbox and port."""
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        yield inbox, port
