"""SSH root login."""
