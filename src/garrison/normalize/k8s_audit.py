"""Kubernetes API server audit events (``audit.k8s.io/v1`` ``Event``).

The API server's log backend writes one event per line (``--audit-log-path``); the webhook
backend posts ``EventList`` documents, expanded into their events by
:mod:`garrison.normalize.jsonstream`. Events keep their own fields flattened
(``objectRef.resource``, ``user.username``, ``requestObject.spec.containers.0.securityContext.
privileged``), so an exec into a pod or a privileged pod is visible to rules as it is in the log.
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
from garrison.normalize.jsonstream import flatten

DATASET: Final = "kubernetes.audit"

_RBAC_RESOURCES: Final = frozenset(
    {"roles", "rolebindings", "clusterroles", "clusterrolebindings", "serviceaccounts"}
)
# Subresources that run or reach a process inside a pod.
_PROCESS_SUBRESOURCES: Final = frozenset({"exec", "attach", "portforward"})
_VERB_TYPES: Final = {
    "create": "creation",
    "delete": "deletion",
    "deletecollection": "deletion",
    "update": "change",
    "patch": "change",
    "get": "access",
    "list": "access",
    "watch": "access",
}


def recognise(obj: dict[str, Any]) -> bool:
    """Whether a JSON object is a Kubernetes audit event."""
    api = obj.get("apiVersion")
    if isinstance(api, str) and api.startswith("audit.k8s.io/"):
        return obj.get("kind") == "Event"
    return "auditID" in obj and "verb" in obj and "stage" in obj


def _categorise(obj: dict[str, Any], ref: dict[str, Any], code: int | None) -> tuple[str, str]:
    """ECS category and type of an audit event."""
    verb = str(obj.get("verb", ""))
    resource = ref.get("resource")
    subresource = ref.get("subresource")
    if code == 401:
        return schema.CATEGORY_AUTHENTICATION, "start"
    if resource == "pods" and subresource in _PROCESS_SUBRESOURCES:
        return schema.CATEGORY_PROCESS, "start"
    kind = _VERB_TYPES.get(verb, "info")
    if resource in _RBAC_RESOURCES or ref.get("apiGroup") == "rbac.authorization.k8s.io":
        return schema.CATEGORY_IAM, kind
    if resource in ("tokenreviews", "subjectaccessreviews", "selfsubjectaccessreviews"):
        return schema.CATEGORY_IAM, "info"
    if resource == "serviceaccounts" or subresource == "token":
        return schema.CATEGORY_IAM, kind
    return schema.CATEGORY_CONFIGURATION, kind


def normalise(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise a Kubernetes audit event.

    Returns:
        The event time (``None`` if unreadable, tagged ``timestamp_unparsed``) and the fields.
    """
    fields = flatten(obj)
    ref = obj.get("objectRef")
    if not isinstance(ref, dict):
        ref = {}
    status = obj.get("responseStatus")
    code = as_int(status.get("code")) if isinstance(status, dict) else None
    category, kind = _categorise(obj, ref, code)
    fields[schema.CATEGORY] = category
    fields[schema.TYPE] = [kind]
    verb = as_text(obj.get("verb"))
    if verb:
        fields[schema.ACTION] = verb
    if code is not None:
        fields[schema.HTTP_STATUS] = code
        ok = code < 400
        fields[schema.OUTCOME] = schema.OUTCOME_SUCCESS if ok else schema.OUTCOME_FAILURE
        if not ok and isinstance(status, dict):
            reason = as_text(status.get("reason")) or as_text(status.get("message"))
            if reason:
                fields[schema.REASON] = reason
    else:
        # Stage RequestReceived (or a trimmed event): the answer is not known yet.
        fields[schema.OUTCOME] = schema.OUTCOME_UNKNOWN
    user = obj.get("user")
    if isinstance(user, dict):
        name = as_text(user.get("username"))
        if name:
            fields[schema.USER_NAME] = name
        uid = as_text(user.get("uid"))
        if uid:
            fields[schema.USER_ID] = uid
    impersonated = obj.get("impersonatedUser")
    if isinstance(impersonated, dict) and as_text(impersonated.get("username")):
        fields[schema.USER_EFFECTIVE_NAME] = as_text(impersonated.get("username"))
    ips = obj.get("sourceIPs")
    if isinstance(ips, list) and ips:
        ip = as_ip(ips[0])
        if ip:
            fields[schema.SOURCE_IP] = ip
    uri = as_text(obj.get("requestURI"))
    if uri:
        fields[schema.URL_ORIGINAL] = uri
        path, _, query = uri.partition("?")
        fields[schema.URL_PATH] = path
        if query:
            fields[schema.URL_QUERY] = query
    agent = as_text(obj.get("userAgent"))
    if agent:
        fields[schema.USER_AGENT] = agent
    fields[schema.PROVIDER] = "kube-apiserver"
    when = obj.get("requestReceivedTimestamp") or obj.get("stageTimestamp")
    timestamp = parse_time(when)
    if timestamp is None:
        add_tag(fields, TIMESTAMP_UNPARSED)
    return timestamp, fields


class K8sAuditParser(KindParser):
    """Parser of Kubernetes audit events (dataset ``kubernetes.audit``)."""

    name = "k8s-audit"
    description = "Kubernetes API server audit log (audit.k8s.io Event lines or EventList)"
    dataset = DATASET
    label = "a Kubernetes audit event"
    markers: ClassVar[re.Pattern[str] | None] = re.compile(r'"apiVersion"\s*:\s*"audit\.k8s\.io/')

    recognise = staticmethod(recognise)
    normalise = staticmethod(normalise)
