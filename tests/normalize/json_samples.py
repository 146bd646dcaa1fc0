"""Helpers shared by the tests of the JSON-family parsers."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

from garrison.events import schema
from garrison.events.model import Event
from garrison.ingest.reader import iter_lines
from garrison.normalize.base import Line, ParseContext, Parser

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def make_ctx(tz: tzinfo = UTC, field_map: dict[str, str] | None = None) -> ParseContext:
    return ParseContext(stream="t", now=NOW, tz=tz, year=2026, field_map=field_map or {})


def lines_of(data: bytes | str) -> list[Line]:
    """Split like the ingest reader: byte offsets, line ends removed, BOM kept."""
    raw = data.encode() if isinstance(data, str) else data
    return list(iter_lines(io.BytesIO(raw)))


def sample_lines(relative: str) -> list[Line]:
    return lines_of((DATA / relative).read_bytes())


def parse(parser: Parser, lines: Iterable[Line], ctx: ParseContext | None = None) -> list[Event]:
    return list(parser.parse(lines, ctx or make_ctx()))


def parse_text(parser: Parser, text: str, ctx: ParseContext | None = None) -> list[Event]:
    return parse(parser, lines_of(text), ctx)


def ndjson(*objects: Any) -> str:
    return "".join(orjson.dumps(o).decode() + "\n" for o in objects)


def assert_json_safe(events: Iterable[Event]) -> None:
    """Fields hold JSON scalars or lists of them, and no text holds a NUL."""
    for event in events:
        assert "\x00" not in event.original
        for key, value in event.fields.items():
            assert "\x00" not in key
            values = value if isinstance(value, list) else [value]
            for item in values:
                assert item is None or isinstance(item, str | int | float | bool), (key, value)
                assert not isinstance(item, str) or "\x00" not in item
        orjson.dumps(event.to_dict())


def six(event: Event) -> dict[str, Any]:
    """The six required fields of an event (absent ones omitted)."""
    return {name: event.get(name) for name in schema.REQUIRED_SIX if event.get(name) is not None}


# Hypothesis: any JSON value (orjson only takes 64-bit integers).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)
random_text_lines = st.lists(st.text(max_size=60), max_size=12)
