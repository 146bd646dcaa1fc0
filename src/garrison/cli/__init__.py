"""The ``garrison`` command line (typer + rich)."""
