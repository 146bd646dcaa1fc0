"""Job specs and fire times: validation, DST-safe cron in a zone, missed-run policies."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.errors import InputError
from garrison.scheduler.jobs import (
    MAX_CATCH_UP,
    JobSpec,
    catch_up,
    due_slots,
    next_fire,
    previous_fire,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [UTC, SHANGHAI, BERLIN]
MINUTE = timedelta(minutes=1)
US = timedelta(microseconds=1)

#: Offset changes: Berlin 2026 (spring, autumn), Shanghai's daylight saving 1986-1991.
TRANSITIONS = [
    (BERLIN, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    (BERLIN, datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
    (BERLIN, datetime(1990, 9, 30, 1, 0, tzinfo=UTC)),
    (SHANGHAI, datetime(1986, 5, 3, 18, 0, tzinfo=UTC)),
    (SHANGHAI, datetime(1988, 9, 10, 17, 0, tzinfo=UTC)),
    (SHANGHAI, datetime(1991, 4, 13, 18, 0, tzinfo=UTC)),
]

crons = st.builds(
    " ".join,
    st.tuples(
        st.sampled_from(["*", "0", "30", "*/15", "5,35", "0-10", "59"]),
        st.sampled_from(["*", "1", "2", "3", "1-3", "*/2", "17", "18", "0"]),
        # Mostly every day, so that most examples fire near the clock changes.
        st.sampled_from(["*", "*", "*", "*", "1", "13-16", "25-31"]),
        st.sampled_from(["*", "*", "*", "*", "3", "4", "9", "10", "3,4,9,10"]),
        st.sampled_from(["*", "*", "*", "*", "0", "6", "1-5"]),
    ),
)
#: Schedules with few fires a day, for policies enumerated slot by slot.
sparse_crons = st.builds(
    " ".join,
    st.tuples(
        st.sampled_from(["0", "30", "15"]),
        st.sampled_from(["*", "2", "1-3", "*/2", "0,12"]),
        st.just("*"),
        st.just("*"),
        st.sampled_from(["*", "1-5", "0"]),
    ),
)
instants = st.datetimes(
    min_value=datetime(1985, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


def spec(cron: str, **kw: Any) -> JobSpec:
    return JobSpec("job", "sweep", cron, **kw)


def fires(job: JobSpec, start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Fire times in ``(start, end]`` by repeated :func:`next_fire`."""
    out: list[datetime] = []
    at = next_fire(job, start, zone)
    while at <= end:
        out.append(at)
        at = next_fire(job, at, zone)
    return out


def _matches(fields: list[list[Any]], wall: datetime) -> bool:
    """Vixie-cron matching of a wall minute, written independently of croniter's iteration."""
    minute, hour, dom, month, dow = fields

    def has(values: list[Any], value: int) -> bool:
        return values == ["*"] or value in values

    cron_dow = (wall.weekday() + 1) % 7
    in_dom = has(dom, wall.day)
    in_dow = has(dow, cron_dow) or (cron_dow == 0 and 7 in dow)
    # Both day fields restricted: either may match (vixie cron); otherwise both must.
    both = dom != ["*"] and dow != ["*"]
    days = (in_dom or in_dow) if both else (in_dom and in_dow)
    return has(minute, wall.minute) and has(hour, wall.hour) and has(month, wall.month) and days


def oracle(cron: str, zone: tzinfo, start: datetime, end: datetime) -> list[datetime]:
    """Fire instants in ``(start, end]`` minute by minute: a wall minute fires at its first
    occurrence; minutes skipped by a clock jump fire at the jump."""
    fields = croniter(cron).expanded
    out = []
    at = start.replace(second=0, microsecond=0) + MINUTE
    while at <= end:
        wall = at.astimezone(zone).replace(tzinfo=None)
        before = (at - MINUTE).astimezone(zone).replace(tzinfo=None)
        first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC) == at
        hit = first and _matches(fields, wall)
        skipped = before + MINUTE
        while skipped < wall and not hit:  # wall minutes that never happened
            hit = _matches(fields, skipped)
            skipped += MINUTE
        if hit:
            out.append(at)
        at += MINUTE
    return out


def test_the_oracle_agrees_with_croniter_matching() -> None:
    for cron in ["*/15 2 * * *", "0 7 13-16 * 1-5", "5,35 * * 3,10 0", "0-10 17 25-31 * *"]:
        fields = croniter(cron).expanded
        wall = datetime(2026, 3, 1)
        for _ in range(120):
            wall += timedelta(minutes=97)
            assert _matches(fields, wall) == croniter.match(cron, wall), (cron, wall)


# -- examples --------------------------------------------------------------------------------


