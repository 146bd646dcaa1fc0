from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from garrison.alerts.enrich import (
    NEW_SOURCE_IP,
    OFF_HOURS,
    Enricher,
    MemoryBaseline,
    WorkCalendar,
)
from garrison.events.model import Event

SHANGHAI = ZoneInfo("Asia/Shanghai")


def login(
    when: datetime, user: str = "alice", ip: str = "10.0.0.5", outcome: str = "success"
) -> Event:
    fields = {
        "event.category": "authentication",
        "event.outcome": outcome,
        "user.name": user,
        "source.ip": ip,
    }
    return Event(
        id=f"e{when.timestamp()}", timestamp=when, dataset="linux.auth", original="x", fields=fields
    )


def test_working_hours_are_local_time_inclusive_start_exclusive_end() -> None:
    cal = WorkCalendar(SHANGHAI)
    monday = date(2026, 11, 23)
    at = lambda h, m=0, s=0: datetime.combine(monday, time(h, m, s), SHANGHAI)  # noqa: E731
    assert cal.is_working_time(at(8))
    assert not cal.is_working_time(at(7, 59, 59))
    assert cal.is_working_time(at(19, 59, 59))
    assert not cal.is_working_time(at(20))
    # 01:00 UTC is 09:00 in Shanghai.
    assert cal.is_working_time(datetime(2026, 11, 23, 1, tzinfo=UTC))


def test_weekends_holidays_and_make_up_days() -> None:
    cal = WorkCalendar(
        SHANGHAI,
        holidays=frozenset({date(2026, 10, 1)}),  # a Thursday, National Day
        extra_workdays=frozenset({date(2026, 10, 10)}),  # a Saturday worked (调休)
    )
    noon = lambda d: datetime.combine(d, time(12), SHANGHAI)  # noqa: E731
    assert not cal.is_working_time(noon(date(2026, 11, 28)))  # Saturday
    assert not cal.is_working_time(noon(date(2026, 10, 1)))
    assert cal.is_working_time(noon(date(2026, 10, 10)))
    assert cal.is_working_time(noon(date(2026, 10, 9)))


def test_a_night_shift_calendar_wraps_midnight() -> None:
    cal = WorkCalendar(UTC, start=time(20), end=time(8), workdays=frozenset(range(1, 8)))
    assert cal.is_working_time(datetime(2026, 11, 23, 23, tzinfo=UTC))
    assert cal.is_working_time(datetime(2026, 11, 23, 7, tzinfo=UTC))
    assert not cal.is_working_time(datetime(2026, 11, 23, 12, tzinfo=UTC))


@given(
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York"]),
)
def test_working_time_depends_only_on_the_local_wall_clock(when: datetime, zone: str) -> None:
    cal = WorkCalendar(ZoneInfo(zone))
    local = when.astimezone(ZoneInfo(zone))
    expected = local.isoweekday() <= 5 and time(8) <= local.time().replace(tzinfo=None) < time(20)
    assert cal.is_working_time(when) is expected


def test_off_hours_is_added_to_authentication_events_only() -> None:
    enricher = Enricher(WorkCalendar(UTC), None)
    night = login(datetime(2026, 11, 23, 2, tzinfo=UTC))
    assert enricher.enrich(night).fields[OFF_HOURS] is True
    assert OFF_HOURS not in night.fields  # a copy: stored events never change
    other = Event(id="x", timestamp=night.timestamp, dataset="web.access", original="x", fields={})
    assert enricher.enrich(other) is other


def test_a_new_address_is_reported_only_for_an_account_with_a_baseline() -> None:
    enricher = Enricher(None, MemoryBaseline(), window=timedelta(days=30))
    t0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
    events = [
        login(t0, ip="10.0.0.5"),  # first login ever: nothing to compare with
        login(t0 + timedelta(days=1), ip="10.0.0.5"),
        login(t0 + timedelta(days=2), ip="203.0.113.9"),  # new
        login(t0 + timedelta(days=3), ip="203.0.113.9"),  # known now
        login(t0 + timedelta(days=3), ip="198.51.100.1", outcome="failure"),  # failures ignored
        login(t0 + timedelta(days=70), ip="10.0.0.5"),  # baseline expired: all forgotten
        login(t0 + timedelta(days=71), user="ALICE", ip="10.0.0.6"),  # case-insensitive user
    ]
    enriched = [enricher.enrich(event) for event in events]
    assert [e.fields.get(NEW_SOURCE_IP) for e in enriched] == [
        False,
        False,
        True,
        False,
        None,
        False,
        True,
    ]
