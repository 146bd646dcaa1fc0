"""Alerts: what detection and correlation report."""
