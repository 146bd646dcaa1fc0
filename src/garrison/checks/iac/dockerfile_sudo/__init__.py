"""Check dockerfile_sudo."""
