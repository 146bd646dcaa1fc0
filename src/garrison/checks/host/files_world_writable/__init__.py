"""Check files_world_writable."""
