"""System accounts with a login shell."""
