"""Reading JSON records from a stream of lines, shared by every JSON-based parser.

Two layouts are accepted and told apart by the first non-blank line:

* **NDJSON**: one JSON value per line. A line that is not valid JSON is an error of its own.
* **Whole documents** spread over many lines: a pretty-printed object, a top-level array, or
  ``{"Records": [...]}`` as AWS CloudTrail delivers its files. The lines are buffered until the
  brackets balance (up to :data:`MAX_DOCUMENT_CHARS`), then parsed in one go. When a document is
  invalid or too large, *every* line of it becomes an error of its own, so nothing is lost.

Containers are expanded into records: a top-level array of objects, a ``{"Records": [...]}``
object and a Kubernetes audit ``EventList``. Records of a container get the container's offset
plus their index as offset (ids stay distinct and stable) and their compact JSON as original.

The module also holds :func:`flatten`, which turns nested JSON into the flat dotted keys of
event fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, NamedTuple

import orjson

from garrison.normalize.base import Line

#: Largest multi-line document buffered, in characters (about bytes for the ASCII of JSON).
MAX_DOCUMENT_CHARS: Final = 256 * 1024 * 1024
#: Below this nesting depth :func:`flatten` keeps a sub-tree as compact JSON text.
MAX_FLATTEN_DEPTH: Final = 32
# A JSON string, or an unterminated one up to the end of the line. Possessive quantifiers and
# the always-matching tail keep it linear on hostile lines ('"\\"\\"\\...').
_STRING_RE: Final = re.compile(r'"(?:[^"\\]++|\\.?)*+"?', re.S)
_NDJSON, _DOCUMENT = 1, 2


class JsonRecord(NamedTuple):
    """One JSON value read from the stream.

    Attributes:
        value: The decoded value (usually a dict).
        original: The line as read (NDJSON) or the record's compact JSON (documents).
        offset: Byte offset of the line or document, plus the index inside a container.
    """

    value: Any
    original: str
    offset: int


class JsonError(NamedTuple):
    """A line that could not be read as (part of) JSON, with the reason."""

    text: str
    offset: int
    reason: str


def clean(text: str) -> str:
    """Replace NUL characters, which PostgreSQL refuses in text."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _depth(text: str) -> int:
    """Net bracket depth a line opens, ignoring brackets inside strings.

    JSON strings never span lines, so the strings of one line are complete (when the line is
    valid at all); removing them with a regex keeps the count in C.
    """
    depth = text.count("{") + text.count("[") - text.count("}") - text.count("]")
    if '"' not in text or (depth == 0 and "{" not in text and "[" not in text):
        return depth  # no strings, or no brackets at all: nothing to discount
    text = _STRING_RE.sub("", text)
    return text.count("{") + text.count("[") - text.count("}") - text.count("]")


def _expand(value: Any, text: str | None, offset: int) -> Iterator[JsonRecord | JsonError]:
    """Yield the records of a decoded value (expanding known containers).

    Args:
        value: The decoded JSON value.
        text: The line the value was read from, or ``None`` for a multi-line document.
        offset: Offset of the line or document.
    """
    items: list[Any] | None = None
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            items = value
        elif not value:
            items = []
    elif isinstance(value, dict):
        records = value.get("Records")
        if isinstance(records, list) and len(value) == 1:
            items = records
        elif value.get("kind") == "EventList" and isinstance(value.get("items"), list):
            items = value["items"]
    if items is None:
        original = text if text is not None else orjson.dumps(value).decode()
        yield JsonRecord(value, clean(original), offset)
        return
    if not items:
        original = text if text is not None else orjson.dumps(value).decode()
        yield JsonError(clean(original), offset, "JSON document holds no records")
        return
    dumps = orjson.dumps
    for index, item in enumerate(items):
        yield JsonRecord(item, dumps(item).decode(), offset + index)


def _fail(buffer: list[Line], reason: str) -> Iterator[JsonError]:
    """Turn every line of a failed document into its own error."""
    for line in buffer:
        if line.text.strip():
            yield JsonError(clean(line.text), line.offset, reason)


