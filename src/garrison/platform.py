"""The composition root: builds storage, clock and services from settings.

The CLI and the HTTP server talk to :class:`Platform` only; they never import SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from garrison.core.clock import Clock, SystemClock
from garrison.core.timezones import resolve_zone
from garrison.events.model import Event
from garrison.ingest.options import IngestOptions
from garrison.search.request import SearchRequest
from garrison.settings import Settings
from garrison.storage.sql import engine as sql_engine
from garrison.storage.sql import integrity, retention
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.search import search_events
from garrison.storage.sql.sources import SourceRegistry


@dataclass
class Platform:
    """Everything a command needs, wired from one :class:`Settings`."""

    settings: Settings
    clock: Clock
    store: SqlEventStore
    sources: SourceRegistry

    @classmethod
    def open(
        cls, settings: Settings, clock: Clock | None = None, *, migrate: bool = True
    ) -> Platform:
        """Connect to the database, creating or upgrading the schema unless ``migrate`` is off.

        Raises:
            StorageError: If the database is unreachable.
        """
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = sql_engine.make_engine(settings.resolved_database_url)
        if migrate:
            sql_engine.upgrade(engine)
        clock = clock or SystemClock()
        return cls(
            settings=settings,
            clock=clock,
            store=SqlEventStore(engine, clock),
            sources=SourceRegistry(engine, clock),
        )

    @property
    def archive_root(self) -> Path:
        """Folder that holds retention archives."""
        return self.settings.home / "archive"

    def close(self) -> None:
        """Release database connections."""
        self.store.engine.dispose()

    def ingest_options(
        self,
        *,
        format: str | None = None,
        timezone: str | None = None,
        year: int | None = None,
        encoding: str = "utf-8",
        field_map: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> IngestOptions:
        """Build ingest options from flags, falling back to settings."""
        return IngestOptions(
            format=format,
            tz=resolve_zone(timezone or self.settings.timezone),
            year=year,
            encoding=encoding,
            field_map=dict(field_map or {}),
            extra=dict(extra or {}),
            batch_size=self.settings.batch_size,
        )

    def search(self, request: SearchRequest) -> list[Event]:
        """Run a search (see ``docs/search.md``)."""
        return search_events(
            self.store.engine,
            request,
            now=self.clock.now(),
            tz=resolve_zone(self.settings.timezone),
        )

    def verify(self, progress: Callable[[int, int], None] | None = None) -> integrity.VerifyReport:
        """Check the whole hash chain and the archives."""
        return integrity.verify(self.store.engine, self.archive_root, progress)

    def run_retention(
        self,
        days: int | None = None,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> retention.RetentionReport:
        """Archive and delete events older than the retention window."""
        return retention.run_retention(
            self.store.engine,
            self.archive_root,
            self.clock,
            days or self.settings.retention_days,
            dry_run=dry_run,
            progress=progress,
        )

    def restore_archive(self, path: Path) -> retention.RestoreReport:
        """Re-import one archive file."""
        return retention.restore_archive(self.store, path, self.archive_root)

    def status(self) -> dict[str, Any]:
        """Database URL (password hidden), schema revision and event count."""
        engine = self.store.engine
        return {
            "database": engine.url.render_as_string(hide_password=True),
            "revision": sql_engine.current_revision(engine),
            "latest_revision": sql_engine.head_revision(),
            "events": self.store.count(),
            "data_dir": str(self.settings.home.resolve()),
        }

    def now(self) -> datetime:
        """Current time from the platform clock."""
        return self.clock.now()
