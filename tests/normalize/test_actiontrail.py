"""Tests of the Alibaba Cloud ActionTrail parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize import registry
from garrison.normalize.actiontrail import ActionTrailParser, normalise, recognise
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
        "userIdentity",
        "eventTime",
        "sourceIpAddress",
        "additionalEventData",
        "errorCode",
        "acsRegion",
        "serviceName",
        "eventSource",
        "eventRW",
        "requestParameters",
    ]
)
P = ActionTrailParser()


def sample_objects() -> list[dict[str, Any]]:
    return [orjson.loads(line.text) for line in sample_lines("actiontrail/actiontrail.jsonl")]


def test_registered_under_its_name() -> None:
    assert isinstance(registry.create("actiontrail"), ActionTrailParser)


def test_sample_events() -> None:
    events = parse(P, sample_lines("actiontrail/actiontrail.jsonl"))
    assert_json_safe(events)
    assert all(e.dataset == "aliyun.actiontrail" and not e.unparsed for e in events)
    signin, bad_password, locked, ingress, access_key, stop, delete_trail, delete_vm = events

    assert six(signin) == {
        "@timestamp": datetime(2026, 11, 23, 2, 30, 11, tzinfo=UTC),
        "source.ip": "203.0.113.50",
        "user.name": "alice",
        "event.category": "authentication",
        "event.outcome": "success",
    }
    assert signin.fields["event.action"] == "ConsoleSignin"
    assert signin.fields["cloud.provider"] == "aliyun"
    assert signin.fields["cloud.region"] == "cn-hangzhou"
    assert signin.fields["cloud.account.id"] == "1234567890123456"
    assert signin.fields["additionalEventData.MFAUsed"] == "true"
    assert signin.fields["user.id"] == "203748512239581230"

    assert bad_password.fields["event.outcome"] == "failure"  # loginResult: fail
    assert bad_password.fields["event.reason"] == "The password is incorrect."
    assert locked.fields["event.outcome"] == "failure"  # errorCode
    assert locked.fields["error.code"] == "Account.Locked"

    assert six(ingress) == {
        "@timestamp": datetime(2026, 11, 23, 2, 35, 40, tzinfo=UTC),
        "source.ip": "203.0.113.50",
        "user.name": "alice",
        "event.category": "configuration",
        "event.outcome": "success",
    }
    assert ingress.fields["requestParameters.SourceCidrIp"] == "0.0.0.0/0"
    assert ingress.fields["requestParameters.PortRange"] == "22/22"
    assert ingress.fields["referencedResources.ACS::ECS::SecurityGroup"] == [
        "sg-bp1fg655nh68xyz9srmd"
    ]
    assert ingress.fields["event.provider"] == "ecs-cn-hangzhou.aliyuncs.com"

    assert (access_key.fields["event.category"], access_key.fields["event.type"]) == (
        "iam",
        ["creation"],
    )
    assert access_key.fields["user.name"] == "root"
    assert access_key.fields["userIdentity.type"] == "root-account"
    assert access_key.fields["requestParameters.UserName"] == "svc-backup2"

    assert stop.fields["event.action"] == "StopLogging"
    assert stop.fields["event.category"] == "configuration"
    assert stop.fields["serviceName"] == "Actiontrail"
    assert delete_trail.fields["event.outcome"] == "failure"
    assert delete_trail.fields["event.type"] == ["deletion"]

    assert delete_vm.fields["event.action"] == "DeleteInstance"
    assert delete_vm.fields["source.address"] == "ess.aliyuncs.com"
    assert "source.ip" not in delete_vm.fields
    assert delete_vm.fields["cloud.region"] == "cn-shanghai"
    assert delete_vm.fields["requestParameters.InstanceId"] == "i-uf6f5trc95ug8t33s9rz"


def test_sls_envelopes() -> None:
    event = sample_objects()[3]
    as_text = {
        "__topic__": "actiontrail_audit_event",
        "__source__": "actiontrail",
        "event": json.dumps(event),
    }
    as_object = {"__topic__": "actiontrail_audit_event", "event": event}
    for wrapped in (as_text, as_object):
        assert recognise(wrapped)
        timestamp, fields = normalise(wrapped)
        assert timestamp == datetime(2026, 11, 23, 2, 35, 40, tzinfo=UTC)
        assert fields["eventName"] == "AuthorizeSecurityGroup"
        assert fields["requestParameters.SourceCidrIp"] == "0.0.0.0/0"
        assert fields["__topic__"] == "actiontrail_audit_event"
        assert "event" not in fields


def test_recognise() -> None:
    assert all(recognise(o) for o in sample_objects())
    assert not recognise({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"})
    assert not recognise({"event": "{not json", "eventName": 1})
    assert not recognise({"acsRegion": "cn-hangzhou"})


def test_foreign_object_and_bad_time() -> None:
    (event,) = parse_text(P, ndjson({"eventSource": "iam.amazonaws.com", "eventName": "x"}))
    assert event.fields["error.message"] == "actiontrail: not an ActionTrail event"
    obj = sample_objects()[0]
    obj["eventTime"] = 0
    timestamp, fields = normalise(obj)
    assert timestamp is None
    assert fields["tags"] == ["timestamp_unparsed"]


def test_sniff() -> None:
    texts = [line.text for line in sample_lines("actiontrail/actiontrail.jsonl")]
    assert P.sniff(texts) == 1.0
    assert registry.detect(texts).name == "actiontrail"
    pretty = json.dumps(sample_objects(), indent=2).splitlines()[:15]
    assert P.sniff(pretty) == 1.0


def test_pretty_printed_array_of_events() -> None:
    events = parse_text(P, json.dumps(sample_objects(), indent=2))
    assert [e.fields["log.offset"] for e in events] == list(range(8))
    assert [e.fields["eventName"] for e in events][-1] == "DeleteInstance"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(range(8)), st.lists(st.tuples(_KEYS, json_values), max_size=4))
def test_events_with_random_values_never_raise(index: int, changes: list[Any]) -> None:
    obj = sample_objects()[index]
    for key, value in changes:
        obj[key] = value
    events = parse_text(P, ndjson(obj))
    assert len(events) == 1
    assert_json_safe(events)
