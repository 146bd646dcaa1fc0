"""Scheduled scans: cron days, window hours, never in business hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.schedule import DEFAULT_CRON, Window, next_run, validate_cron
from garrison.core.errors import InputError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_default_is_working_days_at_seven_local() -> None:
    thursday_afternoon = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    assert next_run(DEFAULT_CRON, thursday_afternoon, SHANGHAI) == datetime(
        2026, 12, 3, 23, 0, tzinfo=UTC
    )  # Friday 07:00 in Shanghai
    friday_afternoon = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    assert next_run(DEFAULT_CRON, friday_afternoon, SHANGHAI) == datetime(
        2026, 12, 6, 23, 0, tzinfo=UTC
    )  # Monday


def test_fire_outside_the_window_moves_to_its_opening_on_an_allowed_day() -> None:
    friday_morning = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # 11:00 Friday in Shanghai
    # Noon on working days: Friday's window has passed, so Monday 07:00, never Saturday.
    assert next_run("0 12 * * 1-5", friday_morning, SHANGHAI) == datetime(
        2026, 12, 6, 23, 0, tzinfo=UTC
    )


def test_end_of_window_is_exclusive() -> None:
    at_0840 = datetime(2026, 12, 3, 0, 40, tzinfo=UTC)  # 08:40 in Shanghai
    assert next_run("*/30 * * * *", at_0840, SHANGHAI) == datetime(2026, 12, 3, 23, 0, tzinfo=UTC)


def test_no_window_means_the_cron_time() -> None:
    after = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert next_run("0 12 * * *", after, UTC, window=None) == datetime(
        2026, 12, 3, 12, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("bad", ["", "0 7 * *", "61 7 * * *", "0 7 * * 1-5 2026", "every day"])
def test_bad_cron_is_refused_with_a_hint(bad: str) -> None:
    with pytest.raises(InputError, match="bad schedule") as info:
        validate_cron(bad)
    assert "cron" in (info.value.hint or "")


@pytest.mark.parametrize("bad", ["9-7", "09:00-07:00", "07:00", "7h-9h"])
def test_bad_window_is_refused(bad: str) -> None:
    with pytest.raises(InputError, match="window"):
        Window.parse(bad)


def test_window_parses() -> None:
    assert Window.parse("07:00-09:00") == Window(time(7), time(9))


CRONS = st.sampled_from(
    ["0 7 * * 1-5", "0 12 * * *", "*/15 * * * *", "30 8 1 * *", "0 3 * * 0", "5 7-8 * * 6"]
)


@settings(max_examples=200, deadline=None)
@given(
    expression=CRONS,
    after=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
)
def test_runs_are_after_inside_the_window_and_on_a_cron_day(
    expression: str, after: datetime
) -> None:
    start = after.replace(tzinfo=UTC)
    run = next_run(expression, start, SHANGHAI)
    local = run.astimezone(SHANGHAI)
    assert run > start
    assert time(7) <= local.time() < time(9)
    # The day is one the expression fires on.
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(seconds=1)
    first_fire = croniter(expression, day_start).get_next(datetime)
    assert first_fire.date() == local.date()
