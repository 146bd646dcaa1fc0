"""Garrison: an open-source security operations platform."""

__version__ = "0.1.0.dev0"
