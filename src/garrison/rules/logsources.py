"""Which events a Sigma rule's ``logsource`` is about: its ``event.dataset`` values and more.

A Sigma rule names its log source abstractly (``product: linux, service: auth``,
``category: webserver``); Garrison events name their format in ``event.dataset``. The table
here routes the one to the other, so that the engine only shows a rule the events it is
written for. For Windows it adds the ``Channel`` (from the service) and the ``EventID``
values (from the category: ``process_creation`` is Sysmon event 1 or Security event 4688).

:func:`route` returns ``None`` for a log source the table does not know (a product Garrison
does not parse, or no logsource at all): the engine must then evaluate the rule on **every**
event, as nothing tells which events it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["LogsourceRoute", "channels_for", "datasets_for", "route"]

_LINUX_SYSLOG: Final = frozenset({"linux.syslog", "linux.auth"})
_LINUX_AUTH: Final = frozenset({"linux.auth"})
_LINUX_AUDITD: Final = frozenset({"linux.auditd"})
_LINUX_ALL: Final = _LINUX_SYSLOG | _LINUX_AUDITD
_WEB: Final = frozenset({"web.access", "iis.access"})
_WINDOWS: Final = frozenset({"windows.evtx"})

SYSMON: Final = "Microsoft-Windows-Sysmon/Operational"
SECURITY: Final = "Security"
POWERSHELL: Final = "Microsoft-Windows-PowerShell/Operational"

#: Linux ``service`` -> datasets (sshd, sudo, su, cron... messages become ``linux.auth``).
_LINUX_SERVICES: Final[dict[str, frozenset[str]]] = {
    "auth": _LINUX_AUTH,
    "sshd": _LINUX_AUTH,
    "sudo": _LINUX_AUTH,
    "su": _LINUX_AUTH,
    "cron": _LINUX_AUTH,
    "syslog": _LINUX_SYSLOG,
    "auditd": _LINUX_AUDITD,
}
#: Linux ``category`` -> datasets (process starts come from auditd EXECVE groups).
_LINUX_CATEGORIES: Final[dict[str, frozenset[str]]] = {
    "process_creation": _LINUX_AUDITD,
}
#: Windows ``service`` -> ``Channel``.
WINDOWS_CHANNELS: Final[dict[str, str]] = {
    "security": SECURITY,
    "system": "System",
    "application": "Application",
    "sysmon": SYSMON,
    "powershell": POWERSHELL,
    "powershell-classic": "Windows PowerShell",
    "taskscheduler": "Microsoft-Windows-TaskScheduler/Operational",
    "windefend": "Microsoft-Windows-Windows Defender/Operational",
}
#: Windows ``category`` -> (channels, event ids).
_WINDOWS_CATEGORIES: Final[dict[str, tuple[frozenset[str], frozenset[int]]]] = {
    "process_creation": (frozenset({SYSMON, SECURITY}), frozenset({1, 4688})),
    "network_connection": (frozenset({SYSMON}), frozenset({3})),
    "process_termination": (frozenset({SYSMON}), frozenset({5})),
    "driver_load": (frozenset({SYSMON}), frozenset({6})),
    "image_load": (frozenset({SYSMON}), frozenset({7})),
    "create_remote_thread": (frozenset({SYSMON}), frozenset({8})),
    "process_access": (frozenset({SYSMON}), frozenset({10})),
    "file_event": (frozenset({SYSMON}), frozenset({11})),
    "registry_event": (frozenset({SYSMON}), frozenset({12, 13, 14})),
    "registry_add": (frozenset({SYSMON}), frozenset({12})),
    "registry_delete": (frozenset({SYSMON}), frozenset({12})),
    "registry_set": (frozenset({SYSMON}), frozenset({13})),
    "registry_rename": (frozenset({SYSMON}), frozenset({14})),
    "create_stream_hash": (frozenset({SYSMON}), frozenset({15})),
    "pipe_created": (frozenset({SYSMON}), frozenset({17, 18})),
    "wmi_event": (frozenset({SYSMON}), frozenset({19, 20, 21})),
    "dns_query": (frozenset({SYSMON}), frozenset({22})),
    "file_delete": (frozenset({SYSMON}), frozenset({23, 26})),
    "ps_module": (frozenset({POWERSHELL}), frozenset({4103})),
    "ps_script": (frozenset({POWERSHELL}), frozenset({4104})),
}
#: Products routed by product alone (any service or category).
_PRODUCTS: Final[dict[str, frozenset[str]]] = {
    "aws": frozenset({"aws.cloudtrail"}),
    "aliyun": frozenset({"aliyun.actiontrail"}),
    "kubernetes": frozenset({"kubernetes.audit"}),
    "falco": frozenset({"falco.alert"}),
    "apache": frozenset({"web.access", "apache.error"}),
    "nginx": frozenset({"web.access", "nginx.error"}),
    "iis": frozenset({"iis.access"}),
}


@dataclass(frozen=True, slots=True)
class LogsourceRoute:
    """Which events a log source covers.

    Attributes:
        datasets: The ``event.dataset`` values.
        channels: For Windows: the allowed ``Channel`` values (``None``: any).
        event_ids: For Windows: the allowed ``EventID`` values (``None``: any).
    """

    datasets: frozenset[str]
    channels: frozenset[str] | None = None
    event_ids: frozenset[int] | None = None


def _norm(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def _windows(category: str | None, service: str | None) -> LogsourceRoute:
    channels: frozenset[str] | None = None
    event_ids: frozenset[int] | None = None
    if category in _WINDOWS_CATEGORIES:
        channels, event_ids = _WINDOWS_CATEGORIES[category]
    if service in WINDOWS_CHANNELS:
        channel = frozenset({WINDOWS_CHANNELS[service]})
        channels = channel if channels is None else channels & channel or channel
    return LogsourceRoute(_WINDOWS, channels, event_ids)


def route(
    product: str | None, category: str | None = None, service: str | None = None
) -> LogsourceRoute | None:
    """Route a Sigma log source to the events it covers.

    Args:
        product: The logsource ``product`` (case-insensitive), if any.
        category: Its ``category``, if any.
        service: Its ``service``, if any.

    Returns:
        The route, or ``None`` when the log source is unknown (the rule must then be
        evaluated on every event).
    """
    product, category, service = _norm(product), _norm(category), _norm(service)
    if product == "windows":
        return _windows(category, service)
    if product == "linux":
        if service in _LINUX_SERVICES:
            return LogsourceRoute(_LINUX_SERVICES[service])
        if category in _LINUX_CATEGORIES:
            return LogsourceRoute(_LINUX_CATEGORIES[category])
        return LogsourceRoute(_LINUX_ALL)
    if category == "webserver":
        return LogsourceRoute(_PRODUCTS.get(product or "", _WEB) & _WEB or _WEB)
    if product in _PRODUCTS:
        return LogsourceRoute(_PRODUCTS[product])
    return None


def datasets_for(
    product: str | None, category: str | None = None, service: str | None = None
) -> frozenset[str] | None:
    """The ``event.dataset`` values of a Sigma log source.

    Args:
        product: The logsource ``product``, if any.
        category: Its ``category``, if any.
        service: Its ``service``, if any.

    Returns:
        The datasets, or ``None`` for an unknown log source: the rule must then be evaluated
        on every event.
    """
    found = route(product, category, service)
    return found.datasets if found is not None else None


def channels_for(service: str | None) -> str | None:
    """The Windows ``Channel`` of a Sigma Windows ``service`` (``None`` if unknown)."""
    normalised = _norm(service)
    return WINDOWS_CHANNELS.get(normalised) if normalised else None
