"""Minimum password length."""
