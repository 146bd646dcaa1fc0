"""Check compose_cap_add."""
