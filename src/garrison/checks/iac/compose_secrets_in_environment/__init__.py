"""Check compose_secrets_in_environment."""
