"""Check dockerfile_secrets_in_env."""
