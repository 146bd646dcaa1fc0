"""Properties every JSON-record parser shares: random text never raises, no record is lost."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.normalize import registry
from tests.normalize.json_samples import (
    assert_json_safe,
    json_objects,
    lines_of,
    ndjson,
    parse,
    parse_text,
    random_text_lines,
)

KINDS = ["cloudtrail", "actiontrail", "k8s-audit", "falco", "evtx-json"]


@pytest.mark.parametrize("name", KINDS)
@settings(max_examples=200, deadline=None)
@given(texts=random_text_lines)
def test_random_text_never_raises(name: str, texts: list[str]) -> None:
    lines = lines_of("\n".join(t.replace("\r", "").replace("\n", " ") for t in texts))
    events = parse(registry.create(name), lines)
    assert_json_safe(events)
    if any(line.text.strip() for line in lines):
        assert events


@pytest.mark.parametrize("name", KINDS)
@settings(max_examples=200, deadline=None)
@given(objects=st.lists(json_objects, min_size=1, max_size=5))
def test_random_objects_yield_an_event_each(name: str, objects: list[dict[str, Any]]) -> None:
    events = parse_text(registry.create(name), ndjson(*objects))
    assert len(events) >= len(objects)
    assert_json_safe(events)
