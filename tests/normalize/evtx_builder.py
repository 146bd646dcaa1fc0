"""Build small but valid EVTX files for the tests.

No package on the index ships sample ``.evtx`` files, and real ones hold private data, so the
tests write their own: a file header, one 64 KiB chunk (header and records checksummed as
Windows does) and records whose binary XML is a plain element tree with typed values (Windows
itself uses templates, an optimisation the ``evtx`` reader expands into the same tree). The
files pass ``evtx``'s checksum validation.

Format references: libyal's "Windows XML Event Log (EVTX) format" and the ``evtx`` crate.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Union

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Typed:
    """A value with its BinXML value type (``0x06`` UInt16, ``0x15`` HexInt64...)."""

    kind: str
    value: object


def u8(v: int) -> Typed:
    return Typed("u8", v)


def u16(v: int) -> Typed:
    return Typed("u16", v)


def u32(v: int) -> Typed:
    return Typed("u32", v)


def u64(v: int) -> Typed:
    return Typed("u64", v)


def hex64(v: int) -> Typed:
    return Typed("hex64", v)


def sid(v: str) -> Typed:
    return Typed("sid", v)


def guid(v: str) -> Typed:
    return Typed("guid", v)


def filetime(v: datetime) -> Typed:
    return Typed("filetime", v)


Value = Union[str, Typed]  # noqa: UP007 - runtime alias


@dataclass
class Element:
    """An XML element: name, attributes, then either a text value or child elements."""

    name: str
    attrs: dict[str, Value] = field(default_factory=dict)
    text: Value | None = None
    children: list[Element] = field(default_factory=list)


def _ft(when: datetime) -> int:
    delta = when - _FILETIME_EPOCH  # integer arithmetic: floats would lose the microseconds
    return (delta.days * 86400 + delta.seconds) * 10**7 + delta.microseconds * 10


def _name_hash(name: str) -> int:
    h = 0
    for ch in name:
        h = (h * 65599 + ord(ch)) & 0xFFFFFFFF
    return h & 0xFFFF


class _Writer:
    """Writes BinXML for a record whose data starts at ``base`` bytes into its chunk."""

    def __init__(self, base: int) -> None:
        self.buf = bytearray()
        self.base = base

    def name(self, text: str) -> None:
        # Names are defined inline: the offset points just past itself.
        self.buf += struct.pack("<I", self.base + len(self.buf) + 4)
        self.buf += struct.pack("<IHH", 0, _name_hash(text), len(text))
        self.buf += text.encode("utf-16-le") + b"\x00\x00"

    def value(self, value: Value) -> None:
        if isinstance(value, str):
            self.buf += bytes([0x05, 0x01]) + struct.pack("<H", len(value))
            self.buf += value.encode("utf-16-le")
            return
        kind, v = value.kind, value.value
        if kind == "sid":
            parts = str(v).split("-")
            subs = [int(x) for x in parts[3:]]
            self.buf += bytes([0x05, 0x13, 1, len(subs)]) + int(parts[2]).to_bytes(6, "big")
            self.buf += b"".join(struct.pack("<I", s) for s in subs)
        elif kind == "guid":
            self.buf += bytes([0x05, 0x0F]) + uuid.UUID(str(v)).bytes_le
        elif kind == "filetime":
            assert isinstance(v, datetime)
            self.buf += bytes([0x05, 0x11]) + struct.pack("<Q", _ft(v))
        else:
            code, fmt = {
                "u8": (0x04, "<B"),
                "u16": (0x06, "<H"),
                "u32": (0x08, "<I"),
                "u64": (0x0A, "<Q"),
                "hex64": (0x15, "<Q"),
            }[kind]
            self.buf += bytes([0x05, code]) + struct.pack(fmt, v)

    def element(self, el: Element) -> None:
        self.buf.append(0x41 if el.attrs else 0x01)
        size_at = len(self.buf)
        self.buf += b"\x00\x00\x00\x00"
        self.name(el.name)
        if el.attrs:
            list_at = len(self.buf)
            self.buf += b"\x00\x00\x00\x00"
            items = list(el.attrs.items())
            for i, (key, val) in enumerate(items):
                self.buf.append(0x46 if i < len(items) - 1 else 0x06)
                self.name(key)
                self.value(val)
            struct.pack_into("<I", self.buf, list_at, len(self.buf) - list_at - 4)
        if el.text is None and not el.children:
            self.buf.append(0x03)  # <x/>
        else:
            self.buf.append(0x02)
            if el.text is not None:
                self.value(el.text)
            for child in el.children:
                self.element(child)
            self.buf.append(0x04)
        struct.pack_into("<I", self.buf, size_at, len(self.buf) - size_at - 4)


def _record(chunk_offset: int, record_id: int, written: datetime, event: Element) -> bytes:
    writer = _Writer(chunk_offset + 24)
    writer.buf += bytes([0x0F, 1, 1, 0])  # fragment header
    writer.element(event)
    writer.buf.append(0x00)  # end of stream
    body = bytes(writer.buf)
    size = 24 + len(body) + 4
    pad = (-size) % 8
    body += bytes(pad)
    size += pad
    header = struct.pack("<4sIQQ", b"**\x00\x00", size, record_id, _ft(written))
    return header + body + struct.pack("<I", size)


def build_evtx(events: list[tuple[int, datetime, Element]]) -> bytes:
    """Build an EVTX file of one chunk holding ``(record id, written time, Event)`` records."""
    chunk = bytearray(65536)
    offset = last = 512
    for record_id, written, event in events:
        data = _record(offset, record_id, written, event)
        if offset + len(data) > len(chunk):
            raise ValueError("records exceed one chunk")
        chunk[offset : offset + len(data)] = data
        last = offset
        offset += len(data)
    first_id, last_id = events[0][0], events[-1][0]
    struct.pack_into(
        "<8sQQQQIIII",
        chunk,
        0,
        b"ElfChnk\x00",
        1,
        len(events),
        first_id,
        last_id,
        128,
        last,
        offset,
        zlib.crc32(bytes(chunk[512:offset])),
    )
    struct.pack_into("<I", chunk, 124, zlib.crc32(bytes(chunk[:120]) + bytes(chunk[128:512])))
    header = bytearray(4096)
    struct.pack_into(
        "<8sQQQIHHHH", header, 0, b"ElfFile\x00", 0, 0, last_id + 1, 128, 1, 3, 4096, 1
    )
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    return bytes(header) + bytes(chunk)


def event(
    *,
    provider: str,
    event_id: int,
    record_id: int,
    when: datetime,
    channel: str,
    computer: str,
    data: dict[str, Value] | None = None,
    user_data: Element | None = None,
    level: int = 0,
    keywords: str = "0x8020000000000000",
    qualifiers: str | None = None,
    user_sid: str | None = None,
    provider_guid: str | None = None,
) -> Element:
    """A Windows ``<Event>`` element as Windows writes it."""
    prov: dict[str, Value] = {"Name": provider}
    if provider_guid:
        prov["Guid"] = provider_guid
    id_attrs: dict[str, Value] = {"Qualifiers": qualifiers} if qualifiers else {}
    system = [
        Element("Provider", prov),
        Element("EventID", id_attrs, u16(event_id)),
        Element("Version", text=u8(0)),
        Element("Level", text=u8(level)),
        Element("Task", text=u16(12544)),
        Element("Opcode", text=u8(0)),
        Element("Keywords", text=keywords),
        Element("TimeCreated", {"SystemTime": filetime(when)}),
        Element("EventRecordID", text=u64(record_id)),
        Element("Correlation"),
        Element("Execution", {"ProcessID": u32(636), "ThreadID": u32(5432)}),
        Element("Channel", text=channel),
        Element("Computer", text=computer),
        Element("Security", {"UserID": sid(user_sid)} if user_sid else {}),
    ]
    children = [Element("System", children=system)]
    if data is not None:
        items = [Element("Data", {"Name": k}, v) for k, v in data.items()]
        children.append(Element("EventData", children=items))
    if user_data is not None:
        children.append(Element("UserData", children=[user_data]))
    ns = "http://schemas.microsoft.com/win/2004/08/events/event"
    return Element("Event", {"xmlns": ns}, children=children)


# --- The committed samples (tests/data/evtx/*.evtx). Regenerate them from the repository root
# with `.venv/bin/python tests/normalize/evtx_builder.py`.

T0 = datetime(2026, 11, 23, 2, 14, 7, 123456, tzinfo=UTC)
HOST = "WS-FIN-07.corp.example.com"
ALICE_SID = "S-1-5-21-3623811015-3361044348-30300820-1013"
_SECURITY = ("Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-a5ba-3e3b0328c30d}")
_SYSMON = ("Microsoft-Windows-Sysmon", "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}")
_SCM = ("Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}")
_PS = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
_CMD = "C:\\Windows\\System32\\cmd.exe"
_ENCODED = "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA"


def _record_of(
    provider: tuple[str, str],
    channel: str,
    event_id: int,
    record_id: int,
    seconds: int,
    data: dict[str, Value] | None = None,
    **extra: Any,
) -> tuple[int, datetime, Element]:
    when = T0 + timedelta(seconds=seconds)
    el = event(
        provider=provider[0],
        provider_guid=provider[1],
        event_id=event_id,
        record_id=record_id,
        when=when,
        channel=channel,
        computer=HOST,
        data=data,
        **extra,
    )
    return record_id, when, el


def _security_log() -> list[tuple[int, datetime, Element]]:
    subject: dict[str, Value] = {
        "SubjectUserSid": sid(ALICE_SID),
        "SubjectUserName": "alice",
        "SubjectDomainName": "CORP",
        "SubjectLogonId": hex64(0x8D4A2F1),
    }
    sec = _SECURITY
    return [
        _record_of(
            sec,
            "Security",
            4624,
            48213,
            0,
            {
                "SubjectUserSid": sid("S-1-5-18"),
                "SubjectUserName": "WS-FIN-07$",
                "SubjectDomainName": "CORP",
                "SubjectLogonId": hex64(0x3E7),
                "TargetUserSid": sid(ALICE_SID),
                "TargetUserName": "alice",
                "TargetDomainName": "CORP",
                "TargetLogonId": hex64(0x8D4A2F1),
                "LogonType": u32(10),
                "LogonProcessName": "User32 ",
                "AuthenticationPackageName": "Negotiate",
                "WorkstationName": "WS-FIN-07",
                "LogonGuid": guid("00000000-0000-0000-0000-000000000000"),
                "TransmittedServices": "-",
                "LmPackageName": "-",
                "KeyLength": u32(0),
                "ProcessId": hex64(0x2C8),
                "ProcessName": "C:\\Windows\\System32\\svchost.exe",
                "IpAddress": "203.0.113.50",
                "IpPort": "52114",
                "ImpersonationLevel": "%%1833",
                "ElevatedToken": "%%1842",
            },
        ),
        _record_of(
            sec,
            "Security",
            4625,
            48214,
            3,
            {
                "SubjectUserSid": sid("S-1-0-0"),
                "SubjectUserName": "-",
                "SubjectDomainName": "-",
                "SubjectLogonId": hex64(0),
                "TargetUserSid": sid("S-1-0-0"),
                "TargetUserName": "administrator",
                "TargetDomainName": "WS-FIN-07",
                "Status": "0xc000006d",
                "FailureReason": "%%2313",
                "SubStatus": "0xc000006a",
                "LogonType": u32(3),
                "LogonProcessName": "NtLmSsp ",
                "AuthenticationPackageName": "NTLM",
                "WorkstationName": "KALI",
                "ProcessId": hex64(0),
                "ProcessName": "-",
                "IpAddress": "198.51.100.23",
                "IpPort": "0",
            },
            keywords="0x8010000000000000",
        ),
        _record_of(
            sec,
            "Security",
            4688,
            48215,
            9,
            {
                **subject,
                "NewProcessId": hex64(0x1A2C),
                "NewProcessName": _CMD,
                "TokenElevationType": "%%1938",
                "ProcessId": hex64(0x1F40),
                "CommandLine": "cmd.exe /c whoami /all",
                "TargetUserSid": sid("S-1-0-0"),
                "TargetUserName": "-",
                "TargetDomainName": "-",
                "TargetLogonId": hex64(0),
                "ParentProcessName": "C:\\Windows\\explorer.exe",
                "MandatoryLabel": sid("S-1-16-8192"),
            },
        ),
        _record_of(
            sec,
            "Security",
            4720,
            48216,
            20,
            {
                "TargetUserName": "svc-backup2",
                "TargetDomainName": "CORP",
                "TargetSid": sid("S-1-5-21-3623811015-3361044348-30300820-1107"),
                **subject,
                "PrivilegeList": "-",
                "SamAccountName": "svc-backup2",
                "UserAccountControl": "%%2080 %%2082 %%2084",
            },
        ),
        _record_of(
            sec,
            "Security",
            4732,
            48217,
            21,
            {
                "MemberName": "-",
                "MemberSid": sid("S-1-5-21-3623811015-3361044348-30300820-1107"),
                "TargetUserName": "Administrators",
                "TargetDomainName": "Builtin",
                "TargetSid": sid("S-1-5-32-544"),
                **subject,
                "PrivilegeList": "-",
            },
        ),
        _record_of(
            ("Microsoft-Windows-Eventlog", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"),
            "Security",
            1102,
            48218,
            60,
            None,
            keywords="0x4020000000000000",
            level=4,
            user_data=Element(
                "LogFileCleared",
                {"xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog"},
                children=[
                    Element("SubjectUserSid", text=sid(ALICE_SID)),
                    Element("SubjectUserName", text="alice"),
                    Element("SubjectDomainName", text="CORP"),
                    Element("SubjectLogonId", text=hex64(0x8D4A2F1)),
                ],
            ),
        ),
    ]


def _system_log() -> list[tuple[int, datetime, Element]]:
    return [
        _record_of(
            _SCM,
            "System",
            7045,
            9120,
            30,
            {
                "ServiceName": "PSEXESVC",
                "ImagePath": "%SystemRoot%\\PSEXESVC.exe",
                "ServiceType": "user mode service",
                "StartType": "demand start",
                "AccountName": "LocalSystem",
            },
            qualifiers="16384",
            level=4,
            keywords="0x8080000000000000",
            user_sid=ALICE_SID,
        ),
    ]


def _sysmon_log() -> list[tuple[int, datetime, Element]]:
    sysmon = _SYSMON
    channel = "Microsoft-Windows-Sysmon/Operational"
    common = {"level": 4, "keywords": "0x8000000000000000", "user_sid": "S-1-5-18"}
    return [
        _record_of(
            sysmon,
            channel,
            1,
            230411,
            10,
            {
                "RuleName": "-",
                "UtcTime": "2026-11-23 02:14:17.201",
                "ProcessGuid": "{9d0b1c1e-7a35-6741-2f01-000000001b00}",
                "ProcessId": u32(6740),
                "Image": _PS,
                "FileVersion": "10.0.19041.3996 (WinBuild.160101.0800)",
                "Description": "Windows PowerShell",
                "Product": "Microsoft® Windows® Operating System",
                "Company": "Microsoft Corporation",
                "OriginalFileName": "PowerShell.EXE",
                "CommandLine": _ENCODED,
                "CurrentDirectory": "C:\\Users\\alice\\",
                "User": "CORP\\alice",
                "LogonGuid": "{9d0b1c1e-79f0-6741-f12f-d40800000000}",
                "LogonId": hex64(0x8D4A2F1),
                "TerminalSessionId": u32(2),
                "IntegrityLevel": "Medium",
                "Hashes": "SHA1=6CBCE4A295C163791B60FC23D285E6D84F28EE4C,"
                "MD5=7353F60B1739074EB17C5F4DDDEFE239,"
                "SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C,"
                "IMPHASH=741776AACCFC5B71FF59832DCDCACE0F",
                "ParentProcessGuid": "{9d0b1c1e-7a30-6741-2d01-000000001b00}",
                "ParentProcessId": u32(6688),
                "ParentImage": _CMD,
                "ParentCommandLine": "cmd.exe /c " + _ENCODED,
                "ParentUser": "CORP\\alice",
            },
            **common,
        ),
        _record_of(
            sysmon,
            channel,
            3,
            230412,
            11,
            {
                "RuleName": "-",
                "UtcTime": "2026-11-23 02:14:18.007",
                "ProcessGuid": "{9d0b1c1e-7a35-6741-2f01-000000001b00}",
                "ProcessId": u32(6740),
                "Image": _PS,
                "User": "CORP\\alice",
                "Protocol": "tcp",
                "Initiated": "true",
                "SourceIsIpv6": "false",
                "SourceIp": "10.20.30.40",
                "SourceHostname": "WS-FIN-07.corp.example.com",
                "SourcePort": u16(50122),
                "SourcePortName": "-",
                "DestinationIsIpv6": "false",
                "DestinationIp": "192.0.2.80",
                "DestinationHostname": "-",
                "DestinationPort": u16(443),
                "DestinationPortName": "https",
            },
            **common,
        ),
        _record_of(
            sysmon,
            channel,
            11,
            230413,
            12,
            {
                "RuleName": "-",
                "UtcTime": "2026-11-23 02:14:19.554",
                "ProcessGuid": "{9d0b1c1e-7a35-6741-2f01-000000001b00}",
                "ProcessId": u32(6740),
                "Image": _PS,
                "TargetFilename": "C:\\Users\\alice\\AppData\\Local\\Temp\\update.dll",
                "CreationUtcTime": "2026-11-23 02:14:19.554",
                "User": "CORP\\alice",
            },
            **common,
        ),
    ]


def sample_files() -> dict[str, bytes]:
    """The committed sample files by name."""
    return {
        "security.evtx": build_evtx(_security_log()),
        "system.evtx": build_evtx(_system_log()),
        "sysmon.evtx": build_evtx(_sysmon_log()),
    }


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[1] / "data" / "evtx"
    target.mkdir(parents=True, exist_ok=True)
    for file_name, content in sample_files().items():
        (target / file_name).write_bytes(content)
