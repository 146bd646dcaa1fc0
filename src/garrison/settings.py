"""Settings: defaults < ``garrison.toml`` < ``GARRISON_*`` environment < command-line flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from garrison.core.errors import ConfigError

CONFIG_FILE_NAME = "garrison.toml"


class Settings(BaseSettings):
    """Every setting Garrison reads, with its default.

    Attributes:
        home: Data directory (database, archives, evidence). ``--data-dir`` / ``GARRISON_HOME``.
        database_url: SQLAlchemy URL; default is a SQLite file in ``home``.
        timezone: IANA zone for timestamps that carry none, or ``local`` for the system zone.
        retention_days: Days events stay in the hot store before ``retention run`` archives them.
        batch_size: Events per stored, hash-chained batch.
        syslog_host: Address the syslog listeners bind to.
        syslog_port: UDP and TCP port of the syslog listeners.
        http_host: Address of the HTTP server.
        http_port: Port of the HTTP server.
        max_request_bytes: Largest accepted HTTP ingest body.
    """

    model_config = SettingsConfigDict(env_prefix="GARRISON_", extra="forbid")

    home: Path = Path("garrison-data")
    database_url: str | None = None
    timezone: str = "local"
    retention_days: int = Field(default=180, ge=1)
    batch_size: int = Field(default=5000, ge=1, le=100_000)
    syslog_host: str = "127.0.0.1"
    syslog_port: int = Field(default=5514, ge=0, le=65535)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    max_request_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from garrison.core.timezones import resolve_zone

        resolve_zone(value)
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<home>/garrison.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'garrison.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init) beat the environment, which beats the TOML file."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def find_config_file(explicit: Path | None, home: Path | None) -> Path | None:
    """Locate ``garrison.toml``: the explicit path, else ``./garrison.toml``, else in ``home``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file not found: {explicit}")
        return explicit
    for candidate in (
        Path.cwd() / CONFIG_FILE_NAME,
        (home or Path("garrison-data")) / CONFIG_FILE_NAME,
    ):
        if candidate.is_file():
            return candidate
    return None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from all sources.

    Args:
        config_file: Explicit ``garrison.toml``; found automatically when ``None``.
        **overrides: Values from command-line flags (``None`` values are ignored).

    Raises:
        ConfigError: If a value is invalid; the message names the setting and the file.
    """
    flags = {k: v for k, v in overrides.items() if v is not None}
    home = flags.get("home") or os.environ.get("GARRISON_HOME")
    path = find_config_file(config_file, Path(home) if home else None)

    class _FileSettings(Settings):
        model_config = SettingsConfigDict(env_prefix="GARRISON_", extra="forbid", toml_file=path)

    try:
        return _FileSettings(**flags)
    except ValidationError as exc:
        where = f" (from {path})" if path else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings{where}: {problems}") from None
    except ValueError as exc:  # TOML syntax errors carry line and column
        raise ConfigError(f"cannot read {path}: {exc}") from None
