"""Report data: codes and times are checked, times kept in UTC, sequences stored as tuples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from garrison.core.errors import InputError
from garrison.reports.model import (
    AffectedAsset,
    Attachment,
    Losses,
    MeasuredTimes,
    PhaseAction,
    SlaResult,
    TimelineEntry,
)
from tests.reports.samples import T0, sample

SHANGHAI = timezone(timedelta(hours=8))


def test_sample_is_valid_and_times_are_utc() -> None:
    data = sample(detected_at=datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    assert data.detected_at == T0
    assert data.detected_at.tzinfo is UTC


def test_lists_are_stored_as_tuples() -> None:
    data = sample(handlers=["a", "b"], improvements=["x"])
    assert data.handlers == ("a", "b")
    assert data.improvements == ("x",)
    hash(data.handlers)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"grade": "V"}, "unknown grade 'V'"),
        ({"category": "恶意程序"}, "unknown category"),
        ({"detected_at": datetime(2026, 11, 23, 2, 0)}, "detected_at must be a timezone-aware"),
        ({"closed_at": "2026-11-23"}, "closed_at must be a timezone-aware"),
    ],
)
def test_report_data_refuses_bad_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        sample(**changes)
    assert caught.value.hint


def test_parts_refuse_bad_values() -> None:
    with pytest.raises(InputError, match="asset importance"):
        AffectedAsset("db", "vital", "ops")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="timeline kind"):
        TimelineEntry(T0, "chat", "hi")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="aware"):
        TimelineEntry(datetime(2026, 1, 1), "note", "naive")
    with pytest.raises(InputError, match="phase"):
        PhaseAction("prepare", "x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="task status"):
        PhaseAction("contain", "x", status="finished")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="SLA status"):
        SlaResult("confirm", T0, "late")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="negative"):
        SlaResult("confirm", T0, "met", T0, timedelta(seconds=-1))
    with pytest.raises(InputError, match="negative"):
        MeasuredTimes(time_to_close=timedelta(minutes=-5))
    with pytest.raises(InputError, match="sha256"):
        Attachment("a.log", "xyz", 1)
    with pytest.raises(InputError, match="size"):
        Attachment("a.log", "a" * 64, -1)
    with pytest.raises(InputError, match="non-negative"):
        Losses("x", Decimal("-1"))
    with pytest.raises(InputError, match="non-negative"):
        Losses("x", Decimal("NaN"))
    with pytest.raises(InputError, match="ISO 4217"):
        Losses("x", Decimal(1), "yuan")


def test_sha256_is_lower_cased() -> None:
    assert Attachment("a", "AB" * 32, 0).sha256 == "ab" * 32
