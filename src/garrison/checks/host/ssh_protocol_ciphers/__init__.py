"""SSH protocol and algorithms."""
