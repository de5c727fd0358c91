"""The figures of each level (pool, municipality, citizen), as records and report rows."""
