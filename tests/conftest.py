"""Shared fixtures: databases (SQLite and a real PostgreSQL), clocks, stores.

PostgreSQL: when ``GARRISON_TEST_POSTGRES_URL`` is set the PostgreSQL tests must run, and an
unreachable server fails them. When it is unset, ``postgresql://postgres@127.0.0.1:5432/test``
is used if it answers; otherwise those tests are skipped with the reason shown by ``-ra``.
Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from garrison.core.clock import FrozenClock
from garrison.storage.sql.engine import make_engine, normalise_url, upgrade
from garrison.storage.sql.events import SqlEventStore

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
_pg_state: dict[str, str | None] = {}


def postgres_url() -> str:
    """The PostgreSQL URL to test against, or skip/fail as documented above."""
    if "url" not in _pg_state:
        explicit = os.environ.get("GARRISON_TEST_POSTGRES_URL")
        url = explicit or DEFAULT_PG
        try:
            engine = sa.create_engine(normalise_url(url), connect_args={"connect_timeout": 3})
            with engine.connect():
                pass
            engine.dispose()
            _pg_state["url"], _pg_state["error"] = url, None
        except Exception as exc:
            _pg_state["url"], _pg_state["error"] = None, f"{url}: {exc}"
            _pg_state["explicit"] = "1" if explicit else None
    if _pg_state["url"] is None:
        message = f"PostgreSQL not reachable ({_pg_state['error']})"
        if _pg_state.get("explicit"):
            pytest.fail(f"GARRISON_TEST_POSTGRES_URL is set but {message}")
        pytest.skip(message + "; set GARRISON_TEST_POSTGRES_URL to require it")
    return str(_pg_state["url"])


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (dropped afterwards)."""
    base = postgres_url()
    schema = "g_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            # A leaked connection must fail the teardown, not hang the run.
            conn.exec_driver_sql("SET lock_timeout = '20s'")
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'garrison.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def clock() -> FrozenClock:
    """A frozen clock at 2026-11-23 12:00 UTC."""
    return FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated engine on each backend."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def store(engine: sa.Engine, clock: FrozenClock) -> SqlEventStore:
    """An event store on each backend."""
    return SqlEventStore(engine, clock)
