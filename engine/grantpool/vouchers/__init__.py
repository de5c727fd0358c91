"""Vouchers (bilag): the receipt behind an entry, stored beside the books, outside git,
named in the entry's metadata with its SHA-256 (README "Vouchers")."""
