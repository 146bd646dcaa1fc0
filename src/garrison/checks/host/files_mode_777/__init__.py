"""Check files_mode_777."""
