"""Check compose_host_namespaces."""
