"""Check logging_retention."""
