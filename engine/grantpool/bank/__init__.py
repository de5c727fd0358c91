"""Bank statements: reading them, matching their lines to the books, importing them once."""
