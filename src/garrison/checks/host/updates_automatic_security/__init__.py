"""Check updates_automatic_security."""
