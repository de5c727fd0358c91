"""``category``: what budgets may buy.  A purchase's category is the
``category`` metadata of the expense account it is booked to.

``deny`` lists codes never allowed (e.g. alcohol, gambling, cash).  ``allow``
lists the only codes allowed, or is the word ``catalogue`` for the rules
file's categories; a purchase with no category is then a finding too.
"""

from __future__ import annotations

from operator import attrgetter
from typing import NamedTuple

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("allow", "deny")
_CODE = attrgetter("category")


class CategoryRule(NamedTuple):
    id: str
    severity: str
    allow: frozenset[str] | None
    deny: frozenset[str]


def parse(common: Common, f: RuleFields) -> CategoryRule | None:
    before = len(f.errors)
    allow: frozenset[str] | None = None
    if f.node.get("allow") == "catalogue":
        allow = frozenset(c.code for c in f.pool.categories)
    elif "allow" in f.node:
        words = f.words("allow")
        allow = frozenset(words) if words is not None else None
    deny = f.words("deny")
    if allow is None and not deny and len(f.errors) == before:
        f.fail(None, "give 'allow' (a list, or catalogue) and/or 'deny' (a list)")
    if len(f.errors) > before or deny is None:
        return None
    return CategoryRule(common.id, common.severity, allow, frozenset(deny))


def check(rule: CategoryRule, index: Index, ctx: Context) -> list[Problem]:
    out = []
    for citizen in index.citizens.values():
        codes = set(map(_CODE, citizen.purchases))
        if codes.isdisjoint(rule.deny) and (rule.allow is None or codes <= rule.allow):
            continue  # every purchase's category is allowed
        for purchase in citizen.purchases:
            code = purchase.category
            if code in rule.deny:
                out.append(finding(rule, purchase.txn, f"{citizen.citizen}: category '{code}' "
                                                       f"is denied; reverse this purchase"))
            elif rule.allow is not None and code not in rule.allow:
                shown = f"category '{code}'" if code else "no category"
                out.append(finding(rule, purchase.txn, f"{citizen.citizen}: {shown} is not "
                                                       f"allowed; book it to an allowed category"))
    return out
