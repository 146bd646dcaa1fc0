"""Tests of the JSON stream reader and the flattener shared by the JSON parsers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize.base import Line
from garrison.normalize.jsonobject import as_int, as_ip, parse_time
from garrison.normalize.jsonstream import (
    MAX_FLATTEN_DEPTH,
    JsonError,
    JsonRecord,
    decode_sample,
    flatten,
    iter_json,
)
from tests.normalize.json_samples import json_values, lines_of, random_text_lines


def read(text: str, **kw: int) -> list[JsonRecord | JsonError]:
    return list(iter_json(lines_of(text), **kw))


def records(items: list[JsonRecord | JsonError]) -> list[JsonRecord]:
    return [i for i in items if isinstance(i, JsonRecord)]


def errors(items: list[JsonRecord | JsonError]) -> list[JsonError]:
    return [i for i in items if isinstance(i, JsonError)]


def test_ndjson_records_keep_line_text_and_byte_offset() -> None:
    text = '{"a": 1}\n\n{"b": "é"}\n{"c": 3}\n'
    items = read(text)
    assert [(r.value, r.original, r.offset) for r in records(items)] == [
        ({"a": 1}, '{"a": 1}', 0),
        ({"b": "é"}, '{"b": "é"}', 10),
        ({"c": 3}, '{"c": 3}', 22),
    ]
    assert errors(items) == []


def test_ndjson_invalid_line_is_an_error_of_its_own() -> None:
    items = read('{"a": 1}\n{"b": \n{"c": 3}\n')
    assert [r.value for r in records(items)] == [{"a": 1}, {"c": 3}]
    (error,) = errors(items)
    assert (error.text, error.offset) == ('{"b": ', 9)
    assert error.reason.startswith("invalid JSON: ")


def test_pretty_printed_object_is_one_record_with_compact_original() -> None:
    doc = json.dumps({"x": {"y": [1, 2]}, "s": 'a{b}[c]"q'}, indent=2)
    (record,) = read("\n" + doc + "\n")
    assert isinstance(record, JsonRecord)
    assert record.value == {"x": {"y": [1, 2]}, "s": 'a{b}[c]"q'}
    assert record.original == orjson.dumps(record.value).decode()
    assert record.offset == 1  # the document's first byte, after the blank line


def test_records_document_is_expanded_with_index_offsets() -> None:
    doc = json.dumps({"Records": [{"n": 0}, {"n": 1}, {"n": 2}]}, indent=2)
    items = read("\n\n" + doc)
    assert [(r.value, r.offset, r.original) for r in records(items)] == [
        ({"n": 0}, 2, '{"n":0}'),
        ({"n": 1}, 3, '{"n":1}'),
        ({"n": 2}, 4, '{"n":2}'),
    ]


def test_single_line_records_file_and_top_level_array_are_expanded() -> None:
    items = read('{"Records":[{"n":0},{"n":1}]}\n[{"m":0},{"m":1}]\n')
    assert [(r.value, r.offset) for r in records(items)] == [
        ({"n": 0}, 0),
        ({"n": 1}, 1),
        ({"m": 0}, 30),
        ({"m": 1}, 31),
    ]


def test_arrays_of_scalars_and_records_beside_other_keys_stay_whole() -> None:
    items = read('[1, 2]\n{"Records": [{"n": 0}], "next": "t"}\n')
    assert [r.value for r in records(items)] == [[1, 2], {"Records": [{"n": 0}], "next": "t"}]


def test_k8s_event_list_is_expanded() -> None:
    doc = {"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": [{"a": 1}, {"a": 2}]}
    assert [r.value for r in records(read(json.dumps(doc)))] == [{"a": 1}, {"a": 2}]


def test_empty_container_is_reported_not_dropped() -> None:
    (error,) = read('{"Records": []}\n')
    assert isinstance(error, JsonError)
    assert error.reason == "JSON document holds no records"


def test_concatenated_pretty_documents_and_bom() -> None:
    text = "\ufeff" + json.dumps({"a": 1}, indent=2) + "\n" + json.dumps([{"b": 2}], indent=4)
    assert [r.value for r in records(read(text))] == [{"a": 1}, {"b": 2}]


def test_crlf_documents() -> None:
    text = json.dumps({"a": [1, {"b": 2}]}, indent=2).replace("\n", "\r\n")
    assert [r.value for r in records(read(text))] == [{"a": [1, {"b": 2}]}]


def test_invalid_document_makes_every_line_an_error() -> None:
    text = '{\n  "a": 1,\n  "b": [1, 2,],\n  "c": 3\n}\n{"after": true}\n'
    items = read(text)
    errs = errors(items)
    assert [e.text for e in errs] == ["{", '  "a": 1,', '  "b": [1, 2,],', '  "c": 3', "}"]
    assert [e.offset for e in errs] == [0, 2, 12, 28, 37]
    assert all(e.reason.startswith("invalid JSON document: ") for e in errs)
    assert [r.value for r in records(items)] == [{"after": True}]


def test_oversized_document_makes_every_line_an_error_and_reading_resumes() -> None:
    inner = ",\n".join(f'  "k{i}": "{"x" * 20}"' for i in range(50))
    text = "{\n" + inner + "\n}\n" + json.dumps({"ok": 1}, indent=2) + "\n"
    items = read(text, max_chars=300)
    errs = errors(items)
    assert len(errs) == 52  # every line of the big document, none lost
    assert errs[0].reason == "JSON document over 300 characters"
    assert errs[-1].reason == "part of a JSON document over 300 characters"
    assert errs[-1].text == "}"
    assert [r.value for r in records(items)] == [{"ok": 1}]


def test_document_cut_short_by_a_new_record() -> None:
    text = '{\n  "a": {\n    "b": 1\n{"next": 2}\n{"last": 3}\n'
    items = read(text)
    errs = errors(items)
    assert [e.text for e in errs] == ["{", '  "a": {', '    "b": 1']
    assert errs[0].reason == "JSON document cut short: a new record began before it closed"
    assert [r.value for r in records(items)] == [{"next": 2}, {"last": 3}]


def test_unclosed_document_at_end_of_stream() -> None:
    errs = errors(read('[\n  {"a": 1},\n'))
    assert [(e.text, e.reason) for e in errs] == [
        ("[", "JSON document not closed at end of stream"),
        ('  {"a": 1},', "JSON document not closed at end of stream"),
    ]


def test_ndjson_read_from_the_middle_of_a_line() -> None:
    items = read('ail": "x"}\n{"a": 1}\n{"b": 2}\n')
    assert [e.text for e in errors(items)] == ['ail": "x"}']
    assert [r.value for r in records(items)] == [{"a": 1}, {"b": 2}]


def test_garbage_line_in_document_mode() -> None:
    items = read('{\n"a": 1\n}\nnot json at all\n')
    assert [r.value for r in records(items)] == [{"a": 1}]
    (error,) = errors(items)
    assert error.text == "not json at all"


def test_nul_in_error_text_is_replaced() -> None:
    (error,) = read('{"a": "\x00\n')
    assert isinstance(error, JsonError)
    assert "\x00" not in error.text


def test_flatten_rules() -> None:
    obj = {
        "a": {"b": 1, "c": {"d": "x"}},
        "tags": ["x", 1, None],
        "items": [{"k": 1}, {"k": 2, "z": [3]}],
        "mixed": [1, {"k": 2}],
        "nested": [[1, 2], [3]],
        "empty": {},
        "none": None,
        "nul\x00key": "v\x00",
        "dotted.key": True,
    }
    assert flatten(obj) == {
        "a.b": 1,
        "a.c.d": "x",
        "tags": ["x", 1, None],
        "items.0.k": 1,
        "items.1.k": 2,
        "items.1.z": [3],
        "mixed.0": 1,
        "mixed.1.k": 2,
        "nested.0": [1, 2],
        "nested.1": [3],
        "none": None,
        "nul\ufffdkey": "v\ufffd",
        "dotted.key": True,
    }
    assert flatten({"b": 1}, "pre") == {"pre.b": 1}
    assert flatten(5) == {"value": 5}


def test_flatten_depth_limit_keeps_deep_subtrees_as_json() -> None:
    deep: object = {"leaf": 1}
    for _ in range(MAX_FLATTEN_DEPTH + 5):
        deep = {"d": deep}
    flat = flatten(deep)
    ((key, value),) = flat.items()
    assert key.count(".") == MAX_FLATTEN_DEPTH
    assert isinstance(value, str)
    assert value.endswith('{"leaf":1}' + "}" * 4)


def test_decode_sample_layouts() -> None:
    assert decode_sample(["", "  "]) is None
    assert decode_sample(['{"a":1}', "nope", "[]"]) == ([{"a": 1}, None, None], "")
    assert decode_sample(["{", '"a": [1,', "2]", "}"]) == ([{"a": [1, 2]}], '{\n"a": [1,\n2]\n}')
    assert decode_sample(['tail": 1}', '{"a": 1}']) == ([None, {"a": 1}], "")
    values, joined = decode_sample(["{", '  "Records": [', "    {"]) or ([], "")
    assert values == []
    assert joined.startswith("{")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-23T10:00:00Z", "2026-11-23T10:00:00+00:00"),
        ("2026-11-23T18:00:00+08:00", "2026-11-23T10:00:00+00:00"),
        (1795394400, "2026-11-23T00:40:00+00:00"),
        (1795394400.5, "2026-11-23T00:40:00.500000+00:00"),
        (1795394400123, "2026-11-23T00:40:00.123000+00:00"),
        ("1795394400123456", "2026-11-23T00:40:00.123456+00:00"),
        (1795394400123456789, "2026-11-23T00:40:00.123457+00:00"),
    ],
)
def test_parse_time(value: object, expected: str) -> None:
    when = parse_time(value)
    assert when is not None
    assert when.isoformat() == expected


@pytest.mark.parametrize(
    "value", ["", "soon", 12, True, None, [1], "99999999999999999999999", "²", "1.2.3"]
)
def test_parse_time_rejects(value: object) -> None:
    assert parse_time(value) is None


def test_value_helpers() -> None:
    assert as_ip("::ffff:10.1.2.3") == "10.1.2.3"
    assert as_ip("fe80::1%eth0") == "fe80::1"
    assert as_ip("2001:DB8::1") == "2001:db8::1"
    assert as_ip("-") is None
    assert as_ip("ec2.amazonaws.com") is None
    assert as_ip(17) is None
    assert as_int("0x1a2c", 16) == 6700
    assert as_int(" 42 ") == 42
    assert as_int(True) is None
    assert as_int(3.0) == 3
    assert as_int("x") is None


@settings(max_examples=200, deadline=None)
@given(random_text_lines)
def test_random_text_never_raises_and_nothing_is_lost(texts: list[str]) -> None:
    text = "\n".join(t.replace("\r", "").replace("\n", " ") for t in texts)
    lines = lines_of(text)
    items = list(iter_json(lines))
    by_offset = {line.offset: line.text for line in lines}
    for error in errors(items):
        assert by_offset[error.offset].replace("\x00", "\ufffd") in (
            error.text,
            "\ufeff" + error.text,
        )
    if any(line.text.strip() for line in lines):
        assert items


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=8))
def test_ndjson_of_any_values_round_trips(values: list[object]) -> None:
    text = "".join(orjson.dumps(v).decode() + "\n" for v in values)
    items = list(iter_json(lines_of(text)))
    assert not [e for e in errors(items) if e.reason != "JSON document holds no records"]
    assert len(items) >= len(values)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=4), max_size=5)
)
def test_pretty_printed_documents_round_trip(objects: list[dict[str, object]]) -> None:
    text = "\n".join(orjson.dumps(o, option=orjson.OPT_INDENT_2).decode() for o in objects)
    items = list(iter_json(lines_of(text)))
    assert errors(items) == [] or any(isinstance(o.get("Records"), list) for o in objects)
    plain = [o for o in objects if not (isinstance(o.get("Records"), list) and len(o) == 1)]
    plain = [o for o in plain if o.get("kind") != "EventList"]
    got = [r.value for r in records(items)]
    for obj in plain:
        assert obj in got


def test_lines_reader_offsets_are_bytes() -> None:
    lines = lines_of('{"a": "é"}\n{"b": 1}\n')
    assert lines == [Line('{"a": "é"}', 0), Line('{"b": 1}', 12)]


def test_bracket_counting_is_linear_on_hostile_lines() -> None:
    hostile = '{"' + '"\\' * 300_000  # unterminated, escape-laden: quadratic for naive regexes
    started = time.perf_counter()
    items = read("{\n" + hostile + "\n")
    assert time.perf_counter() - started < 2.0
    assert [e.reason for e in errors(items)] == ["JSON document not closed at end of stream"] * 2


def test_buffer_shows_the_open_document_to_the_caller() -> None:
    from garrison.normalize.jsonstream import iter_json

    held: list[Line] = []
    seen: list[int | None] = []

    def lines() -> Iterator[Line]:
        # Each time the reader asks for a line, record what it still holds back.
        for line in (Line("{", 100), Line('  "a": 1', 102), Line("}", 111), Line('{"b": 2}', 113)):
            seen.append(held[0].offset if held else None)
            yield line
        seen.append(held[0].offset if held else None)

    records = list(iter_json(lines(), buffer=held))
    assert [r.offset for r in records] == [100, 113]
    assert seen == [None, 100, 100, None, None]
    assert held == []
