"""Reading single Linux audit records: header, ``key=value`` fields, hex decoding, tables.

Used by :mod:`garrison.normalize.auditd`, which groups records into events. Every function
accepts any text and never raises.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, tzinfo
from typing import NamedTuple

from garrison.normalize.timeutil import from_epoch, local_to_utc


class Record(NamedTuple):
    """One audit record (one line).

    Attributes:
        type: Record type name (``SYSCALL``; numeric types are translated, ``UNKNOWN[n]``).
        node: The ``node=`` prefix (the host that produced it), if any.
        stamp: ``<time>:<serial>`` from ``msg=audit(...)``: the grouping key with ``node``.
        time: The time part of the stamp (epoch seconds, or ausearch -i local date and time).
        serial: The serial number.
        fields: Field name -> value, decoded (hex undone, quotes removed, inner ``msg='...'``
            of user-space records flattened in, enriched ``UID="root"`` names kept as is).
        hex_parts: EXECVE ``aN[i]`` pieces that are hex: joined before decoding.
        text: The raw line.
        offset: Byte offset of the line.
    """

    type: str
    node: str | None
    stamp: str
    time: str
    serial: int
    fields: dict[str, str]
    hex_parts: frozenset[str]
    text: str
    offset: int


_HEADER = re.compile(
    r"(?:node=(?P<node>\S+) )?type=(?P<type>\S+) msg=audit\((?P<time>[^)]*?):(?P<serial>\d+)\)"
    r"\s*:?\s?"
)
# Kernel messages copied from dmesg / syslog: "audit: type=1400 audit(1700000000.1:42): ...".
_HEADER_ANYWHERE = re.compile(
    r"(?:node=(?P<node>\S+) )?type=(?P<type>\S+) (?:msg=)?audit\((?P<time>[^)]*?):(?P<serial>\d+)\)"
    r"\s*:?\s?"
)
# key=value with the value double-quoted, single-quoted (user-space msg='...'), braced
# (enriched SADDR={ ... }) or bare; or a bare word (ausearch -i prints values with spaces).
_TOKEN = re.compile(r"""([^\s=]+)=("[^"]*"?|'[^']*'?|\{[^}]*\}?|\S*)|(\S+)""")
_HEX = re.compile(r"(?:[0-9A-F]{2})+\Z")
_AVC = re.compile(r"avc:\s+(\w+)\s+\{\s*([^}]*?)\s*\}")
_INTERPRETED_TIME = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\Z"
)
_HEX_FIELDS = frozenset(
    {"proctitle", "name", "comm", "exe", "cwd", "acct", "cmd", "path", "key", "data", "grp",
     "new_group", "ocomm", "old_group", "root_dir", "sw", "watch", "vm"}
)  # fmt: skip

