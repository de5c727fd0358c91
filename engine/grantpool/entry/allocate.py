"""Allocation: applications for support courses become grants under the pool's rules.

Each course costs the pool a drawing right plus salary (the rules' ``course``).
The pool can fund ``floor((application pool - already awarded) / per course)``
courses.  When the applications ask for more, the rules' ``oversubscription``
decides: ``pro_rata`` gives each municipality its share in whole courses (the
courses left over go one each to the largest remainders, earlier application
first), ``first_come`` serves applications in date order until the pool is
spent.  Applications after the deadline get nothing.  The result never exceeds
the pool.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grantpool.books.chart import component
from grantpool.rules.fields import Fields
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.yamlsrc import ConfigError, Node, load_yaml


@dataclass(frozen=True)
class Application:
    municipality: str
    courses: int
    date: datetime.date


@dataclass(frozen=True)
class Allocation:
    application: Application
    courses: int
    note: str

    def amount(self, pool: PoolDef) -> Decimal:
        return self.courses * pool.per_course


MUNICIPALITY_NAME = re.compile(r"[^\W\d_]+(?:[ -][^\W\d_]+)*")
MAX_COURSES = 100_000


def proper_name(name: str) -> bool:
    """A municipality's name as the books will spell it (so no phantom spellings)."""
    return len(name) <= 40 and name[:1].isupper() and bool(MUNICIPALITY_NAME.fullmatch(name))


def load_applications(path: Path) -> tuple[list[Application], list[ConfigError]]:
    doc, errors = load_yaml(path)
    if errors:
        return [], errors
    items = doc.get("applications") if isinstance(doc, Node) else None
    if not isinstance(items, list):
        return [], [ConfigError({"filename": str(path), "lineno": 1},
                                "write the applications as `applications:` followed by "
                                "`- {municipality: Aarhus, courses: 25, date: 2017-10-20}`")]
    out = []
    for position, item in enumerate(items, 1):
        if not isinstance(item, Node):
            errors.append(ConfigError(doc.source("applications"),
                                      f"application #{position} must be a mapping"))
            continue
        f = Fields(item, f"application #{position}", errors)
        name, courses, day = f.text("municipality"), f.integer("courses"), f.date("date")
        if name is not None and not proper_name(name):
            f.fail("municipality", "a municipality is named as it is spelled, starting with a "
                   "capital letter: letters, single spaces and hyphens, at most 40 (Halsnæs, "
                   "City of London)")
        elif courses is not None and not 1 <= courses <= MAX_COURSES:
            f.fail("courses", f"courses must be from 1 to {MAX_COURSES}")
        elif name and courses and day:
            out.append(Application(name, courses, day))
    names = [component(a.municipality) for a in out]
    for a in out:
        if names.count(component(a.municipality)) > 1:
            errors.append(ConfigError({"filename": str(path), "lineno": 0},
                                      f"{a.municipality} applies twice (or under two spellings);"
                                      f" one application per municipality"))
            break
    return out, errors


def allocate(pool: PoolDef, applications: list[Application], awarded: Decimal,
             ) -> list[Allocation]:
    """Grants in whole courses; their sum never exceeds what the pool has left."""
    capacity = int((pool.application_pool - awarded) // pool.per_course)
    late = [a for a in applications if a.date > pool.application_deadline]
    valid = sorted((a for a in applications if a not in late),
                   key=lambda a: (a.date, a.municipality))
    wanted = sum(a.courses for a in valid)
    if wanted <= capacity:
        granted = {a: a.courses for a in valid}
        why = "in full"
    elif pool.oversubscription == "first_come":
        granted, why = _first_come(valid, capacity), "first come (pool oversubscribed)"
    else:
        granted, why = _pro_rata(valid, capacity, wanted), "pro rata (pool oversubscribed)"
    out = [Allocation(a, granted[a], why if granted[a] else "nothing left in the pool")
           for a in valid]
    out += [Allocation(a, 0, f"after the deadline {pool.application_deadline}") for a in late]
    return out


def _first_come(valid: list[Application], capacity: int) -> dict[Application, int]:
    granted, left = {}, capacity
    for a in valid:
        granted[a] = min(a.courses, left)
        left -= granted[a]
    return granted


def _pro_rata(valid: list[Application], capacity: int, wanted: int) -> dict[Application, int]:
    exact = {a: Decimal(a.courses * capacity) / wanted for a in valid}
    granted = {a: int(exact[a]) for a in valid}
    left = capacity - sum(granted.values())
    by_remainder = sorted(valid, key=lambda a: (-(exact[a] - granted[a]), a.date,
                                                a.municipality))
    for a in by_remainder[:left]:
        granted[a] += 1
    return granted
