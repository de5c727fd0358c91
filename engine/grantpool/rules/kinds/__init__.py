"""One module per rule kind, each with ``FIELDS``, ``parse`` and ``check``."""
