"""Password reuse history."""
