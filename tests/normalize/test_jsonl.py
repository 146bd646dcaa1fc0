"""Tests of the generic JSON parser: default keys, field maps, dispatch to known kinds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.events import schema
from garrison.normalize import registry
from garrison.normalize.jsonl import JsonLinesParser
from tests.normalize.json_samples import (
    NOW,
    assert_json_safe,
    json_objects,
    json_values,
    lines_of,
    make_ctx,
    ndjson,
    parse,
    parse_text,
    random_text_lines,
    sample_lines,
    six,
)

P = JsonLinesParser()


def test_registered_under_its_name() -> None:
    assert P.name == "json"
    assert isinstance(registry.create("json"), JsonLinesParser)


def test_application_log_samples() -> None:
    events = parse(P, sample_lines("json/app.jsonl"))
    assert_json_safe(events)
    assert [e.dataset for e in events] == ["json"] * 6
    structlog, nginx, pino, docker, journald, ecs = events

    assert structlog.timestamp == datetime(2026, 11, 23, 2, 0, 0, 123000, tzinfo=UTC)
    assert six(structlog) == {
        "@timestamp": structlog.timestamp,
        "source.ip": "198.51.100.9",
        "user.name": "bob",
    }
    assert structlog.fields["log.level"] == "warning"
    assert structlog.fields["message"] == "login failed"
    assert structlog.fields["attempt"] == 3  # the source's own keys stay

    assert nginx.timestamp == datetime(2026, 11, 23, 2, 0, 1, tzinfo=UTC)
    assert six(nginx) == {
        "@timestamp": nginx.timestamp,
        "source.ip": "203.0.113.7",
        "event.category": "web",
        "event.outcome": "failure",
    }
    assert nginx.fields["http.response.status_code"] == 404
    assert nginx.fields["http.response.body.bytes"] == 153
    assert nginx.fields["http.request.method"] == "GET"
    assert nginx.fields["url.original"] == "/wp-login.php?redirect_to=%2Fwp-admin%2F"
    assert nginx.fields["user_agent.original"].startswith("Mozilla/5.0 (compatible; Nmap")
    assert nginx.fields["status"] == "404"
    assert "user.name" not in nginx.fields  # remote_user was empty

    assert pino.timestamp == datetime(2026, 11, 23, 1, 0, 2, tzinfo=UTC)
    assert pino.fields["log.level"] == "error"
    assert pino.fields["source.ip"] == "10.0.3.15"
    assert pino.fields["source.port"] == 50512
    assert pino.fields["process.pid"] == 4242
    assert pino.fields["host.name"] == "api-1"
    assert pino.fields["req.url"] == "/api/v1/transfer"

    assert docker.timestamp == datetime(2026, 11, 23, 2, 0, 3, 123456, tzinfo=UTC)
    assert docker.fields["message"] == "Error: connect ECONNREFUSED 10.0.5.20:5432\n"

    assert journald.timestamp == datetime(2026, 11, 23, 1, 0, 4, 123456, tzinfo=UTC)
    assert journald.fields["host.name"] == "web-1"
    assert journald.fields["process.pid"] == 812
    assert journald.fields["process.name"] == "sshd"
    assert journald.fields["log.level"] == "info"

    assert ecs.timestamp == datetime(2026, 11, 23, 2, 0, 5, tzinfo=UTC)
    assert six(ecs) == {
        "@timestamp": ecs.timestamp,
        "source.ip": "198.51.100.10",
        "user.name": "carol",
        "event.category": "authentication",  # ECS list -> the primary category
        "event.outcome": "failure",
    }
    assert "@timestamp" not in ecs.fields  # the event model owns it


def test_custom_field_map_overrides_and_extends_defaults() -> None:
    line = {
        "ts_ms": 1795394400000,
        "time": "not the time",
        "who": {"login": "dave"},
        "user": "ignored-default",
        "peer": "203.0.113.9",
        "peer_port": "4431",
        "verdict": "denied",
    }
    field_map = {
        "ts_ms": "@timestamp",
        "who.login": "user.name",
        "peer": "source.ip",
        "peer_port": "source.port",
        "verdict": "event.reason",
        "missing.key": "host.name",
    }
    (event,) = parse_text(P, ndjson(line), make_ctx(field_map=field_map))
    assert event.timestamp == datetime(2026, 11, 23, 0, 40, tzinfo=UTC)
    assert event.fields["user.name"] == "dave"
    assert event.fields["source.ip"] == "203.0.113.9"
    assert event.fields["source.port"] == 4431
    assert event.fields["event.reason"] == "denied"
    assert event.fields["who.login"] == "dave"
    assert "host.name" not in event.fields
    assert "tags" not in event.fields


def test_field_map_applies_to_recognised_kinds_too() -> None:
    falco_line = sample_lines("falco/falco.jsonl")[0]
    ctx = make_ctx(field_map={"k8s.pod.name": "host.name"})
    (event,) = parse(P, [falco_line], ctx)
    assert event.dataset == "falco.alert"
    assert event.fields["host.name"] == "web-5c8d9f7b6-qz8p4"


def test_zone_less_timestamps_use_the_context_zone() -> None:
    text = ndjson({"time": "2026-11-23 18:00:00", "msg": "x"}, {"time": "2026-11-23T18:00:00Z"})
    first, second = parse_text(P, text, make_ctx(tz=ZoneInfo("Asia/Shanghai")))
    assert first.timestamp == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert second.timestamp == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def test_unreadable_timestamp_is_tagged_and_event_kept() -> None:
    (event,) = parse_text(P, ndjson({"timestamp": "yesterday", "tags": "app"}))
    assert event.timestamp == NOW
    assert event.fields["tags"] == ["app", "timestamp_unparsed"]
    assert not event.unparsed


def test_no_timestamp_key_means_ingestion_time_without_tag() -> None:
    (event,) = parse_text(P, ndjson({"msg": "hello"}))
    assert event.timestamp == NOW
    assert "tags" not in event.fields


def test_schema_named_source_values_of_the_wrong_type_move_aside() -> None:
    obj = {"source": {"ip": "gateway-7"}, "http": {"response": {"status_code": "n/a"}}}
    (event,) = parse_text(P, ndjson(obj))
    assert "source.ip" not in event.fields
    assert event.fields["source.address"] == "gateway-7"
    assert "http.response.status_code" not in event.fields


def test_reserved_and_pipeline_fields_cannot_be_forged() -> None:
    obj = {
        "event": {
            "id": "forged",
            "dataset": "forged",
            "original": "forged",
            "kind": "pipeline_error",
        },
        "@timestamp": "2026-11-23T01:02:03Z",
    }
    (event,) = parse_text(P, ndjson(obj))
    assert event.dataset == "json"
    assert event.id != "forged"
    assert event.original == orjson.dumps(obj).decode()
    assert event.fields["event.kind"] == "event"
    assert not event.unparsed
    doc = event.to_dict()
    assert doc["event.dataset"] == "json"
    assert doc["@timestamp"] == "2026-11-23T01:02:03Z"


def test_mixed_stream_is_dispatched_to_the_known_kinds() -> None:
    events = parse(P, sample_lines("json/mixed.jsonl"))
    assert_json_safe(events)
    assert [e.dataset for e in events] == [
        "aws.cloudtrail",
        "aliyun.actiontrail",
        "kubernetes.audit",
        "falco.alert",
        "windows.evtx",
        "windows.evtx",
        "json",
        "json",
        "json",
    ]
    assert events[0].fields["event.action"] == "AuthorizeSecurityGroupIngress"
    assert events[1].fields["requestParameters.SourceCidrIp"] == "0.0.0.0/0"
    assert events[2].fields["objectRef.subresource"] == "exec"
    assert events[3].fields["rule.name"] == "Terminal shell in container"
    assert events[4].fields["EventID"] == 4624
    assert events[5].fields["EventID"] == 4728
    assert events[6].fields["user.name"] == "bob"
    broken, string = events[7], events[8]
    assert broken.unparsed and string.unparsed
    assert broken.original == '{"broken": "line without its end'
    assert broken.fields["error.message"].startswith("json: invalid JSON: unexpected end of data")
    assert string.fields["error.message"] == "json: JSON str is not an object"


def test_ids_are_stable_and_distinct() -> None:
    lines = sample_lines("json/mixed.jsonl")
    first = [e.id for e in parse(P, lines)]
    second = [e.id for e in parse(P, lines)]
    assert first == second
    assert len(set(first)) == len(first)


def test_invalid_whole_document_makes_every_line_unparsed() -> None:
    doc = '[\n  {"a": 1},\n  {"b": 2,}\n]\n'
    events = parse_text(P, doc)
    assert [e.original for e in events] == ["[", '  {"a": 1},', '  {"b": 2,}', "]"]
    assert all(e.unparsed for e in events)
    assert all(e.fields["error.message"].startswith("json: invalid JSON document") for e in events)
    assert [e.fields["log.offset"] for e in events] == [0, 2, 14, 26]


def test_pretty_printed_array_document() -> None:
    doc = json.dumps([{"msg": "a", "ts": 1795394400}, {"msg": "b", "ts": 1795394401}], indent=2)
    events = parse_text(P, doc)
    assert [e.fields["message"] for e in events] == ["a", "b"]
    assert [e.fields["log.offset"] for e in events] == [0, 1]
    assert events[1].timestamp == datetime(2026, 11, 23, 0, 40, 1, tzinfo=UTC)
    assert events[0].original == '{"msg":"a","ts":1795394400}'


def test_sniff() -> None:
    assert P.sniff(['{"a": 1}', '{"b": 2}']) == 1.0
    assert P.sniff(['{"a": 1}', "plain text"]) == 0.5
    assert P.sniff(["{", '  "Records": [', "    {"]) == 1.0  # a document cut by the sample
    assert P.sniff(["Nov 23 10:00:00 host sshd[1]: hello"]) == 0.0
    assert P.sniff([]) == 0.0
    assert P.sniff(["[1, 2]", "3"]) == 0.0
    assert P.sniff(['ail": "x"}', '{"a": 1}', '{"b": 2}', '{"c": 3}']) == 0.75  # cut first line


@settings(max_examples=200, deadline=None)
@given(random_text_lines)
def test_random_text_never_raises_and_keeps_every_line(texts: list[str]) -> None:
    text = "\n".join(t.replace("\r", "").replace("\n", " ") for t in texts)
    lines = lines_of(text)
    events = parse(P, lines)
    assert_json_safe(events)
    if any(line.text.strip() for line in lines):
        assert events
    P.sniff([line.text for line in lines])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    lines = lines_of(data)
    events = parse(P, lines)
    assert_json_safe(events)
    if any(line.text.strip() for line in lines):
        assert events


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=6))
def test_any_json_value_per_line_yields_at_least_one_event_each(values: list[object]) -> None:
    events = parse_text(P, ndjson(*values))
    assert_json_safe(events)
    assert len(events) >= len(values)


@settings(max_examples=200, deadline=None)
@given(json_objects, st.sampled_from(["json/mixed.jsonl"]))
def test_known_kinds_with_random_values_never_raise(noise: dict[str, object], path: str) -> None:
    # Known records with a random value planted under a random existing key.
    for line in sample_lines(path)[:6]:
        obj = orjson.loads(line.text)
        for key in list(obj)[:: max(1, len(obj) // 3)]:
            obj[key] = noise
        events = parse_text(P, ndjson(obj))
        assert len(events) == 1
        assert_json_safe(events)
        assert events[0].fields.get(schema.KIND) in ("event", "alert", "pipeline_error")
