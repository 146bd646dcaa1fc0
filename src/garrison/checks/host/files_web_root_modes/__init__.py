"""Check files_web_root_modes."""
