"""``grantpool reconcile``: do the books add up at every level?

A tree of checks, pool -> municipality -> citizen, each with what it expects,
what it finds, the difference and the directives behind a difference:

* pool: appropriation = grants awarded + kept share + unallocated;
* grant: awarded = citizens' budgets (net) + salary paid + salary left + unallocated
  + returned (claimed) + kept (under the de-minimis): it ties whichever budget line
  the unspent money was claimed or kept from;
  tranches received never exceed the award (a tranche booked twice);
  every budget-line movement carries a known tag;
* citizen: granted = paid + committed + remaining + returned; every movement
  carries a known tag; purchases go to the citizen's own municipality; a budget
  that ended (window, moved out, excluded) more than the return rule's days ago
  has nothing left;
* banks: no imported bank line left unclassified (``!`` ``#unreconciled``);
  the rules' ``stale_balance`` findings (activity without a statement).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books.periods import window
from grantpool.figures.levels import CitizenFigures, GrantFigures, PoolFigures, figures
from grantpool.rules.context import Context
from grantpool.rules.index import build_index
from grantpool.rules.kinds import return_unspent, stale_balance
from grantpool.rules.spec import RuleSet

ZERO = Decimal(0)


@dataclass
class Check:
    name: str
    expected: Decimal
    found: Decimal
    entries: list[Any] = field(default_factory=list)
    note: str = ""

    @property
    def difference(self) -> Decimal:
        return self.expected - self.found

    @property
    def ok(self) -> bool:
        return self.difference == 0 and not self.entries

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "expected": str(self.expected), "found": str(self.found),
                "difference": str(self.difference), "ok": self.ok, "note": self.note,
                "directives": [_where(e) for e in self.entries]}


@dataclass
class Node:
    level: str
    name: str
    checks: list[Check] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and all(n.ok for n in self.children)

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "name": self.name, "ok": self.ok,
                "checks": [c.to_json() for c in self.checks],
                "children": [n.to_json() for n in self.children]}


def _where(entry: Any) -> dict[str, Any]:
    meta = getattr(entry, "meta", None) or {}
    return {"date": entry.date.isoformat() if getattr(entry, "date", None) else None,
            "narration": getattr(entry, "narration", None) or getattr(entry, "message", ""),
            "filename": meta.get("filename"), "lineno": meta.get("lineno")}


def reconcile(entries: list[data.Directive], rules: RuleSet, as_of: datetime.date) -> Node:
    levels = figures(entries, as_of)
    grace = _return_days(rules)
    root = Node("pool", rules.pool.id, [_pool_check(levels)])
    for name in sorted(levels.grants):
        grant = levels.grants[name]
        node = Node("municipality", name, _grant_checks(grant))
        node.children = [Node("citizen", c.citizen, _citizen_checks(c, rules, as_of, grace))
                         for _, c in sorted(grant.citizens.items())]
        root.children.append(node)
    root.checks += _bank_checks(entries, rules, as_of)
    return root


def _pool_check(p: PoolFigures) -> Check:
    return Check("appropriation = grants awarded + kept share + unallocated", p.appropriation,
                 p.granted + p.kept_share + p.unallocated)


def _grant_checks(g: GrantFigures) -> list[Check]:
    parts = g.citizens_net + g.salary_used + g.unallocated + g.returned + g.kept
    checks = [Check("awarded = citizens' budgets + salary paid + salary left + unallocated"
                    " + returned + kept",
                    g.awarded, parts, list(g.unexplained),
                    "budget-line movements without a known tag" if g.unexplained else "")]
    if g.received > g.awarded:
        checks.append(Check("tranches received <= awarded", g.awarded, g.received,
                            list(g.tranches), "more paid out than awarded: a tranche twice?"))
    return checks


def _citizen_checks(c: CitizenFigures, rules: RuleSet, as_of: datetime.date,
                    grace: int) -> list[Check]:
    checks = [Check("granted = paid + committed + remaining + returned", c.granted,
                    c.paid + c.committed + c.remaining + c.returned, list(c.unexplained),
                    "budget movements without a known tag" if c.unexplained else "")]
    if c.misbooked:
        checks.append(Check("purchases booked to the citizen's own municipality", ZERO, ZERO,
                            list(c.misbooked), "expense account of another municipality"))
    ended = _ended(c, rules)
    if ended is not None and as_of > ended + datetime.timedelta(days=grace) and c.remaining:
        checks.append(Check(f"nothing left {grace} days after the budget ended ({ended})",
                            ZERO, c.remaining, [], "book a #return of the rest"))
    return checks


def _ended(c: CitizenFigures, rules: RuleSet) -> datetime.date | None:
    stops = [day for day, kind in c.events if kind in ("moved_out", "excluded")]
    if c.decision is None:
        return min(stops, default=None)
    pool = rules.pool
    span = window(c.decision, pool.window_months, pool.project_period if pool.clip_window
                  else None)
    return min([*stops, span.end])


def _return_days(rules: RuleSet) -> int:
    days = [r.within_days for _, r in rules.rules
            if isinstance(r, return_unspent.ReturnUnspent) and r.level == "citizen"]
    return min(days, default=0)


def _bank_checks(entries: list[data.Directive], rules: RuleSet,
                 as_of: datetime.date) -> list[Check]:
    open_lines = [e for e in entries if isinstance(e, data.Transaction) and e.date <= as_of
                  and "unreconciled" in (e.tags or ()) and e.flag == "!"]
    checks = [Check("bank lines classified (no '!' #unreconciled entry left)", ZERO,
                    Decimal(len(open_lines)), open_lines,
                    f"{len(open_lines)} imported bank line(s) to classify" if open_lines else "")]
    stale = [r for _, r in rules.rules if isinstance(r, stale_balance.StaleBalance)]
    if not stale:
        return checks
    index = build_index([e for e in entries if e.date <= as_of])
    found = stale_balance.check(stale[0], index, Context(rules.pool, as_of))
    return [*checks, Check(f"bank statements asserted within {stale[0].within_days} days "
                           f"(accounts moved without one)", ZERO, Decimal(len(found)),
                           [f.entry for f in found],
                           "; ".join(f.message.split("] ", 1)[-1] for f in found))]
