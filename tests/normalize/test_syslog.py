"""Tests of the syslog parser: headers, timestamps, repeats, RFC 5424, sample files."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext
from garrison.normalize.syslog import MAX_REPEAT, SyslogParser, netfilter_fields

DATA = Path(__file__).parent.parent / "data" / "syslog"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def ctx(**kwargs: object) -> ParseContext:
    args: dict[str, object] = {"stream": "t", "now": NOW, "tz": UTC, "year": 2026}
    args.update(kwargs)
    return ParseContext(**args)  # type: ignore[arg-type]


def parse(lines: list[str], context: ParseContext | None = None) -> list[Event]:
    parser = SyslogParser()
    offsets = [Line(text, i * 1000) for i, text in enumerate(lines)]
    return list(parser.parse(offsets, context or ctx()))


def one(line: str, context: ParseContext | None = None) -> Event:
    events = parse([line], context)
    assert len(events) == 1
    return events[0]


def read(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


# --- headers -------------------------------------------------------------------------------------


def test_rfc3164_header_fields() -> None:
    ev = one("Nov 23 13:51:02 web01 sshd[1234]: Server listening on :: port 22.")
    assert ev.timestamp == datetime(2026, 11, 23, 13, 51, 2, tzinfo=UTC)
    assert ev.dataset == "linux.auth"
    assert ev.fields["host.name"] == "web01"
    assert ev.fields["process.name"] == "sshd"
    assert ev.fields["process.pid"] == 1234
    assert ev.fields["message"] == "Server listening on :: port 22."
    assert ev.fields["event.kind"] == "event"
    assert ev.fields["log.offset"] == 0
    assert "log.syslog.priority" not in ev.fields
    assert ev.original == "Nov 23 13:51:02 web01 sshd[1234]: Server listening on :: port 22."


def test_rfc3164_with_pri_single_digit_day_and_no_pid() -> None:
    ev = one("<86>Nov  3 07:05:00 web01 su: (to root) alice on pts/0")
    assert ev.timestamp == datetime(2026, 11, 3, 7, 5, tzinfo=UTC)
    assert ev.fields["log.syslog.priority"] == 86
    assert ev.fields["log.syslog.facility.code"] == 10
    assert ev.fields["log.syslog.severity.code"] == 6
    assert ev.fields["process.name"] == "su"
    assert "process.pid" not in ev.fields
    assert ev.fields["event.action"] == "su"


def test_generic_message_is_linux_syslog() -> None:
    ev = one("Nov 23 06:30:00 web01 systemd[1]: Starting Daily apt download activities...")
    assert ev.dataset == "linux.syslog"
    assert ev.fields["process.name"] == "systemd"
    assert ev.fields["message"] == "Starting Daily apt download activities..."
    assert "event.category" not in ev.fields


def test_message_without_tag() -> None:
    ev = one("Nov 23 07:20:00 web01 -- MARK --")
    assert ev.dataset == "linux.syslog"
    assert ev.fields["host.name"] == "web01"
    assert "process.name" not in ev.fields
    assert ev.fields["message"] == "-- MARK --"


def test_header_without_host() -> None:
    ev = one("Nov 23 13:51:03 sshd[12]: Failed password for root from 203.0.113.5 port 5 ssh2")
    assert "host.name" not in ev.fields
    assert ev.fields["process.name"] == "sshd"
    assert ev.fields["process.pid"] == 12
    assert ev.fields["source.ip"] == "203.0.113.5"
    assert ev.fields["event.outcome"] == "failure"


def test_rsyslog_iso_timestamp_variant() -> None:
    line = "2026-11-23T13:51:02.123456+08:00 web01 sshd[7]: Invalid user x from 192.0.2.1 port 9"
    ev = one(line)
    assert ev.timestamp == datetime(2026, 11, 23, 5, 51, 2, 123456, tzinfo=UTC)
    assert ev.fields["host.name"] == "web01"
    assert ev.fields["event.action"] == "invalid_user"
    assert ev.fields["user.name"] == "x"


def test_bsd_fractional_seconds() -> None:
    ev = one("Nov 23 13:51:02.5 web01 app: hello")
    assert ev.timestamp == datetime(2026, 11, 23, 13, 51, 2, 500000, tzinfo=UTC)


def test_crlf_line_ending_is_not_part_of_the_message() -> None:
    ev = one("Nov 23 13:51:02 web01 sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2\r")
    assert ev.fields["event.outcome"] == "success"
    assert ev.fields["message"].endswith("ssh2")


def test_nul_is_replaced() -> None:
    ev = one("Nov 23 13:51:02 web01 app: a\x00b")
    assert ev.fields["message"] == "a\ufffdb"
    assert "\x00" not in ev.original


def test_unparsed_line_keeps_text_and_reason() -> None:
    ev = one("this is not syslog at all")
    assert ev.unparsed
    assert ev.dataset == "linux.syslog"
    assert ev.original == "this is not syslog at all"
    assert ev.fields["error.message"] == (
        "syslog: line does not start with an RFC 3164 or RFC 5424 header"
    )
    assert ev.timestamp == NOW


def test_blank_lines_are_skipped() -> None:
    assert parse(["", "   ", "\t"]) == []


# --- timestamps ----------------------------------------------------------------------------------


def test_year_inferred_from_reference_time_december_in_january() -> None:
    context = ctx(year=None, reference_time=datetime(2027, 1, 1, 2, 0, tzinfo=UTC))
    dec, jan = parse(
        ["Dec 31 23:59:59 h app: old year", "Jan  1 00:00:03 h app: new year"], context
    )
    assert dec.timestamp == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert jan.timestamp == datetime(2027, 1, 1, 0, 0, 3, tzinfo=UTC)


def test_year_inferred_from_now_when_no_reference_time() -> None:
    context = ctx(year=None, now=datetime(2030, 3, 5, tzinfo=UTC))
    assert one("Mar  4 10:00:00 h app: x", context).timestamp.year == 2030
    assert one("Apr  4 10:00:00 h app: x", context).timestamp.year == 2029


def test_explicit_year_wins() -> None:
    context = ctx(year=2019, reference_time=datetime(2027, 1, 1, tzinfo=UTC))
    assert one("Dec 31 23:59:59 h app: x", context).timestamp.year == 2019


def test_timezone_conversion_asia_shanghai() -> None:
    context = ctx(tz=ZoneInfo("Asia/Shanghai"))
    ev = one("Nov 23 13:51:02 web01 sshd[1]: Invalid user x from 192.0.2.1 port 9", context)
    assert ev.timestamp == datetime(2026, 11, 23, 5, 51, 2, tzinfo=UTC)
    assert ev.timestamp.tzinfo is UTC


def test_timezone_with_dst_new_york() -> None:
    context = ctx(tz=ZoneInfo("America/New_York"))
    summer, winter = parse(["Jul  1 12:00:00 h a: x", "Dec  1 12:00:00 h a: x"], context)
    assert summer.timestamp == datetime(2026, 7, 1, 16, tzinfo=UTC)
    assert winter.timestamp == datetime(2026, 12, 1, 17, tzinfo=UTC)


def test_iso_offset_ignores_stream_zone() -> None:
    context = ctx(tz=ZoneInfo("Asia/Shanghai"))
    ev = one("2026-11-23T13:51:02Z web01 app: x", context)
    assert ev.timestamp == datetime(2026, 11, 23, 13, 51, 2, tzinfo=UTC)


def test_invalid_timestamp_keeps_event_and_tags_it() -> None:
    ev = one("Feb 30 10:00:00 web01 sshd[1]: Failed password for root from 192.0.2.1 port 2 ssh2")
    assert not ev.unparsed
    assert ev.timestamp == NOW
    assert ev.fields["tags"] == ["timestamp_unparsed"]
    assert ev.fields["event.action"] == "ssh_login"


def test_timestamp_cache_does_not_leak_between_contexts() -> None:
    parser = SyslogParser()
    line = [Line("Nov 23 13:51:02 h a: x", 0)]
    utc = next(parser.parse(line, ctx()))
    sh = next(parser.parse(line, ctx(tz=ZoneInfo("Asia/Shanghai"))))
    assert utc.timestamp.hour == 13
    assert sh.timestamp.hour == 5


# --- repeated messages ---------------------------------------------------------------------------


def test_rsyslog_message_repeated_expands_to_exactly_n() -> None:
    line = (
        "Nov 23 08:15:48 web01 sshd[41010]: message repeated 4 times: "
        "[ Failed password for root from 203.0.113.45 port 40112 ssh2]"
    )
    events = parse([line])
    assert len(events) == 4
    assert len({e.id for e in events}) == 4
    for ev in events:
        assert ev.original == line
        assert ev.dataset == "linux.auth"
        assert ev.fields["message"] == "Failed password for root from 203.0.113.45 port 40112 ssh2"
        assert ev.fields["event.action"] == "ssh_login"
        assert ev.fields["event.outcome"] == "failure"
        assert ev.fields["user.name"] == "root"
        assert ev.fields["source.ip"] == "203.0.113.45"
        assert ev.fields["process.pid"] == 41010
        assert ev.fields["syslog.repeat_count"] == 4
        assert ev.fields["log.offset"] == 0
    # Each event owns its dict: changing one must not change another.
    assert all(a.fields is not b.fields for a, b in itertools.pairwise(events))


def test_sysklogd_last_message_repeated_repeats_previous_record() -> None:
    first = "Nov 23 06:26:11 web01 sshd[5]: Invalid user bob from 192.0.2.9 port 7"
    events = parse([first, "Nov 23 06:26:42 web01 last message repeated 3 times"])
    assert len(events) == 4
    assert len({e.id for e in events}) == 4
    for ev in events[1:]:
        assert ev.original == "Nov 23 06:26:42 web01 last message repeated 3 times"
        assert ev.timestamp == datetime(2026, 11, 23, 6, 26, 42, tzinfo=UTC)
        assert ev.fields["process.name"] == "sshd"
        assert ev.fields["process.pid"] == 5
        assert ev.fields["event.action"] == "invalid_user"
        assert ev.fields["user.name"] == "bob"
        assert ev.fields["source.ip"] == "192.0.2.9"


def test_last_message_repeated_after_rsyslog_repeat_repeats_inner_message() -> None:
    events = parse(
        [
            "Nov 23 01:00:00 h sshd[1]: message repeated 2 times: [ Invalid user a from 192.0.2.1]",
            "Nov 23 01:00:30 h --- last message repeated 2 times ---",
        ]
    )
    assert len(events) == 4
    assert {e.fields["event.action"] for e in events} == {"invalid_user"}


def test_last_message_repeated_without_previous_is_kept_once() -> None:
    ev = one("Nov 23 06:26:42 web01 last message repeated 3 times")
    assert ev.fields["tags"] == ["repeat_without_previous"]
    assert ev.fields["message"] == "last message repeated 3 times"
    assert ev.dataset == "linux.syslog"


def test_repeat_count_is_capped() -> None:
    line = f"Nov 23 01:00:00 h app: message repeated {MAX_REPEAT + 5} times: [ x]"
    events = parse([line])
    assert len(events) == MAX_REPEAT
    assert events[0].fields["syslog.repeat_count"] == MAX_REPEAT + 5
    assert events[0].fields["tags"] == ["repeat_count_capped"]
    assert events[0].fields["tags"] is not events[1].fields["tags"]


def test_repeat_zero_is_an_ordinary_message() -> None:
    ev = one("Nov 23 01:00:00 h app: message repeated 0 times: [ x]")
    assert ev.fields["message"] == "message repeated 0 times: [ x]"


def test_ids_are_stable_across_runs() -> None:
    lines = read("auth.log")
    assert [e.id for e in parse(lines)] == [e.id for e in parse(lines)]
    assert len({e.id for e in parse(lines)}) == len(parse(lines))


# --- RFC 5424 ------------------------------------------------------------------------------------


def test_rfc5424_structured_data() -> None:
    line = (
        "<165>1 2026-11-23T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
        'iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] '
        "\ufeffAn application event log entry"
    )
    ev = one(line)
    assert ev.timestamp == datetime(2026, 11, 23, 22, 14, 15, 3000, tzinfo=UTC)
    assert ev.dataset == "linux.syslog"
    assert ev.fields["host.name"] == "mymachine.example.com"
    assert ev.fields["process.name"] == "evntslog"
    assert "process.pid" not in ev.fields
    assert ev.fields["syslog.msgid"] == "ID47"
    assert ev.fields["syslog.sd.exampleSDID@32473.iut"] == "3"
    assert ev.fields["syslog.sd.exampleSDID@32473.eventSource"] == "Application"
    assert ev.fields["syslog.sd.exampleSDID@32473.eventID"] == "1011"
    assert ev.fields["syslog.sd.examplePriority@32473.class"] == "high"
    assert ev.fields["message"] == "An application event log entry"
    assert ev.fields["log.syslog.facility.code"] == 20
    assert ev.fields["log.syslog.severity.code"] == 5


def test_rfc5424_nilvalues() -> None:
    ev = one("<13>1 - - - - - -")
    assert ev.timestamp == NOW
    assert ev.fields["tags"] == ["timestamp_missing"]  # why it carries the ingestion time
    assert "host.name" not in ev.fields
    assert "process.name" not in ev.fields
    assert "syslog.msgid" not in ev.fields
    assert ev.fields["message"] == ""
    assert ev.fields["log.syslog.priority"] == 13


def test_rfc5424_escapes_repeated_params_and_auth_message() -> None:
    line = (
        '<86>1 2026-11-23T13:51:02.123456+08:00 bastion sshd 4242 - [meta a="x \\"q\\" \\] \\n" '
        'a="2"] Accepted publickey for alice from 2001:db8::42 port 50522 ssh2'
    )
    ev = one(line)
    assert ev.timestamp == datetime(2026, 11, 23, 5, 51, 2, 123456, tzinfo=UTC)
    assert ev.fields["syslog.sd.meta.a"] == ['x "q" ] \\n', "2"]
    assert ev.dataset == "linux.auth"
    assert ev.fields["process.pid"] == 4242
    assert ev.fields["event.action"] == "ssh_login"
    assert ev.fields["source.ip"] == "2001:db8::42"
    assert ev.fields["user.name"] == "alice"


def test_rfc5424_malformed_structured_data_is_kept_as_message() -> None:
    ev = one("<13>1 2026-11-23T00:00:00Z h app 1 - [broken no close")
    assert ev.fields["message"] == "[broken no close"
    assert ev.fields["tags"] == ["structured_data_unparsed"]
    assert ev.fields["process.pid"] == 1


def test_rfc5424_non_numeric_procid() -> None:
    ev = one("<13>1 2026-11-23T00:00:00Z h app worker-3 - - hi")
    assert ev.fields["syslog.procid"] == "worker-3"
    assert "process.pid" not in ev.fields


# --- kernel netfilter ----------------------------------------------------------------------------


def test_netfilter_fields() -> None:
    msg = (
        "[1234567.890123] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=203.0.113.9 "
        "DST=10.0.0.4 LEN=40 PROTO=TCP SPT=47001 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0"
    )
    assert netfilter_fields(msg) == {
        "event.category": "network",
        "event.type": "denied",
        "event.action": "netfilter_log",
        "event.outcome": "failure",
        "netfilter.prefix": "[UFW BLOCK]",
        "source.ip": "203.0.113.9",
        "source.port": 47001,
        "destination.ip": "10.0.0.4",
        "destination.port": 23,
        "network.transport": "tcp",
        "netfilter.in": "eth0",
        "netfilter.out": "",
        "netfilter.mac": "52:54:00:12:34:56",
        "netfilter.proto": "TCP",
    }


# --- sample files --------------------------------------------------------------------------------

# One row per event: (event.action, event.outcome, user.name, source.ip).
AUTH_LOG = [
    ("session_opened", "success", "root", None),
    ("session_closed", "success", "root", None),
    ("invalid_user", "failure", "oracle", "203.0.113.45"),
    ("user_unknown", "failure", None, None),
    ("authentication_failure", "failure", None, "203.0.113.45"),
    ("ssh_login", "failure", "oracle", "203.0.113.45"),
    ("disconnect", "unknown", "oracle", "203.0.113.45"),
    ("authentication_failure", "failure", "root", "203.0.113.45"),
    ("ssh_login", "failure", "root", "203.0.113.45"),
    ("ssh_login", "failure", "root", "203.0.113.45"),
    ("ssh_login", "failure", "root", "203.0.113.45"),
    ("max_auth_attempts_exceeded", "failure", "root", "203.0.113.45"),
    ("max_auth_attempts_exceeded", "failure", "root", "203.0.113.45"),
    ("pam_auth_failures", "failure", "root", "203.0.113.45"),
    ("no_identification_string", "failure", None, "198.51.100.23"),
    ("disconnect", "unknown", None, "192.0.2.77"),
    ("disconnect", "unknown", "admin", "192.0.2.77"),
    ("disconnect", "unknown", None, "192.0.2.78"),
    ("ssh_login", "success", "alice", "2001:db8:85a3::8a2e:370:7334"),
    ("session_opened", "success", "alice", None),
    ("session_created", "success", "alice", None),
    ("sudo_command", "success", "alice", None),
    ("session_opened", "success", "alice", None),
    ("session_closed", "success", "root", None),
    ("authentication_failure", "failure", "alice", None),
    ("sudo_command", "failure", "alice", None),
    ("sudo_command", "failure", "bob", None),
    ("sudo_command", "failure", "alice", None),
    ("su", "success", "alice", None),
    ("session_opened", "success", "alice", None),
    ("authentication_failure", "failure", "alice", None),
    ("su", "failure", "alice", None),
    ("group_created", "success", None, None),
    ("group_created", "success", None, None),
    ("group_created", "success", None, None),
    ("user_created", "success", None, None),
    ("password_changed", "success", None, None),
    ("user_added_to_group", "success", None, None),
    ("user_added_to_group", "success", None, None),
    ("user_created", "success", None, None),
    ("password_locked", "success", None, None),
    ("user_changed", "success", None, None),
    ("user_deleted", "success", None, None),
    ("group_deleted", "success", None, None),
    ("group_deleted", "success", None, None),
    ("session_opened", "success", "root", None),
    ("disconnect", "unknown", None, "2001:db8:85a3::8a2e:370:7334"),
    ("disconnect", "unknown", "alice", "2001:db8:85a3::8a2e:370:7334"),
    ("session_closed", "success", "alice", None),
    ("session_logged_out", "success", None, None),
    ("session_removed", "success", None, None),
    ("ssh_login", "success", "deploy", "10.20.0.15"),
    ("ssh_login", "success", "carol", "10.20.0.16"),
    ("ssh_login", "failure", None, "198.51.100.99"),
    (None, None, None, None),
]
SECURE = [
    ("authentication_failure", "failure", "postgres", None),
    ("ssh_login", "failure", "postgres", "198.51.100.10"),
    ("account_locked", "failure", "postgres", None),
    ("requirement_not_met", "failure", "root", None),
    ("ssh_login", "failure", "admin", "198.51.100.11"),
    ("user_not_allowed", "failure", "root", "198.51.100.12"),
    ("connection_opened", "success", None, "198.51.100.13"),
    ("negotiation_failed", "failure", None, "198.51.100.13"),
    ("ssh_login", "success", "svc_backup", "10.0.0.8"),
    ("session_opened", "success", "svc_backup", None),
    ("session_opened", "success", "root", None),
    ("cron_command", "success", "root", None),
    ("session_opened", "success", "dba", None),
    ("su", "success", "dba", None),
    ("su", "failure", "dba", None),
    ("sudo_command", "success", "dba", None),
    ("password_check_failed", "failure", "dba", None),
    ("user_added_to_group", "success", "root", None),
    ("password_expiry_changed", "success", None, None),
    ("disconnect", "unknown", None, "198.51.100.14"),
    ("max_auth_attempts_exceeded", "failure", "root", None),
    (None, None, None, None),
]
SYSLOG = [
    (None, None, None, None),
    *[("netfilter_log", "failure", None, "203.0.113.9")] * 5,  # 2 lines + "repeated 3 times"
    (None, None, None, None),
    (None, None, None, None),
    (None, None, None, None),
    ("cron_command", "success", "www-data", None),
    (None, None, None, None),
    (None, None, None, None),
    ("ssh_login", "failure", "root", "203.0.113.80"),
    (None, None, None, None),
]
RFC5424 = [
    ("su", "failure", "lonvick", None),
    (None, None, None, None),
    (None, None, None, None),
    (None, None, None, None),
    ("ssh_login", "success", "alice", "2001:db8::42"),
    (None, None, None, None),
    ("sudo_command", "success", "alice", None),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("auth.log", AUTH_LOG), ("secure", SECURE), ("syslog", SYSLOG), ("rfc5424.log", RFC5424)],
)
def test_sample_file(name: str, expected: list[tuple[str | None, ...]]) -> None:
    events = parse(read(name))
    got = [
        (
            e.get(schema.ACTION),
            e.get(schema.OUTCOME),
            e.get(schema.USER_NAME),
            e.get(schema.SOURCE_IP),
        )
        for e in events
    ]
    assert got == expected
    for ev in events:
        assert not ev.unparsed
        assert ev.timestamp.tzinfo is UTC
        assert ev.fields.get("tags", []) in ([], ["timestamp_missing"])
        # Whenever an action is recognised, so are the category and the outcome.
        if ev.get(schema.ACTION) is not None:
            assert isinstance(ev.get(schema.CATEGORY), str)
            assert ev.get(schema.OUTCOME) in ("success", "failure", "unknown")
        for value in ev.fields.values():
            assert isinstance(value, str | int | float | bool | list | None)


def test_auth_log_datasets_and_details() -> None:
    events = parse(read("auth.log"))
    assert {e.dataset for e in events} == {"linux.auth"}
    uid0 = [e for e in events if e.fields.get("user.target.id") == "0"]
    assert [e.fields["user.target.name"] for e in uid0] == ["backup2", "bob"]
    sudo = next(e for e in events if e.fields.get("event.action") == "sudo_command")
    assert sudo.fields["user.effective.name"] == "root"
    assert sudo.fields["process.working_directory"] == "/home/alice"
    assert sudo.fields["process.command_line"] == "/usr/bin/cat /etc/shadow"


def test_secure_year_rollover_with_inferred_year() -> None:
    context = ctx(year=None, reference_time=datetime(2027, 1, 1, 1, 0, tzinfo=UTC))
    events = parse(read("secure"), context)
    assert events[0].timestamp == datetime(2026, 12, 31, 23, 58, 2, tzinfo=UTC)
    assert events[3].timestamp == datetime(2027, 1, 1, 0, 0, 3, tzinfo=UTC)


def test_syslog_sample_datasets() -> None:
    events = parse(read("syslog"))
    assert [e.dataset for e in events].count("linux.auth") == 2
    assert events[10].fields["log.syslog.priority"] == 30


# --- sniffing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["auth.log", "secure", "syslog", "rfc5424.log"])
def test_sniff_recognises_samples(name: str) -> None:
    assert SyslogParser().sniff(read(name)) == 1.0


def test_sniff_rejects_other_formats() -> None:
    sample = [
        '127.0.0.1 - - [23/Nov/2026:13:51:02 +0800] "GET / HTTP/1.1" 200 512',
        '{"eventVersion": "1.08", "eventName": "ConsoleLogin"}',
        "type=USER_LOGIN msg=audit(1700000000.123:456): pid=1 uid=0",
        "",
    ]
    assert SyslogParser().sniff(sample) == 0.0
    assert SyslogParser().sniff([]) == 0.0


# --- generated volume ----------------------------------------------------------------------------


def generated_auth_log(n: int, seed: int = 3) -> list[str]:
    """Realistic auth.log lines (the mix used for the throughput measurement)."""
    rnd = random.Random(seed)
    users = ["root", "admin", "ubuntu", "oracle", "alice", "deploy"]
    out = []
    for i in range(n):
        ip = ".".join(str(rnd.randint(1, 223)) for _ in range(4))
        user, port, pid = rnd.choice(users), rnd.randint(1024, 65535), rnd.randint(100, 65000)
        msg = rnd.choice(
            [
                f"sshd[{pid}]: Failed password for {user} from {ip} port {port} ssh2",
                f"sshd[{pid}]: Failed password for invalid user {user}{i} from {ip} port {port}",
                f"sshd[{pid}]: Invalid user {user}{i} from {ip} port {port}",
                f"sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2: RSA k",
                f"sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 "
                f"euid=0 tty=ssh ruser= rhost={ip}  user={user}",
                f"sudo:   {user} : TTY=pts/1 ; PWD=/home/{user} ; USER=root ; COMMAND=/bin/ls",
                f"CRON[{pid}]: pam_unix(cron:session): session opened for user root by (uid=0)",
                f"CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
            ]
        )
        out.append(f"Nov {1 + i % 28:2d} {i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d} web01 {msg}")
    return out


def test_generated_auth_log_parses_completely() -> None:
    events = parse(generated_auth_log(3000))
    assert len(events) == 3000
    assert not [e for e in events if e.unparsed]
    assert all(e.dataset == "linux.auth" and e.get(schema.ACTION) for e in events)
    with_ip = [e for e in events if "from " in e.original or "rhost=" in e.original]
    assert with_ip
    assert all(e.get(schema.SOURCE_IP) for e in with_ip)


# --- robustness ----------------------------------------------------------------------------------


def _check_never_drops(lines: list[str]) -> None:
    events = parse(lines)
    non_blank = [t for t in lines if t and not t.isspace()]
    by_offset: dict[int, int] = {}
    for ev in events:
        by_offset[ev.fields["log.offset"]] = by_offset.get(ev.fields["log.offset"], 0) + 1
        for value in ev.fields.values():
            assert not (isinstance(value, str) and "\x00" in value)
    for i, text in enumerate(lines):
        if text and not text.isspace():
            assert by_offset.get(i * 1000, 0) >= 1, text
    assert len(events) >= len(non_blank)


syslogish = st.builds(
    lambda head, body: head + body,
    st.sampled_from(
        [
            "",
            "<13>",
            "Nov 23 13:51:02 h sshd[1]: ",
            "Nov 23 13:51:02 h sudo: ",
            "Nov 23 13:51:02 h su: ",
            "Nov 23 13:51:02 h useradd[2]: ",
            "Nov 23 13:51:02 h ",
            "<13>1 2026-11-23T00:00:00Z h a 1 - ",
            "2026-11-23T00:00:00+08:00 h CRON[3]: ",
        ]
    ),
    st.one_of(
        st.text(max_size=120).map(lambda t: t.replace("\n", " ")),
        st.sampled_from(
            [
                "Failed password for ",
                "Accepted publickey for x from ",
                "pam_unix(sshd:auth): authentication failure; rhost=",
                "message repeated 3 times: [ ",
                "last message repeated 2 times",
                '[a b="',
                "new user: name=",
                " alice : TTY=",
                "(root) CMD (",
            ]
        ),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(syslogish, max_size=8))
def test_never_raises_on_syslogish_text(lines: list[str]) -> None:
    _check_never_drops(lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=200).map(lambda t: t.replace("\n", " ")), max_size=8))
def test_never_raises_on_random_text(lines: list[str]) -> None:
    _check_never_drops(lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=8))
def test_never_raises_on_random_bytes(chunks: list[bytes]) -> None:
    lines = [c.decode("utf-8", errors="replace").replace("\n", " ") for c in chunks]
    _check_never_drops(lines)
