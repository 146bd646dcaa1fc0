"""Parse the times people type: ``24h``, ``now-15m``, ``2026-11-01``, ``2026-11-01T08:00+08:00``.

Used by ``--since``/``--until`` and by ``@timestamp`` values inside search queries. Three forms
are accepted (surrounding spaces are ignored):

* a duration (``30s``, ``15m``, ``24h``, ``7d``, ``2w``, compounds such as ``1h30m``), meaning
  *that long before now*;
* ``now``, optionally with an offset: ``now-1h``, ``now+30m``;
* an ISO 8601 date (``2026-11-01``) or date and time (``2026-11-01T08:00:00``,
  ``2026-11-01 08:00``, fractions such as ``.123``), optionally with ``Z`` or an offset
  (``+08:00``, ``+0800``, ``+08``). Times without an offset are wall-clock times in ``tz``.

Besides the instant, :func:`time_span` reports the *precision* the user wrote, as a half-open
interval: ``2026-11-01`` is the whole (local) day, ``2026-11-01T08:00`` the whole minute.
Search uses it so that ``@timestamp:2026-11-01`` means "that day" and ``[a TO b]`` with dates
includes the whole of day ``b``, as in Elasticsearch.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from garrison.core.errors import InputError
from garrison.normalize.timeutil import local_to_utc

__all__ = ["parse_duration", "parse_time", "time_span"]

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(?:\d{1,12}[smhdw])+", re.ASCII)
_DURATION_PART = re.compile(r"(\d+)([smhdw])", re.ASCII)
_NOW = re.compile(r"(?i:now)(?:\s*([+-])\s*((?:\d{1,12}[smhdw])+))?", re.ASCII)
_ABSOLUTE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?",
    re.ASCII,
)
_MICRO = timedelta(microseconds=1)

_FORMS_HINT = (
    "use a duration meaning 'that long ago' (30s, 15m, 24h, 7d, 2w), now or now-1h, or an "
    "ISO 8601 date or date-time such as 2026-11-01, 2026-11-01T08:00:00 or "
    "2026-11-01T08:00:00+08:00"
)


def parse_duration(text: str) -> timedelta:
    """Parse a duration such as ``30s``, ``15m``, ``24h``, ``7d``, ``2w`` or ``1h30m``.

    Units: ``s`` seconds, ``m`` minutes, ``h`` hours, ``d`` days, ``w`` weeks (lower case:
    ``M`` would be ambiguous between minutes and months).

    Raises:
        InputError: If ``text`` is not such a duration, or is absurdly large.
    """
    value = text.strip()
    if not _DURATION.fullmatch(value):
        raise InputError(
            f"invalid duration {text!r}",
            hint="write a number followed by s, m, h, d or w, e.g. 30s, 15m, 24h, 7d, 1h30m",
        )
    return _duration(value, text)


def _duration(value: str, original: str) -> timedelta:
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(value))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise InputError(f"the duration {original!r} is too large") from None


def parse_time(text: str, now: datetime, tz: tzinfo = UTC) -> datetime:
    """Parse a relative or absolute time (see the module docstring for the forms).

    Args:
        text: What the user typed.
        now: The current time (aware); relative times count back from it.
        tz: Zone of date-times written without an offset.

    Returns:
        The instant as an aware UTC datetime (for a date: its local midnight).

    Raises:
        InputError: If ``text`` is not a time in one of the accepted forms.
    """
    return time_span(text, now, tz)[0]


def time_span(text: str, now: datetime, tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """Parse a time and return the half-open interval ``[start, end)`` its precision covers.

    A date covers its whole local day (23 or 25 hours on a daylight-saving change), a
    date-time without seconds its minute, with seconds its second, with a fraction the last
    digit written; ``now`` and durations are instants (one microsecond).

    Raises:
        InputError: If ``text`` is not a time in one of the accepted forms.
        ValueError: If ``now`` is naive (a programming error, not a user error).
    """
    if now.tzinfo is None:
        raise ValueError("time_span needs an aware 'now'")
    value = text.strip()
    if not value:
        raise InputError("empty time", hint=_FORMS_HINT)
    try:
        if _DURATION.fullmatch(value):
            start = now - _duration(value, text)
            return _instant(start)
        relative = _NOW.fullmatch(value)
        if relative:
            sign, amount = relative.groups()
            start = now
            if amount:
                delta = _duration(amount, text)
                start = now - delta if sign == "-" else now + delta
            return _instant(start)
    except OverflowError:
        raise InputError(f"the time {text!r} is out of range") from None
    absolute = _ABSOLUTE.fullmatch(value)
    if absolute is None:
        raise InputError(f"cannot understand the time {text!r}", hint=_FORMS_HINT)
    try:
        return _absolute(absolute, tz)
    except (ValueError, OverflowError) as exc:
        raise InputError(f"invalid date or time {text!r}: {exc}", hint=_FORMS_HINT) from None


def _instant(when: datetime) -> tuple[datetime, datetime]:
    when = when.astimezone(UTC)
    return when, when + _MICRO


def _absolute(m: re.Match[str], tz: tzinfo) -> tuple[datetime, datetime]:
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if m[4] is None:
        # A date: its whole local day. The end is the next local midnight, not +24h, so that
        # daylight-saving days are covered exactly.
        start_day = date(year, month, day)
        end_day = start_day + timedelta(days=1)
        start = local_to_utc(year, month, day, 0, 0, 0, 0, tz)
        end = local_to_utc(end_day.year, end_day.month, end_day.day, 0, 0, 0, 0, tz)
        return start, end
    hour, minute = int(m[4]), int(m[5])
    second = int(m[6]) if m[6] is not None else 0
    fraction = m[7] or ""
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    if m[6] is None:
        width = timedelta(minutes=1)
    elif not fraction:
        width = timedelta(seconds=1)
    else:
        width = timedelta(microseconds=10 ** max(0, 6 - len(fraction)))
    if m[8] is not None:
        zone: tzinfo | None = UTC
    elif m[9] is not None:
        off_h, off_m = int(m[10]), int(m[11] or 0)
        if off_h > 23 or off_m > 59:
            raise ValueError(f"UTC offset {m[9]}{m[10]}:{m[11] or '00'} is out of range")
        offset = timedelta(hours=off_h, minutes=off_m)
        zone = timezone(offset if m[9] == "+" else -offset)
    else:
        zone = None
    if zone is None:
        start = local_to_utc(year, month, day, hour, minute, second, micro, tz)
    else:
        start = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
        start = start.astimezone(UTC)
    return start, start + width
