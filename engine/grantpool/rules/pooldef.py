"""The pool's parameters and purchase categories, read from a rules file.

Every figure of a pool (amounts, dates, window length, tranches, thresholds)
lives in ``rules/<pool>.yaml``; this module turns its ``pool`` section (and, through
``grantpool.rules.categories``, its ``categories``) into typed values, or errors
naming file and line.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from grantpool.rules.categories import LANGUAGES, Category, parse_categories
from grantpool.rules.fields import MAX_MONTHS, Fields
from grantpool.rules.yamlbounds import excerpt
from grantpool.rules.yamlsrc import ConfigError, Node, load_yaml

MAX_TRANCHES = 120
MAX_MIN_GROUP = 10_000


@dataclass(frozen=True)
class Period:
    """An inclusive date range: both ``start`` and ``end`` belong to it."""

    start: datetime.date
    end: datetime.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.start <= day <= self.end


class AuditLevel(NamedTuple):
    """Grants up to ``up_to`` (inclusive; None: any size) require this audit."""

    up_to: Decimal | None
    requires: str


class Retention(NamedTuple):
    """How long vouchers are kept: ``years`` after the end of the financial year of the
    entry, the financial year ending with the month ``year_end_month`` (12: calendar)."""

    years: int
    year_end_month: int = 12


@dataclass(frozen=True)
class PoolDef:
    id: str
    name: str
    currency: str
    appropriation: Decimal
    appropriation_date: datetime.date
    application_pool: Decimal
    application_deadline: datetime.date
    project_period: Period
    drawing_right: Decimal
    salary_per_course: Decimal
    window_months: int
    clip_window: bool
    tranche_every_months: int
    tranche_count: int
    de_minimis: Decimal
    categories: tuple[Category, ...]
    filename: str
    municipalities: tuple[str, ...] = ()  # names the generator uses; empty: Denmark's
    audit: tuple[AuditLevel, ...] = ()
    min_group: int = 5  # totals covering fewer citizens are suppressed in what leaves
    oversubscription: str = "pro_rata"  # or first_come: how allocate shares out too little
    retention: Retention | None = None  # vouchers kept; None: never pruned
    language: str = "en"  # what its pages, accounts and mail are written in (LANGUAGES)
    transfer_days: int = 0  # a transfer's two halves at most this many days apart

    def audit_for(self, grant: Decimal) -> str:
        """The audit a grant of this size requires (the first level it fits)."""
        for level in self.audit:
            if level.up_to is None or grant <= level.up_to:
                return level.requires
        return "not set in the rules file"

    @property
    def per_course(self) -> Decimal:
        return self.drawing_right + self.salary_per_course

    @property
    def kept_share(self) -> Decimal:
        return self.appropriation - self.application_pool

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


def load_pool(path: Path) -> tuple[PoolDef | None, list[ConfigError]]:
    """Read the ``pool`` and ``categories`` sections of a rules file."""
    doc, errors = load_yaml(path)
    if errors:
        return None, errors
    return parse_pool(doc, path)


def parse_pool(doc: object, path: Path) -> tuple[PoolDef | None, list[ConfigError]]:
    """The ``pool`` and ``categories`` sections of a parsed rules file."""
    errors: list[ConfigError] = []
    if not isinstance(doc, Node):
        where = {"filename": str(path), "lineno": 1}
        return None, [ConfigError(where, "a rules file must be a mapping with a 'pool' section")]
    top = Fields(doc, Path(path).name, errors)
    pool = top.sub("pool")
    cats = top.mapping("categories")
    if pool is None or cats is None:
        return None, errors
    categories = parse_categories(cats, errors)
    result = _pool(pool, categories, str(path))
    return (result if not errors else None), errors


def _pool(f: Fields, categories: tuple[Category, ...], filename: str) -> PoolDef | None:
    period, course, tranches = f.sub("project_period"), f.sub("course"), f.sub("tranches")
    values = {
        "id": f.text("id"),
        "name": f.text("name"),
        "currency": f.text("currency"),
        "appropriation": f.money("appropriation"),
        "appropriation_date": f.date("appropriation_date", bounded=True),
        "application_pool": f.money("application_pool"),
        "application_deadline": f.date("application_deadline", bounded=True),
        "drawing_right": course.money("drawing_right") if course else None,
        "salary_per_course": course.money("salary") if course else None,
        "window_months": f.integer("budget_window_months", low=1, high=MAX_MONTHS),
        "clip_window": f.boolean("clip_window_to_project", True),
        "tranche_every_months": tranches.integer("every_months", low=1, high=MAX_MONTHS)
        if tranches else None,
        "tranche_count": tranches.integer("count", low=1, high=MAX_TRANCHES) if tranches else None,
        "de_minimis": f.money("de_minimis"),
    }
    start = period.date("start", bounded=True) if period else None
    end = period.date("end", bounded=True) if period else None
    if start and end and end < start:
        f.fail("project_period", f"project_period ends ({end}) before it starts ({start})")
    if any(v is None for v in values.values()) or not (start and end):
        return None
    if values["application_pool"] > values["appropriation"]:  # type: ignore[operator]
        f.fail("application_pool", "application_pool is larger than the appropriation")
    if values["tranche_every_months"] * values["tranche_count"] > MAX_MONTHS:  # type: ignore[operator]
        f.fail("tranches", f"the tranches span more than {MAX_MONTHS} months (a century)")
    names = f.node.get("municipalities", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        f.fail("municipalities", "municipalities must be a list of names")
        return None
    min_group = f.integer("min_group", required=False, low=1, high=MAX_MIN_GROUP)
    policy = f.node.get("oversubscription", "pro_rata")
    if policy not in ("pro_rata", "first_come"):
        f.fail("oversubscription", "oversubscription must be pro_rata or first_come")
    return PoolDef(
        **values,  # type: ignore[arg-type]
        municipalities=tuple(names),
        audit=_audit(f),
        min_group=5 if min_group is None else min_group,
        oversubscription=str(policy),
        retention=_retention(f),
        language=_language(f),
        transfer_days=_transfer_days(f),
        project_period=Period(start, end),
        categories=categories,
        filename=filename,
    )


def _language(f: Fields) -> str:
    """``language: da``: optional, English when absent."""
    value = f.node.get("language", "en")
    if value not in LANGUAGES:
        f.fail("language", f"language must be one of {', '.join(LANGUAGES)}, "
                           f"got {excerpt(value)}")
        return "en"
    return str(value)


def _transfer_days(f: Fields) -> int:
    """``transfers: {max_days_apart: 5}``: optional; absent, the halves share a date."""
    sub = f.sub("transfers", required=False)
    days = sub.integer("max_days_apart", low=0, high=366) if sub else None
    return days or 0


def _retention(f: Fields) -> Retention | None:
    """``retention: {years: 5, year_end_month: 12}``: optional."""
    sub = f.sub("retention", required=False)
    if sub is None:
        return None
    years = sub.integer("years", low=1, high=100)
    month = sub.integer("year_end_month", required=False, low=1, high=12)
    return None if years is None else Retention(years, 12 if month is None else month)


def _audit(f: Fields) -> tuple[AuditLevel, ...]:
    items = f.node.get("audit", [])
    if not isinstance(items, list):
        f.fail("audit", "audit must be a list of {up_to: amount, requires: text}")
        return ()
    levels = []
    for item in items:
        if not isinstance(item, Node):
            f.fail("audit", "each audit level is {up_to: amount, requires: text}")
            continue
        level = Fields(item, f"{f.owner}.audit", f.errors)
        requires = level.text("requires")
        up_to = level.money("up_to", required=False)
        if requires is not None:
            levels.append(AuditLevel(up_to, requires))
    return tuple(levels)
