"""Check dockerfile_latest_tag."""
