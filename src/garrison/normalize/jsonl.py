"""Generic JSON logs, one object per line or whole documents.

Objects of a known kind (Windows events, CloudTrail, ActionTrail, Kubernetes audit, Falco) are
handed to their recognisers, so a stream mixing them works. Any other object is flattened
(``{"http": {"status": 200}}`` becomes ``http.status``) and its common keys are mapped to the
schema: ``timestamp``/``@timestamp``/``time``/``ts`` (ISO 8601 or epoch s/ms/us/ns),
``src_ip``/``client_ip``/``remote_addr``, ``user``/``username``, ``host``/``hostname``,
``message``/``msg``, ``level``... (see :data:`DEFAULT_KEYS`). ``ParseContext.field_map``
(``--field-map``) maps further keys, or overrides the defaults, by their dotted path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, ClassVar, Final

from garrison.events import schema
from garrison.normalize import actiontrail, cloudtrail, falco, k8s_audit, windows
from garrison.normalize.base import ParseContext
from garrison.normalize.jsonobject import (
    TIMESTAMP_UNPARSED,
    ObjectParser,
    add_tag,
    as_int,
    as_ip,
    as_text,
    parse_time,
)
from garrison.normalize.jsonstream import flatten

DATASET: Final = "json"

_Normaliser = Callable[[dict[str, Any]], tuple[datetime | None, dict[str, Any]]]
#: The specialised formats, tried in order: (recognise, normalise, dataset).
RECOGNISERS: Final[tuple[tuple[Callable[[dict[str, Any]], bool], _Normaliser, str], ...]] = (
    (windows.recognise, windows.normalise, windows.DATASET),
    (cloudtrail.recognise, cloudtrail.normalise, cloudtrail.DATASET),
    (actiontrail.recognise, actiontrail.normalise, actiontrail.DATASET),
    (k8s_audit.recognise, k8s_audit.normalise, k8s_audit.DATASET),
    (falco.recognise, falco.normalise, falco.DATASET),
)

#: Schema field -> source keys (flattened), the first present wins.
DEFAULT_KEYS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (schema.TIMESTAMP, ("@timestamp", "timestamp", "time", "ts", "datetime", "date",
                        "eventTime", "event_time", "time_local", "time_iso8601",
                        "__REALTIME_TIMESTAMP", "asctime", "created_at")),
    (schema.SOURCE_IP, ("source.ip", "client.ip", "src_ip", "source_ip", "srcip", "client_ip",
                        "clientip", "clientIp", "sourceIp", "remote_addr", "remote_ip",
                        "remoteAddr", "req.remoteAddress", "ip", "src")),
    (schema.SOURCE_PORT, ("source.port", "src_port", "source_port", "srcport", "client_port",
                          "remote_port", "req.remotePort", "sport")),
    (schema.DESTINATION_IP, ("destination.ip", "server.ip", "dst_ip", "dest_ip",
                             "destination_ip", "dstip", "server_ip", "server_addr", "dst")),
    (schema.DESTINATION_PORT, ("destination.port", "dst_port", "dest_port",
                               "destination_port", "dstport", "server_port", "dport")),
    (schema.USER_NAME, ("user.name", "user", "username", "user_name", "userName", "usr",
                        "login", "account", "remote_user")),
    (schema.HOST_NAME, ("host.name", "host.hostname", "hostname", "host", "host_name",
                        "computer", "_HOSTNAME")),
    (schema.MESSAGE, ("message", "msg", "MESSAGE", "log", "event")),
    (schema.LOG_LEVEL, ("log.level", "level", "severity", "loglevel", "log_level",
                        "levelname", "lvl", "PRIORITY")),
    (schema.PROCESS_NAME, ("process.name", "program", "_COMM", "SYSLOG_IDENTIFIER")),
    (schema.PROCESS_PID, ("process.pid", "pid", "_PID")),
    (schema.HTTP_METHOD, ("http.request.method", "request_method", "http_method", "method",
                          "req.method")),
    (schema.HTTP_STATUS, ("http.response.status_code", "status", "status_code",
                          "response_code", "statusCode", "res.statusCode")),
    (schema.HTTP_BYTES, ("http.response.body.bytes", "body_bytes_sent", "bytes_sent",
                         "response_size", "bytes")),
    (schema.URL_ORIGINAL, ("url.original", "request_uri", "uri", "url", "request_url",
                           "req.url")),
    (schema.HTTP_REFERRER, ("http.request.referrer", "http_referer", "referer", "referrer")),
    (schema.USER_AGENT, ("user_agent.original", "http_user_agent", "user_agent", "userAgent",
                         "useragent")),
)  # fmt: skip

# Source key -> (schema field, rank): one dict lookup per key of an object.
_CANDIDATES: Final[dict[str, tuple[str, int]]] = {
    key: (target, rank) for target, keys in DEFAULT_KEYS for rank, key in enumerate(keys)
}
_INT_RANGES: Final = {
    schema.SOURCE_PORT: (0, 65535),
    schema.DESTINATION_PORT: (0, 65535),
    schema.PROCESS_PID: (0, 2**32),
    schema.PROCESS_PARENT_PID: (0, 2**32),
    schema.HTTP_STATUS: (100, 599),
    schema.HTTP_BYTES: (0, 2**63),
}
_IP_FIELDS: Final = {schema.SOURCE_IP, schema.DESTINATION_IP, schema.HOST_IP}
#: pino / bunyan numeric levels, and syslog severities (journald's PRIORITY).
_NUMERIC_LEVELS: Final = {
    10: "trace",
    20: "debug",
    30: "info",
    40: "warn",
    50: "error",
    60: "fatal",
}
_SYSLOG_LEVELS: Final = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
# A source value under a schema name that does not convert moves here (or goes, if absent).
_INVALID_MOVES_TO: Final = {
    schema.SOURCE_IP: "source.address",
    schema.DESTINATION_IP: "destination.address",
}
_KINDS: Final = {"alert", "enrichment", "event", "metric", "state", "signal"}
_OUTCOMES: Final = {schema.OUTCOME_SUCCESS, schema.OUTCOME_FAILURE, schema.OUTCOME_UNKNOWN}


def _convert(target: str, value: Any) -> Any:
    """A source value converted to the type of schema field ``target``; ``None`` if it won't."""
    if target in _IP_FIELDS:
        return as_ip(value)
    if target in _INT_RANGES:
        number = as_int(value)
        low, high = _INT_RANGES[target]
        return number if number is not None and low <= number <= high else None
    if target == schema.LOG_LEVEL:
        if isinstance(value, int) and not isinstance(value, bool):
            return _NUMERIC_LEVELS.get(value)
        if isinstance(value, str) and len(value) == 1 and "0" <= value <= "7":
            return _SYSLOG_LEVELS[int(value)]
    if isinstance(value, list):
        return value
    return as_text(value)


