"""Check eol_os."""
