"""Check logging_auditd."""
