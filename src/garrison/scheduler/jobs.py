"""Scheduled jobs and their fire times: pure functions of a spec, a time and a time zone.

A job's cron expression is read in wall-clock time of a zone (the job's own, or the site's).
Wall times are mapped to instants with two rules, so that fire times are strictly increasing
and never repeat across daylight-saving changes:

* a wall time that happens twice (clocks go back) fires once, at its first occurrence;
* a wall time that does not exist (clocks go forward) fires at the end of the gap, i.e. at the
  instant the clocks jump (several such times fire once, together).

Slots missed while no scheduler ran are handled by the job's ``missed`` policy: ``skip`` runs
only a slot that is still on time (within a grace period), ``once`` runs the latest missed slot
once, ``all`` runs the latest ``catch_up`` missed slots in order. Every other missed slot is
reported as skipped so that history shows it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from croniter import CroniterError, croniter

from garrison.core.errors import InputError

Missed = Literal["skip", "once", "all"]
MISSED: tuple[Missed, ...] = get_args(Missed)

#: Job names: lower case, digits and ``_ . -``, 1-64 characters.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
#: Job kinds (what the service runs): ``scan``, ``report``, ``retention``, ``playbook``...
KIND = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
#: IANA zone names (no path tricks such as ``../``).
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}")

#: Default number of missed slots the ``all`` policy runs after downtime.
DEFAULT_CATCH_UP = 24
#: Upper bound of ``catch_up``: a long outage must not turn into an unbounded burst of runs.
MAX_CATCH_UP = 100
#: How late a slot may be and still count as on time for the ``skip`` policy.
DEFAULT_GRACE = timedelta(minutes=5)
#: Longest cron expression (the column's width).
MAX_CRON_CHARS = 128
#: Largest JSON size of a job's arguments.
MAX_ARGS_BYTES = 16_384

#: Cron steps looked at before giving up (a repeated hour of a minute-level job is 60 steps).
_MAX_STEPS = 2_000
_TICK = timedelta(microseconds=1)


def validate_cron(expression: str) -> str:
    """A five-field cron expression, checked.

    Raises:
        InputError: When it is not five fields croniter can read.
    """
    if (
        len(expression) > MAX_CRON_CHARS
        or len(expression.split()) != 5
        or not croniter.is_valid(expression)
    ):
        raise InputError(
            f"bad schedule {expression[:80]!r}",
            hint="five cron fields: minute hour day month weekday, e.g. '0 7 * * 1-5'",
        )
    return expression


def _check_json(value: Any, depth: int = 0) -> None:
    """Refuse anything JSON cannot hold exactly (tuples, sets, NaN, non-string keys, objects)."""
    if depth > 20:
        raise InputError("job arguments are nested too deeply")
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError("job arguments must be finite numbers")
        return
    if isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError("job argument names must be strings")
            _check_json(item, depth + 1)
        return
    raise InputError(f"job arguments must be JSON values, not {type(value).__name__}")


@dataclass(frozen=True)
class JobSpec:
    """One periodic job.

    Attributes:
        name: Unique name (``[a-z0-9][a-z0-9_.-]{0,63}``).
        kind: What runs it; the service maps kinds to functions (``scan``, ``report``,
            ``retention``, ``playbook``, ``sweep``).
        cron: Five-field cron expression, read in the job's time zone.
        args: JSON-ready arguments handed to the kind's function.
        timezone: IANA zone of the cron expression; ``None`` for the site's zone.
        missed: What to do with slots missed while no scheduler ran (see the module).
        catch_up: How many missed slots ``all`` runs at most.
        enabled: Whether the job is scheduled at all.
    """

    name: str
    kind: str
    cron: str
    args: dict[str, Any] = field(default_factory=dict)
    timezone: str | None = None
    missed: Missed = "once"
    catch_up: int = DEFAULT_CATCH_UP
    enabled: bool = True

    def __post_init__(self) -> None:
        """Check every field.

        Raises:
            InputError: Naming the first bad field.
        """
        if not NAME.fullmatch(self.name):
            raise InputError(
                f"bad job name {self.name[:80]!r}",
                hint="lower-case letters, digits and _ . - (1-64), starting with a letter or digit",
            )
        if not KIND.fullmatch(self.kind):
            raise InputError(f"bad job kind {self.kind[:40]!r}", hint="e.g. scan, report, sweep")
        validate_cron(self.cron)
        if not isinstance(self.args, dict):
            raise InputError("job arguments must be an object")
        _check_json(self.args)
        if len(orjson.dumps(self.args)) > MAX_ARGS_BYTES:
            raise InputError(f"job arguments are larger than {MAX_ARGS_BYTES} bytes")
        if self.timezone is not None:
            zone_of(self.timezone)
        if self.missed not in MISSED:
            raise InputError(
                f"bad missed-run policy {str(self.missed)[:20]!r}", hint="one of skip, once, all"
            )
        if isinstance(self.catch_up, bool) or not 1 <= self.catch_up <= MAX_CATCH_UP:
            raise InputError(f"catch_up must be between 1 and {MAX_CATCH_UP}")
        # An expression such as '0 0 31 2 *' is valid syntax but never fires.
        next_fire(self, datetime(2000, 1, 1, tzinfo=UTC), UTC)

    def zone(self, site: tzinfo) -> tzinfo:
        """The zone the cron expression is read in: the job's own, else ``site``."""
        return zone_of(self.timezone) if self.timezone else site

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (the inverse of :meth:`from_json`)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "cron": self.cron,
            "args": self.args,
            "timezone": self.timezone,
            "missed": self.missed,
            "catch_up": self.catch_up,
            "enabled": self.enabled,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobSpec:
        """Read a spec from a mapping (a config file, an API body).

        Raises:
            InputError: For unknown keys, missing keys or bad values.
        """
        known = {"name", "kind", "cron", "args", "timezone", "missed", "catch_up", "enabled"}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise InputError(f"unknown job field(s): {', '.join(unknown)[:200]}")
        missing = [k for k in ("name", "kind", "cron") if not isinstance(data.get(k), str)]
        if missing:
            raise InputError(f"a job needs {', '.join(missing)} (text)")
        enabled = data.get("enabled", True)
        catch = data.get("catch_up", DEFAULT_CATCH_UP)
        timezone = data.get("timezone")
        if not isinstance(enabled, bool) or not isinstance(catch, int):
            raise InputError("enabled must be true or false, catch_up a whole number")
        if timezone is not None and not isinstance(timezone, str):
            raise InputError("timezone must be text")
        return cls(
            name=data["name"],
            kind=data["kind"],
            cron=data["cron"],
            args=data.get("args") or {},
            timezone=timezone,
            missed=data.get("missed", "once"),
            catch_up=catch,
            enabled=enabled,
        )


