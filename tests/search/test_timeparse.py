"""User-typed times: durations, now-relative times and ISO 8601 dates and date-times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.errors import InputError
from garrison.search.timeparse import parse_duration, parse_time, time_span

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("1h30m", timedelta(minutes=90)),
        (" 1d12h ", timedelta(hours=36)),
        ("0s", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_time(text, NOW) == NOW - expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        ("now-1h", NOW - timedelta(hours=1)),
        ("now - 7d", NOW - timedelta(days=7)),
        ("now+30m", NOW + timedelta(minutes=30)),
        ("now-1h30m", NOW - timedelta(minutes=90)),
    ],
)
def test_now_relative(text: str, expected: datetime) -> None:
    assert parse_time(text, NOW) == expected
    assert parse_time(text, NOW, SHANGHAI) == expected  # the zone does not move instants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T08:00:00", datetime(2026, 11, 1, 8, tzinfo=UTC)),
        ("2026-11-01 08:00", datetime(2026, 11, 1, 8, tzinfo=UTC)),
        ("2026-11-01t08:00:05Z", datetime(2026, 11, 1, 8, 0, 5, tzinfo=UTC)),
        ("2026-11-01T08:00:00+08:00", datetime(2026, 11, 1, 0, tzinfo=UTC)),
        ("2026-11-01T08:00:00+0800", datetime(2026, 11, 1, 0, tzinfo=UTC)),
        ("2026-11-01T08:00:00-05", datetime(2026, 11, 1, 13, tzinfo=UTC)),
        ("2026-11-01 08:00:00 +08:00", datetime(2026, 11, 1, 0, tzinfo=UTC)),
        ("2026-11-01T08:00:00.25Z", datetime(2026, 11, 1, 8, 0, 0, 250000, tzinfo=UTC)),
        ("2026-11-01T08:00:00,123456789Z", datetime(2026, 11, 1, 8, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_absolute_times_in_utc(text: str, expected: datetime) -> None:
    assert parse_time(text, NOW) == expected


def test_zone_less_times_are_in_the_given_zone() -> None:
    assert parse_time("2026-11-01", NOW, SHANGHAI) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert parse_time("2026-11-01 08:00", NOW, SHANGHAI) == datetime(2026, 11, 1, 0, tzinfo=UTC)
    # An explicit offset wins over the zone.
    assert parse_time("2026-11-01T08:00Z", NOW, SHANGHAI) == datetime(2026, 11, 1, 8, tzinfo=UTC)


def test_results_are_aware_utc() -> None:
    for text in ("now", "24h", "2026-11-01", "2026-11-01T08:00+08:00"):
        assert parse_time(text, NOW, SHANGHAI).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("2026-11-01", timedelta(days=1)),
        ("2026-11-01T08:00", timedelta(minutes=1)),
        ("2026-11-01T08:00:00", timedelta(seconds=1)),
        ("2026-11-01T08:00:00.5", timedelta(milliseconds=100)),
        ("2026-11-01T08:00:00.123456789", timedelta(microseconds=1)),
        ("now-1h", timedelta(microseconds=1)),
        ("15m", timedelta(microseconds=1)),
    ],
)
def test_span_follows_the_precision_written(text: str, width: timedelta) -> None:
    start, end = time_span(text, NOW)
    assert start == parse_time(text, NOW)
    assert end - start == width


def test_a_day_span_follows_daylight_saving() -> None:
    # 2026-11-01 is the day New York falls back: 25 hours long.
    start, end = time_span("2026-11-01", NOW, NEW_YORK)
    assert start == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert end == datetime(2026, 11, 2, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty time"),
        ("   ", "empty time"),
        ("yesterday", "cannot understand the time 'yesterday'"),
        ("24", "cannot understand the time '24'"),
        ("24H", "cannot understand the time '24H'"),
        ("1M", "cannot understand the time '1M'"),
        ("now-", "cannot understand the time 'now-'"),
        ("now-1y", "cannot understand the time 'now-1y'"),
        ("2026-13-01", "invalid date or time '2026-13-01': month must be in 1..12"),
        ("2026-02-30", "invalid date or time '2026-02-30'"),
        ("2026-11-01T25:00", "invalid date or time '2026-11-01T25:00'"),
        ("2026-11-01T08:00+24:00", "UTC offset +24:00 is out of range"),
        ("2026-11-01+08:00", "cannot understand the time '2026-11-01+08:00'"),
        ("11/01/2026", "cannot understand the time '11/01/2026'"),
        ("999999999999w", "the duration '999999999999w' is too large"),
        ("now-99999999w", "the time 'now-99999999w' is out of range"),
        ("9999-12-31T23:59:59.999999-23:59", "invalid date or time"),
    ],
)
def test_errors_are_input_errors_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_time(text, NOW)
    assert message in info.value.message
    if "out of range" not in message and "too large" not in message:
        assert info.value.hint is not None and "2026-11-01T08:00:00" in info.value.hint


def test_duration_errors() -> None:
    with pytest.raises(InputError, match="invalid duration 'now-1h'"):
        parse_duration("now-1h")
    with pytest.raises(InputError, match="too large"):
        parse_duration("999999999999w")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_time("now", datetime(2026, 11, 23))  # deliberately naive


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_input_error(text: str) -> None:
    try:
        result = parse_time(text, NOW, SHANGHAI)
    except InputError:
        return
    assert result.utcoffset() == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)))
def test_iso_round_trip(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    assert parse_time(aware.isoformat(), NOW) == aware
    assert parse_time(moment.isoformat(), NOW, UTC) == aware
