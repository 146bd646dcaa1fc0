"""Check compose_root_user."""
