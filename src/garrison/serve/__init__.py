"""``garrison serve``: the HTTP API and the syslog listeners in one process."""
