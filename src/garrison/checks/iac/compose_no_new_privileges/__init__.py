"""Check compose_no_new_privileges."""