#: Numeric record types (dmesg/syslog copies) -> names, from linux/audit.h and libaudit.h.
TYPE_NAMES: dict[str, str] = {
    "1100": "USER_AUTH", "1101": "USER_ACCT", "1102": "USER_MGMT", "1103": "CRED_ACQ",
    "1104": "CRED_DISP", "1105": "USER_START", "1106": "USER_END", "1107": "USER_AVC",
    "1108": "USER_CHAUTHTOK", "1109": "USER_ERR", "1110": "CRED_REFR", "1111": "USYS_CONFIG",
    "1112": "USER_LOGIN", "1113": "USER_LOGOUT", "1114": "ADD_USER", "1115": "DEL_USER",
    "1116": "ADD_GROUP", "1117": "DEL_GROUP", "1119": "CHGRP_ID", "1121": "TRUSTED_APP",
    "1123": "USER_CMD", "1124": "USER_TTY", "1125": "CHUSER_ID", "1126": "GRP_AUTH",
    "1127": "SYSTEM_BOOT", "1128": "SYSTEM_SHUTDOWN", "1129": "SYSTEM_RUNLEVEL",
    "1130": "SERVICE_START", "1131": "SERVICE_STOP", "1132": "GRP_MGMT", "1133": "GRP_CHAUTHTOK",
    "1135": "ACCT_LOCK", "1136": "ACCT_UNLOCK", "1137": "USER_DEVICE", "1138": "SOFTWARE_UPDATE",
    "1200": "DAEMON_START", "1201": "DAEMON_END", "1202": "DAEMON_ABORT", "1203": "DAEMON_CONFIG",
    "1300": "SYSCALL", "1302": "PATH", "1303": "IPC", "1304": "SOCKETCALL", "1305": "CONFIG_CHANGE",
    "1306": "SOCKADDR", "1307": "CWD", "1309": "EXECVE", "1317": "FD_PAIR", "1318": "OBJ_PID",
    "1319": "TTY", "1320": "EOE", "1321": "BPRM_FCAPS", "1322": "CAPSET", "1323": "MMAP",
    "1324": "NETFILTER_PKT", "1325": "NETFILTER_CFG", "1326": "SECCOMP", "1327": "PROCTITLE",
    "1328": "FEATURE_CHANGE", "1330": "KERN_MODULE", "1334": "BPF", "1400": "AVC",
    "1401": "SELINUX_ERR", "1403": "MAC_POLICY_LOAD", "1404": "MAC_STATUS",
    "1700": "ANOM_PROMISCUOUS",
    "1701": "ANOM_ABEND", "1702": "ANOM_LINK", "2100": "ANOM_LOGIN_FAILURES",
    "1006": "LOGIN",
}  # fmt: skip

#: (arch, number) -> syscall name for the calls that decide an event's category. Raw logs
#: only carry numbers; ausearch -i and enriched logs carry the names themselves.
_X86_64, _AARCH64, _I386 = "c000003e", "c00000b7", "40000003"
SYSCALLS: dict[tuple[str, str], str] = {
    **{(_X86_64, str(n)): s for n, s in (
        (2, "open"), (41, "socket"), (42, "connect"), (43, "accept"), (44, "sendto"),
        (49, "bind"), (50, "listen"), (56, "clone"), (57, "fork"), (58, "vfork"), (59, "execve"),
        (62, "kill"), (82, "rename"), (83, "mkdir"), (84, "rmdir"), (85, "creat"), (86, "link"),
        (87, "unlink"), (88, "symlink"), (90, "chmod"), (91, "fchmod"), (92, "chown"),
        (93, "fchown"), (94, "lchown"), (101, "ptrace"), (105, "setuid"), (106, "setgid"),
        (113, "setreuid"), (114, "setregid"), (117, "setresuid"), (119, "setresgid"),
        (165, "mount"), (166, "umount2"), (175, "init_module"), (176, "delete_module"),
        (200, "tkill"), (234, "tgkill"), (257, "openat"), (258, "mkdirat"), (260, "fchownat"),
        (263, "unlinkat"), (264, "renameat"), (265, "linkat"), (266, "symlinkat"),
        (268, "fchmodat"), (288, "accept4"), (313, "finit_module"), (316, "renameat2"),
        (321, "bpf"), (322, "execveat"), (437, "openat2"),
    )},
    **{(_AARCH64, str(n)): s for n, s in (
        (34, "mkdirat"), (35, "unlinkat"), (36, "symlinkat"), (37, "linkat"), (38, "renameat"),
        (39, "umount2"), (40, "mount"), (52, "fchmod"), (53, "fchmodat"), (54, "fchownat"),
        (55, "fchown"), (56, "openat"), (105, "init_module"), (106, "delete_module"),
        (117, "ptrace"), (129, "kill"), (130, "tkill"), (131, "tgkill"), (144, "setgid"),
        (146, "setuid"), (198, "socket"), (200, "bind"), (201, "listen"), (202, "accept"),
        (203, "connect"), (206, "sendto"), (220, "clone"), (221, "execve"), (242, "accept4"),
        (273, "finit_module"), (276, "renameat2"), (280, "bpf"), (281, "execveat"),
        (437, "openat2"),
    )},
    **{(_I386, str(n)): s for n, s in (
        (5, "open"), (10, "unlink"), (11, "execve"), (15, "chmod"), (23, "setuid"),
        (26, "ptrace"), (37, "kill"), (38, "rename"), (102, "socketcall"), (128, "init_module"),
        (129, "delete_module"), (295, "openat"), (301, "unlinkat"), (358, "execveat"),
    )},
}  # fmt: skip


