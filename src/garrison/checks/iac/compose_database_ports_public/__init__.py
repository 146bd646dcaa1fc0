"""Check compose_database_ports_public."""
