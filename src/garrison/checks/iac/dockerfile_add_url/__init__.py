"""Check dockerfile_add_url."""
