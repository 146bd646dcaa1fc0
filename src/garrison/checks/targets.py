"""Scan targets: what to scan (a host, a URL, configuration paths), how, and when."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from garrison.checks.scan import KINDS
from garrison.checks.schedule import validate_cron
from garrison.core.errors import InputError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_SSH = re.compile(r"^ssh://(?P<user>[A-Za-z0-9._-]{1,64})@(?P<host>[A-Za-z0-9._:\[\]-]{1,253})$")


@dataclass(frozen=True, slots=True)
class SshAddress:
    """``ssh://user@host[:port]``."""

    user: str
    host: str
    port: int = 22

    def __str__(self) -> str:
        return f"ssh://{self.user}@{self.host}:{self.port}"


def parse_ssh(address: str) -> SshAddress:
    """Parse ``ssh://user@host[:port]`` (IPv6 hosts in brackets).

    Raises:
        InputError: When it is not one.
    """
    match = _SSH.match(address)
    if not match:
        raise InputError(
            f"not an SSH address: {address!r}", hint="write ssh://user@host or ssh://user@host:2222"
        )
    host, port = match["host"], 22
    bracketed = re.match(r"^\[(?P<h>[^\]]+)\](?::(?P<p>\d+))?$", host)
    if bracketed:
        host, port = bracketed["h"], int(bracketed["p"] or 22)
    elif host.count(":") == 1:
        host, _, text = host.partition(":")
        if not text.isdigit():
            raise InputError(f"bad SSH port in {address!r}")
        port = int(text)
    if not 0 < port < 65536:
        raise InputError(f"bad SSH port in {address!r}")
    return SshAddress(match["user"], host, port)


def validate_address(kind: str, address: str) -> str:
    """The address of a target of ``kind``, checked.

    Raises:
        InputError: When it does not fit the kind.
    """
    if kind not in KINDS:
        raise InputError(f"unknown target kind {kind!r}", hint=f"one of {', '.join(KINDS)}")
    if kind == "host":
        if address != "local":
            parse_ssh(address)
    elif kind == "web":
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"not an http(s) URL: {address!r}")
    elif not address.strip():
        raise InputError("a config target needs at least one path")
    return address


@dataclass(frozen=True, slots=True)
class ScanTarget:
    """A target scanned on demand or on a schedule.

    Attributes:
        name: Unique name (``web-01``, ``portal``).
        kind: host, web or config.
        address: ``local`` or ``ssh://user@host:port`` (host), a URL (web), paths separated
            by newlines (config, on the machine running Garrison).
        options: Kind-specific options (``key_file``, ``known_hosts``, ``roots``...); never a
            password: SSH keys are referred to by path.
        schedule: A cron expression (``0 7 * * 1-5``) or ``None`` for on-demand only.
        enabled: Scheduled scans run only when enabled.
        next_run: When the scheduler runs it next (UTC).
        id: The stored id.
    """

    name: str
    kind: str
    address: str
    options: Mapping[str, Any] = field(default_factory=dict)
    schedule: str | None = None
    enabled: bool = True
    next_run: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise InputError(
                f"bad target name {self.name!r}",
                hint="letters, digits, '.', '_', ':', '-'; at most 128 characters",
            )
        validate_address(self.kind, self.address)
        if self.schedule is not None:
            validate_cron(self.schedule)
        for key in self.options:
            if "password" in key.lower() or "secret" in key.lower():
                raise InputError(
                    f"target option {key!r} refused: secrets are not stored with targets",
                    hint="use an SSH key file (key_file) readable by the Garrison service",
                )
