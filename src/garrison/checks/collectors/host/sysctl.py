"""Kernel parameters (``sysctl`` fact) for a fixed list of hardening keys.

On a live host the effective values are read from ``/proc/sys``. Where ``/proc/sys`` is absent
(a fixture tree, an offline image) the configured values are read instead, in the order
``systemd-sysctl`` applies them: ``*.conf`` files of ``/usr/lib``, ``/lib``, ``/run`` and
``/etc`` ``sysctl.d`` sorted by file name (a name in ``/etc`` hides the same name in the
others), then ``/etc/sysctl.conf``; the last assignment of a key wins.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from garrison.checks.collectors.host.source import HostSource

FACT = "sysctl"
#: The keys the checks judge.
KEYS = (
    "kernel.randomize_va_space",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.conf.all.accept_redirects",
    "net.ipv4.conf.all.send_redirects",
    "net.ipv4.conf.all.accept_source_route",
    "net.ipv4.conf.all.rp_filter",
    "net.ipv4.icmp_echo_ignore_broadcasts",
    "kernel.dmesg_restrict",
    "kernel.kptr_restrict",
    "fs.suid_dumpable",
    "fs.protected_hardlinks",
    "fs.protected_symlinks",
    "net.ipv4.ip_forward",
)
#: sysctl.d folders, lowest precedence first (for files of the same name).
FOLDERS = ("/lib/sysctl.d", "/usr/lib/sysctl.d", "/run/sysctl.d", "/etc/sysctl.d")
MAIN = "/etc/sysctl.conf"
MAX_FILES = 256


@dataclass(frozen=True, slots=True)
class SysctlValue:
    """The value of one key.

    Attributes:
        key: The dotted key.
        value: Its value (whitespace normalised).
        source: ``/proc/sys/...`` for a live value, else the configuration file.
        line: The line in that file (``None`` for a live value).
    """

    key: str
    value: str
    source: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Sysctl:
    """The values of :data:`KEYS` that could be learnt.

    Attributes:
        values: Key -> value; a key is missing when unset (configured) or absent (live).
        live: Read from ``/proc/sys`` (effective values), not from configuration files.
    """

    values: dict[str, SysctlValue]
    live: bool


def proc_path(key: str) -> str:
    """``/proc/sys`` path of a dotted key."""
    return "/proc/sys/" + key.replace(".", "/")


def normalise_key(key: str) -> str:
    """A key written with ``/`` separators (``net/ipv4/ip_forward``) in dotted form."""
    key = key.strip()
    return key.replace("/", ".") if "/" in key else key


def parse_conf(text: str, file: str) -> dict[str, SysctlValue]:
    """The assignments of a sysctl.conf-style file (last one per key wins)."""
    found = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = normalise_key(key.lstrip("-"))  # "-key = v": errors ignored, still applied
        if key:
            found[key] = SysctlValue(key, " ".join(value.split()), file, number)
    return found


def configured(source: HostSource) -> dict[str, SysctlValue]:
    """Every key set by the sysctl configuration files, as systemd-sysctl applies them."""
    by_name: dict[str, str] = {}
    for folder in FOLDERS:
        for name in source.listdir(folder)[:MAX_FILES]:
            if name.endswith(".conf"):
                by_name[name] = posixpath.join(folder, name)  # later folders take precedence
    values: dict[str, SysctlValue] = {}
    for path in [*(by_name[n] for n in sorted(by_name)), MAIN]:
        text = source.read_text(path)
        if text is not None:
            values.update(parse_conf(text, path))
    return values


def collect(source: HostSource) -> Sysctl:
    """The effective values when ``/proc/sys`` is readable, else the configured ones."""
    if source.stat("/proc/sys/kernel") is not None:
        live = {}
        for key in KEYS:
            text = source.read_text(proc_path(key), limit=256)
            if text is not None:
                live[key] = SysctlValue(key, " ".join(text.split()), proc_path(key))
        return Sysctl(live, live=True)
    conf = configured(source)
    return Sysctl({k: conf[k] for k in KEYS if k in conf}, live=False)
