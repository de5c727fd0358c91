"""Entry: grants, budgets, purchases and events recorded by commands that check
each entry against the rules before it is written."""
