"""Auditors' checks: findings, reconciliation and the grant accounts."""
