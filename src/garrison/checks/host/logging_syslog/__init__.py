"""Check logging_syslog."""
