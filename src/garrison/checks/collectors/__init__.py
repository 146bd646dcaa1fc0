"""Collectors: the only part of the checks that reads files, hosts or URLs (they make facts)."""
