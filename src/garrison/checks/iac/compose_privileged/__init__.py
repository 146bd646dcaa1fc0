"""Check compose_privileged."""
