"""Check time_sync."""
