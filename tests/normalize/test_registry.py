"""Every registered parser: random bytes never raise and no line is dropped; detection."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.errors import UsageError
from garrison.ingest.reader import iter_lines
from garrison.normalize import registry
from garrison.normalize.base import ParseContext

DATA = Path(__file__).parents[1] / "data"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def ctx() -> ParseContext:
    return ParseContext(stream="prop", now=NOW, year=2026, reference_time=NOW)


@pytest.mark.parametrize("name", registry.names())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_raise_and_never_drop(name: str, data: bytes) -> None:
    parser = registry.create(name)
    if parser.binary:
        events = list(parser.parse_binary(io.BytesIO(data), ctx()))
        assert all(e.original is not None for e in events)
        return
    lines = list(iter_lines(io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]
    events = list(parser.parse(lines, ctx()))
    non_blank = [ln for ln in lines if ln.text.strip(" \t\r\n\ufeff")]
    # Grouping parsers (auditd, multi-line JSON) may merge lines, but every line's text must
    # reach the store, inside some event's original record.
    originals = "\n".join(e.original for e in events)
    for line in non_blank:
        stripped = line.text.strip()
        if stripped.startswith("#") and name == "iis":
            continue  # W3C directives are headers, not records
        if name == "auditd" and stripped.startswith(("----", "time->")):
            continue  # ausearch separators
        assert stripped.replace("\x00", "\ufffd")[:200] in originals or stripped[:200] in originals
    for event in events:
        assert "\x00" not in event.original
        assert event.timestamp.tzinfo is not None


def test_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        registry.create("nope")
    assert "syslog" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("syslog/auth.log", "syslog"),
        ("syslog/rfc5424.log", "syslog"),
        ("auditd/audit.log", "auditd"),
        ("access/nginx_access.log", "access"),
        ("apache_error/error.log", "apache-error"),
        ("iis/u_ex261121.log", "iis"),
        ("k8s-audit/audit.log", "k8s-audit"),
        ("falco/falco.jsonl", "falco"),
        ("actiontrail/actiontrail.jsonl", "actiontrail"),
        ("evtx-json/winlogbeat.ndjson", "evtx-json"),
        ("json/app.jsonl", "json"),
    ],
)
def test_detection_picks_the_right_parser(sample: str, expected: str) -> None:
    lines = (DATA / sample).read_text(encoding="utf-8").splitlines()[:64]
    assert registry.detect(lines).name == expected


def test_detection_by_magic_bytes() -> None:
    head = (DATA / "evtx" / "security.evtx").read_bytes()[:4096]
    assert registry.detect([], head).name == "evtx"


def test_nothing_recognised_is_none() -> None:
    found = registry.detect(["hello world", "just some words", "nothing structured"])
    assert found.name is None
