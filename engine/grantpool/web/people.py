"""Who may sign in, and what each role may see and write.

``ministry`` reads every ledger and the roll-up; ``officer`` reads and records entries
in their own municipality's books only; ``auditor`` reads every ledger, or only the
entities listed, downloads exports, and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MINISTRY = "ministry"
    OFFICER = "officer"
    AUDITOR = "auditor"


#: The name an auditor's ``entities`` list uses for the pool's own books and for the
#: consolidated overview (a municipality is named as in its books).
POOL = "pool"
CONSOLIDATED = "consolidated"


@dataclass(frozen=True)
class User:
    """One line of the users file.  *municipality* is an officer's own; *entities* an
    auditor's list (None: every entity and the consolidated overview); *author* the
    ``Name <email>`` a git commit of the user's writes carries (None: made from the
    user name)."""

    name: str
    role: Role
    password_hash: str
    municipality: str | None = None
    entities: tuple[str, ...] | None = None
    author: str | None = None

    def reads(self, entity: str) -> bool:
        """Whether the user may read the books of *entity* (a municipality's name,
        ``POOL`` or ``CONSOLIDATED``)."""
        if self.role is Role.MINISTRY:
            return True
        if self.role is Role.OFFICER:
            return entity == self.municipality
        return self.entities is None or entity in self.entities

    def writes(self, entity: str) -> bool:
        """Whether the user may record entries (through the checked entry path only) in
        the books of *entity*: an officer in their own municipality's, nobody else."""
        return self.role is Role.OFFICER and entity == self.municipality

    def commit_author(self) -> str:
        return self.author or f"{self.name} <{self.name}@grantpool.invalid>"
