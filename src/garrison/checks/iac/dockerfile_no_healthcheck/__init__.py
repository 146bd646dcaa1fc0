"""Check dockerfile_no_healthcheck."""
