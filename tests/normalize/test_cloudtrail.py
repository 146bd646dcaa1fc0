"""Tests of the AWS CloudTrail parser."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize import registry
from garrison.normalize.cloudtrail import CloudTrailParser, categorise, normalise, recognise
from tests.normalize.json_samples import (
    DATA,
    assert_json_safe,
    json_values,
    lines_of,
    parse,
    parse_text,
    six,
)

_KEYS = st.sampled_from(
    [
        "userIdentity",
        "eventTime",
        "sourceIPAddress",
        "responseElements",
        "errorCode",
        "awsRegion",
        "readOnly",
        "userAgent",
        "recipientAccountId",
        "requestParameters",
    ]
)
P = CloudTrailParser()
FILE = DATA / "cloudtrail" / "123456789012_CloudTrail_us-east-1_20261123T0225Z_Xy7Q2mPa.json"
NAMES = [
    "ConsoleLogin",
    "ConsoleLogin",
    "CreateUser",
    "CreateAccessKey",
    "AttachUserPolicy",
    "AuthorizeSecurityGroupIngress",
    "StopLogging",
    "DeleteTrail",
    "PutBucketPolicy",
    "AssumeRole",
]


def records() -> list[dict[str, Any]]:
    return list(orjson.loads(FILE.read_bytes())["Records"])


def by_name(events: list[Any]) -> dict[str, Any]:
    return {e.fields["eventName"] + str(i): e for i, e in enumerate(events)}


def test_registered_under_its_name() -> None:
    assert isinstance(registry.create("cloudtrail"), CloudTrailParser)


def test_pretty_printed_records_file() -> None:
    events = parse(P, lines_of(FILE.read_bytes()))
    assert_json_safe(events)
    assert [e.fields["event.action"] for e in events] == NAMES
    assert [e.fields["log.offset"] for e in events] == list(range(10))
    assert all(e.dataset == "aws.cloudtrail" for e in events)
    assert events[3].original == orjson.dumps(records()[3]).decode()
    login_ok, login_bad, create_user, create_key, attach = events[:5]
    ingress, stop, delete, policy, assume = events[5:]

    assert six(login_ok) == {
        "@timestamp": datetime(2026, 11, 23, 2, 15, 3, tzinfo=UTC),
        "source.ip": "203.0.113.50",
        "user.name": "alice",
        "event.category": "authentication",
        "event.outcome": "success",
    }
    assert login_ok.fields["additionalEventData.MFAUsed"] == "Yes"
    assert login_ok.fields["cloud.provider"] == "aws"
    assert login_ok.fields["cloud.region"] == "us-east-1"
    assert login_ok.fields["cloud.account.id"] == "123456789012"
    assert login_ok.fields["user_agent.original"].startswith("Mozilla/5.0")
    assert login_ok.fields["requestParameters"] is None

    assert six(login_bad) == {
        "@timestamp": datetime(2026, 11, 23, 2, 16, 41, tzinfo=UTC),
        "source.ip": "198.51.100.23",
        "user.name": "admin",
        "event.category": "authentication",
        "event.outcome": "failure",
    }
    assert login_bad.fields["event.reason"] == "Failed authentication"
    assert login_bad.fields["responseElements.ConsoleLogin"] == "Failure"

    assert create_user.fields["event.category"] == "iam"
    assert create_user.fields["event.type"] == ["user", "creation"]
    assert create_user.fields["requestParameters.userName"] == "svc-backup2"
    assert create_user.fields["user.id"] == "AIDAZ4ZB5EXAMPLEALICE"
    assert create_user.fields["userIdentity.arn"] == "arn:aws:iam::123456789012:user/alice"
    assert create_key.fields["event.category"] == "iam"
    assert attach.fields["requestParameters.policyArn"] == (
        "arn:aws:iam::aws:policy/AdministratorAccess"
    )
    assert attach.fields["event.type"] == ["user", "change"]

    assert six(ingress) == {
        "@timestamp": datetime(2026, 11, 23, 2, 20, 5, tzinfo=UTC),
        "source.ip": "198.51.100.77",
        "user.name": "bob@example.com",  # the session name of the assumed role
        "event.category": "configuration",
        "event.outcome": "success",
    }
    assert ingress.fields["requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp"] == (
        "0.0.0.0/0"
    )
    assert ingress.fields["requestParameters.ipPermissions.items.0.fromPort"] == 22
    assert ingress.fields["cloud.region"] == "ap-southeast-1"

    assert (stop.fields["event.category"], stop.fields["event.type"]) == (
        "configuration",
        ["change"],
    )
    assert stop.fields["event.provider"] == "cloudtrail.amazonaws.com"
    assert delete.fields["event.outcome"] == "failure"
    assert delete.fields["error.code"] == "AccessDenied"
    assert delete.fields["event.type"] == ["deletion"]
    assert policy.fields["requestParameters.bucketName"] == "corp-finance-reports"
    assert policy.fields["resources.0.ARN"] == "arn:aws:s3:::corp-finance-reports"

    assert "source.ip" not in assume.fields
    assert assume.fields["source.address"] == "ec2.amazonaws.com"
    assert assume.fields["user.name"] == "ec2.amazonaws.com"  # a service acting on its own
    assert assume.fields["userIdentity.invokedBy"] == "ec2.amazonaws.com"
    assert assume.fields["event.category"] == "authentication"


def test_single_line_delivery_file_and_ndjson_give_the_same_events() -> None:
    pretty = parse(P, lines_of(FILE.read_bytes()))
    one_line = parse(P, lines_of(orjson.dumps({"Records": records()}) + b"\n"))
    per_line = parse_text(P, "".join(orjson.dumps(r).decode() + "\n" for r in records()))
    assert [e.fields for e in pretty] == [e.fields for e in one_line]
    assert [e.id for e in pretty] == [e.id for e in one_line]  # same offsets and originals
    strip = [{k: v for k, v in e.fields.items() if k != "log.offset"} for e in per_line]
    assert strip == [{k: v for k, v in e.fields.items() if k != "log.offset"} for e in pretty]


def test_categorise() -> None:
    assert categorise("iam.amazonaws.com", "ListUsers", True) == ("iam", ["user", "access"])
    assert categorise("iam.amazonaws.com", "AddUserToGroup", False) == ("iam", ["user", "change"])
    assert categorise("iam.amazonaws.com", "CreateRole", False) == ("iam", ["admin", "creation"])
    assert categorise("s3.amazonaws.com", "GetObject", True) == ("file", ["access"])
    assert categorise("ec2.amazonaws.com", "RunInstances", False) == ("configuration", ["creation"])
    assert categorise("ec2.amazonaws.com", "DescribeInstances", True) == (
        "configuration",
        ["access"],
    )
    assert categorise("kms.amazonaws.com", "ScheduleKeyDeletion", False) == (
        "configuration",
        ["change"],
    )


def test_recognise_and_foreign_objects() -> None:
    assert recognise(records()[0])
    assert not recognise({"eventSource": "ecs.aliyuncs.com", "eventName": "x"})
    assert not recognise({"eventSource": "s3.amazonaws.com"})
    (event,) = parse_text(P, '{"eventName": "ConsoleSignin", "acsRegion": "cn-hangzhou"}\n')
    assert event.unparsed
    assert event.fields["error.message"] == "cloudtrail: not a CloudTrail record"
    assert event.dataset == "aws.cloudtrail"


def test_unreadable_event_time_is_tagged() -> None:
    record = records()[2]
    record["eventTime"] = "23 Nov"
    timestamp, fields = normalise(record)
    assert timestamp is None
    assert fields["tags"] == ["timestamp_unparsed"]


def test_sniff_and_detection() -> None:
    head = [line.text for line in lines_of(FILE.read_bytes())[:25]]
    assert P.sniff(head) == 1.0  # a document larger than the sample: judged by its text
    assert registry.detect(head).name == "cloudtrail"
    one_line = [orjson.dumps({"Records": records()}).decode()]
    assert registry.detect(one_line).name == "cloudtrail"
    assert P.sniff(['{"a": 1}']) == 0.0


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(range(10)), st.lists(st.tuples(_KEYS, json_values), max_size=4))
def test_records_with_random_values_never_raise(index: int, changes: list[Any]) -> None:
    record = records()[index]
    for key, value in changes:
        record[key] = value
    (event,) = parse_text(P, orjson.dumps(record).decode() + "\n")
    assert not event.unparsed
    assert_json_safe([event])
