"""Where each figure's postings are in Fava: the drill-down behind every figure.

A figure links to Fava's **account page** (the account and its sub-accounts), narrowed
by Fava's filter (tags, ``any(account:"…")``), or, where no one account holds its
postings (a municipality's commitments, what is left on its budgets), to Fava's
**query page** with a BQL query of exactly those postings.  The time filter runs from
the books' first day to the as-of day, so that the postings behind a link sum to the
figure (an expense account's page with Fava's own ``2018`` would show one year only).

``tests/test_figures_agree.py`` walks every figure of every level through its link with
Fava's own filters and checks the postings sum to it, to the cent.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from grantpool.books import chart as acc
from grantpool.figures.report import Row
from grantpool.rules.pooldef import PoolDef

QUERY = "SELECT date, account, position, narration WHERE account ~ '{pattern}' AND date <= {day}"


@dataclass(frozen=True)
class Link:
    """A Fava page showing a figure's postings: ``account`` (its page, sub-accounts
    included) with ``filter``, or ``query`` (BQL, Fava's query page); ``time`` is Fava's
    time filter ("" for all of the books)."""

    time: str
    account: str = ""
    filter: str = ""
    query: str = ""

    @property
    def endpoint(self) -> str:
        """Fava's ``url_for`` endpoint: ``account`` or ``report`` (the query page)."""
        return "report" if self.query else "account"

    def params(self) -> dict[str, str]:
        """Fava's ``url_for`` arguments; every filter is set, so that none of the page's
        own (an account filter, a time filter) is carried into the link."""
        if self.query:
            return {"report_name": "query", "query_string": self.query, "time": self.time,
                    "filter": "", "account": ""}
        return {"name": self.account, "filter": self.filter, "time": self.time,
                "account": ""}


def books_start(pool: PoolDef) -> datetime.date:
    """The first day of the books' money: the appropriation (or the project's start)."""
    return min(pool.appropriation_date, pool.project_period.start)


def span(start: datetime.date | None, end: datetime.date | None) -> str:
    """Fava's time filter from *start* to *end*, both inclusive ("" when open)."""
    return f"{start} - {end}" if start and end else ""


def literal(text: str) -> str:
    """*text* as a regular expression matching itself (account names, ids)."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", text)


def query(pattern: str, time: str, day: datetime.date) -> Link:
    return Link(time, query=QUERY.format(pattern=pattern, day=day))


def citizen_links(row: Row, time: str) -> dict[str, Link]:
    base = row.account.rsplit(":", 1)[0]  # …:Citizen:<P-id>
    muni = row.municipality or ""
    paid_by = f'any(account:"^{literal(base)}:")'
    return {
        "granted": Link(time, row.account, "#budget"),
        "committed": Link(time, f"{base}:Committed"),
        "spent": Link(time, "Expenses:Municipality", f"#purchase {paid_by}"),
        "returned": Link(time, acc.muni_drawing_rights(muni),
                         f'#return any(account:"^{literal(row.account)}$")'),
        "remaining": Link(time, row.account),
    }


def municipality_links(row: Row, time: str, day: datetime.date) -> dict[str, Link]:
    muni = row.municipality or ""
    bank = literal(acc.muni_bank(muni))
    return {
        "granted": Link(time, acc.pool_granted(muni), "#grant-award"),
        "committed": query(f"^{bank}:Citizen:[^:]+:Committed$", time, day),
        "spent": Link(time, acc.salary_expense(muni).rsplit(":", 1)[0], "#purchase, #salary"),
        "returned": Link(time, acc.muni_repayment(muni), "#repayment-claim"),
        "kept": Link(time, acc.retained_expense(muni)),
        "remaining": query(f"^{bank}:(DrawingRights|Salary|Citizen:[^:]+:Available)$", time,
                           day),
    }


def pool_links(time: str, day: datetime.date) -> dict[str, Link]:
    """The pool row's figures and the pool page's own: appropriation, kept share,
    paid out (tranches), administration spent."""
    return {
        "granted": Link(time, f"{acc.POOL_BANK}:Granted", "#grant-award"),
        "committed": query(f"^{acc.MUNICIPALITY_ROOT}:[^:]+:Bank:Citizen:[^:]+:Committed$",
                           time, day),
        "spent": Link(time, "Expenses", "#purchase, #salary, #administration"),
        "returned": Link(time, acc.POOL_RETURNED),
        "kept": Link(time, "Expenses:Municipality", "#de-minimis"),
        "remaining": query(f"^{literal(acc.POOL_BANK)}:(Unallocated|Administration|Returned)$",
                           time, day),
        "appropriation": Link(time, acc.POOL_BANK, "#appropriation"),
        "kept_share": Link(time, acc.POOL_ADMINISTRATION, "#appropriation"),
        "paid_out": Link(time, acc.MUNICIPALITY_ROOT, "#tranche"),
        "admin_spent": Link(time, acc.POOL_ADMIN_EXPENSES),
    }


def links(row: Row, pool: PoolDef, as_of: datetime.date) -> dict[str, Link]:
    """The link of every figure of *row* (a ``grantpool report`` row) as of *as_of*:
    ``granted``, ``committed``, ``spent``, ``returned``, ``kept`` (not for a citizen),
    ``remaining``; the pool's also ``appropriation``, ``kept_share``, ``paid_out``,
    ``admin_spent``."""
    time = span(books_start(pool), as_of)
    if row.level == "citizen":
        return citizen_links(row, time)
    if row.level == "municipality":
        return municipality_links(row, time, as_of)
    return pool_links(time, as_of)
