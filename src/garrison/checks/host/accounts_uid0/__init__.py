"""Accounts with UID 0 besides root."""
