"""Typed, validated argument values for response actions.

Action arguments often come from log fields, which an attacker writes. Each type here parses
the value into what it must be (an IP address, a user name of a strict pattern, a process id)
and refuses anything else, so a value such as ``1.2.3.4; rm -rf /`` or ``$(reboot)`` fails
validation before any command is built. Names may not start with ``-`` either: a program
would read such an argument as an option.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")
_CONTAINER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?")
_MAX_PID = 4_194_304  # Linux's pid_max ceiling


def parse_ip(value: object) -> str:
    """One IPv4 or IPv6 host address in its canonical form.

    Raises:
        ValueError: For anything else (a network, a host name, extra characters).
    """
    if not isinstance(value, str):
        raise ValueError("an IP address is a string")
    if "%" in value:  # an IPv6 zone may hold any text, and nft reads its arguments as a script
        raise ValueError(f"{value[:64]!r}: an address with a zone (%...) is not accepted")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValueError(f"{value[:64]!r} is not an IP address") from None


def parse_user(value: object) -> str:
    """A user name: letters, digits, ``_ . @ -``; at most 64; not starting with ``-`` or ``.``.

    Raises:
        ValueError: For anything else.
    """
    if not isinstance(value, str) or not _USER.fullmatch(value):
        raise ValueError(f"{str(value)[:64]!r} is not an acceptable user name")
    return value


def parse_container(value: object) -> str:
    """A container id or name as Docker accepts them.

    Raises:
        ValueError: For anything else.
    """
    if not isinstance(value, str) or not _CONTAINER.fullmatch(value):
        raise ValueError(f"{str(value)[:64]!r} is not a container id or name")
    return value


def parse_pid(value: object) -> int:
    """A process id other than 0 and 1 (the kernel's and init's), within Linux's range.

    Raises:
        ValueError: For anything else.
    """
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("a process id is a whole number")
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{str(value)[:32]!r} is not a process id") from None
    if not 2 <= number <= _MAX_PID:
        raise ValueError(f"process id {number} is out of range (2-{_MAX_PID})")
    return number


def parse_path(value: object) -> str:
    """An absolute, normalised file path without ``..``, control characters or a NUL.

    Raises:
        ValueError: For anything else.
    """
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValueError(f"{str(value)[:64]!r} is not an absolute path")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("a path may not hold control characters")
    parts = PurePosixPath(value).parts
    if ".." in parts:
        raise ValueError("a path may not hold '..'")
    return str(PurePosixPath(*parts))


def parse_duration(value: object) -> timedelta:
    """A duration: seconds as a number, or text such as ``24h``, ``1d 12h``, ``90m``, ``30s``.

    Raises:
        ValueError: For anything else, zero or negative.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        match = _DURATION.fullmatch(value.strip())
        if match is None or not any(match.groups()):
            raise ValueError(f"{value[:32]!r} is not a duration (like 24h, 90m, 1d 12h, 30s)")
        d, h, m, s = (int(g or 0) for g in match.groups())
        seconds = float(((d * 24 + h) * 60 + m) * 60 + s)
    else:
        raise ValueError("a duration is a number of seconds or text such as 24h")
    if not seconds > 0 or seconds > 100 * 365 * 86400:  # also refuses NaN and infinity
        raise ValueError("a duration must be positive and at most 100 years")
    return timedelta(seconds=seconds)


IpAddress = Annotated[str, BeforeValidator(parse_ip)]
UserName = Annotated[str, BeforeValidator(parse_user)]
ContainerRef = Annotated[str, BeforeValidator(parse_container)]
ProcessId = Annotated[int, BeforeValidator(parse_pid)]
HostPath = Annotated[str, BeforeValidator(parse_path)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _strip(value: str) -> str:
    return value.strip()


#: Free text shown to people (a reason, a message): stripped, 1-2000 characters.
Text = Annotated[str, AfterValidator(_strip)]
