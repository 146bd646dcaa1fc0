"""Falco alerts (``json_output: true``, or Falcosidekick's payload).

Each alert is an ``event.kind: alert`` event named by its rule. The ``output_fields`` keep their
Falco names at the top level (``proc.cmdline``, ``container.id``, ``fd.sip``) so rules written
against Falco's fields work, and the common ones are mapped to ECS.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Final

from garrison.events import schema
from garrison.normalize.jsonobject import (
    TIMESTAMP_UNPARSED,
    KindParser,
    add_tag,
    as_int,
    as_ip,
    as_text,
    parse_time,
)
from garrison.normalize.jsonstream import clean, flatten

DATASET: Final = "falco.alert"

#: Falco priority -> event.severity, the syslog severity number (0 is the most severe).
SEVERITIES: Final = {
    "emergency": 0,
    "alert": 1,
    "critical": 2,
    "error": 3,
    "warning": 4,
    "notice": 5,
    "informational": 6,
    "info": 6,
    "debug": 7,
}

# output_fields name -> ECS field (text values).
_TEXT_FIELDS: Final = (
    ("proc.cmdline", schema.PROCESS_COMMAND_LINE),
    ("proc.name", schema.PROCESS_NAME),
    ("proc.exepath", schema.PROCESS_EXECUTABLE),
    ("proc.exe", schema.PROCESS_EXECUTABLE),
    ("proc.cwd", schema.PROCESS_WORKING_DIRECTORY),
    ("proc.pname", "process.parent.name"),
    ("user.name", schema.USER_NAME),
    ("ka.user.name", schema.USER_NAME),  # k8s_audit plugin
    ("ct.user", schema.USER_NAME),  # cloudtrail plugin
    ("container.name", "container.name"),
    ("container.image.repository", "container.image.name"),
    ("container.image.tag", "container.image.tag"),
    ("k8s.ns.name", "orchestrator.namespace"),
    ("k8s.pod.name", "kubernetes.pod.name"),
)
_INT_FIELDS: Final = (
    ("proc.pid", schema.PROCESS_PID),
    ("proc.ppid", schema.PROCESS_PARENT_PID),
    ("user.uid", schema.USER_ID),
    ("fd.cport", schema.SOURCE_PORT),
    ("fd.sport", schema.DESTINATION_PORT),
)
# Client and server ends of a connection; fd.rip/lip are remote/local when the role is unknown.
_IP_FIELDS: Final = (
    ("fd.cip", schema.SOURCE_IP),
    ("fd.sip", schema.DESTINATION_IP),
    ("fd.rip", schema.DESTINATION_IP),
    ("ct.srcip", schema.SOURCE_IP),
)
_SLUG_RE: Final = re.compile(r"[^a-z0-9]+")


def recognise(obj: dict[str, Any]) -> bool:
    """Whether a JSON object is a Falco alert."""
    return isinstance(obj.get("rule"), str) and "output" in obj and "priority" in obj


def normalise(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise a Falco alert.

    Returns:
        The event time (``None`` if unreadable, tagged ``timestamp_unparsed``) and the fields.
    """
    output_fields = obj.get("output_fields")
    if not isinstance(output_fields, dict):
        output_fields = {}
    fields = flatten({k: v for k, v in obj.items() if k != "output_fields"})
    flatten(output_fields, "", fields)
    rule = clean(str(obj["rule"]))
    fields[schema.KIND] = schema.KIND_ALERT
    fields[schema.RULE_NAME] = rule
    fields[schema.CATEGORY] = schema.CATEGORY_INTRUSION_DETECTION
    fields[schema.TYPE] = ["info"]
    fields[schema.ACTION] = _SLUG_RE.sub("_", rule.lower()).strip("_") or "falco_alert"
    fields[schema.PROVIDER] = "falco"
    priority = as_text(obj.get("priority"))
    if priority:
        fields[schema.LOG_LEVEL] = priority.lower()
        severity = SEVERITIES.get(priority.lower())
        if severity is not None:
            fields[schema.SEVERITY] = severity
    output = as_text(obj.get("output"))
    if output:
        fields[schema.MESSAGE] = output
    host = as_text(obj.get("hostname"))
    if host:
        fields[schema.HOST_NAME] = host
    tags = obj.get("tags")
    if isinstance(tags, list):
        fields[schema.TAGS] = [clean(str(t)) for t in tags if isinstance(t, str | int | float)]
    for name, target in _TEXT_FIELDS:
        text = as_text(output_fields.get(name))
        if text and target not in fields:
            fields[target] = text
    for name, target in _INT_FIELDS:
        number = as_int(output_fields.get(name))
        if number is not None:
            fields[target] = str(number) if target == schema.USER_ID else number
    for name, target in _IP_FIELDS:
        ip = as_ip(output_fields.get(name))
        if ip and target not in fields:
            fields[target] = ip
    fd_name = as_text(output_fields.get("fd.name"))
    if fd_name and fd_name.startswith("/"):  # a file; sockets read "ip:port->ip:port"
        fields[schema.FILE_PATH] = fd_name
    timestamp = parse_time(obj.get("time"))
    if timestamp is None:
        timestamp = parse_time(output_fields.get("evt.time"))
    if timestamp is None:
        add_tag(fields, TIMESTAMP_UNPARSED)
    return timestamp, fields


class FalcoParser(KindParser):
    """Parser of Falco alerts (dataset ``falco.alert``)."""

    name = "falco"
    description = "Falco runtime security alerts (JSON output)"
    dataset = DATASET
    label = "a Falco alert"
    markers: ClassVar[re.Pattern[str] | None] = re.compile(r'"output_fields"\s*:')

    recognise = staticmethod(recognise)
    normalise = staticmethod(normalise)