def iter_json(
    lines: Iterable[Line],
    max_chars: int = MAX_DOCUMENT_CHARS,
    buffer: list[Line] | None = None,
) -> Iterator[JsonRecord | JsonError]:
    """Read JSON records from lines (NDJSON or multi-line documents); never raises.

    Args:
        lines: The stream's lines.
        max_chars: Largest multi-line document buffered.
        buffer: The list that holds the lines of an open multi-line document; pass one to
            observe what is held back (``Parser.pending_offset``). It is mutated in place.

    Yields:
        A :class:`JsonRecord` per record, a :class:`JsonError` per line that could not be read.
    """
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    mode = 0
    if buffer is None:
        buffer = []
    buffer.clear()
    depth = size = 0
    skipping = False  # inside the rest of an oversized document
    for line in lines:
        text = line.text
        if text.startswith("\ufeff"):  # PowerShell writes a byte-order mark
            text = text[1:]
        if skipping:
            depth += _depth(text)
            skipping = depth > 0
            if text.strip():
                yield JsonError(
                    clean(text), line.offset, f"part of a JSON document over {max_chars} characters"
                )
            continue
        if buffer:
            # No pretty-printer puts a whole non-empty object on one unindented line inside a
            # document: such a line means the open document was cut short (a crashed writer).
            if text.startswith('{"') and text.rstrip().endswith("}"):
                try:
                    value = loads(text)
                except decode_error:
                    pass
                else:
                    yield from _fail(
                        buffer, "JSON document cut short: a new record began before it closed"
                    )
                    buffer.clear()
                    yield from _expand(value, text, line.offset)
                    continue
            buffer.append(line if text is line.text else Line(text, line.offset))
            size += len(text) + 1
            depth += _depth(text)
            if depth <= 0:
                document = "\n".join(item.text for item in buffer)
                try:
                    value = loads(document)
                except decode_error as exc:
                    yield from _fail(buffer, f"invalid JSON document: {exc}")
                else:
                    yield from _expand(value, None, buffer[0].offset)
                buffer.clear()
            elif size > max_chars:
                yield from _fail(buffer, f"JSON document over {max_chars} characters")
                buffer.clear()
                skipping = True
            continue
        if not text.strip():
            continue
        try:
            value = loads(text)
        except decode_error as exc:
            if mode == _NDJSON:
                yield JsonError(clean(text), line.offset, f"invalid JSON: {exc}")
                continue
            mode = _DOCUMENT
            depth = _depth(text)
            if depth <= 0:
                yield JsonError(clean(text), line.offset, f"invalid JSON: {exc}")
                continue
            buffer[:] = [Line(text, line.offset)]
            size = len(text) + 1
            continue
        if not mode:
            mode = _NDJSON
        yield from _expand(value, text, line.offset)
    if buffer:
        yield from _fail(buffer, "JSON document not closed at end of stream")


def _flatten_list(out: dict[str, Any], items: list[Any], name: str, level: int) -> None:
    if all(not isinstance(item, dict | list) for item in items):
        out[name] = [clean(item) if isinstance(item, str) else item for item in items]
        return
    for index, item in enumerate(items):
        _flatten_value(out, item, f"{name}.{index}", level)


def _flatten_value(out: dict[str, Any], value: Any, name: str, level: int) -> None:
    if isinstance(value, dict):
        if level >= MAX_FLATTEN_DEPTH:
            out[name] = clean(orjson.dumps(value).decode())
        else:
            _flatten_dict(out, value, name, level + 1)
    elif isinstance(value, list):
        if level >= MAX_FLATTEN_DEPTH:
            out[name] = clean(orjson.dumps(value).decode())
        else:
            _flatten_list(out, value, name, level + 1)
    elif isinstance(value, str):
        out[name] = clean(value)
    else:
        out[name] = value


def _flatten_dict(out: dict[str, Any], obj: dict[str, Any], prefix: str, level: int) -> None:
    for key, value in obj.items():
        if type(key) is not str:
            key = str(key)
        if "\x00" in key:
            key = clean(key)
        name = f"{prefix}.{key}" if prefix else key
        # Exact type tests, scalars first: this loop runs for every key of every record.
        kind = type(value)
        if kind is str:
            out[name] = value if "\x00" not in value else clean(value)
        elif kind is dict or kind is list:
            _flatten_value(out, value, name, level)
        elif isinstance(value, str):
            out[name] = clean(value)
        else:
            out[name] = value


def flatten(obj: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Flatten nested JSON into dotted keys.

    Lists of scalars stay lists; lists holding objects or lists are indexed (``a.0.b``).
    Sub-trees deeper than :data:`MAX_FLATTEN_DEPTH` are kept as compact JSON text. Empty
    objects produce no key.

    Args:
        obj: The value to flatten.
        prefix: Dotted prefix of every key (``""`` for none).
        out: Dict to fill, or ``None`` for a new one.

    Returns:
        The flat dict (``out`` when given).
    """
    result: dict[str, Any] = {} if out is None else out
    if isinstance(obj, dict):
        _flatten_dict(result, obj, prefix, 0)
    else:
        _flatten_value(result, obj, prefix or "value", 0)
    return result


def _line_values(lines: list[str]) -> list[Any]:
    """The first record of each line (``None`` for a line that does not decode)."""
    values: list[Any] = []
    for text in lines:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            values.append(None)
            continue
        records = [r.value for r in _expand(value, text, 0) if isinstance(r, JsonRecord)]
        values.append(records[0] if records else None)
    return values


def decode_sample(sample: Sequence[str]) -> tuple[list[Any], str] | None:
    """Decode a sniff sample into records.

    Returns:
        ``None`` for a blank sample. Else the records (NDJSON: the first record of each line,
        ``None`` for a line that does not decode) and, in document layout, the joined sample:
        its record list is empty when the document is cut short by the sample's end, and the
        caller may then judge the format by the text.
    """
    lines = [s.lstrip("\ufeff") for s in sample if s.strip()]
    if not lines:
        return None
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        joined = "\n".join(lines)
        try:
            document = orjson.loads(joined)
        except orjson.JSONDecodeError:
            # A document cut by the sample's end, or NDJSON whose first line is cut (a file
            # read from the middle): the lines that decode alone tell which.
            values = _line_values(lines)
            return (values, "") if any(isinstance(v, dict) for v in values) else ([], joined)
        return [r.value for r in _expand(document, None, 0) if isinstance(r, JsonRecord)], joined
    return _line_values(lines), ""
