"""Time synchronisation (``timesync`` fact): chrony, ntpd/ntpsec, systemd-timesyncd.

Which of them runs is in the ``processes`` fact; this one says which are configured (with
their servers) and enabled (a link in a ``*.wants`` folder of ``/etc/systemd/system``).
systemd-timesyncd works without configuration (its compiled-in ``FallbackNTP=`` servers), so
it counts as configured when it is enabled. Containers take their time from the host kernel.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from garrison.checks.collectors.host.source import HostSource

FACT = "timesync"
SYSTEMD = "/etc/systemd/system"
MAX_FILES = 256

#: name -> (process names, unit names, configuration files, folders of drop-ins).
SERVICES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "chrony": (
        ("chronyd",),
        ("chronyd.service", "chrony.service"),
        ("/etc/chrony.conf", "/etc/chrony/chrony.conf"),
        ("/etc/chrony/conf.d", "/etc/chrony/sources.d", "/etc/chrony.d"),
    ),
    "ntp": (
        ("ntpd",),
        ("ntpd.service", "ntp.service", "ntpsec.service"),
        ("/etc/ntp.conf", "/etc/ntpsec/ntp.conf"),
        ("/etc/ntpsec/ntp.d",),
    ),
    "openntpd": (("openntpd",), ("openntpd.service",), ("/etc/openntpd/ntpd.conf",), ()),
    "timesyncd": (
        ("systemd-timesyncd",),
        ("systemd-timesyncd.service",),
        ("/etc/systemd/timesyncd.conf",),
        ("/etc/systemd/timesyncd.conf.d",),
    ),
}
#: Directives that name a time source, per kind of configuration.
_NTP_DIRECTIVES = {"server", "pool", "peer", "servers"}


@dataclass(frozen=True, slots=True)
class TimeService:
    """One time-synchronisation service.

    Attributes:
        name: ``chrony``, ``ntp``, ``openntpd`` or ``timesyncd``.
        processes: Its process names (to look up in the ``processes`` fact).
        config: Its main configuration file, when present.
        servers: The time sources it names.
        enabled: Its unit is enabled.
    """

    name: str
    processes: tuple[str, ...]
    config: str | None
    servers: tuple[str, ...]
    enabled: bool

    @property
    def configured(self) -> bool:
        """It has time sources (timesyncd has built-in fallback servers)."""
        return bool(self.servers) or (self.name == "timesyncd" and self.enabled)


@dataclass(frozen=True, slots=True)
class TimeSync:
    """The time services found, and whether this is a container.

    Attributes:
        services: Services configured or enabled.
        container: ``/.dockerenv`` or ``/run/.containerenv`` exists: the host keeps the time.
    """

    services: tuple[TimeService, ...]
    container: bool


def ntp_servers(text: str) -> list[str]:
    """The servers of a chrony/ntpd/openntpd file (``server``/``pool``/``peer`` lines)."""
    found = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if len(words) >= 2 and words[0].lower() in _NTP_DIRECTIVES:
            found.append(words[1])
    return found


def timesyncd_servers(text: str) -> list[str]:
    """The ``NTP=`` servers of a timesyncd file (``FallbackNTP=`` is there anyway)."""
    found: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", ";")) and key.strip() == "NTP":
            found = value.split()  # an assignment replaces the earlier list
    return found


def wanted_units(source: HostSource) -> set[str]:
    """Every unit linked from a ``*.wants`` folder of ``/etc/systemd/system`` (enabled)."""
    found: set[str] = set()
    for folder in source.listdir(SYSTEMD)[:MAX_FILES]:
        if folder.endswith(".wants"):
            found.update(source.listdir(posixpath.join(SYSTEMD, folder)))
    return found


def collect(source: HostSource) -> TimeSync:
    """Read each time service's configuration and enablement."""
    found = []
    wanted = wanted_units(source)
    for name, (processes, units, configs, folders) in SERVICES.items():
        parse = timesyncd_servers if name == "timesyncd" else ntp_servers
        config = None
        servers: list[str] = []
        for path in configs:
            text = source.read_text(path)
            if text is not None:
                config = config or path
                servers.extend(parse(text))
        for folder in folders:
            for entry in source.listdir(folder)[:MAX_FILES]:
                if entry.endswith((".conf", ".sources")):
                    servers.extend(parse(source.read_text(posixpath.join(folder, entry)) or ""))
        enabled = any(u in wanted for u in units)
        if config is not None or enabled:
            found.append(
                TimeService(name, processes, config, tuple(dict.fromkeys(servers)), enabled)
            )
    container = any(source.stat(p) is not None for p in ("/.dockerenv", "/run/.containerenv"))
    return TimeSync(tuple(found), container)
