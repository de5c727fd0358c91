"""The rules engine: caps, windows, deadlines, returns, categories, approvals,
lapses and privacy, read from YAML and checked in one pass over the books."""