def zone_of(name: str) -> tzinfo:
    """The IANA zone called ``name``.

    Raises:
        InputError: When there is no such zone.
    """
    if not _ZONE.fullmatch(name) or len(name) > 64:
        raise InputError(f"bad time zone {name[:64]!r}", hint="an IANA name, e.g. Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {name!r}", hint="an IANA name, e.g. Asia/Shanghai"
        ) from None


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    """The naive wall-clock time of an instant in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _instant(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a wall time: first occurrence if repeated, end of the gap if skipped."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first
    # In a gap: the two folds bracket the jump; find its instant (to the second) by bisection.
    other = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low = math.floor(min(first, other).timestamp())
    high = math.ceil(max(first, other).timestamp())
    while low < high:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) > wall:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise InputError("scheduler times must be timezone-aware")
    return when.astimezone(UTC)


def _never(spec: JobSpec) -> InputError:
    return InputError(f"schedule {spec.cron!r} of job {spec.name!r} never fires")


def next_fire(spec: JobSpec, after: datetime, tz: tzinfo) -> datetime:
    """The first fire time strictly after ``after``, as an aware UTC datetime.

    Args:
        spec: The job.
        after: Any aware time.
        tz: The site's zone (used when the job has none of its own).

    Raises:
        InputError: When the expression never fires.
    """
    after = _aware(after)
    zone = spec.zone(tz)
    try:
        fires = croniter(spec.cron, _wall(after, zone))
        for _ in range(_MAX_STEPS):
            # Wall times inside a repeated hour may map before ``after``: step past them.
            fire = _instant(fires.get_next(datetime), zone)
            if fire > after:
                return fire
    except CroniterError:
        raise _never(spec) from None
    raise _never(spec)


def previous_fire(spec: JobSpec, at: datetime, tz: tzinfo) -> datetime | None:
    """The latest fire time at or before ``at`` (UTC), or ``None`` when there is none."""
    at = _aware(at)
    zone = spec.zone(tz)
    local = at.astimezone(zone)
    # In the second pass of a repeated hour every wall time of that hour already fired in the
    # first pass: look from the wall time one fold later (the offsets differ only there).
    fold = (local.replace(fold=0).utcoffset() or timedelta()) - (local.utcoffset() or timedelta())
    start = local.replace(tzinfo=None, fold=0) + fold + _TICK
    try:
        fires = croniter(spec.cron, start)
        for _ in range(_MAX_STEPS):
            fire = _instant(fires.get_prev(datetime), zone)
            if fire <= at:
                return fire
    except CroniterError:
        return None
    return None


@dataclass(frozen=True, slots=True)
class CatchUp:
    """The slots of a job to run now, and the range of slots it let go.

    Attributes:
        run: Slots to run, oldest first.
        skipped: First and last slot not run (missed and dropped by the policy), if any.
    """

    run: tuple[datetime, ...]
    skipped: tuple[datetime, datetime] | None = None

    @property
    def latest(self) -> datetime | None:
        """The newest slot handled (run or skipped): the job's new watermark."""
        if self.run:
            return self.run[-1]
        return self.skipped[1] if self.skipped else None


def catch_up(
    spec: JobSpec,
    last_slot: datetime,
    now: datetime,
    tz: tzinfo,
    *,
    grace: timedelta = DEFAULT_GRACE,
) -> CatchUp:
    """Which slots in ``(last_slot, now]`` run, by the job's missed-run policy.

    Args:
        spec: The job.
        last_slot: Watermark: slots at or before it were handled already.
        now: The current time.
        tz: The site's zone.
        grace: How late a slot may be and still run under ``skip``.
    """
    last_slot, now = _aware(last_slot), _aware(now)
    latest = previous_fire(spec, now, tz)
    if latest is None or latest <= last_slot:
        return CatchUp(())
    run = [latest]
    if spec.missed == "all":
        while len(run) < spec.catch_up:
            earlier = previous_fire(spec, run[-1] - _TICK, tz)
            if earlier is None or earlier <= last_slot:
                break
            run.append(earlier)
        run.reverse()
    elif spec.missed == "skip" and now - latest > grace:
        run = []
    first = next_fire(spec, last_slot, tz)
    if run and first >= run[0]:
        return CatchUp(tuple(run))
    dropped = previous_fire(spec, run[0] - _TICK, tz) if run else latest
    return CatchUp(tuple(run), (first, dropped or first))


def due_slots(
    spec: JobSpec,
    last_slot: datetime,
    now: datetime,
    tz: tzinfo,
    *,
    grace: timedelta = DEFAULT_GRACE,
) -> list[datetime]:
    """The slots to run now, oldest first (see :func:`catch_up`)."""
    return list(catch_up(spec, last_slot, now, tz, grace=grace).run)
