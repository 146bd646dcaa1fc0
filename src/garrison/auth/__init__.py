"""Accounts of Garrison itself: password policy, hashing, TOTP, login throttling (pure code)."""
