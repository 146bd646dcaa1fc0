"""Tests of the Apache httpd / nginx error log parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.apache_error import ApacheErrorParser
from garrison.normalize.base import Line, ParseContext

DATA = Path(__file__).parent.parent / "data" / "apache_error"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def ctx(tz: tzinfo = UTC) -> ParseContext:
    return ParseContext(stream="t", now=NOW, tz=tz, year=2026)


def parse(lines: list[str], context: ParseContext | None = None) -> list[Event]:
    return list(
        ApacheErrorParser().parse(
            [Line(text, i * 1000) for i, text in enumerate(lines)], context or ctx()
        )
    )


def read(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").rstrip("\n").split("\n")


def assert_storable(event: Event) -> None:
    for key, value in event.fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            assert item is None or isinstance(item, str | int | float | bool), key
            assert "\x00" not in str(item), key
    assert "\x00" not in event.original
    json.dumps(event.to_dict())


def test_apache_24_exact_fields() -> None:
    event = parse(read("error.log"))[0]
    assert event.dataset == "apache.error"
    assert event.timestamp == datetime(2026, 11, 21, 10, 1, 2, 123456, tzinfo=UTC)
    assert dict(event.fields) == {
        schema.CATEGORY: "web",
        schema.TYPE: "error",
        schema.LOG_LEVEL: "error",
        "apache.error.module": "core",
        schema.PROCESS_PID: 1234,
        "process.thread.id": 140312345678912,
        schema.SOURCE_IP: "203.0.113.9",
        schema.SOURCE_PORT: 51234,
        "apache.error.code": "AH00126",
        schema.MESSAGE: "Invalid URI in request GET /..%2f..%2f..%2fetc/passwd HTTP/1.1",
        schema.ACTION: "invalid_uri",
        schema.OUTCOME: "failure",
        schema.LOG_OFFSET: 0,
        schema.KIND: "event",
    }


def test_apache_sample_all_lines() -> None:
    lines = read("error.log")
    events = parse(lines)
    assert len(events) == len(lines)
    for event in events:
        assert_storable(event)
    assert [e.fields.get(schema.ACTION) for e in events] == [
        "invalid_uri",
        "access_denied",
        "password_failed",
        "user_not_found",
        "log",
        "access_denied",
        "server_started",
        "log",
        "file_not_found",
        "server_started",
        "access_denied",
        "log",
        None,
    ]
    assert events[-1].unparsed
    assert "neither the Apache" in events[-1].fields[schema.ERROR_MESSAGE]
    assert events[-1].dataset == "apache.error"


def test_basic_auth_failures_are_authentication_events() -> None:
    events = parse(read("error.log"))
    mismatch, unknown = events[2].fields, events[3].fields
    assert mismatch[schema.CATEGORY] == "authentication"
    assert mismatch[schema.USER_NAME] == "admin"
    assert mismatch[schema.OUTCOME] == "failure"
    assert mismatch[schema.SOURCE_IP] == "198.51.100.23"
    assert mismatch[schema.HTTP_REFERRER] == "https://www.example.com/admin/"
    assert mismatch[schema.MESSAGE] == (
        'user admin: authentication failure for "/admin/": Password Mismatch'
    )
    assert unknown[schema.USER_NAME] == "oracle"
    assert unknown["apache.error.code"] == "AH01618"


def test_ipv6_client_with_port_and_os_error() -> None:
    events = parse(read("error.log"))
    assert events[4].fields[schema.SOURCE_IP] == "2001:db8::17"
    assert events[4].fields[schema.SOURCE_PORT] == 60000
    assert events[4].fields[schema.MESSAGE].startswith("Got error 'PHP message:")
    assert events[5].fields["apache.error.os_error"] == "(13)Permission denied"
    assert events[5].fields[schema.SOURCE_IP] == "10.0.0.5"


def test_space_padded_day_and_notice_without_client() -> None:
    event = parse(read("error.log"))[6]
    assert event.timestamp == datetime(2026, 11, 1, 3, 12, 1, tzinfo=UTC)
    assert event.fields[schema.LOG_LEVEL] == "notice"
    assert schema.SOURCE_IP not in event.fields


def test_apache_22_lines() -> None:
    events = parse(read("error.log"))
    f = events[8].fields
    assert events[8].timestamp == datetime(2026, 11, 21, 10, 2, tzinfo=UTC)
    assert f[schema.SOURCE_IP] == "192.0.2.44"
    assert schema.SOURCE_PORT not in f
    assert "apache.error.module" not in f
    assert f[schema.MESSAGE] == "File does not exist: /var/www/phpmyadmin"


def test_apache_22_ipv6_client_is_not_split() -> None:
    (event,) = parse(
        ["[Sat Nov 21 10:02:00 2026] [error] [client 2001:db8::1234] File does not exist: /x"]
    )
    assert event.fields[schema.SOURCE_IP] == "2001:db8::1234"
    assert schema.SOURCE_PORT not in event.fields


def test_apache_24_loopback_ipv6_with_port() -> None:
    (event,) = parse(
        ["[Sat Nov 21 10:02:00.1 2026] [core:info] [pid 7] [client ::1:58619] AH00000: x"]
    )
    assert event.fields[schema.SOURCE_IP] == "::1"
    assert event.fields[schema.SOURCE_PORT] == 58619
    assert "process.thread.id" not in event.fields


def test_startup_line_without_prefix() -> None:
    event = parse(read("error.log"))[11]
    assert not event.unparsed
    assert event.fields["apache.error.code"] == "AH00558"
    assert event.fields[schema.TAGS] == ["timestamp_unparsed"]
    assert event.timestamp == NOW


def test_nginx_exact_fields() -> None:
    event = parse(read("nginx_error.log"))[0]
    assert event.dataset == "nginx.error"
    assert event.timestamp == datetime(2026, 11, 21, 10, 1, 2, tzinfo=UTC)
    assert dict(event.fields) == {
        schema.CATEGORY: "web",
        schema.TYPE: "error",
        schema.LOG_LEVEL: "error",
        schema.PROCESS_PID: 1234,
        "process.thread.id": 1234,
        "nginx.error.connection_id": 5,
        "nginx.error.client": "203.0.113.9",
        schema.SOURCE_IP: "203.0.113.9",
        "nginx.error.server": "localhost",
        "nginx.error.request": "GET /wp-login.php HTTP/1.1",
        schema.HTTP_METHOD: "GET",
        schema.URL_ORIGINAL: "/wp-login.php",
        schema.URL_PATH: "/wp-login.php",
        schema.HTTP_VERSION: "1.1",
        "nginx.error.host": "www.example.com",
        schema.URL_DOMAIN: "www.example.com",
        schema.MESSAGE: 'open() "/usr/share/nginx/html/wp-login.php" failed '
        "(2: No such file or directory)",
        schema.ACTION: "file_not_found",
        schema.OUTCOME: "failure",
        schema.LOG_OFFSET: 0,
        schema.KIND: "event",
    }


def test_nginx_sample() -> None:
    events = parse(read("nginx_error.log"))
    assert not any(e.unparsed for e in events)
    assert all(e.dataset == "nginx.error" for e in events)
    assert [e.fields[schema.ACTION] for e in events] == [
        "file_not_found",
        "password_failed",
        "user_not_found",
        "access_denied",
        "upstream_timeout",
        "rate_limited",
        "log",
        "log",
        "log",
    ]
    assert events[1].fields[schema.USER_NAME] == "admin"
    assert events[1].fields[schema.CATEGORY] == "authentication"
    assert events[1].fields[schema.HTTP_REFERRER] == "http://10.0.0.1/"
    assert events[2].fields[schema.USER_NAME] == "oracle"
    assert events[3].fields[schema.SOURCE_IP] == "2001:db8::9"
    assert events[3].fields[schema.URL_PATH] == "/.env"
    assert events[4].fields["nginx.error.upstream"] == "http://127.0.0.1:8080/v1/orders"
    assert events[4].fields[schema.MESSAGE] == (
        "upstream timed out (110: Connection timed out) while reading response header from upstream"
    )
    assert events[5].fields[schema.URL_QUERY] == "q=a"
    assert "nginx.error.connection_id" not in events[6].fields
    assert events[7].fields[schema.LOG_LEVEL] == "emerg"
    assert events[8].fields["nginx.error.server"] == "0.0.0.0:443"


def test_zone_less_times_use_ctx_tz() -> None:
    shanghai = ctx(ZoneInfo("Asia/Shanghai"))
    apache = parse(read("error.log")[:1], shanghai)[0]
    nginx = parse(read("nginx_error.log")[:1], shanghai)[0]
    assert apache.timestamp == datetime(2026, 11, 21, 2, 1, 2, 123456, tzinfo=UTC)
    assert nginx.timestamp == datetime(2026, 11, 21, 2, 1, 2, tzinfo=UTC)


def test_impossible_date_keeps_event_with_tag() -> None:
    (event,) = parse(["2026/13/45 10:01:02 [error] 1#1: boom"])
    assert not event.unparsed
    assert event.fields[schema.TAGS] == ["timestamp_unparsed"]
    assert event.fields[schema.MESSAGE] == "boom"


def test_sniff_scores() -> None:
    parser = ApacheErrorParser()
    assert parser.sniff(read("error.log")) > 0.8
    assert parser.sniff(read("nginx_error.log")) == 1.0
    access = (DATA.parent / "access" / "nginx_access.log").read_text(encoding="utf-8")
    assert parser.sniff(access.splitlines()) == 0.0


VALID = read("error.log")[:12] + read("nginx_error.log")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises_and_never_drops(text: str) -> None:
    lines = text.split("\n")
    events = parse(lines)
    assert len(events) == sum(1 for line in lines if line.strip())
    for event in events:
        assert_storable(event)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    lines = data.decode("utf-8", errors="replace").split("\n")
    assert len(parse(lines)) == sum(1 for line in lines if line.strip())


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(VALID), st.integers(0, 300), st.text(max_size=12))
def test_mutated_lines_never_raise(line: str, at: int, junk: str) -> None:
    mutated = (line[:at] + junk + line[at:]).replace("\n", " ")
    events = parse([mutated])
    assert len(events) == (1 if mutated.strip() else 0)
    for event in events:
        assert_storable(event)
