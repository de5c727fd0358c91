"""Balance assertions checked again after new entries join loaded books: the ones the
new entries can change, exactly as Beancount's ``beancount.ops.balance.check`` checks
them in a full load, at a fraction of its cost.

``balance.check`` walks every transaction and, at each assertion, sums the asserted
account's whole tree of sub-accounts (``realization.compute_balance``: a copy of the
running sum for each sub-account, thousands under a municipality's bank).  Here only
the asserted currency is summed, in the same order (the tree depth-first, sub-accounts
by name, each account's positions as they were added), with ``Inventory``'s own
arithmetic, so the amount, its digits and the error's text are Beancount's.  An account
at cost is summed alike: its lots are positions of their own, as in the realization.
"""

from __future__ import annotations

from typing import Any

from beancount.core import amount, data, getters
from beancount.core.interpolate import BalanceError
from beancount.core.inventory import Inventory
from beancount.ops import balance

OPEN_CLOSE = (data.Open, data.Close)
# Beancount's own (untyped there)
_open_close: Any = getters.get_account_open_close
_tolerance: Any = balance.get_balance_tolerance


def recheck(merged: list[Any], fresh: set[int], options: dict[str, Any]) -> list[Any]:
    """Check again, in *merged* (the books with the new entries, ids in *fresh*), the
    assertions the new entries can change: on an account they touch or a parent of
    one, after the first of them, or on an account they open or close (its currencies).
    Each replaces its own in *merged* (failing: with its difference, as the loader's).
    Their errors, in the entries' order."""
    new = [(i, e) for i, e in enumerate(merged) if id(e) in fresh]
    if not new:
        return []
    first = new[0][0]
    touched: set[str] = set().union(*(getters.get_entry_accounts(e) for _, e in new))
    opened = {e.account for _, e in new if isinstance(e, OPEN_CLOSE)}
    checked = [i for i, e in enumerate(merged) if isinstance(e, data.Balance)
               and _related(e.account, touched)
               and (i > first or id(e) in fresh or e.account in opened)]
    if not checked:
        return []
    return _check(merged, checked, options)


def _related(account: str, touched: set[str]) -> bool:
    prefix = account + ":"
    return any(t == account or t.startswith(prefix) for t in touched)


def _check(merged: list[Any], checked: list[int], options: dict[str, Any]) -> list[Any]:
    roots = {merged[i].account for i in checked}
    memo: dict[str, bool] = {}

    def in_tree(account: str) -> bool:
        known = memo.get(account)
        if known is None:
            known = memo[account] = any(_under(account, r) for r in roots)
        return known

    # what the assertions sum, in order: each posting to the trees, each assertion
    steps: list[Any] = []
    wanted = set(checked)
    for i, entry in enumerate(merged[:checked[-1] + 1]):
        if isinstance(entry, data.Transaction):
            steps.extend(p for p in entry.postings if in_tree(p.account))
        elif i in wanted:
            steps.append(i)
    # realization.iter_children's order: depth-first, the children by name
    order = sorted((a for a, inside in memo.items() if inside), key=lambda a: a.split(":"))
    subtrees = {r: [a for a in order if _under(a, r)] for r in roots}
    opens = _open_close([e for e in merged if isinstance(e, OPEN_CLOSE)])
    held: dict[str, Inventory] = {}
    errors: list[Any] = []
    for step in steps:
        if isinstance(step, int):
            entry = merged[step]
            parts = [held[a] for a in subtrees[entry.account] if a in held]
            merged[step] = _assert(entry, parts, opens, options, errors)
        else:
            held.setdefault(step.account, Inventory()).add_position(step)
    return errors


def _assert(entry: Any, parts: list[Inventory], opens: dict[str, Any], options: dict[str, Any],
            errors: list[Any]) -> Any:
    """One assertion, as ``balance.check`` makes it, of the sum of *parts* (the
    account's tree, in order); the entry to keep in its place."""
    entry = entry._replace(diff_amount=None)
    expected = entry.amount
    open_entry = opens.get(entry.account, (None, None))[0]
    if entry.account not in opens:
        errors.append(BalanceError(
            entry.meta, f"Invalid reference to unknown account '{entry.account}'", entry))
    if (expected is not None and open_entry and open_entry.currencies
            and expected.currency not in open_entry.currencies):
        errors.append(BalanceError(
            entry.meta, f"Invalid currency '{expected.currency}' for Balance directive: ", entry))
    total: Any = Inventory()
    for part in parts:
        for position in part.values():  # as get_positions() lists them
            if position.units.currency == expected.currency:
                total.add_position(position)
    found = total.get_currency_units(expected.currency)
    diff: Any = amount.sub(found, expected)
    if abs(diff.number) > _tolerance(entry, options):
        how = "too much" if diff.number > 0 else "too little"
        errors.append(BalanceError(
            entry.meta, f"Balance failed for '{entry.account}': expected {expected} != "
                        f"accumulated {found} ({abs(diff.number)} {how})", entry))
        entry = entry._replace(meta=entry.meta.copy(), diff_amount=diff)
    return entry


def _under(name: str, account: str) -> bool:
    return name == account or name.startswith(account + ":")
