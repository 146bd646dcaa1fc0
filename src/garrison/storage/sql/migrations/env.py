"""Alembic environment: runs on the connection Garrison hands over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from garrison.storage.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic is run by hand without Garrison
    raise RuntimeError("run migrations through 'garrison db upgrade'")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