def _clean(value: str) -> str:
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def decode_hex(value: str, *, args: bool) -> str:
    """Decode an audit hex string; ``args`` turns NUL separators (proctitle, cmd) into spaces."""
    text = bytes.fromhex(value).decode("utf-8", "replace")
    if args:
        return text.replace("\x00", " ").rstrip(" ")
    return _clean(text)


def _scan_simple(text: str, rtype: str, fields: dict[str, str]) -> bool:
    """Fast path for raw kernel records, where no value contains a space.

    Audit hex-encodes every value that would need quoting, so raw records split on spaces.
    Returns ``False`` (fields possibly half-filled; the caller rescans them all) on anything
    else: a bare word, a quoted value with a space, EXECVE pieces.
    """
    hex_fields = _HEX_FIELDS if rtype != "EXECVE" else None
    for token in text.split():
        key, sep, value = token.partition("=")
        if not sep or not key:
            return False
        if value[:1] == '"':
            if len(value) < 2 or value[-1] != '"':
                return False
            value = value[1:-1]
        elif hex_fields is None:
            return False  # EXECVE: argument pieces and hex arguments, see _scan
        elif key in hex_fields and value and _HEX.match(value) is not None:
            value = decode_hex(value, args=key in ("proctitle", "cmd"))
        fields[key] = value
    return True


def _scan(
    text: str,
    rtype: str,
    interpreted: bool,
    fields: dict[str, str],
    hex_parts: set[str],
) -> None:
    """Add the ``key=value`` fields of ``text`` to ``fields``."""
    if "\x00" in text:
        text = _clean(text)
    if (
        not interpreted
        and "'" not in text
        and "{" not in text
        and _scan_simple(text, rtype, fields)
    ):
        return
    execve = rtype == "EXECVE"
    hex_fields = _HEX_FIELDS
    last_key: str | None = None
    for key, value, bare in _TOKEN.findall(text):
        if not key:
            # ausearch -i prints interpreted values with spaces unescaped (proctitle, a2,
            # "op=change password"): a bare word continues the preceding unquoted value.
            if last_key is not None:
                fields[last_key] = fields[last_key] + " " + bare
            continue
        last_key = None
        first = value[:1]
        if first == '"':
            value = value[1:-1] if len(value) >= 2 and value[-1] == '"' else value[1:]
        elif first == "'":
            inner = value[1:-1] if len(value) >= 2 and value[-1] == "'" else value[1:]
            if key == "msg":
                # User-space records: msg='op=PAM:authentication acct="root" ... res=failed'
                _scan(inner, rtype, interpreted, fields, hex_parts)
                continue
            value = inner
        elif first == "{":
            value = value.strip("{} ")
        else:
            last_key = key
            if interpreted or not value:
                pass
            elif execve and key[:1] == "a":
                if "[" in key:
                    if _HEX.match(value) is not None:
                        hex_parts.add(key)  # pieces of one argument: decoded once joined
                        last_key = None
                elif key[1:].isdigit() and _HEX.match(value) is not None:
                    value = decode_hex(value, args=False)
                    last_key = None
            elif key in hex_fields and _HEX.match(value) is not None:
                value = decode_hex(value, args=key in ("proctitle", "cmd"))
                last_key = None
        fields[key] = value
    avc = _AVC.search(text) if rtype in ("AVC", "USER_AVC") else None
    if avc is not None:
        fields["seresult"], fields["seperms"] = avc.group(1), avc.group(2)


