"""Check dockerfile_root_user."""
