"""Prefilter literals: regex literal extraction (sound on random regexes), ranking, haystack."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from garrison.detect import haystack, literals
from garrison.detect.literals import (
    IGNORECASE_UNSAFE,
    MIN_LITERAL_LENGTH,
    best_set,
    cost,
    regex_literals,
    usable,
)
from garrison.normalize.base import ParseContext
from tests.detect.regex_strategies import ALPHABET, FLAGS, regexes, texts_for

CTX = ParseContext(stream="t", now=datetime(2026, 11, 23, tzinfo=UTC))


# --- examples -------------------------------------------------------------------------------


def test_literal_runs_classes_and_repeats() -> None:
    # The benchmark's regex rules: the class [-_] multiplies the run into two literals.
    assert regex_literals(r"crontab\s+.*--hide[-_]shadow8\b") == {
        "--hide-shadow8",
        "--hide_shadow8",
    }
    assert regex_literals(r"https?://evil") == {"http://evil", "https://evil"}
    assert regex_literals(r"x{3}yz") == {"xxxyz"}
    assert regex_literals(r"[a-z]+\.exe") == {".exe"}
    # Anchors and lookarounds consume nothing: the run continues across them.
    assert regex_literals(r"^abc\b(?=d)def$") == {"abcdef"}
    # Case-sensitive literals are lowercased (the haystack is lowercased).
    assert regex_literals(r"Invoke-Mimikatz") == {"invoke-mimikatz"}


def test_alternations_need_a_literal_in_every_branch() -> None:
    assert regex_literals(r"(foo|barbaz)qux") == {"fooqux", "barbazqux"}
    assert regex_literals(r"(?:abcd.*|efgh\d)") == {"abcd", "efgh"}
    assert regex_literals(r"abcd|.*") is None
    assert regex_literals(r"(ab|)cdef") == {"abcdef", "cdef"}
    assert regex_literals(r"(?:powershell|pwsh)\.exe") == {"powershell.exe", "pwsh.exe"}


def test_nothing_certain_means_no_literal() -> None:
    for pattern in (r"a.b", r"\d+", r"(abc)?", r"(?:abc)*", r"[^x]+", r"ab", r"(ab)\1", r"ab("):
        assert regex_literals(pattern) is None, pattern
    # Optional pieces break the run: "-e" alone is too short.
    assert regex_literals(r"\s-e(nc)?\s") is None


def test_case_insensitive_patterns() -> None:
    assert regex_literals(r"POWER", re.IGNORECASE) == {"power"}
    assert regex_literals(r"(?i)POWER") == {"power"}
    # Scoped flags apply to their group only.
    assert regex_literals(r"(?i:ABC)DEF") == {"abcdef"}
    # Under IGNORECASE, i and s also match non-ASCII letters that do not lowercase to them:
    # they end the run.
    assert regex_literals(r"(?i)powershell") == {"power"}
    assert regex_literals(r"(?i)mimikatz") == {"mimi"} or regex_literals(r"(?i)mimikatz") == {
        "katz"
    }
    assert regex_literals(r"(?-i:powershell)", re.IGNORECASE) == {"powershell"}


def test_non_ascii_literals_end_runs() -> None:
    # str.lower() of Σ depends on its neighbours: a non-ASCII literal proves nothing.
    assert regex_literals("abcΣdef") in ({"abc"}, {"def"})


def test_ignorecase_unsafe_letters_cover_every_code_point() -> None:
    """Every non-ASCII character that (?i) matches with an ASCII one lowercases to it, or
    that ASCII letter is in IGNORECASE_UNSAFE."""
    everything = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    partners = set(re.findall(r"(?i)[\x00-\x7f]", everything))
    assert partners  # İ, ı, ſ and the Kelvin sign at least
    for char in partners:
        for code in range(0x80):
            ascii_char = chr(code)
            if re.fullmatch("(?i)" + re.escape(ascii_char), char) and (
                char.lower() != ascii_char.lower()
            ):
                assert ascii_char.lower() in IGNORECASE_UNSAFE, (ascii_char, char)


# --- ranking --------------------------------------------------------------------------------


def test_rarer_sets_are_preferred() -> None:
    payloads = frozenset({"file=union selectupload", "/shell/group30.env", "path=%00xmr"})
    assert best_set([frozenset({"\npost\n"}), payloads]) == payloads
    flags = frozenset({" --pool-mount", " sudoers=reverse9"})
    tmp = frozenset({"\n/tmp/", "\n/dev/shm/", "\n/var/tmp/"})
    assert best_set([tmp, flags]) == flags
    assert best_set([frozenset({"/python\n"}), frozenset({" -xdump-creds"})]) == frozenset(
        {" -xdump-creds"}
    )
    assert cost(["abcd"]) < cost(["abc"]) < cost(["ab"])
    assert cost(["abcd", "efgh"]) > cost(["abcd"])
    # Too-short literals never serve; nor does an empty set.
    assert best_set([frozenset({"/", "abcdef"}), None]) is None
    assert not usable(frozenset())
    assert not usable(frozenset({"ab"}))
    assert usable(frozenset({"abc"}))


# --- soundness on random regexes ------------------------------------------------------------


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(regexes(), FLAGS, st.booleans(), st.data())
def test_regex_literals_are_sound(
    pattern: str, flags: int, short: bool, data: st.DataObject
) -> None:
    """If the regex finds a match in a text, one literal occurs in the lowercased text."""
    try:
        compiled = re.compile(pattern, flags)
    except (re.error, OverflowError, RecursionError):
        assume(False)
        return
    # Half the time allow any literal length, so short runs are checked too.
    with mock.patch.object(literals, "MIN_LITERAL_LENGTH", 1 if short else MIN_LITERAL_LENGTH):
        found = regex_literals(pattern, flags)
        if found is not None:
            assert usable(found), found
    for _ in range(3):
        text = data.draw(texts_for(compiled))
        if found is not None and compiled.search(text) is not None:
            lowered = text.lower()
            assert any(literal in lowered for literal in found), (pattern, found, text)


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET + "Σσς", max_size=30), st.data())
def test_regex_literals_of_literal_text(text: str, data: st.DataObject) -> None:
    """An escaped text as a pattern: sound, and finds a literal whenever an ASCII run is long."""
    pattern = re.escape(text)
    found = regex_literals(pattern)
    if re.search(r"[ -~]{%d}" % MIN_LITERAL_LENGTH, text.replace("\n", "\x00")):  # noqa: UP031
        assert found is not None, text
    if found is not None:
        assert any(literal in text.lower() for literal in found)


# --- the haystack ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.text(ALPHABET + "Σσς", max_size=20),
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.one_of(
            st.text(ALPHABET + "Σσς", max_size=10),
            st.integers(),
            st.floats(allow_nan=False),
            st.booleans(),
            st.none(),
            st.lists(st.one_of(st.text(ALPHABET + "Σ", max_size=6), st.integers(), st.none())),
        ),
    ),
)
def test_haystack_lowers_each_value_on_its_own(original: str, fields: dict[str, object]) -> None:
    """One lower() of the joined text equals lowering each value (final sigma included)."""
    from garrison.detect.values import to_text

    event = CTX.make(timestamp=None, dataset="x", original=original, offset=0, fields=fields)
    parts = [original.lower()]
    for value in fields.values():
        for item in value if isinstance(value, list) else [value]:
            text = to_text(item) if item is not None else None
            if text is not None:
                parts.append(text.lower())
    assert haystack(event) == "\n" + "\n".join(parts) + "\n"
