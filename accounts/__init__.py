"""Accounts: console users, API tokens and the audit trail."""
