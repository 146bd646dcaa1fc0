"""Accounts sharing a UID or a name."""
