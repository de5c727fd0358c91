"""Synthetic IBANs for the example books' bank accounts, so statements in camt.053 and
MT940 (which name the account by IBAN) can be imported into them.

Only the generator writes them: books made by ``grantpool init`` and ``allocate`` get
no ``iban:`` (an officer adds the real one to the bank account's ``open``).  The
numbers are made from the entity's name with the reserved-looking bank code 0000, so
they cannot be a real account; the check digits are valid (ISO 13616), as importers
check them.
"""

from __future__ import annotations

import hashlib


def check_digits(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def synthetic_iban(entity: str, country: str = "DK") -> str:
    """A fixed IBAN for *entity* (``pool`` or a municipality's name): bank code 0000."""
    number = int(hashlib.sha256(entity.encode("utf-8")).hexdigest(), 16) % 10**10
    bban = f"0000{number:010d}"
    return f"{country}{check_digits(country, bban)}{bban}"