def test_working_days_at_seven_in_shanghai() -> None:
    job = spec("0 7 * * 1-5")
    friday_afternoon = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    assert next_fire(job, friday_afternoon, SHANGHAI) == datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    own_zone = spec("0 7 * * 1-5", timezone="Europe/Berlin")
    assert next_fire(own_zone, friday_afternoon, SHANGHAI) == datetime(
        2026, 12, 7, 6, 0, tzinfo=UTC
    )


def test_a_time_skipped_by_spring_forward_fires_once_at_the_jump() -> None:
    job = spec("30 2 * * *")
    before = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert fires(job, before, before + timedelta(days=2), BERLIN) == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 CEST: 02:30 did not exist
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 CEST
    ]


def test_a_repeated_time_fires_once_at_its_first_occurrence() -> None:
    job = spec("*/30 2 * * *")
    before = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert fires(job, before, before + timedelta(hours=6), BERLIN) == [
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),  # 02:00 CEST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST; not again at 02:30 CET
    ]
    second_pass = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 02:15 CET
    assert previous_fire(job, second_pass, BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_fire(job, second_pass, BERLIN) == datetime(2026, 10, 26, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("cron", ["*/15 * * * *", "30 * * * *", "*/10 1-2 * * *", "0 3 * * *"])
@pytest.mark.parametrize("where", TRANSITIONS)
def test_looking_back_from_any_minute_around_a_clock_change(
    cron: str, where: tuple[tzinfo, datetime]
) -> None:
    zone, jump = where
    start = jump - timedelta(hours=26)
    expected = oracle(cron, zone, start, jump + timedelta(hours=2))
    for minutes in range(-90, 120, 7):
        at = jump + timedelta(minutes=minutes, seconds=13)
        assert previous_fire(spec(cron), at, zone) == max(f for f in expected if f <= at)


def test_shanghai_daylight_saving_of_1986() -> None:
    job = spec("0 * * * *")
    jump = datetime(1986, 5, 3, 18, 0, tzinfo=UTC)  # 02:00 CST became 03:00 CDT
    assert fires(job, jump - timedelta(hours=2), jump + timedelta(hours=1), SHANGHAI) == [
        jump - timedelta(hours=1),
        jump,
        jump + timedelta(hours=1),
    ]


def test_policies_after_a_day_of_downtime() -> None:
    last = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    now = datetime(2026, 12, 2, 0, 10, tzinfo=UTC)
    hourly = "0 * * * *"
    once = catch_up(spec(hourly), last, now, UTC)
    assert once.run == (datetime(2026, 12, 2, 0, 0, tzinfo=UTC),)
    assert once.skipped == (last + timedelta(hours=1), datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
    every = due_slots(spec(hourly, missed="all", catch_up=3), last, now, UTC)
    assert every == [now.replace(minute=0) - timedelta(hours=h) for h in (2, 1, 0)]
    uncapped = due_slots(spec(hourly, missed="all"), last, now, UTC)
    assert len(uncapped) == 24 and uncapped[0] == last + timedelta(hours=1)
    within_grace = now - timedelta(minutes=5)
    on_time = catch_up(spec(hourly, missed="skip"), last, within_grace, UTC)
    assert on_time.run == (now.replace(minute=0),) and on_time.skipped is not None
    late = catch_up(spec(hourly, missed="skip"), last, now, UTC)
    assert late.run == () and late.skipped == (last + timedelta(hours=1), now.replace(minute=0))
    assert late.latest == now.replace(minute=0)
    nothing = catch_up(spec(hourly), now.replace(minute=0), now, UTC)
    assert nothing.run == () and nothing.skipped is None and nothing.latest is None


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "problem"),
    [
        ({"name": "Bad Name"}, "job name"),
        ({"name": "-x"}, "job name"),
        ({"name": "x" * 65}, "job name"),
        ({"kind": "Scan;rm"}, "job kind"),
        ({"cron": "0 7 * * * *"}, "schedule"),
        ({"cron": "@daily"}, "schedule"),
        ({"cron": "61 7 * * *"}, "schedule"),
        ({"cron": "0 0 31 2 *"}, "never fires"),
        ({"timezone": "../../etc/passwd"}, "time zone"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"missed": "sometimes"}, "policy"),
        ({"catch_up": 0}, "catch_up"),
        ({"catch_up": MAX_CATCH_UP + 1}, "catch_up"),
        ({"catch_up": True}, "catch_up"),
        ({"args": {"when": datetime(2026, 1, 1)}}, "JSON"),
        ({"args": {"pair": (1, 2)}}, "JSON"),
        ({"args": {"ratio": math.nan}}, "finite"),
        ({"args": {1: "x"}}, "names"),
        ({"args": {"blob": "x" * 20_000}}, "larger"),
        ({"args": [1]}, "object"),
    ],
)
def test_bad_specs_are_refused(kw: dict[str, Any], problem: str) -> None:
    base: dict[str, Any] = {"name": "nightly.report", "kind": "report", "cron": "0 2 * * *"}
    with pytest.raises(InputError, match=problem):
        JobSpec(**{**base, **kw})


