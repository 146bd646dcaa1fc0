"""Tests of the IIS W3C extended log parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext
from garrison.normalize.iis import IisParser

DATA = Path(__file__).parent.parent / "data" / "iis"
NOW = datetime(2026, 11, 23, tzinfo=UTC)
FIELDS_14 = (
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
)


def ctx(tz: tzinfo = UTC) -> ParseContext:
    return ParseContext(stream="t", now=NOW, tz=tz, year=2026)


def parse(lines: list[str], context: ParseContext | None = None) -> list[Event]:
    return list(
        IisParser().parse([Line(text, i * 1000) for i, text in enumerate(lines)], context or ctx())
    )


def read() -> list[str]:
    # IIS writes CRLF line ends; the reader splits on "\n" only.
    raw = (DATA / "u_ex261121.log").read_bytes().decode("utf-8")
    return raw.rstrip("\n").split("\n")


def assert_storable(event: Event) -> None:
    for key, value in event.fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            assert item is None or isinstance(item, str | int | float | bool), key
            assert "\x00" not in str(item), key
    assert "\x00" not in event.original
    json.dumps(event.to_dict())


def test_headers_produce_no_events_and_data_lines_one_each() -> None:
    lines = read()
    events = parse(lines)
    data_lines = [line for line in lines if not line.startswith("#")]
    assert len(events) == len(data_lines) == 6
    assert not any(e.unparsed for e in events)
    assert [e.original for e in events] == data_lines
    for event in events:
        assert_storable(event)
        assert event.dataset == "iis.access"
        assert event.fields[schema.CATEGORY] == "web"
        assert event.fields[schema.TYPE] == "access"
        assert event.fields[schema.ACTION] == "http_request"


def test_first_layout_exact_fields() -> None:
    event = parse(read())[0]
    assert event.timestamp == datetime(2026, 11, 21, 0, 0, 1, tzinfo=UTC)
    query = "url=https%3a%2f%2fmail.example.com%2fowa%2f&reason=0"
    ua = (
        "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)"
        "+Chrome/120.0.0.0+Safari/537.36"
    )
    assert dict(event.fields) == {
        schema.CATEGORY: "web",
        schema.TYPE: "access",
        schema.ACTION: "http_request",
        "date": "2026-11-21",
        "time": "00:00:01",
        "s-ip": "10.0.0.10",
        "cs-method": "GET",
        "cs-uri-stem": "/owa/auth/logon.aspx",
        "cs-uri-query": query,
        "s-port": 443,
        "c-ip": "203.0.113.77",
        "cs(User-Agent)": ua,
        "sc-status": 200,
        "sc-substatus": 0,
        "sc-win32-status": 0,
        "time-taken": 46,
        schema.SOURCE_IP: "203.0.113.77",
        schema.DESTINATION_IP: "10.0.0.10",
        schema.DESTINATION_PORT: 443,
        schema.HTTP_METHOD: "GET",
        schema.URL_PATH: "/owa/auth/logon.aspx",
        schema.URL_ORIGINAL: "/owa/auth/logon.aspx?" + query,
        schema.URL_QUERY: query,
        schema.USER_AGENT: ua.replace("+", " "),
        schema.HTTP_STATUS: 200,
        schema.OUTCOME: "success",
        "event.duration": 46_000_000,
        schema.LOG_OFFSET: 4000,
        schema.KIND: "event",
    }


def test_domain_user_and_referrer() -> None:
    f = parse(read())[1].fields
    assert f["cs-username"] == "CONTOSO\\jdoe"
    assert f[schema.USER_NAME] == "jdoe"
    assert f[schema.USER_DOMAIN] == "CONTOSO"
    assert (
        f[schema.HTTP_REFERRER] == "https://mail.example.com/owa/auth/logon.aspx?replaceCurrent=1"
    )
    assert f[schema.OUTCOME] == "success"  # 302
    assert "cs-uri-query" not in f and schema.URL_QUERY not in f  # "-" is absent


def test_dash_values_are_absent_and_failures() -> None:
    events = parse(read())
    f = events[3].fields
    assert "cs(User-Agent)" not in f and schema.USER_AGENT not in f
    assert schema.USER_NAME not in f
    assert f[schema.HTTP_STATUS] == 404
    assert f[schema.OUTCOME] == "failure"
    assert events[2].fields["sc-win32-status"] == 2148074254


def test_fields_change_mid_file() -> None:
    events = parse(read())
    f = events[4].fields
    assert events[4].timestamp == datetime(2026, 11, 21, 8, 15, 2, tzinfo=UTC)
    assert f["s-sitename"] == "W3SVC1"
    assert f[schema.HOST_NAME] == "WEB01"
    assert f[schema.SOURCE_IP] == "2001:db8::5"
    assert f[schema.HTTP_VERSION] == "1.1"
    assert f[schema.URL_DOMAIN] == "shop.example.com"
    assert f["http.response.bytes"] == 1532
    assert f["http.request.bytes"] == 210
    assert f[schema.HTTP_STATUS] == 500
    assert f[schema.USER_AGENT] == "curl/8.4.0"
    assert events[5].fields[schema.DESTINATION_PORT] == 80


def test_timezone_is_ignored() -> None:
    events = parse(read(), ctx(ZoneInfo("Asia/Shanghai")))
    assert events[0].timestamp == datetime(2026, 11, 21, 0, 0, 1, tzinfo=UTC)


def test_data_before_fields_is_unparsed_with_reason() -> None:
    line = "2026-11-21 00:00:01 10.0.0.10 GET / - 80 - 192.0.2.1 - - 200 0 0 1"
    events = parse(["#Software: Microsoft Internet Information Services 10.0", line])
    assert len(events) == 1
    assert events[0].unparsed
    assert events[0].original == line
    assert "before any #Fields" in events[0].fields[schema.ERROR_MESSAGE]
    assert events[0].dataset == "iis.access"


def test_wrong_column_count_is_unparsed() -> None:
    events = parse([FIELDS_14, "2026-11-21 00:00:01 10.0.0.10 GET /"])
    assert events[0].unparsed
    assert events[0].fields[schema.ERROR_MESSAGE] == (
        "iis: line has 5 values but #Fields declares 15"
    )


def test_header_date_used_when_no_date_column() -> None:
    lines = ["#Date: 2026-11-20 23:00:00", "#Fields: time c-ip cs-method cs-uri-stem sc-status"]
    events = parse([*lines, "23:59:58.250 192.0.2.1 GET /x 200"])
    assert events[0].timestamp == datetime(2026, 11, 20, 23, 59, 58, 250000, tzinfo=UTC)
    assert events[0].fields[schema.URL_ORIGINAL] == "/x"


def test_bad_time_keeps_event_with_tag() -> None:
    events = parse(["#Fields: date time c-ip sc-status", "2026-11-21 99:99 192.0.2.1 200"])
    assert not events[0].unparsed
    assert events[0].fields[schema.TAGS] == ["timestamp_unparsed"]
    assert events[0].timestamp == NOW


def test_quoted_values_from_other_w3c_writers() -> None:
    events = parse(
        [
            "#Fields: date time c-ip cs(User-Agent) sc-status",
            '2026-11-21 00:00:01 192.0.2.1 "Mozilla/5.0 (X11; Linux)" 200',
        ]
    )
    assert events[0].fields[schema.USER_AGENT] == "Mozilla/5.0 (X11; Linux)"


def test_bom_and_crlf() -> None:
    events = parse(
        ["\ufeff#Fields: date time c-ip sc-status\r", "2026-11-21 00:00:01 192.0.2.1 200\r"]
    )
    assert events[0].fields[schema.SOURCE_IP] == "192.0.2.1"
    assert events[0].fields[schema.HTTP_STATUS] == 200


def test_column_names_cannot_shadow_schema_fields() -> None:
    events = parse(
        ["#Fields: date time event.kind @timestamp c-ip", "2026-11-21 00:00:01 x y 192.0.2.1"]
    )
    f = events[0].fields
    assert f[schema.KIND] == "event"
    assert f["iis.event.kind"] == "x"
    assert f["iis.@timestamp"] == "y"
    assert events[0].timestamp == datetime(2026, 11, 21, 0, 0, 1, tzinfo=UTC)


def test_sniff_scores() -> None:
    parser = IisParser()
    assert parser.sniff(read()) == 1.0
    access = (DATA.parent / "access" / "nginx_access.log").read_text(encoding="utf-8")
    assert parser.sniff(access.splitlines()) == 0.0
    assert parser.sniff(["2026-11-21 00:00:01 10.0.0.10 GET / - 80"]) == 0.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises_and_never_drops(text: str) -> None:
    lines = [FIELDS_14, *text.split("\n")]
    events = parse(lines)
    records = [
        ln
        for ln in lines
        if ln.lstrip("\ufeff").strip() and not ln.lstrip("\ufeff").startswith("#")
    ]
    assert len(events) == len(records)
    for event in events:
        assert_storable(event)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    lines = data.decode("utf-8", errors="replace").split("\n")
    events = parse(lines)
    records = [
        ln
        for ln in lines
        if ln.lstrip("\ufeff").strip() and not ln.lstrip("\ufeff").startswith("#")
    ]
    assert len(events) == len(records)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["-", "+", "x", "1", "2026-11-21", "00:00:01", "::1"]), max_size=16)
)
def test_random_values_under_fields_never_raise(values: list[str]) -> None:
    events = parse([FIELDS_14, " ".join(values) or "-"])
    assert len(events) == 1
    assert_storable(events[0])
