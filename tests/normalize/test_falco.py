"""Tests of the Falco alert parser."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize import registry
from garrison.normalize.falco import SEVERITIES, FalcoParser, normalise, recognise
from tests.normalize.json_samples import (
    assert_json_safe,
    json_objects,
    json_values,
    ndjson,
    parse,
    parse_text,
    sample_lines,
    six,
)

_KEYS = st.sampled_from(
    ["output_fields", "priority", "time", "tags", "hostname", "output", "source"]
)
P = FalcoParser()


def sample_objects() -> list[dict[str, Any]]:
    return [orjson.loads(line.text) for line in sample_lines("falco/falco.jsonl")]


def test_registered_under_its_name() -> None:
    assert isinstance(registry.create("falco"), FalcoParser)


def test_sample_alerts() -> None:
    events = parse(P, sample_lines("falco/falco.jsonl"))
    assert_json_safe(events)
    assert all(e.dataset == "falco.alert" and not e.unparsed for e in events)
    shell, shadow, outbound, dropped, k8s_exec = events

    assert six(shell) == {
        "@timestamp": datetime(2026, 11, 23, 3, 0, 1, 123456, tzinfo=UTC),
        "user.name": "root",
        "event.category": "intrusion_detection",
    }
    assert shell.fields["event.kind"] == "alert"
    assert shell.fields["rule.name"] == "Terminal shell in container"
    assert shell.fields["event.action"] == "terminal_shell_in_container"
    assert shell.fields["event.severity"] == 5
    assert shell.fields["log.level"] == "notice"
    assert shell.fields["process.command_line"] == "bash"
    assert shell.fields["process.executable"] == "/usr/bin/bash"
    assert shell.fields["process.pid"] == 48211
    assert shell.fields["container.id"] == "4f2a8c1b9d3e"
    assert shell.fields["container.image.name"] == "docker.io/library/nginx"
    assert shell.fields["container.image.tag"] == "1.27"
    assert shell.fields["host.name"] == "node-3"
    assert shell.fields["tags"] == [
        "T1059",
        "container",
        "maturity_stable",
        "mitre_execution",
        "shell",
    ]
    assert shell.fields["proc.cmdline"] == "bash"  # Falco's own names stay
    assert shell.fields["k8s.pod.name"] == "web-5c8d9f7b6-qz8p4"
    assert shell.fields["evt.time"] == 1795402801123456789
    assert shell.fields["message"].startswith("03:00:01.123456789: Notice A shell was spawned")
    assert shell.fields["source"] == "syscall"

    assert shadow.fields["file.path"] == "/etc/shadow"
    assert shadow.fields["event.severity"] == 4
    assert shadow.fields["process.parent.pid"] == 48211
    assert shadow.fields["proc.aname[2]"] == "bash"

    assert six(outbound) == {
        "@timestamp": datetime(2026, 11, 23, 3, 0, 15, 981, tzinfo=UTC),
        "source.ip": "10.244.1.17",
        "destination.ip": "192.0.2.66",
        "user.name": "www-data",
        "event.category": "intrusion_detection",
    }
    assert (outbound.fields["source.port"], outbound.fields["destination.port"]) == (43210, 4444)
    assert "file.path" not in outbound.fields
    assert outbound.fields["user.id"] == "33"

    assert dropped.fields["event.severity"] == 2
    assert dropped.fields["log.level"] == "critical"
    assert dropped.fields["proc.is_exe_upper_layer"] is True

    assert k8s_exec.fields["user.name"] == "alice@example.com"
    assert k8s_exec.fields["ka.target.subresource"] == "exec"
    assert k8s_exec.fields["event.action"] == "attach_exec_pod"


def test_severity_map_orders_priorities() -> None:
    order = [
        "emergency",
        "alert",
        "critical",
        "error",
        "warning",
        "notice",
        "informational",
        "debug",
    ]
    assert [SEVERITIES[p] for p in order] == sorted(SEVERITIES[p] for p in order)


def test_time_falls_back_to_evt_time_then_tag() -> None:
    obj = sample_objects()[0]
    obj["time"] = "later"
    timestamp, _ = normalise(obj)
    assert timestamp == datetime(2026, 11, 23, 3, 0, 1, 123457, tzinfo=UTC)
    del obj["output_fields"]["evt.time"]
    timestamp, fields = normalise(obj)
    assert timestamp is None
    assert fields["tags"][-1] == "timestamp_unparsed"


def test_recognise_and_foreign_objects() -> None:
    assert all(recognise(o) for o in sample_objects())
    assert not recognise({"rule": "x", "output": "y"})
    (event,) = parse_text(P, ndjson({"rule": 1, "output": "y", "priority": "Warning"}))
    assert event.fields["error.message"] == "falco: not a Falco alert"


def test_sniff() -> None:
    texts = [line.text for line in sample_lines("falco/falco.jsonl")]
    assert P.sniff(texts) == 1.0
    assert registry.detect(texts).name == "falco"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(range(5)), st.lists(st.tuples(_KEYS, json_values), max_size=4), json_objects)
def test_alerts_with_random_values_never_raise(
    index: int, changes: list[Any], output_fields: dict[str, Any]
) -> None:
    obj = sample_objects()[index]
    obj["output_fields"].update(output_fields)
    for key, value in changes:
        obj[key] = value
    (event,) = parse_text(P, ndjson(obj))
    assert not event.unparsed
    assert event.fields["event.kind"] == "alert"
    assert_json_safe([event])


def test_schema_named_output_fields_of_the_wrong_type_move_aside() -> None:
    obj = sample_objects()[0]
    obj["output_fields"]["source.ip"] = "not-an-ip"
    obj["output_fields"]["destination.ip"] = "2001:DB8::1"
    (event,) = parse_text(P, ndjson(obj))
    assert "source.ip" not in event.fields
    assert event.fields["source.address"] == "not-an-ip"
    assert event.fields["destination.ip"] == "2001:db8::1"
