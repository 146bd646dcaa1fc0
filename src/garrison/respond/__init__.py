"""Response automation: playbooks, their runs, and the response actions they call."""
