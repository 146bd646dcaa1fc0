"""Credential checks: weak, default and empty passwords (in configuration and on hosts)."""
