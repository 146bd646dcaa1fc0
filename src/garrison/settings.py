"""Settings: defaults < ``garrison.toml`` < ``GARRISON_*`` environment < command-line flags."""

from __future__ import annotations

import os
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from garrison.alerts.enrich import WorkCalendar
from garrison.alerts.query import LEVELS
from garrison.auth.lockout import LockoutPolicy
from garrison.auth.passwords import PasswordPolicy
from garrison.checks.metadata import SEVERITIES
from garrison.checks.schedule import Window, validate_cron
from garrison.core.errors import ConfigError, InputError
from garrison.core.timezones import resolve_zone
from garrison.incidents.grading import IMPACT, LOSS, Grade
from garrison.incidents.policy import OpenPolicy
from garrison.incidents.sla import DEFAULT_RULES, ClockRule, SlaPolicy
from garrison.respond.config import ResponseSettings

CONFIG_FILE_NAME = "garrison.toml"


class DetectionSettings(BaseModel):
    """The ``[detection]`` table: calendar, baseline, alert grouping, live detection.

    Attributes:
        enabled: Run live detection on stored events (after ``ingest``, inside ``serve``).
        rules: Extra Sigma rule files and folders.
        builtin_rules: Use the built-in rule pack.
        work_start: Start of the working day, local time (``off_hours`` logins).
        work_end: End of the working day (exclusive).
        workdays: ISO weekdays that are working days (1 = Monday).
        holidays: Public holidays (dates off).
        extra_workdays: Weekend dates that are worked (调休 make-up days).
        baseline_days: How long a login source address stays known for an account.
        group_minutes: A single-event rule's matches join its open alert while they come
            within this many minutes of its last match.
        lateness_seconds: How late (event time) a correlation may still receive an event.
        interval_seconds: How often ``serve`` looks for newly stored events.
        max_events: Events one detection step reads at most (one transaction).
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    rules: list[Path] = Field(default_factory=list)
    builtin_rules: bool = True
    work_start: time = time(8, 0)
    work_end: time = time(20, 0)
    workdays: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)
    baseline_days: int = Field(default=30, ge=1, le=3650)
    group_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    lateness_seconds: int = Field(default=60, ge=0, le=86_400)
    interval_seconds: float = Field(default=2.0, gt=0, le=3600)
    max_events: int = Field(default=20_000, ge=100, le=1_000_000)

    @field_validator("workdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        bad = [day for day in value if not 1 <= day <= 7]
        if bad:
            raise ValueError(f"weekdays are 1 (Monday) to 7 (Sunday), not {bad}")
        return value

    def calendar(self, zone: str) -> WorkCalendar:
        """The working-hours calendar in time zone ``zone`` (IANA name or ``local``)."""
        return WorkCalendar(
            zone=resolve_zone(zone),
            start=self.work_start,
            end=self.work_end,
            workdays=frozenset(self.workdays),
            holidays=frozenset(self.holidays),
            extra_workdays=frozenset(self.extra_workdays),
        )

    @property
    def baseline_window(self) -> timedelta:
        """How long a login source address stays known."""
        return timedelta(days=self.baseline_days)


class AuthSettings(BaseModel):
    """The ``[auth]`` table: password policy, lockout and MFA for Garrison's own accounts.

    Attributes:
        password_min_length: Minimum password length.
        password_classes: How many of upper, lower, digit, symbol a password needs.
        password_max_age_days: Days before a password must be changed.
        password_history: Previous passwords that may not be reused.
        lockout_failures: Failures within the window that lock an account.
        lockout_window_minutes: The failure-counting window.
        lockout_minutes: How long a lock lasts.
        mfa_roles: Roles that must use TOTP.
    """

    model_config = ConfigDict(extra="forbid")

    password_min_length: int = Field(default=12, ge=8, le=128)
    password_classes: int = Field(default=4, ge=1, le=4)
    password_max_age_days: int = Field(default=90, ge=1, le=3650)
    password_history: int = Field(default=5, ge=0, le=50)
    lockout_failures: int = Field(default=5, ge=1, le=100)
    lockout_window_minutes: int = Field(default=5, ge=1, le=1440)
    lockout_minutes: int = Field(default=15, ge=1, le=10080)
    mfa_roles: list[str] = Field(default_factory=lambda: ["admin"])

    @field_validator("mfa_roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        bad = [r for r in value if r not in ("admin", "analyst", "auditor")]
        if bad:
            raise ValueError(f"unknown role {bad[0]!r} (admin, analyst, auditor)")
        return value

    def password_policy(self) -> PasswordPolicy:
        """The password policy these settings describe."""
        return PasswordPolicy(
            min_length=self.password_min_length,
            require_classes=self.password_classes,
            max_age=timedelta(days=self.password_max_age_days),
            history=self.password_history,
        )

    def lockout_policy(self) -> LockoutPolicy:
        """The lockout policy these settings describe."""
        return LockoutPolicy(
            max_failures=self.lockout_failures,
            window=timedelta(minutes=self.lockout_window_minutes),
            duration=timedelta(minutes=self.lockout_minutes),
        )


class IncidentSettings(BaseModel):
    """The ``[incidents]`` table: automatic opening, SLA clocks, task templates.

    Attributes:
        enabled: Open and attach incidents automatically from alerts.
        auto_open_levels: Alert levels that open an incident on their own.
        auto_open_rules: Rule ids whose alerts open an incident whatever their level.
        attach_hours: How far back unattached alerts join a newly opened incident.
        loss: Assessed loss of an automatically opened incident (until assessed by a person).
        impact: Its assessed social impact.
        task_templates: A YAML file of task templates replacing the built-in one.
        warn_ratio: Share of a clock's time after which it warns.
        sla_minutes: Clock lengths per grade overriding the defaults, e.g.
            ``{confirm = {I = 10}, recover = {IV = 1440}}``; 0 removes a clock for a grade.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    auto_open_levels: list[str] = Field(default_factory=lambda: ["critical"])
    auto_open_rules: list[str] = Field(default_factory=list)
    attach_hours: int = Field(default=24, ge=1, le=24 * 30)
    loss: str = "considerable"
    impact: str = "general"
    task_templates: Path | None = None
    warn_ratio: float = Field(default=0.8, gt=0.0, lt=1.0)
    sla_minutes: dict[str, dict[str, int]] = Field(default_factory=dict)

    @field_validator("auto_open_levels")
    @classmethod
    def _levels(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in LEVELS]
        if bad:
            raise ValueError(f"unknown level {bad[0]!r} ({', '.join(LEVELS)})")
        return value

    @field_validator("loss")
    @classmethod
    def _loss(cls, value: str) -> str:
        if value not in LOSS:
            raise ValueError(f"unknown loss {value!r} ({', '.join(LOSS)})")
        return value

    @field_validator("impact")
    @classmethod
    def _impact(cls, value: str) -> str:
        if value not in IMPACT:
            raise ValueError(f"unknown impact {value!r} ({', '.join(IMPACT)})")
        return value

    @field_validator("sla_minutes")
    @classmethod
    def _sla(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        kinds = {rule.kind for rule in DEFAULT_RULES}
        for kind, grades in value.items():
            if kind not in kinds:
                raise ValueError(f"unknown clock {kind!r} ({', '.join(sorted(kinds))})")
            for grade, minutes in grades.items():
                Grade.parse(grade)
                if not 0 <= minutes <= 60 * 24 * 365:
                    raise ValueError(f"{kind}.{grade}: minutes must be 0-525600")
        return value

    def sla_policy(self) -> SlaPolicy:
        """The SLA clocks these settings describe."""
        rules = []
        for rule in DEFAULT_RULES:
            minutes = dict(rule.minutes)
            for grade, length in self.sla_minutes.get(rule.kind, {}).items():
                if length == 0:
                    minutes.pop(Grade.parse(grade), None)
                else:
                    minutes[Grade.parse(grade)] = length
            rules.append(ClockRule(rule.kind, rule.starts, rule.stops, minutes))
        return SlaPolicy(rules=tuple(rules), warn_ratio=self.warn_ratio)

    def open_policy(self) -> OpenPolicy:
        """The automatic-opening policy these settings describe."""
        return OpenPolicy(
            levels=frozenset(self.auto_open_levels),
            rules=frozenset(self.auto_open_rules),
            loss=self.loss,
            impact=self.impact,
        )


class CheckSettings(BaseModel):
    """The ``[checks]`` table: baseline scans.

    Attributes:
        window: Daily window (site time zone) in which scheduled scans may start; source 001
            asks for working days 07:00–09:00, away from business peaks.
        schedule: The cron expression new scan targets get when none is given.
        alert_severities: Severities whose failed checks raise an alert when they are new
            since the previous scan of the same target.
        try_default_credentials: Web scans try a short list of default passwords on known
            admin pages (a handful of requests); turn off where that is not allowed.
    """

    model_config = ConfigDict(extra="forbid")

    window: str = "07:00-09:00"
    schedule: str = "0 7 * * 1-5"
    alert_severities: list[str] = Field(default_factory=lambda: ["critical", "high"])
    try_default_credentials: bool = True

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        try:
            Window.parse(value)
        except InputError as exc:
            raise ValueError(exc.message) from exc
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        try:
            return validate_cron(value)
        except InputError as exc:
            raise ValueError(exc.message) from exc

    @field_validator("alert_severities")
    @classmethod
    def _severities(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in SEVERITIES]
        if bad:
            raise ValueError(f"unknown severity {bad[0]!r} ({', '.join(SEVERITIES)})")
        return value


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
        max_evidence_bytes: Largest evidence file accepted over the API (default 2 GiB).
        metrics_public: Serve ``/metrics`` without a token (default: a ``read`` token).
        tls_cert_file: PEM certificate (chain) for HTTPS; with ``tls_key_file``.
        tls_key_file: PEM private key for HTTPS.
        detection: The ``[detection]`` table (:class:`DetectionSettings`).
        auth: The ``[auth]`` table (:class:`AuthSettings`).
        incidents: The ``[incidents]`` table (:class:`IncidentSettings`).
        notify: The ``[notify]`` table: channels, people, roles, on-call roster and routes
            (``docs/notifications.md``); checked when the platform opens.
        checks: The ``[checks]`` table (:class:`CheckSettings`).
        response: The ``[response]`` table: playbooks and the limits of response actions
            (``docs/playbooks.md``).
        evidence_algorithm: Cipher for evidence files at rest: ``aes-256-gcm`` or
            ``sm4-gcm`` (GM/T 0002); files sealed before a change stay readable.
    """

    model_config = SettingsConfigDict(
        env_prefix="GARRISON_", extra="forbid", env_nested_delimiter="__"
    )

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
    max_evidence_bytes: int = Field(default=2 * 1024**3, ge=1024)
    metrics_public: bool = False
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    checks: CheckSettings = Field(default_factory=CheckSettings)
    response: ResponseSettings = Field(default_factory=ResponseSettings)
    notify: dict[str, Any] = Field(default_factory=dict)
    evidence_algorithm: Literal["aes-256-gcm", "sm4-gcm"] = "aes-256-gcm"

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        pair = (self.tls_cert_file, self.tls_key_file)
        if (pair[0] is None) != (pair[1] is None):
            raise ValueError("tls_cert_file and tls_key_file go together")
        for path in pair:
            if path is not None and not path.is_file():
                raise ValueError(f"TLS file not found: {path}")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
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
        model_config = SettingsConfigDict(
            env_prefix="GARRISON_", extra="forbid", env_nested_delimiter="__", toml_file=path
        )

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
