"""Check sysctl_hardening."""
