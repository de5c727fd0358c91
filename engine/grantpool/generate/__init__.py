"""The books generator: deterministic Beancount books of a pool at any size."""
