"""Fast timestamp helpers shared by the parsers.

``datetime.strptime`` costs several microseconds a call, more than a whole parse budget of
10 us per line, so parsers pick fields apart with slicing or regex groups and call these helpers,
which cache the (expensive) zone lookups per hour.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip


@lru_cache(maxsize=4096)
def _offset(tz: tzinfo, year: int, month: int, day: int, hour: int) -> timedelta:
    """UTC offset of a local wall-clock hour in ``tz`` (cached: zoneinfo lookups are slow)."""
    off = datetime(year, month, day, hour, tzinfo=tz).utcoffset()
    return off if off is not None else timedelta(0)


def local_to_utc(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    microsecond: int,
    tz: tzinfo,
) -> datetime:
    """Convert a zone-less wall-clock time in ``tz`` to an aware UTC datetime.

    Raises:
        ValueError: If the fields do not form a valid date and time.
    """
    naive = datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)
    if tz is UTC:
        return naive
    return naive - _offset(tz, year, month, day, hour)


def infer_year(month: int, reference: datetime) -> int:
    """Year of a year-less timestamp (syslog) given when the stream was last written.

    A log file holds at most a year of lines ending at ``reference``: a month later in the
    year than the reference month therefore belongs to the previous year.
    """
    return reference.year - 1 if month > reference.month else reference.year


def parse_iso(text: str, tz: tzinfo = UTC) -> datetime:
    """Parse an ISO 8601 / RFC 3339 timestamp; zone-less values are taken to be in ``tz``.

    Accepts ``Z``, ``+08:00``, fractions of any length, and a space instead of ``T``.

    Raises:
        ValueError: If ``text`` is not such a timestamp.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # fromisoformat accepts at most 6 fractional digits in some forms: trim nanoseconds.
    dot = value.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(value) and value[end].isdigit():
            end += 1
        if end - dot - 1 > 6:
            value = value[: dot + 7] + value[end:]
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return local_to_utc(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tz,
        )
    return parsed.astimezone(UTC)


def from_epoch(seconds: float) -> datetime:
    """Aware UTC datetime from a UNIX timestamp in seconds (fractions allowed)."""
    return datetime.fromtimestamp(seconds, UTC)
