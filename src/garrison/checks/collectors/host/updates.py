"""Automatic (security) updates (``updates`` fact): Debian/Ubuntu unattended-upgrades,
RHEL-family dnf-automatic and yum-cron.

Installed packages are told by files they own (``/var/lib/dpkg/info/<pkg>.list``, the tools'
own configuration), not by parsing the package database: it is cheaper over SSH. A systemd
unit is *enabled* when a link to it sits in a ``*.wants`` folder of ``/etc/systemd/system``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from garrison.checks.collectors.host.source import HostSource

FACT = "updates"
APT_CONF = "/etc/apt/apt.conf"
APT_CONF_DIR = "/etc/apt/apt.conf.d"
DNF_AUTOMATIC = "/etc/dnf/automatic.conf"
YUM_CRON = "/etc/yum/yum-cron.conf"
SYSTEMD = "/etc/systemd/system"
#: Files listed from one folder at most.
MAX_FILES = 256

# APT::Periodic::Unattended-Upgrade "1";  (also nested APT { Periodic { ... } } is rare)
_APT_VALUE = re.compile(r'^\s*([A-Za-z0-9:_-]+)\s+"([^"]*)"\s*;')
_SECURITY_ORIGIN = re.compile(r'"[^"]*security[^"]*"', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Setting:
    """A configured value and where.

    Attributes:
        value: The value as written.
        file: The file.
        line: The line (1-based).
    """

    value: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Updates:
    """How the host updates itself.

    Attributes:
        family: ``debian``, ``rhel``, ``alpine`` or ``None`` when unknown.
        apt: APT settings (``APT::Periodic::...``, lowercase key) in force, last one wins.
        unattended_installed: The ``unattended-upgrades`` package is installed.
        unattended_security: Its allowed origins name a security archive (``None`` if not read).
        dnf: ``/etc/dnf/automatic.conf`` settings (``apply_updates``, ``upgrade_type``).
        dnf_timers: Enabled dnf-automatic timers.
        yum_cron: ``/etc/yum/yum-cron.conf`` settings.
        yum_cron_enabled: The yum-cron service is enabled.
    """

    family: str | None
    apt: dict[str, Setting] = field(default_factory=dict)
    unattended_installed: bool = False
    unattended_security: bool | None = None
    dnf: dict[str, Setting] | None = None
    dnf_timers: tuple[str, ...] = ()
    yum_cron: dict[str, Setting] | None = None
    yum_cron_enabled: bool = False


def parse_apt(text: str, file: str) -> dict[str, Setting]:
    """The ``Name "value";`` settings of an apt configuration file (keys lowercased)."""
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _APT_VALUE.match(line)
        if match and "::" in match.group(1):  # scoped names only (not keys inside blocks)
            found[match.group(1).lower()] = Setting(match.group(2), file, number)
    return found


def parse_ini(text: str, file: str) -> dict[str, Setting]:
    """``key = value`` settings of an INI file, all sections together (keys lowercased)."""
    found = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, sep, value = line.partition("=")
        if sep:
            found[key.strip().lower()] = Setting(value.strip(), file, number)
    return found


def _names_security(text: str) -> bool:
    """An uncommented quoted origin mentions a security archive (``...-security``)."""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("//", "#")):
            continue
        if _SECURITY_ORIGIN.search(line.split("//", 1)[0]):
            return True
    return False


def _family(source: HostSource) -> str | None:
    if source.stat("/etc/debian_version") is not None or source.stat("/etc/apt") is not None:
        return "debian"
    if any(source.stat(p) is not None for p in ("/etc/redhat-release", "/etc/dnf", "/etc/yum")):
        return "rhel"
    if source.stat("/etc/alpine-release") is not None:
        return "alpine"
    return None


def _wanted(source: HostSource, prefix: str) -> list[str]:
    """Units starting with ``prefix`` linked from any ``*.wants`` folder of /etc/systemd/system."""
    found: list[str] = []
    for folder in source.listdir(SYSTEMD)[:MAX_FILES]:
        if folder.endswith(".wants"):
            found.extend(
                n for n in source.listdir(posixpath.join(SYSTEMD, folder)) if n.startswith(prefix)
            )
    return sorted(set(found))


def collect(source: HostSource) -> Updates:
    """Read the automatic-update configuration of the host's family."""
    family = _family(source)
    apt: dict[str, Setting] = {}
    security: bool | None = None
    if family == "debian":
        files = [APT_CONF] + [
            posixpath.join(APT_CONF_DIR, n)
            for n in source.listdir(APT_CONF_DIR)[:MAX_FILES]
            if not n.startswith(".") and not n.endswith((".dpkg-old", ".dpkg-dist", "~"))
        ]
        origins = []
        for path in files:
            text = source.read_text(path)
            if text is None:
                continue
            apt.update(parse_apt(text, path))
            if "Unattended-Upgrade::" in text:
                origins.append(text)
        if origins:
            security = any(_names_security(t) for t in origins)
    dnf_text = source.read_text(DNF_AUTOMATIC)
    yum_text = source.read_text(YUM_CRON)
    return Updates(
        family=family,
        apt=apt,
        unattended_installed=source.stat("/var/lib/dpkg/info/unattended-upgrades.list") is not None,
        unattended_security=security,
        dnf=parse_ini(dnf_text, DNF_AUTOMATIC) if dnf_text is not None else None,
        dnf_timers=tuple(_wanted(source, "dnf-automatic")),
        yum_cron=parse_ini(yum_text, YUM_CRON) if yum_text is not None else None,
        yum_cron_enabled=bool(_wanted(source, "yum-cron")),
    )
