"""SSH password logins."""
