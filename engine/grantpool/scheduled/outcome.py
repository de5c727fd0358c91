"""What one scheduled run found and did, and its exit code.

Exit codes: **0** all clear; **1** findings (an error finding); **2** the whole job was
not done (a ``failure``: books or rules unreadable, the rules engine crashed, a statement
refused or not archived, the state folder not writable) or mail could not be sent.
Every text here is one line with CPR-looking numbers removed (``one_line``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from grantpool.audit.findings import Finding
from grantpool.privacy.cpr import redact

LONGEST = 300
DIGITS = re.compile(r"\d+")


def one_line(text: str, longest: int | None = LONGEST) -> str:
    """*text* as one line (at most *longest* characters), CPR-looking numbers removed:
    fit for a status file, a log and a mail."""
    flat = " ".join(redact(text).split())
    return flat if longest is None or len(flat) <= longest else flat[: longest - 1] + "…"


def reason(exc: BaseException, about: str = "") -> str:
    """A one-line reason for *exc*, never a traceback: ``about: Type: message``."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    kind = type(exc).__name__
    if kind == "Error":  # csv.Error, shutil.Error …: name the module
        kind = f"{type(exc).__module__.lstrip('_')}.{kind}"
    text = f"{kind}: {lines[0] if lines else ''}".rstrip(": ")
    return one_line(f"{about}: {text}" if about else text)


@dataclass
class Noticed:
    finding: Finding
    municipality: str | None
    ident: str | None = None  # a key given by the finder (a refused statement's)

    @property
    def key(self) -> str:
        """Stable across runs (no line number, no figure that grows day by day) and unique
        per finding and municipality: the message counts with its numbers blanked."""
        if self.ident:
            return self.ident
        f = self.finding
        subject = f.message.split(":", 1)[0] if f.message.startswith("P-") else ""
        shape = DIGITS.sub("#", f.message)
        digest = hashlib.sha256(shape.encode()).hexdigest()[:12]
        return "|".join([f.severity, f.rule, Path(f.filename).name, str(f.date),
                         f.account or "", subject, self.municipality or "", digest])


@dataclass
class Outcome:
    imported: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    noticed: list[Noticed] = field(default_factory=list)
    new: list[Noticed] = field(default_factory=list)
    checked: bool = False  # the books were checked: the findings are the whole list
    state_ok: bool = True  # the state folder takes writes (mail can be remembered)
    mailed: int = 0
    mail_error: str | None = None
    failures: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.failures.append(one_line(text))

    @property
    def error(self) -> str | None:
        return "; ".join(self.failures) or None

    @property
    def exit_code(self) -> int:
        if self.failures or self.mail_error:
            return 2
        return 1 if any(n.finding.severity == "error" for n in self.noticed) else 0
