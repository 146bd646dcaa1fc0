"""The migrations build exactly the schema ``tables.py`` declares, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from garrison.storage.sql import tables
from garrison.storage.sql.engine import current_revision, head_revision


def test_migrated_schema_matches_the_table_definitions(engine: sa.Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, tables.metadata)
    assert differences == []