def parse_record(text: str, offset: int) -> Record | None:
    """Parse one audit line, or return ``None`` when it has no ``msg=audit(...)`` header."""
    m = _HEADER.match(text) if text.startswith(("type=", "node=")) else None
    if m is None:
        if "audit(" not in text:
            return None
        m = _HEADER_ANYWHERE.search(text)
        if m is None:
            return None
    rtype = m.group("type")
    if rtype.isdigit():
        rtype = TYPE_NAMES.get(rtype, f"UNKNOWN[{rtype}]")
    time = m.group("time")
    # ausearch -i writes a local date instead of epoch seconds and interprets every value.
    interpreted = " " in time
    body, sep, enriched = text[m.end() :].partition("\x1d")
    fields: dict[str, str] = {}
    hex_parts: set[str] = set()
    _scan(body, rtype, interpreted, fields, hex_parts)
    if sep:
        # Enriched logs: UID="root" AUID="alice" ARCH=x86_64 SYSCALL=execve (names, not hex).
        _scan(enriched, rtype, True, fields, hex_parts)
    serial = m.group("serial")
    return Record(
        type=rtype,
        node=m.group("node"),
        stamp=f"{time}:{serial}",
        time=time,
        serial=int(serial[:18]),
        fields=fields,
        hex_parts=frozenset(hex_parts),
        text=text,
        offset=offset,
    )


def record_time(time: str, tz: tzinfo) -> datetime | None:
    """Time of a record: epoch seconds (UTC) or ausearch -i local ``MM/DD/YYYY HH:MM:SS.mmm``."""
    try:
        if " " not in time:
            return from_epoch(float(time))
        m = _INTERPRETED_TIME.match(time)
        if m is None:
            return None
        a, b, c, hh, mm, ss, frac = m.groups()
        if len(a) == 4:  # ISO-like locale: YYYY-MM-DD
            year, month, day = int(a), int(b), int(c)
        else:  # %x in C / en_US: MM/DD/YY or MM/DD/YYYY
            year, month, day = int(c), int(a), int(b)
            if year < 100:
                year += 2000
        micro = int(frac.ljust(6, "0")) if frac else 0
        return local_to_utc(year, month, day, int(hh), int(mm), int(ss), micro, tz)
    except (ValueError, OverflowError, OSError):
        return None


def execve_args(record: Record) -> list[str]:
    """The argument list of an EXECVE record (``a0``..., joining ``aN[i]`` pieces)."""
    fields = record.fields
    try:
        argc = int(fields.get("argc", ""))
    except ValueError:
        argc = sum(1 for k in fields if k[:1] == "a" and k[1:].isdigit())
    args: list[str] = []
    for i in range(min(argc, 65536)):
        value = fields.get(f"a{i}")
        if value is None:
            pieces: list[str] = []
            j = 0
            while (piece := fields.get(f"a{i}[{j}]")) is not None:
                pieces.append(piece)
                j += 1
            if not pieces:
                continue
            joined = "".join(pieces)
            if f"a{i}[0]" in record.hex_parts:
                joined = decode_hex(joined, args=False)
            value = joined
        args.append(value)
    return args


def sockaddr(value: str) -> dict[str, str | int]:
    """Decode a SOCKADDR ``saddr`` hex value (AF_INET, AF_INET6, AF_UNIX); {} otherwise."""
    if _HEX.match(value) is None:
        return {}
    raw = bytes.fromhex(value)
    family = int.from_bytes(raw[:2], "little")
    if family == 2 and len(raw) >= 8:
        ip = ".".join(str(b) for b in raw[4:8])
        return {"family": "inet", "ip": ip, "port": int.from_bytes(raw[2:4], "big")}
    if family == 10 and len(raw) >= 24:
        ip6 = str(ipaddress.IPv6Address(raw[8:24]))
        return {"family": "inet6", "ip": ip6, "port": int.from_bytes(raw[2:4], "big")}
    if family == 1:
        path = raw[2:].split(b"\x00", 1)[0] or raw[3:].split(b"\x00", 1)[0]
        return {"family": "local", "path": _clean(path.decode("utf-8", "replace"))}
    return {"family": str(family)}
