"""credentials_empty_config_password."""
