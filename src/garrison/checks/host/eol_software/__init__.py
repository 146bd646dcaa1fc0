"""Check eol_software."""