def _assign(fields: dict[str, Any], key: str, target: str, tz: tzinfo) -> datetime | None:
    """Set ``target`` from source field ``key``, converted to the field's type.

    Returns:
        The time when ``target`` is ``@timestamp`` (``None`` otherwise or if unreadable).
    """
    value = fields[key]
    if target == schema.TIMESTAMP:
        when = parse_time(value, tz)
        if when is None:
            add_tag(fields, TIMESTAMP_UNPARSED)
        return when
    converted = _convert(target, value)
    if converted is not None:
        fields[target] = converted
    elif key == target:
        # The source used the schema's name for a value of another type ("source.ip":
        # "gateway"): storage expects the schema's type, so it moves aside.
        del fields[key]
        moved = _INVALID_MOVES_TO.get(target)
        if moved is not None and value is not None:
            fields.setdefault(moved, value)
    return None


def normalise_generic(
    obj: dict[str, Any], field_map: Mapping[str, str], tz: tzinfo
) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise a JSON object of no known kind.

    Args:
        obj: The object.
        field_map: Source dotted path -> schema field, applied before (and over) the defaults.
        tz: Zone of zone-less timestamps.

    Returns:
        The event time (``None`` when absent or unreadable) and the fields.
    """
    fields = flatten(obj)
    chosen: dict[str, tuple[int, str]] = {}
    for key in fields:
        hit = _CANDIDATES.get(key)
        if hit is not None:
            target, rank = hit
            if target not in chosen or rank < chosen[target][0]:
                chosen[target] = (rank, key)
    timestamp: datetime | None = None
    mapped = set()
    for source, target in field_map.items():
        if source in fields:
            mapped.add(target)
            when = _assign(fields, source, target, tz)
            timestamp = when or timestamp
    for target, (_, key) in chosen.items():
        if target not in mapped and key in fields:
            when = _assign(fields, key, target, tz)
            timestamp = when or timestamp
    _ecs_cleanup(fields)
    return timestamp, fields


def _ecs_cleanup(fields: dict[str, Any]) -> None:
    """Keep ECS fields a source may carry in the schema's shape; infer web events."""
    category = fields.get(schema.CATEGORY)
    if isinstance(category, list):  # ECS allows a list; the schema keeps the primary one
        if category and isinstance(category[0], str):
            fields[schema.CATEGORY] = category[0]
        else:
            del fields[schema.CATEGORY]
    if fields.get(schema.OUTCOME) not in _OUTCOMES:
        fields.pop(schema.OUTCOME, None)
    if fields.get(schema.KIND, schema.KIND_EVENT) not in _KINDS:
        fields[schema.KIND] = schema.KIND_EVENT
    action = fields.get(schema.ACTION)
    if action is not None and not isinstance(action, str):
        text = as_text(action)
        if text is None:
            del fields[schema.ACTION]
        else:
            fields[schema.ACTION] = text
    status = fields.get(schema.HTTP_STATUS)
    if isinstance(status, int) and schema.HTTP_METHOD in fields:
        fields.setdefault(schema.CATEGORY, schema.CATEGORY_WEB)
        ok = status < 400
        fields.setdefault(schema.OUTCOME, schema.OUTCOME_SUCCESS if ok else schema.OUTCOME_FAILURE)


class JsonLinesParser(ObjectParser):
    """Parser of JSON logs (dataset ``json``, or the dataset of a recognised kind)."""

    name = "json"
    description = "JSON logs (NDJSON or documents), with known kinds recognised"
    dataset = DATASET
    label = "a JSON object"
    markers: ClassVar[re.Pattern[str] | None] = re.compile(r"\A\s*[\[{]\s*[\"{\[]")

    def accepts(self, obj: dict[str, Any]) -> bool:
        """Every JSON object is accepted."""
        return True

    def convert(
        self, obj: dict[str, Any], ctx: ParseContext
    ) -> tuple[datetime | None, dict[str, Any], str]:
        """Normalise an object with its recogniser, or generically."""
        for recognise, normalise, dataset in RECOGNISERS:
            if recognise(obj):
                timestamp, fields = normalise(obj)
                if ctx.field_map:
                    for source, target in ctx.field_map.items():
                        if source in fields:
                            when = _assign(fields, source, target, ctx.tz)
                            timestamp = when or timestamp
                return timestamp, fields, dataset
        timestamp, fields = normalise_generic(obj, ctx.field_map, ctx.tz)
        return timestamp, fields, DATASET
