"""Tests of the binary EVTX parser on real EVTX files written by ``evtx_builder``."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime

import evtx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events.model import Event
from garrison.normalize import registry
from garrison.normalize.evtx import MAGIC, EvtxParser
from tests.normalize import evtx_builder
from tests.normalize.json_samples import DATA, assert_json_safe, lines_of, make_ctx, six

P = EvtxParser()


def read(data: bytes) -> list[Event]:
    return list(P.parse_binary(io.BytesIO(data), make_ctx()))


def sample(name: str) -> bytes:
    return (DATA / "evtx" / name).read_bytes()


def by_id(events: list[Event]) -> dict[int, Event]:
    return {e.fields["EventID"]: e for e in events if not e.unparsed}


def test_committed_samples_are_what_the_builder_writes() -> None:
    for name, content in evtx_builder.sample_files().items():
        assert sample(name) == content, f"regenerate tests/data/evtx/{name}"


@pytest.mark.parametrize("name", ["security.evtx", "system.evtx", "sysmon.evtx"])
def test_samples_are_valid_evtx(name: str) -> None:
    # The reference reader accepts them with checksum validation on.
    parser = evtx.PyEvtxParser(io.BytesIO(sample(name)), validate_checksums=True)
    assert len(list(parser.records_json())) >= 1


def test_binary_parser_flags_and_detection() -> None:
    assert P.binary
    assert P.sniff_bytes(sample("security.evtx")[:4096])
    assert not P.sniff_bytes(b"ElfChnk\x00")
    assert P.sniff(["ElfFile"]) == 0.0
    assert registry.detect([], sample("security.evtx")[:4096]).name == "evtx"


def test_security_log() -> None:
    events = read(sample("security.evtx"))
    assert_json_safe(events)
    assert [e.fields["log.offset"] for e in events] == [48213, 48214, 48215, 48216, 48217, 48218]
    assert all(e.dataset == "windows.evtx" for e in events)
    ev = by_id(events)

    logon = ev[4624]
    assert logon.timestamp == datetime(2026, 11, 23, 2, 14, 7, 123456, tzinfo=UTC)
    assert six(logon) == {
        "@timestamp": logon.timestamp,
        "source.ip": "203.0.113.50",
        "user.name": "alice",
        "event.category": "authentication",
        "event.outcome": "success",
    }
    assert logon.fields["event.action"] == "logged-in"
    assert logon.fields["event.code"] == "4624"
    assert logon.fields["source.port"] == 52114
    assert logon.fields["user.domain"] == "CORP"
    assert logon.fields["host.name"] == "WS-FIN-07.corp.example.com"
    # Sigma's names: System fields and EventData items by their Name.
    assert logon.fields["EventID"] == 4624
    assert logon.fields["Channel"] == "Security"
    assert logon.fields["Provider_Name"] == "Microsoft-Windows-Security-Auditing"
    assert logon.fields["Computer"] == "WS-FIN-07.corp.example.com"
    assert logon.fields["EventRecordID"] == 48213
    assert logon.fields["TimeCreated_SystemTime"] == "2026-11-23T02:14:07.123456Z"
    assert logon.fields["LogonType"] == 10
    assert logon.fields["TargetUserName"] == "alice"
    assert logon.fields["IpAddress"] == "203.0.113.50"
    assert logon.fields["SubjectLogonId"] == "0x3e7"
    assert logon.fields["Execution_ProcessID"] == 636

    failed = ev[4625]
    assert six(failed) == {
        "@timestamp": datetime(2026, 11, 23, 2, 14, 10, 123456, tzinfo=UTC),
        "source.ip": "198.51.100.23",
        "user.name": "administrator",
        "event.category": "authentication",
        "event.outcome": "failure",
    }
    assert failed.fields["event.reason"] == "wrong password"
    assert "source.port" not in failed.fields  # IpPort 0
    assert "user.id" not in failed.fields  # the NULL SID

    proc = ev[4688]
    assert proc.fields["event.category"] == "process"
    assert proc.fields["process.command_line"] == "cmd.exe /c whoami /all"
    assert proc.fields["process.executable"] == "C:\\Windows\\System32\\cmd.exe"
    assert proc.fields["process.name"] == "cmd.exe"
    assert proc.fields["process.pid"] == 0x1A2C
    assert proc.fields["process.parent.pid"] == 0x1F40
    assert proc.fields["user.name"] == "alice"

    created = ev[4720]
    assert (created.fields["event.category"], created.fields["event.action"]) == (
        "iam",
        "added-user-account",
    )
    assert created.fields["user.target.name"] == "svc-backup2"
    added = ev[4732]
    assert added.fields["event.action"] == "added-member-to-group"
    assert added.fields["group.name"] == "Administrators"

    cleared = ev[1102]
    assert cleared.fields["event.action"] == "audit-log-cleared"
    assert cleared.fields["user.name"] == "alice"  # from UserData/LogFileCleared
    assert cleared.fields["SubjectUserName"] == "alice"
    assert cleared.fields["Provider_Name"] == "Microsoft-Windows-Eventlog"


def test_system_log_service_install() -> None:
    (event,) = read(sample("system.evtx"))
    assert event.fields["EventID"] == 7045
    assert event.fields["EventID_Qualifiers"] == "16384"
    assert event.fields["event.action"] == "service-installed"
    assert event.fields["event.category"] == "configuration"
    assert event.fields["ServiceName"] == "PSEXESVC"
    assert event.fields["ImagePath"] == "%SystemRoot%\\PSEXESVC.exe"
    assert event.fields["Security_UserID"] == evtx_builder.ALICE_SID
    assert event.fields["Provider_Name"] == "Service Control Manager"


def test_sysmon_log() -> None:
    ev = by_id(read(sample("sysmon.evtx")))
    create, net, file = ev[1], ev[3], ev[11]
    assert create.fields["event.action"] == "process-created"
    assert create.fields["Image"].endswith("powershell.exe")
    assert create.fields["process.command_line"].startswith("powershell.exe -nop -w hidden -enc")
    assert create.fields["process.parent.executable"] == "C:\\Windows\\System32\\cmd.exe"
    assert create.fields["process.pid"] == 6740
    assert create.fields["process.parent.pid"] == 6688
    assert create.fields["process.hash.sha256"] == (
        "de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c"
    )
    assert (create.fields["user.name"], create.fields["user.domain"]) == ("alice", "CORP")
    assert six(net) == {
        "@timestamp": datetime(2026, 11, 23, 2, 14, 18, 123456, tzinfo=UTC),
        "source.ip": "10.20.30.40",
        "destination.ip": "192.0.2.80",
        "user.name": "alice",
        "event.category": "network",
        "event.outcome": "success",
    }
    assert (net.fields["source.port"], net.fields["destination.port"]) == (50122, 443)
    assert file.fields["file.path"] == "C:\\Users\\alice\\AppData\\Local\\Temp\\update.dll"
    assert file.fields["event.category"] == "file"


def test_truncated_file_recovers_complete_records_and_reports_the_cut() -> None:
    data = sample("security.evtx")
    second = data.find(b"**\x00\x00", 4096 + 512 + 8)  # start of the second record
    events = read(data[: second + 40])
    good = [e for e in events if not e.unparsed]
    bad = [e for e in events if e.unparsed]
    assert [e.fields["EventID"] for e in good] == [4624]
    reasons = [e.fields["error.message"] for e in bad]
    assert reasons[0].startswith("evtx: unreadable record: Failed to parse record number 48214")
    assert reasons[-1] == (
        f"evtx: file ends inside a chunk at byte 4096 ({second + 40 - 4096} of 65536 bytes); "
        "the records before the cut were recovered"
    )


def test_file_cut_inside_the_chunk_header() -> None:
    (event,) = read(sample("security.evtx")[:4200])
    assert event.unparsed
    assert event.fields["error.message"] == (
        "evtx: file ends inside a chunk at byte 4096 (104 of 65536 bytes); "
        "the chunk's records are lost"
    )


def test_corrupt_record_is_reported_and_the_others_read() -> None:
    data = bytearray(sample("security.evtx"))
    data[4096 + 512 + 24 + 10] ^= 0xFF  # inside the first record's binary XML
    events = read(bytes(data))
    assert events[0].unparsed
    assert "Failed to parse record number 48213" in events[0].fields["error.message"]
    assert [e.fields["EventID"] for e in events[1:]] == [4625, 4688, 4720, 4732, 1102]
    assert len({e.id for e in events}) == len(events)


def test_not_evtx_and_empty() -> None:
    (event,) = read(b"MZ\x90\x00" + bytes(5000))
    assert event.unparsed
    assert event.fields["error.message"] == "evtx: not an EVTX file (no ElfFile signature)"
    assert "\x00" not in event.original
    assert read(b"") == []
    (event,) = read(MAGIC + b"\x01" * 100)
    assert event.unparsed
    assert event.fields["error.message"].startswith("evtx: unreadable file:")


def test_non_seekable_and_gzip_streams() -> None:
    data = sample("sysmon.evtx")

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            return self.inner.readinto(buffer)

    piped = list(P.parse_binary(Pipe(), make_ctx()))  # type: ignore[arg-type]
    zipped = io.BufferedReader(gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(data))))
    unzipped = list(P.parse_binary(zipped, make_ctx()))  # type: ignore[arg-type]
    direct = read(data)
    assert [e.id for e in piped] == [e.id for e in unzipped] == [e.id for e in direct]
    assert len(direct) == 3


def test_ids_are_stable_across_reads() -> None:
    first = [e.id for e in read(sample("security.evtx"))]
    assert first == [e.id for e in read(sample("security.evtx"))]
    assert len(set(first)) == len(first)


def test_text_given_to_the_binary_parser_is_kept_unparsed() -> None:
    events = list(P.parse(lines_of("hello\n\nworld\n"), make_ctx()))
    assert [e.original for e in events] == ["hello", "world"]
    assert all(e.unparsed for e in events)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4096 + 3000), st.integers(0, 255)), min_size=1, max_size=12)
)
def test_damaged_files_never_raise(flips: list[tuple[int, int]]) -> None:
    data = bytearray(sample("sysmon.evtx"))
    for position, value in flips:
        data[position] = value
    events = read(bytes(data))
    assert_json_safe(events)
    assert events


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000), st.booleans())
def test_random_bytes_never_raise(data: bytes, with_magic: bool) -> None:
    events = read((MAGIC if with_magic else b"") + data)
    assert_json_safe(events)
    assert events or (not data and not with_magic)


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=3000))
def test_random_chunk_after_a_valid_header_never_raises(data: bytes) -> None:
    header = sample("sysmon.evtx")[:4096]
    events = read(header + b"ElfChnk\x00" + data)
    assert_json_safe(events)
    assert events[-1].fields["error.message"].startswith("evtx: file ends inside a chunk")
