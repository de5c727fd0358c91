"""``lapse``: no commitment or purchase on or after the day a budget lapsed
(an event in ``events``, default moved_out and excluded)."""

from __future__ import annotations

from typing import NamedTuple

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("events",)


class Lapse(NamedTuple):
    id: str
    severity: str
    events: tuple[str, ...]


def parse(common: Common, f: RuleFields) -> Lapse | None:
    events = f.words("events")
    if events is None:
        return None
    return Lapse(common.id, common.severity, events or ("moved_out", "excluded"))


def check(rule: Lapse, index: Index, ctx: Context) -> list[Problem]:
    out = []
    for citizen in index.citizens.values():
        stops = [e for e in citizen.events if e.type in rule.events]
        if not stops:
            continue
        stop = min(stops, key=lambda e: e.date)
        spent = {id(t): t for t, a in citizen.used if a > 0}
        spent.update({id(p.txn): p.txn for p in citizen.purchases})
        for txn in spent.values():
            if txn.date >= stop.date:
                out.append(finding(rule, txn, f"{citizen.citizen}: dated {txn.date}, on or after "
                                              f"the budget lapsed ({stop.type} {stop.date})"))
    return out
