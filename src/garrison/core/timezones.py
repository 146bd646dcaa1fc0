"""Time-zone names from settings and flags."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from garrison.core.errors import ConfigError


def resolve_zone(name: str) -> tzinfo:
    """Turn ``local``, ``UTC`` or an IANA name (``Asia/Shanghai``) into a tzinfo.

    Raises:
        ConfigError: If the name is unknown.
    """
    if name in ("UTC", "utc", "Z"):
        return UTC
    if name == "local":
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}",
            hint="use an IANA name such as Asia/Shanghai or UTC, or 'local'",
        ) from None
