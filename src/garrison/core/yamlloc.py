"""YAML documents as plain Python values that remember their line numbers.

Findings on YAML files (compose, Kubernetes manifests) must name the line of the offending
key or list item, which ``yaml.safe_load`` forgets. :func:`load_documents` builds the same
values as ``yaml.safe_load_all`` (ints, bools, null, dates resolved the same way, merge keys
``<<`` applied, last duplicate key winning) but mappings are :class:`LocMap` and sequences
:class:`LocList`, which compare equal to ``dict`` and ``list`` and carry 1-based lines.

Parsing uses libyaml (``yaml.CSafeLoader``) when PyYAML was built with it: config scans read
thousands of files. Only the safe tags are constructed; a ``!!python/...`` tag is an error,
never code.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["LocList", "LocMap", "YamlError", "load_documents"]

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocMap(dict[Any, Any]):
    """A YAML mapping (a ``dict``) with the line of the mapping and of each key.

    Attributes:
        line: The 1-based line where the mapping starts (its first key, for block style).
        key_lines: Key -> the 1-based line of that key.
    """

    __slots__ = ("key_lines", "line")

    def __init__(self, items: Any = (), line: int = 0) -> None:
        super().__init__(items)
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line of ``key`` (the mapping's own line when the key has none recorded)."""
        return self.key_lines.get(key, self.line)


class LocList(list[Any]):
    """A YAML sequence (a ``list``) with the line of the sequence and of each item.

    Attributes:
        line: The 1-based line where the sequence starts.
        item_lines: The 1-based line of each item, by index.
    """

    __slots__ = ("item_lines", "line")

    def __init__(self, items: Any = (), line: int = 0) -> None:
        super().__init__(items)
        self.line = line
        self.item_lines: list[int] = []

    def line_at(self, index: int) -> int:
        """The line of item ``index`` (the sequence's own line when out of range)."""
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line


class YamlError(ValueError):
    """A file that is not valid YAML (or uses a tag that is not safe).

    Attributes:
        file: The file.
        line: The 1-based line of the problem (``None`` when unknown).
        message: What is wrong.
    """

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.message = message


def line_of(value: Any, key: Any = None, default: int = 0) -> int:
    """The line of ``key`` in ``value`` (a LocMap key or LocList index), else its own line."""
    if isinstance(value, LocMap):
        return value.line_of(key) if key is not None else value.line
    if isinstance(value, LocList):
        return value.line_at(key) if isinstance(key, int) else value.line
    return default


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _build(loader: Any, node: Node | None, memo: dict[int, Any]) -> Any:
    """The value of ``node``: plain strings directly, other scalars by the safe constructor.

    Walking the composed nodes ourselves (instead of the constructor's generators) keeps the
    cost close to libyaml's composing alone. ``memo`` maps anchored nodes (an alias is the same
    node object) to their value, registered before the children so recursive anchors resolve.
    """
    if node is None:  # an empty document
        return None
    tag = node.tag
    if tag == _STR:
        return node.value
    known = memo.get(id(node))
    if known is not None:
        return known
    if tag == _MAP and isinstance(node, MappingNode):
        mapping = LocMap(line=node.start_mark.line + 1)
        memo[id(node)] = mapping
        loader.flatten_mapping(node)  # merge keys ("<<: *defaults"), as safe_load applies them
        key_lines = mapping.key_lines
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag == _STR else _build(loader, key_node, memo)
            try:
                mapping[key] = _build(loader, value_node, memo)
            except TypeError as exc:  # a list or mapping used as a key
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from exc
            key_lines[key] = key_node.start_mark.line + 1
        return mapping
    if tag == _SEQ and isinstance(node, SequenceNode):
        sequence = LocList(line=node.start_mark.line + 1)
        memo[id(node)] = sequence
        sequence.extend([_build(loader, child, memo) for child in node.value])
        sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
        return sequence
    # Other scalars (int, bool, null, float, timestamp) and the other safe tags (set, omap,
    # binary) as safe_load builds them; an unknown or python tag raises ConstructorError.
    return loader.construct_object(node, deep=True)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "invalid YAML"


def load_documents(text: str, file: str) -> list[Any]:
    """Every document of ``text`` (a ``---`` separated stream), with line numbers.

    Args:
        text: The YAML text.
        file: The file it came from (for the error).

    Returns:
        One value per document: :class:`LocMap`, :class:`LocList`, a scalar or ``None``
        (an empty document), equal to what ``yaml.safe_load_all`` returns.

    Raises:
        YamlError: When the text is not valid YAML, with the line of the problem.
    """
    try:
        loader = _BaseLoader(text)  # the pure-Python reader checks characters here already
    except yaml.YAMLError as exc:
        raise YamlError(file, None, _first_line(exc)) from exc
    try:
        documents = []
        while loader.check_node():
            documents.append(_build(loader, loader.get_node(), {}))
        return documents
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise YamlError(file, mark.line + 1 if mark else None, message) from exc
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no mark
        raise YamlError(file, None, _first_line(exc)) from exc
    except ValueError as exc:  # a timestamp that is no date ("2001-13-45")
        raise YamlError(file, None, _first_line(exc)) from exc
    except RecursionError as exc:  # absurdly deep nesting in attacker-controlled files
        raise YamlError(file, None, "nesting too deep") from exc
    finally:
        loader.dispose()
