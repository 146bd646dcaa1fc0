"""Idle SSH session timeout."""
