"""Bank accounts: where statements are asserted, and what a transaction does there."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data


def bank_of(account: str, banks: set[str]) -> str | None:
    """The bank account *account* is (or is an envelope of), if any."""
    parts = account.split(":")
    for n in range(len(parts), 0, -1):
        candidate = ":".join(parts[:n])
        if candidate in banks:
            return candidate
    return None


def bank_changes(txn: data.Transaction, banks: set[str],
                 memo: dict[str, str | None] | None = None) -> dict[str, Decimal]:
    """The net change of each bank's balance by *txn* (envelope moves net to zero).
    *memo* remembers each account's bank across calls, for a pass over many entries."""
    net: dict[str, Decimal] = {}
    for posting in txn.postings:
        if memo is None:
            bank = bank_of(posting.account, banks)
        elif posting.account in memo:
            bank = memo[posting.account]
        else:
            bank = memo[posting.account] = bank_of(posting.account, banks)
        if bank is not None and posting.units is not None:
            net[bank] = net.get(bank, Decimal(0)) + (posting.units.number or Decimal(0))
    return {bank: change for bank, change in net.items() if change}
