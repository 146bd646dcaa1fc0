"""YAML with line numbers: the same values as ``yaml.safe_load``, and the right lines."""

from __future__ import annotations

import pickle
from datetime import date
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.yamlloc import LocList, LocMap, YamlError, line_of, load_documents

COMPOSE = """\
# a comment
x-defaults: &defaults
  restart: always
services:
  web:
    <<: *defaults
    image: nginx:1.25
    user: "0"
    ports:
      - "80:80"
      - target: 443
        published: 443
    privileged: yes
    healthcheck: ~
"""


def test_values_equal_safe_load_and_keys_carry_lines() -> None:
    [doc] = load_documents(COMPOSE, "c.yml")
    assert doc == yaml.safe_load(COMPOSE)
    web = doc["services"]["web"]
    assert isinstance(web, LocMap)
    assert doc.line_of("services") == 4
    assert web.line == 6 and web.line_of("user") == 8 and web.line_of("privileged") == 13
    assert web["privileged"] is True and web["healthcheck"] is None and web["user"] == "0"
    assert web["restart"] == "always"
    assert web.line_of("restart") == 3  # a merged key keeps the line it was written on
    ports = web["ports"]
    assert isinstance(ports, LocList)
    assert ports.line_at(0) == 10 and ports.line_at(1) == 11 and ports[1].line_of("published") == 12
    assert ports.line_at(9) == ports.line == 10
    assert web.line_of("missing") == web.line


def test_line_of_helper() -> None:
    [doc] = load_documents("a:\n  - 1\n  - 2\n", "f")
    assert line_of(doc, "a") == 1 and line_of(doc["a"], 1) == 3 and line_of(doc["a"]) == 2
    assert line_of("scalar", default=7) == 7


def test_every_document_of_a_stream() -> None:
    text = "a: 1\n---\n- b\n---\n...\n---\nc: 2001-02-03\n"
    docs = load_documents(text, "f")
    assert docs == list(yaml.safe_load_all(text))
    assert docs[-1]["c"] == date(2001, 2, 3) and docs[-1].line == 7
    assert load_documents("", "f") == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: [1\nb: 2\n", 2),
        ("a: 1\n b: 2\n", 2),
        ("a: !!python/object/apply:os.system ['id']\n", 1),
        ("? [1]\n: 2\n", 1),
        ("a: *nowhere\n", 1),
        ("a: \x01\n", None),
        ("a: !Ref b\n", 1),
        ("a: 2001-13-45\n", None),
    ],
)
def test_broken_yaml_is_an_error_with_its_line(text: str, line: int | None) -> None:
    with pytest.raises(YamlError) as caught:
        load_documents(text, "bad.yml")
    assert caught.value.file == "bad.yml" and caught.value.line == line
    assert caught.value.message and str(caught.value).startswith("bad.yml")


def test_recursive_anchor_and_pickle() -> None:
    [doc] = load_documents("a: &x\n  b: 1\nc: *x\n", "f")
    assert doc["a"] is doc["c"]
    again = pickle.loads(pickle.dumps(doc))  # noqa: S301 - our own data
    assert again == doc and again.line_of("c") == 3 and again["a"].line_of("b") == 2


_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEYS = st.from_regex(r"k[a-z0-9_]{0,6}", fullmatch=True)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=25,
)


def _check_lines(value: Any, lines: list[str]) -> None:
    if isinstance(value, dict):
        assert isinstance(value, LocMap)
        for key, item in value.items():
            text = lines[value.line_of(key) - 1].lstrip(" -")
            assert text.startswith(f"{key}:"), (key, text)
            _check_lines(item, lines)
    elif isinstance(value, list):
        assert isinstance(value, LocList)
        for index, item in enumerate(value):
            assert lines[value.line_at(index) - 1].lstrip().startswith("-")
            _check_lines(item, lines)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=5), st.integers(2, 6))
def test_generated_documents_load_like_safe_load_with_right_key_lines(
    data: dict[str, Any], indent: int
) -> None:
    text = yaml.safe_dump(data, default_flow_style=False, indent=indent, allow_unicode=True)
    [doc] = load_documents(text, "gen.yml")
    assert doc == yaml.safe_load(text) == data
    _check_lines(doc, text.splitlines())


@settings(max_examples=100, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=3))
def test_generated_streams_in_any_style_load_like_safe_load_all(docs: list[Any]) -> None:
    text = yaml.safe_dump_all(docs, default_flow_style=None)
    assert load_documents(text, "gen.yml") == list(yaml.safe_load_all(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_loads_or_fails_cleanly(text: str) -> None:
    # libyaml and the pure-Python scanner disagree on a few odd inputs ("0\t"): compare with
    # the safe loader load_documents is built on.
    try:
        expected = list(yaml.load_all(text, Loader=_SAFE))
    except (yaml.YAMLError, ValueError):
        with pytest.raises(YamlError):
            load_documents(text, "f")
    else:
        assert load_documents(text, "f") == expected
