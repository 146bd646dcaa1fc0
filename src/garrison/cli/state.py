"""Global CLI state: settings from flags, the platform, the consoles.

Human output (tables, progress, messages) goes to standard error whenever ``--json`` is given,
so that standard output carries machine output and nothing else.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console

from garrison.platform import Platform
from garrison.settings import Settings, load_settings


@dataclass
class State:
    """Options of the ``garrison`` callback, shared by every command."""

    data_dir: Path | None = None
    config: Path | None = None
    database_url: str | None = None
    timezone: str | None = None
    _settings: Settings | None = None
    _platform: Platform | None = None
    err: Console = field(default_factory=lambda: Console(stderr=True))
    # Piped output is not cut to 80 columns: tables stay readable in files and pagers.
    out: Console = field(
        default_factory=lambda: Console(width=None if sys.stdout.isatty() else 200)
    )

    @property
    def settings(self) -> Settings:
        """Settings from file, environment and the global flags."""
        if self._settings is None:
            self._settings = load_settings(
                self.config,
                home=self.data_dir,
                database_url=self.database_url,
                timezone=self.timezone,
            )
        return self._settings

    def platform(self) -> Platform:
        """The platform, opened (and migrated) on first use."""
        if self._platform is None:
            self._platform = Platform.open(self.settings)
        return self._platform

    def close(self) -> None:
        """Release resources at exit."""
        if self._platform is not None:
            self._platform.close()


def state(ctx: typer.Context) -> State:
    """The :class:`State` of the current invocation."""
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - callback always sets it
        obj = State()
        ctx.find_root().obj = obj
    return obj


def emit_json(value: Any) -> None:
    """Write one JSON document (one line) to standard output."""
    sys.stdout.buffer.write(orjson.dumps(value, default=str) + b"\n")
    sys.stdout.flush()
