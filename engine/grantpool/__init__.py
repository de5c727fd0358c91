"""grantpool: grant-pool allocation and accounting on Beancount."""

from __future__ import annotations

__version__ = "0.1.0"
