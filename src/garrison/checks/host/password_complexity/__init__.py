"""Password character classes."""
