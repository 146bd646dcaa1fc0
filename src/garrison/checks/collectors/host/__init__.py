"""Host collectors: read a Linux host once (locally, under a fixture root, or over SSH)."""
