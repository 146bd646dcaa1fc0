"""Linux host checks: SSH, passwords, accounts, files, services, logging, updates..."""