def test_spec_json_round_trip_and_unknown_fields() -> None:
    job = JobSpec(
        "baseline-web",
        "scan",
        "0 7 * * 1-5",
        args={"target": "web-01", "checks": ["ssh"], "deep": {"level": 2}},
        timezone="Asia/Shanghai",
        missed="all",
        catch_up=3,
        enabled=False,
    )
    assert JobSpec.from_json(job.to_json()) == job
    with pytest.raises(InputError, match="unknown job field"):
        JobSpec.from_json({**job.to_json(), "command": "rm -rf /"})
    with pytest.raises(InputError, match="needs cron"):
        JobSpec.from_json({"name": "x", "kind": "scan"})
    with pytest.raises(InputError, match="timezone-aware"):
        next_fire(job, datetime(2026, 1, 1), UTC)


# -- properties ------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    cron=crons,
    a=instants,
    gap=st.timedeltas(timedelta(0), timedelta(days=3)),
    zone=st.sampled_from(ZONES),
)
def test_next_fire_is_strictly_later_monotonic_and_nothing_is_in_between(
    cron: str, a: datetime, gap: timedelta, zone: tzinfo
) -> None:
    job = spec(cron)
    first = next_fire(job, a, zone)
    assert first > a
    assert next_fire(job, a + gap, zone) >= first
    assert previous_fire(job, first, zone) == first
    before = previous_fire(job, first - US, zone)
    assert before is None or before <= a
    latest = previous_fire(job, a, zone)
    assert latest is None or (latest <= a and next_fire(job, latest, zone) == first)


@settings(max_examples=100, deadline=None)
@given(
    cron=crons,
    where=st.sampled_from(TRANSITIONS),
    shift=st.integers(-120, 60),
    seconds=st.integers(0, 59),
    probe=st.timedeltas(timedelta(0), timedelta(hours=3)) | st.just(timedelta(hours=2)),
)
def test_fires_around_clock_changes_match_a_minute_by_minute_oracle(
    cron: str, where: tuple[tzinfo, datetime], shift: int, seconds: int, probe: timedelta
) -> None:
    zone, jump = where
    start = jump + timedelta(minutes=shift, seconds=seconds)
    end = start + timedelta(hours=3)
    expected = oracle(cron, zone, start, end)
    assert fires(spec(cron), start, end, zone) == expected
    assert len(set(expected)) == len(expected)
    earlier = [at for at in expected if at <= start + probe]
    if earlier:  # looking back from any point finds the newest fire at or before it
        assert previous_fire(spec(cron), start + probe, zone) == earlier[-1]


@settings(max_examples=60, deadline=None)
@given(
    cron=sparse_crons,
    missed=st.sampled_from(["skip", "once", "all"]),
    cap=st.integers(1, 6),
    zone=st.sampled_from(ZONES),
    where=st.sampled_from(TRANSITIONS),
    shift=st.timedeltas(timedelta(hours=-30), timedelta(hours=6)),
    down=st.timedeltas(timedelta(0), timedelta(hours=30)),
)
def test_policies_run_a_capped_tail_of_the_missed_slots_and_account_for_the_rest(
    cron: str,
    missed: str,
    cap: int,
    zone: tzinfo,
    where: tuple[tzinfo, datetime],
    shift: timedelta,
    down: timedelta,
) -> None:
    job = spec(cron, missed=missed, catch_up=cap)
    last = where[1] + shift
    now = last + down
    missed_slots = fires(job, last, now, zone)
    plan = catch_up(job, last, now, zone)
    assert list(plan.run) == sorted(set(plan.run))
    assert all(last < slot <= now for slot in plan.run)
    if missed == "all":
        assert list(plan.run) == missed_slots[-cap:]
    elif missed == "once":
        assert list(plan.run) == missed_slots[-1:]
    else:
        on_time = bool(missed_slots) and now - missed_slots[-1] <= timedelta(minutes=5)
        assert list(plan.run) == (missed_slots[-1:] if on_time else [])
    let_go = missed_slots[: len(missed_slots) - len(plan.run)]
    assert plan.skipped == ((let_go[0], let_go[-1]) if let_go else None)
    assert plan.latest == (missed_slots[-1] if missed_slots else None)
