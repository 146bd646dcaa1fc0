"""Reading streams: offsets, gzip by magic, line limits, decoding."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.ingest.reader import MAX_LINE_BYTES, Oversize, decode, iter_lines, open_binary


def test_offsets_are_byte_offsets_of_each_line() -> None:
    data = "één\nline two\r\n\nlast".encode()
    lines = list(iter_lines(io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]
    assert [(ln.text, ln.offset) for ln in lines] == [
        ("één", 0),
        ("line two", 6),
        ("", 16),
        ("last", 17),
    ]


def test_gzip_is_detected_by_magic_not_name(tmp_path: Path) -> None:
    path = tmp_path / "auth.log.1"
    path.write_bytes(gzip.compress(b"a\nb\n"))
    stream, _raw = open_binary(path)
    with stream:
        assert [ln.text for ln in iter_lines(stream)] == ["a", "b"]


def test_oversize_line_is_reported_not_yielded() -> None:
    big = b"x" * (MAX_LINE_BYTES + 10)
    data = b"before\n" + big + b"\nafter\n"
    seen: list[Oversize] = []
    lines = list(iter_lines(io.BufferedReader(io.BytesIO(data)), on_oversize=seen.append))  # type: ignore[arg-type]
    assert [(ln.text, ln.offset) for ln in lines] == [("before", 0), ("after", 7 + len(big) + 1)]
    assert len(seen) == 1
    assert seen[0].offset == 7 and seen[0].size == len(big) + 1
    assert len(seen[0].head) == MAX_LINE_BYTES


def test_invalid_utf8_and_nul_are_replaced() -> None:
    assert decode(b"ok \xff\xfe bad \x00 nul\n") == "ok \ufffd\ufffd bad \ufffd nul"


def test_other_encodings() -> None:
    assert decode("登录失败\n".encode("gb18030"), "gb18030") == "登录失败"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_completely(data: bytes) -> None:
    lines = list(iter_lines(io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]
    # Every byte belongs to exactly one line: offsets are contiguous.
    expected = 0
    for line in lines:
        assert line.offset == expected
        chunk_end = data.find(b"\n", expected)
        expected = len(data) if chunk_end == -1 else chunk_end + 1
    assert expected == len(data)
    assert all("\x00" not in ln.text for ln in lines)
