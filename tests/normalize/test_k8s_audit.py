"""Tests of the Kubernetes audit log parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize import registry
from garrison.normalize.k8s_audit import K8sAuditParser, normalise, recognise
from tests.normalize.json_samples import (
    assert_json_safe,
    json_values,
    ndjson,
    parse,
    parse_text,
    sample_lines,
    six,
)

_KEYS = st.sampled_from(
    [
        "user",
        "objectRef",
        "responseStatus",
        "sourceIPs",
        "verb",
        "requestURI",
        "requestReceivedTimestamp",
        "stageTimestamp",
        "impersonatedUser",
        "userAgent",
    ]
)
P = K8sAuditParser()


def sample_objects() -> list[dict[str, Any]]:
    return [orjson.loads(line.text) for line in sample_lines("k8s-audit/audit.log")]


def test_registered_under_its_name() -> None:
    assert isinstance(registry.create("k8s-audit"), K8sAuditParser)


def test_sample_events() -> None:
    events = parse(P, sample_lines("k8s-audit/audit.log"))
    assert_json_safe(events)
    assert all(e.dataset == "kubernetes.audit" and not e.unparsed for e in events)
    exec_, privileged, binding, forbidden, anonymous, patch, received = events

    assert six(exec_) == {
        "@timestamp": datetime(2026, 11, 23, 2, 50, 12, 418253, tzinfo=UTC),
        "source.ip": "203.0.113.50",
        "user.name": "alice@example.com",
        "event.category": "process",
        "event.outcome": "success",
    }
    assert exec_.fields["event.action"] == "create"
    assert exec_.fields["objectRef.subresource"] == "exec"
    assert exec_.fields["objectRef.resource"] == "pods"
    assert exec_.fields["objectRef.namespace"] == "payments"
    assert exec_.fields["http.response.status_code"] == 101
    assert exec_.fields["url.path"] == "/api/v1/namespaces/payments/pods/api-7d9f8c6b5-x2x4l/exec"
    assert exec_.fields["url.query"].startswith("command=sh&command=-c")
    assert exec_.fields["user.groups"] == ["oidc:platform-admins", "system:authenticated"]
    assert exec_.fields["annotations.authorization.k8s.io/decision"] == "allow"
    assert exec_.fields["user_agent.original"].startswith("kubectl/v1.31.2")

    assert privileged.fields["event.category"] == "configuration"
    assert privileged.fields["event.type"] == ["creation"]
    assert privileged.fields["requestObject.spec.containers.0.securityContext.privileged"] is True
    assert privileged.fields["requestObject.spec.hostPID"] is True
    assert privileged.fields["requestObject.spec.containers.0.command"][0] == "nsenter"

    assert (binding.fields["event.category"], binding.fields["event.type"]) == ("iam", ["creation"])
    assert binding.fields["requestObject.roleRef.name"] == "cluster-admin"
    assert binding.fields["requestObject.subjects.0.kind"] == "ServiceAccount"

    assert six(forbidden) == {
        "@timestamp": datetime(2026, 11, 23, 2, 53, 30, 2871, tzinfo=UTC),
        "source.ip": "10.244.1.17",
        "user.name": "system:serviceaccount:default:default",
        "event.category": "configuration",
        "event.outcome": "failure",
    }
    assert forbidden.fields["event.reason"] == "Forbidden"
    assert forbidden.fields["user.id"] == "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a"

    assert anonymous.fields["event.category"] == "authentication"
    assert anonymous.fields["event.outcome"] == "failure"
    assert anonymous.fields["user.name"] == "system:anonymous"

    assert patch.fields["event.type"] == ["change"]
    assert patch.fields["source.ip"] == "10.0.8.21"  # the first of sourceIPs
    assert patch.fields["sourceIPs"] == ["10.0.8.21", "10.0.0.1"]

    assert received.fields["stage"] == "RequestReceived"
    assert received.fields["event.outcome"] == "unknown"  # no response yet
    assert received.fields["event.type"] == ["access"]


def test_event_list_document() -> None:
    doc = {
        "kind": "EventList",
        "apiVersion": "audit.k8s.io/v1",
        "metadata": {},
        "items": sample_objects(),
    }
    events = parse_text(P, json.dumps(doc, indent=2))
    assert [e.fields["auditID"] for e in events] == [o["auditID"] for o in sample_objects()]
    assert [e.fields["log.offset"] for e in events] == list(range(7))


def test_recognise_and_foreign_objects() -> None:
    assert all(recognise(o) for o in sample_objects())
    assert recognise({"auditID": "x", "verb": "get", "stage": "ResponseComplete"})
    assert not recognise({"kind": "Pod", "apiVersion": "v1"})
    assert not recognise({"kind": "Event", "apiVersion": "events.k8s.io/v1", "reason": "Pulled"})
    assert not recognise({"kind": "EventList", "apiVersion": "audit.k8s.io/v1"})
    (event,) = parse_text(P, ndjson({"kind": "Pod", "apiVersion": "v1"}))
    assert event.fields["error.message"] == "k8s-audit: not a Kubernetes audit event"


def test_bad_timestamp_is_tagged() -> None:
    obj = sample_objects()[0]
    obj["requestReceivedTimestamp"] = "?"
    timestamp, fields = normalise(obj)
    assert timestamp is None
    assert fields["tags"] == ["timestamp_unparsed"]


def test_sniff() -> None:
    texts = [line.text for line in sample_lines("k8s-audit/audit.log")]
    assert P.sniff(texts) == 1.0
    assert registry.detect(texts).name == "k8s-audit"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(range(7)), st.lists(st.tuples(_KEYS, json_values), max_size=4))
def test_events_with_random_values_never_raise(index: int, changes: list[Any]) -> None:
    obj = sample_objects()[index]
    for key, value in changes:
        obj[key] = value
    (event,) = parse_text(P, ndjson(obj))
    assert not event.unparsed
    assert_json_safe([event])
