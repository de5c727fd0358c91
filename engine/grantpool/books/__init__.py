"""The books: chart of accounts, what accounts are for, loading and the one write path."""
