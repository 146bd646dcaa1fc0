"""credentials_weak_password_hash."""
