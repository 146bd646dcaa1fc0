"""Check compose_no_resource_limits."""
