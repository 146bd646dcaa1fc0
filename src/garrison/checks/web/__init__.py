"""Web endpoint checks: exposed files, debug pages, headers, cookies, TLS."""
