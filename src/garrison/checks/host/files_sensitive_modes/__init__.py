"""Check files_sensitive_modes."""
