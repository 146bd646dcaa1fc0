"""Shared, generic login accounts."""
