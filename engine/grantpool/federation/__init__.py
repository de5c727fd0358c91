"""Federated books: each entity (the pool, each municipality) keeps its own books,
tied by transfers booked in two halves (README.md "The ledger model")."""
