"""credentials_weak_config_password."""
