"""SQL storage on SQLAlchemy 2: SQLite (default) and PostgreSQL."""
