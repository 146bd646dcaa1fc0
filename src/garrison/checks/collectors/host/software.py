"""Operating system and installed software (``software`` fact).

The OS comes from ``/etc/os-release`` (or ``/usr/lib/os-release``), else from
``/etc/redhat-release`` or ``/etc/debian_version`` (old releases have no os-release).
Packages come from the dpkg and apk databases, which are text. The RPM database is binary
(Berkeley DB or SQLite), so on RPM hosts the package list stays empty and says so. Software
installed outside packages is looked up where the 宝塔 (BT) panel puts PHP
(``/www/server/php/<56|74|...>``) and DedeCMS marks its version (``data/admin/ver.txt``).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

from garrison.checks.collectors.host.source import HostSource

FACT = "software"
DPKG_STATUS = "/var/lib/dpkg/status"
APK_INSTALLED = "/lib/apk/db/installed"
RPM_DIRS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
BT_PHP = "/www/server/php"
#: Where DedeCMS sites may sit (web roots and one level of site folders under them).
WEB_ROOTS = ("/var/www", "/var/www/html", "/www/wwwroot", "/usr/share/nginx/html", "/srv/www")
#: dpkg status files of busy hosts pass the usual 4 MiB read limit.
MAX_DB = 64 * 1024 * 1024
MAX_SITES = 50

_RELEASE = re.compile(r"^\s*(?P<name>.*?)\s+release\s+(?P<version>[\d.]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class OsRelease:
    """The operating system.

    Attributes:
        id: ``debian``, ``ubuntu``, ``centos``, ``rhel``... (lowercase).
        version_id: ``12``, ``22.04``, ``7``...
        name: A name for people (``PRETTY_NAME``).
        source: The file it was read from.
    """

    id: str
    version_id: str
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class Package:
    """An installed package (or a known piece of software found outside packages).

    Attributes:
        name: The package name.
        version: Its version as the package manager writes it.
        source: ``dpkg``, ``apk`` or the path it was found at.
    """

    name: str
    version: str
    source: str


@dataclass(frozen=True, slots=True)
class Software:
    """What runs on the host.

    Attributes:
        os: The operating system, when it could be told.
        packages: Installed packages (empty on RPM hosts: see ``package_db``).
        package_db: ``dpkg``, ``apk``, ``rpm`` (not readable as text) or ``None``.
    """

    os: OsRelease | None
    packages: tuple[Package, ...]
    package_db: str | None


def parse_os_release(text: str, source: str) -> OsRelease | None:
    """The ``ID``, ``VERSION_ID`` and ``PRETTY_NAME`` of an os-release file."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.isidentifier():
            try:
                words = shlex.split(value)
            except ValueError:
                words = [value.strip("\"'")]
            values[key] = words[0] if words else ""
    if not values.get("ID"):
        return None
    name = values.get("PRETTY_NAME") or values.get("NAME") or values["ID"]
    return OsRelease(values["ID"].lower(), values.get("VERSION_ID", ""), name, source)


def parse_redhat_release(text: str, source: str) -> OsRelease | None:
    """``CentOS release 6.10 (Final)``, ``Red Hat Enterprise Linux Server release 5.11``..."""
    match = _RELEASE.match(text)
    if not match:
        return None
    name = match.group("name").lower()
    family = "centos" if "centos" in name else "rhel" if "red hat" in name else name.split()[0]
    version = match.group("version")
    if family in ("centos", "rhel"):
        version = version.split(".")[0]  # os-release gives the major version for these
    return OsRelease(family, version, text.strip().splitlines()[0], source)


def parse_dpkg_status(text: str) -> list[Package]:
    """The installed packages of ``/var/lib/dpkg/status``."""
    found = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t"):
                continue  # continuation of a long field (Description, Conffiles)
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        status = fields.get("Status", "").split()
        if fields.get("Package") and status[-1:] == ["installed"]:
            found.append(Package(fields["Package"], fields.get("Version", ""), "dpkg"))
    return found


def parse_apk_installed(text: str) -> list[Package]:
    """The packages of Alpine's ``/lib/apk/db/installed`` (``P:`` name, ``V:`` version)."""
    found = []
    for stanza in text.split("\n\n"):
        fields = dict(
            (line[:1], line[2:].strip()) for line in stanza.splitlines() if line[1:2] == ":"
        )
        if fields.get("P"):
            found.append(Package(fields["P"], fields.get("V", ""), "apk"))
    return found


def _os(source: HostSource) -> OsRelease | None:
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        text = source.read_text(path)
        if text is not None:
            found = parse_os_release(text, path)
            if found:
                return found
    text = source.read_text("/etc/redhat-release")
    if text is not None:
        return parse_redhat_release(text, "/etc/redhat-release")
    text = source.read_text("/etc/debian_version")
    if text is not None and text.strip()[:1].isdigit():
        return OsRelease("debian", text.strip().split(".")[0], f"Debian {text.strip()}", "")
    return None


def _outside_packages(source: HostSource) -> list[Package]:
    """PHP of the BT panel and DedeCMS sites."""
    found = []
    for name in source.listdir(BT_PHP):
        if name.isdigit() and len(name) >= 2:  # "56" is PHP 5.6, "74" is 7.4, "80" is 8.0
            found.append(Package("php", f"{name[0]}.{name[1:]}", posixpath.join(BT_PHP, name)))
    sites = [r for r in WEB_ROOTS if source.stat(r) is not None]
    for root in list(sites):
        sites.extend(posixpath.join(root, n) for n in source.listdir(root)[:MAX_SITES])
    for site in dict.fromkeys(sites):
        path = posixpath.join(site, "data/admin/ver.txt")
        text = source.read_text(path, limit=64)
        if text is not None and text.strip()[:8].isdigit():
            found.append(Package("dedecms", text.strip()[:8], path))
    return found


def collect(source: HostSource) -> Software:
    """Read the OS release and the package databases."""
    packages: list[Package] = []
    database = None
    dpkg = source.read_text(DPKG_STATUS, limit=MAX_DB)
    if dpkg is not None:
        packages.extend(parse_dpkg_status(dpkg))
        database = "dpkg"
    apk = source.read_text(APK_INSTALLED, limit=MAX_DB)
    if apk is not None:
        packages.extend(parse_apk_installed(apk))
        database = database or "apk"
    if database is None and any(source.stat(p) is not None for p in RPM_DIRS):
        database = "rpm"
    packages.extend(_outside_packages(source))
    return Software(_os(source), tuple(packages), database)
