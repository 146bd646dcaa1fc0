"""Stable ids: same input, same id; any difference, another id."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from garrison.core.ids import event_id, stream_key


def test_stream_key_uses_the_first_line_only_up_to_1_kib() -> None:
    assert stream_key(b"a" * 1024) == stream_key(b"a" * 1024 + b"more")
    assert stream_key(b"first") != stream_key(b"first", salt="peer")
    assert len(stream_key(b"x")) == 16


@given(st.text(), st.integers(0, 2**40), st.integers(0, 100), st.text())
def test_event_id_is_deterministic(stream: str, offset: int, sub: int, raw: str) -> None:
    assert event_id(stream, offset, sub, raw) == event_id(stream, offset, sub, raw)
    assert len(event_id(stream, offset, sub, raw)) == 32


def test_each_component_changes_the_id() -> None:
    base = event_id("s", 10, 0, "line")
    assert (
        len(
            {
                base,
                event_id("t", 10, 0, "line"),
                event_id("s", 11, 0, "line"),
                event_id("s", 10, 1, "line"),
                event_id("s", 10, 0, "line!"),
            }
        )
        == 5
    )


def test_lone_surrogates_do_not_crash() -> None:
    assert event_id("s", 0, 0, "\udcff")
