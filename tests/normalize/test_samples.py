"""Every sample of every format parses, with C1's six fields filled where the source has them.

REQUIREMENTS C1 (000 §4.1): time, source IP, destination IP, account, event type, result. The
expectations below say, per dataset and category, which of them the source always carries.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from garrison.core.ids import stream_key
from garrison.events.model import Event
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import choose_parser
from garrison.ingest.reader import iter_lines, open_binary, peek
from garrison.normalize.base import ParseContext

DATA = Path(__file__).parents[1] / "data"
SAMPLES = sorted(p for p in DATA.rglob("*") if p.is_file())
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

#: (dataset, category) -> fields every such event must have.
REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("linux.auth", "authentication"): ("user.name", "event.outcome"),
    ("linux.auditd", "authentication"): ("user.name", "event.outcome"),
    ("web.access", "web"): ("source.ip", "event.outcome", "http.response.status_code"),
    ("iis.access", "web"): (
        "source.ip",
        "destination.ip",
        "event.outcome",
        "http.response.status_code",
    ),
    ("aws.cloudtrail", "authentication"): ("user.name", "event.outcome"),
    ("aliyun.actiontrail", "authentication"): ("user.name", "event.outcome"),
    ("windows.evtx", "authentication"): ("user.name", "event.outcome"),
    ("kubernetes.audit", "configuration"): ("user.name", "source.ip", "event.outcome"),
}
#: Files that contain deliberately malformed records, with how many.
EXPECTED_UNPARSED: dict[str, int] = {
    "access/nginx_access.log": 1,
    "apache_error/error.log": 1,
    "auditd/audit.log": 1,
    "json/mixed.jsonl": 2,
}
#: Datasets of free-form messages: informational lines (``sshd: Server listening``) carry no
#: category; every line a parser recognised (it has an ``event.action``) must.
UNCATEGORISED = {"linux.syslog", "linux.auth", "json"}
#: Records whose source really carries no account (so ``user.name`` stays empty).
NO_USER_IN_SOURCE = (
    "check pass; user unknown",
    "ruser= rhost=203.0.113.45\n",
    "Failed none for invalid user  from",
)
#: Tags that explain why an event carries the ingestion time.
NO_TIME_TAGS = {"timestamp_unparsed", "timestamp_missing"}


def parse_file(path: Path) -> tuple[str, list[Event]]:
    stream, _raw = open_binary(path)
    with stream:
        head = peek(stream)
        lines = list(iter_lines(stream))
        options = IngestOptions(year=2026)
        parser, name = choose_parser(options, [ln.text for ln in lines[:64]], head)
        ctx = ParseContext(stream=stream_key(head[:64]), now=NOW, year=2026, reference_time=NOW)
        if parser.binary:
            return name, list(parser.parse_binary(io.BytesIO(path.read_bytes()), ctx))
        return name, list(parser.parse(lines, ctx))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(DATA)))
def test_sample_parses_with_the_six_fields(path: Path) -> None:
    name, events = parse_file(path)
    assert name != "unknown", f"{path.name} was not recognised"
    assert events, f"{path.name} produced no events"
    unparsed = [e for e in events if e.unparsed]
    assert len(unparsed) == EXPECTED_UNPARSED.get(str(path.relative_to(DATA)), 0), [
        (e.original[:80], e.fields.get("error.message")) for e in unparsed
    ]
    missing: Counter[str] = Counter()
    for event in events:
        if event.unparsed:
            continue
        assert event.timestamp != NOW or NO_TIME_TAGS & set(event.fields.get("tags", [])), (
            f"no time parsed from {event.original[:100]!r}"
        )
        category = event.fields.get("event.category")
        if event.dataset not in UNCATEGORISED or event.fields.get("event.action"):
            assert category, f"no event.category for {event.original[:100]!r}"
        for field in REQUIRED.get((event.dataset, str(category)), ()):
            if field == "user.name" and any(t in event.original + "\n" for t in NO_USER_IN_SOURCE):
                continue
            if event.fields.get(field) in (None, ""):
                missing[f"{event.dataset}/{category}: {field} <- {event.original[:70]}"] += 1
    assert not missing, "\n".join(missing)
