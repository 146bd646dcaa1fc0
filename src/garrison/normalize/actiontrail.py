"""Alibaba Cloud (Aliyun) ActionTrail events.

ActionTrail records every console sign-in and API call of an Alibaba Cloud account. Trails
deliver them to OSS (files of JSON) or to Log Service (SLS), whose exports wrap each event as
``{"__topic__": "actiontrail_audit_event", "event": {...}}`` (the event sometimes as JSON text).
Both shapes are accepted; the event's own fields are kept flattened under their names
(``eventName``, ``requestParameters.SourceCidrIp``, ``userIdentity.userName``), the envelope's
beside them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Final

import orjson

from garrison.events import schema
from garrison.normalize.cloudtrail import verb_type
from garrison.normalize.jsonobject import (
    TIMESTAMP_UNPARSED,
    KindParser,
    add_tag,
    as_text,
    parse_time,
    put_cloud,
)
from garrison.normalize.jsonstream import clean, flatten

DATASET: Final = "aliyun.actiontrail"

_SIGNIN_EVENTS: Final = frozenset({"ConsoleSignin", "ConsoleSignout", "ConsoleSigninWithMfa"})
_STS_AUTH: Final = frozenset({"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithOIDC"})
# additionalEventData.loginResult values meaning success / failure.
_LOGIN_OK: Final = frozenset({"success", "succeed", "succeeded", "ok", "true"})
_LOGIN_FAILED: Final = frozenset({"fail", "failed", "failure", "false"})


def _is_event(obj: dict[str, Any]) -> bool:
    if not isinstance(obj.get("eventName"), str):
        return False
    if "acsRegion" in obj:
        return True
    source = obj.get("eventSource")
    return isinstance(source, str) and source.endswith((".aliyuncs.com", ".aliyun.com"))


def _unwrap(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """Return ``(event, envelope or None)`` when ``obj`` is, or wraps, an ActionTrail event."""
    if _is_event(obj):
        return obj, None
    inner = obj.get("event")
    if isinstance(inner, str) and inner.startswith("{") and '"eventName"' in inner:
        try:
            inner = orjson.loads(inner)
        except orjson.JSONDecodeError:
            return None
    if isinstance(inner, dict) and _is_event(inner):
        return inner, obj
    return None


def recognise(obj: dict[str, Any]) -> bool:
    """Whether a JSON object is an ActionTrail event (bare or in an SLS envelope)."""
    return _unwrap(obj) is not None


def _categorise(event: dict[str, Any], name: str) -> tuple[str, list[str]]:
    service = str(event.get("serviceName", "")).lower()
    source = str(event.get("eventSource", ""))
    if name in _SIGNIN_EVENTS or event.get("eventType") == "ConsoleSignin":
        return schema.CATEGORY_AUTHENTICATION, ["end" if name == "ConsoleSignout" else "start"]
    if name in _STS_AUTH:
        return schema.CATEGORY_AUTHENTICATION, ["start"]
    kind = verb_type(name, str(event.get("eventRW", "")).lower() == "read")
    if service in ("ram", "ims") or source.startswith(("ram.", "ims.")):
        return schema.CATEGORY_IAM, [kind]
    return schema.CATEGORY_CONFIGURATION, [kind]


def _outcome(event: dict[str, Any], fields: dict[str, Any]) -> str:
    """Failure on ``errorCode`` or a failed ``additionalEventData.loginResult``."""
    message = as_text(event.get("errorMessage"))
    if message:
        fields[schema.REASON] = message
    error = as_text(event.get("errorCode"))
    if error:
        fields["error.code"] = error
        return schema.OUTCOME_FAILURE
    extra = event.get("additionalEventData")
    if isinstance(extra, dict):
        result = str(extra.get("loginResult", "")).lower()
        if result in _LOGIN_FAILED:
            return schema.OUTCOME_FAILURE
        if result in _LOGIN_OK:
            return schema.OUTCOME_SUCCESS
    return schema.OUTCOME_SUCCESS


def normalise(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise an ActionTrail event.

    Returns:
        The event time (``None`` if unreadable, tagged ``timestamp_unparsed``) and the fields.

    Raises:
        ValueError: If ``obj`` is not an ActionTrail event.
    """
    unwrapped = _unwrap(obj)
    if unwrapped is None:
        raise ValueError("not an ActionTrail event")
    event, envelope = unwrapped
    fields: dict[str, Any] = {}
    if envelope is not None:
        flatten({k: v for k, v in envelope.items() if k != "event"}, "", fields)
    flatten(event, "", fields)
    name = clean(str(event["eventName"]))
    category, types = _categorise(event, name)
    fields[schema.CATEGORY] = category
    fields[schema.TYPE] = types
    fields[schema.ACTION] = name
    provider = as_text(event.get("eventSource")) or as_text(event.get("serviceName"))
    if provider:
        fields[schema.PROVIDER] = provider
    identity = event.get("userIdentity")
    if not isinstance(identity, dict):
        identity = {}
    put_cloud(
        fields,
        provider="aliyun",
        region=event.get("acsRegion"),
        account=as_text(identity.get("accountId")) or event.get("recipientAccountId"),
        address=event.get("sourceIpAddress"),
        agent=event.get("userAgent"),
    )
    user = as_text(identity.get("userName")) or as_text(identity.get("sessionName"))
    if user:
        fields[schema.USER_NAME] = user
    principal = as_text(identity.get("principalId"))
    if principal:
        fields[schema.USER_ID] = principal
    fields[schema.OUTCOME] = _outcome(event, fields)
    timestamp = parse_time(event.get("eventTime"))
    if timestamp is None:
        add_tag(fields, TIMESTAMP_UNPARSED)
    return timestamp, fields


class ActionTrailParser(KindParser):
    """Parser of Alibaba Cloud ActionTrail events (dataset ``aliyun.actiontrail``)."""

    name = "actiontrail"
    description = "Alibaba Cloud ActionTrail events (OSS files, SLS exports, JSON lines)"
    dataset = DATASET
    label = "an ActionTrail event"
    markers: ClassVar[re.Pattern[str] | None] = re.compile(r'"acsRegion"\s*:|\.aliyuncs\.com"')

    recognise = staticmethod(recognise)
    normalise = staticmethod(normalise)
