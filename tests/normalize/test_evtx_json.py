"""Tests of Windows events exported as JSON (evtx_dump, xmltodict, PowerShell, Winlogbeat)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import evtx
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize import registry
from garrison.normalize.evtx import EvtxParser
from garrison.normalize.evtx_json import EvtxJsonParser, normalise, recognise
from tests.normalize.json_samples import (
    DATA,
    assert_json_safe,
    json_values,
    make_ctx,
    ndjson,
    parse,
    parse_text,
    sample_lines,
    six,
)

P = EvtxJsonParser()


def _comparable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k != "log.offset"}


def test_registered_under_its_name() -> None:
    assert isinstance(registry.create("evtx-json"), EvtxJsonParser)


def test_evtx_dump_lines_match_the_binary_parser() -> None:
    events = parse(P, sample_lines("evtx-json/evtx_dump.jsonl"))
    assert_json_safe(events)
    binary: list[Any] = []
    for name in ("security", "sysmon", "system"):
        stream = io.BytesIO((DATA / "evtx" / f"{name}.evtx").read_bytes())
        binary += list(EvtxParser().parse_binary(stream, make_ctx()))
    assert len(events) == len(binary) == 10
    for from_json, from_binary in zip(events, binary, strict=True):
        assert from_json.original == from_binary.original
        assert from_json.timestamp == from_binary.timestamp
        assert _comparable(dict(from_json.fields)) == _comparable(dict(from_binary.fields))


def test_separate_json_attributes_rendering_gives_the_same_fields() -> None:
    path = str(DATA / "evtx" / "security.evtx")
    plain = [r["data"] for r in evtx.PyEvtxParser(path, indent=False).records_json()]
    separate = evtx.PyEvtxParser(path, indent=False, separate_json_attributes=True)
    split = [r["data"] for r in separate.records_json()]
    assert '"Provider_attributes"' in split[0]
    for a, b in zip(plain, split, strict=True):
        (ea,) = parse_text(P, a + "\n")
        (eb,) = parse_text(P, b + "\n")
        assert _comparable(dict(ea.fields)) == _comparable(dict(eb.fields))


def test_powershell_pretty_array_with_bom_and_crlf() -> None:
    events = parse(P, sample_lines("evtx-json/powershell.json"))
    assert_json_safe(events)
    lockout, special = events
    assert [e.fields["log.offset"] for e in events] == [0, 1]
    assert lockout.timestamp == datetime(2026, 11, 23, 3, 10, 0, 555321, tzinfo=UTC)
    assert lockout.fields["EventID"] == 4740
    assert lockout.fields["EventRecordID"] == 1183342
    assert lockout.fields["Execution_ProcessID"] == "696"
    assert lockout.fields["event.action"] == "locked-out-user-account"
    assert lockout.fields["event.category"] == "iam"
    assert lockout.fields["user.name"] == "DC01$"
    assert lockout.fields["user.target.name"] == "alice"
    assert lockout.fields["TargetDomainName"] == "WS-FIN-07"
    assert lockout.fields["host.name"] == "DC01.corp.example.com"
    assert "Security" not in lockout.fields
    assert special.fields["event.action"] == "logged-in-special"
    assert special.fields["user.name"] == "Administrator"
    assert special.fields["PrivilegeList"].startswith("SeSecurityPrivilege\n")
    assert special.fields["Correlation_ActivityID"] == "{1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6}"
    assert special.original.startswith('{"Event":{"xmlns"')


def test_xmltodict_rendering() -> None:
    failed, explicit = parse(P, sample_lines("evtx-json/xmltodict.jsonl"))
    assert six(failed) == {
        "@timestamp": datetime(2026, 11, 23, 3, 12, 44, 101325, tzinfo=UTC),
        "source.ip": "45.95.147.12",
        "user.name": "backup",
        "event.category": "authentication",
        "event.outcome": "failure",
    }
    assert failed.fields["IpAddress"] == "::ffff:45.95.147.12"
    assert failed.fields["EventID"] == 4625
    assert failed.fields["EventID_Qualifiers"] == ""
    assert failed.fields["event.reason"] == "user name does not exist"  # SubStatus 0xC0000064
    assert failed.fields["LogonType"] == "10"
    assert failed.fields["source.port"] == 61234
    assert failed.fields["Unused"] is None
    assert failed.fields["Provider_Guid"] == "{54849625-5478-4994-a5ba-3e3b0328c30d}"
    assert explicit.fields["event.action"] == "logged-in-explicit"
    assert explicit.fields["user.name"] == "alice"
    assert explicit.fields["user.target.name"] == "Administrator"
    assert explicit.fields["source.ip"] == "::1"
    assert explicit.fields["TargetServerName"] == "DC01.corp.example.com"


def test_winlogbeat_documents() -> None:
    deleted, member = parse(P, sample_lines("evtx-json/winlogbeat.ndjson"))
    assert deleted.timestamp == datetime(2026, 11, 23, 3, 20, 11, 482000, tzinfo=UTC)
    assert deleted.fields["EventID"] == 4726
    assert deleted.fields["Channel"] == "Security"
    assert deleted.fields["Computer"] == "DC01.corp.example.com"
    assert deleted.fields["EventRecordID"] == 1183390
    assert deleted.fields["Keywords"] == ["Audit Success"]
    assert deleted.fields["event.action"] == "deleted-user-account"
    assert deleted.fields["event.type"] == ["user", "deletion"]
    assert deleted.fields["user.target.name"] == "svc-backup2"
    assert deleted.fields["message"].startswith("A user account was deleted.")
    assert member.fields["user.target.name"] == "Mallory Smith"
    assert member.fields["group.name"] == "Domain Admins"
    assert member.fields["event.outcome"] == "success"


def _event(system: dict[str, Any], data: Any = None) -> dict[str, Any]:
    event: dict[str, Any] = {"Event": {"System": system}}
    if data is not None:
        event["Event"]["EventData"] = data
    return event


def test_other_events_unnamed_data_and_keywords_outcome() -> None:
    obj = _event(
        {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}},
            "EventID": 5156,
            "Keywords": "0x8010000000000000",
            "Level": 0,
            "TimeCreated": {"#attributes": {"SystemTime": "2026-11-23T04:00:00Z"}},
        },
        {"Data": {"#text": ["first", "second"]}, "Binary": "00AA"},
    )
    timestamp, fields = normalise(obj)
    assert timestamp == datetime(2026, 11, 23, 4, tzinfo=UTC)
    assert fields["event.category"] == "host"
    assert fields["event.action"] == "windows-event-5156"
    assert fields["event.outcome"] == "failure"
    assert fields["Data"] == ["first", "second"]
    assert fields["Binary"] == "00AA"


def test_sysmon_event_without_a_specific_mapping() -> None:
    obj = _event(
        {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": 22,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "TimeCreated": {"#attributes": {"SystemTime": "2026-11-23T04:00:00Z"}},
        },
        {"QueryName": "pool.example.net", "Image": "C:\\Temp\\x.exe", "ProcessId": "4242"},
    )
    _, fields = normalise(obj)
    assert fields["event.action"] == "windows-event-22"
    assert fields["process.name"] == "x.exe"
    assert fields["process.pid"] == 4242
    assert fields["QueryName"] == "pool.example.net"


def test_missing_time_is_tagged() -> None:
    timestamp, fields = normalise(_event({"EventID": "4624"}, {"TargetUserName": "x"}))
    assert timestamp is None
    assert fields["tags"] == ["timestamp_unparsed"]
    assert fields["event.action"] == "logged-in"


def test_recognise() -> None:
    assert recognise(_event({"EventID": 1}))
    assert recognise({"winlog": {"event_id": "4624"}})
    assert not recognise({"Event": {"EventData": {}}})
    assert not recognise({"Event": "text"})
    assert not recognise({"eventName": "x"})


def test_foreign_objects_and_bad_lines_are_unparsed() -> None:
    events = parse_text(P, ndjson({"eventName": "ConsoleLogin"}) + "garbage\n")
    first, second = (e.fields["error.message"] for e in events)
    assert first == "evtx-json: not a Windows event"
    assert second.startswith("evtx-json: invalid JSON: unexpected character")
    assert second.endswith("line 1 column 1 (char 0)")
    assert all(e.dataset == "windows.evtx" for e in events)


def test_sniff() -> None:
    assert P.sniff([line.text for line in sample_lines("evtx-json/evtx_dump.jsonl")]) == 1.0
    pretty = [line.text for line in sample_lines("evtx-json/powershell.json")[:12]]
    assert P.sniff(pretty) == 1.0  # the document does not fit the sample: judged by its text
    assert P.sniff([line.text for line in sample_lines("json/app.jsonl")]) == 0.0
    head = [line.text for line in sample_lines("evtx-json/winlogbeat.ndjson")]
    assert registry.detect(head).name == "evtx-json"


@settings(max_examples=200, deadline=None)
@given(json_values, json_values, json_values, st.sampled_from(range(10)))
def test_windows_shaped_events_with_random_values_never_raise(
    a: Any, b: Any, c: Any, index: int
) -> None:
    obj = orjson.loads(sample_lines("evtx-json/evtx_dump.jsonl")[index].text)
    system, data = obj["Event"]["System"], obj["Event"].get("EventData") or {}
    system["EventID"] = a if index % 2 else system["EventID"]
    system["TimeCreated"] = b
    for key in list(data)[:3]:
        data[key] = c
    obj["Event"]["UserData"] = {"X": {"Y": c}}
    (event,) = parse_text(P, ndjson(obj))
    assert_json_safe([event])
    assert not event.unparsed
