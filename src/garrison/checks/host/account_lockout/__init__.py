"""Lockout after failed logins."""
