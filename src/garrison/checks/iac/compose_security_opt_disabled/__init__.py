"""Check compose_security_opt_disabled."""
