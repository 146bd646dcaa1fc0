"""Prefilter literals: how selective a set of literals is, and literals a regex requires.

A *literal set* is a set of lowercased strings such that every text a rule (or a part of it)
matches contains at least one of them once lowercased. The engine files a rule under its set in
an Aho-Corasick automaton and evaluates it only for events whose
:func:`~garrison.detect.values.haystack` contains one of them, so a set must never be wrong
(sound) and should rarely occur in events (selective).

:func:`regex_literals` derives such a set from a regular expression by walking the parse tree
of Python's own regex parser; anything it does not understand contributes nothing, which can
only make the set weaker (or absent: the rule is then evaluated for every event), never wrong.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "IGNORECASE_UNSAFE",
    "MIN_LITERAL_LENGTH",
    "best_set",
    "cost",
    "regex_literals",
    "usable",
]

#: Shorter literals occur in nearly every event (``/``, ``a``, ``-e``) and make the automaton
#: report a hit at almost every position: a set holding one is no filter at all.
MIN_LITERAL_LENGTH = 3

#: Each further character makes a literal roughly this many times rarer in log text. Real
#: log text is far from random (a 4-letter word is much more common than 1 in 26**4), so the
#: base is small; it only has to rank sets, e.g. prefer a list of long payloads to ``post``.
_RARITY_BASE = 3.0

# The parser behind ``re.compile`` (``re._parser`` and ``re._constants`` since Python 3.11;
# the public ``sre_parse`` alias is deprecated). Imported by name because typeshed has no
# stubs for the private modules.
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

#: ASCII letters that ``re.IGNORECASE`` also matches with a non-ASCII character whose
#: ``str.lower()`` is not that letter: ``i`` with ``İ`` (lowercases to ``i̇``, two characters)
#: and ``ı``; ``s`` with ``ſ``. A literal through them could miss the lowercased text, so they
#: end literal runs in case-insensitive patterns. (``k`` also matches the Kelvin sign, which
#: lowercases to ``k``: harmless.) ``tests/detect/test_literals.py`` checks every code point.
IGNORECASE_UNSAFE = frozenset("is")

#: Bounds on the exact-string sets built while walking a pattern (cross products of classes and
#: alternations): beyond them the walk keeps what it has and starts a new run.
_MAX_EXACT = 64
_MAX_CLASS = 8
_MAX_REPEAT_EXPAND = 4


def cost(literals: Iterable[str]) -> float:
    r"""Estimated share of events holding one of ``literals`` (lower is more selective).

    A static estimate: each literal occurs with a probability falling geometrically with its
    length, and a set is as likely as the sum of its members. The ``\n`` that frames values in
    the haystack counts half a character: it only pins the literal to the start or end of some
    value. Too crude to predict rates, good enough to rank the alternatives of one rule.
    """
    total = 0.0
    for literal in literals:
        total += _RARITY_BASE ** -(len(literal) - literal.count("\n") / 2)
    return min(total, 1.0)


def usable(literals: frozenset[str] | None) -> bool:
    """Whether ``literals`` is a non-empty set without too-short members."""
    return bool(literals) and min(len(s) for s in literals or ()) >= MIN_LITERAL_LENGTH


def best_set(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """The most selective usable set of several that are all required (an AND), or ``None``."""
    best: frozenset[str] | None = None
    best_key = (2.0, 0)
    for literals in sets:
        if literals is None or not usable(literals):
            continue
        key = (cost(literals), len(literals))
        if best is None or key < best_key:
            best, best_key = literals, key
    return best


# --- regular expressions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Info:
    """What the walk knows about a piece of a pattern.

    Attributes:
        exact: Every string the piece can match, lowercased (``""`` included when it can
            match the empty string); ``None`` when unknown or too many.
        required: A usable literal set every match of the piece satisfies; ``None``: none.
    """

    exact: frozenset[str] | None
    required: frozenset[str] | None


_UNKNOWN = _Info(None, None)
_EMPTY = _Info(frozenset({""}), None)


def regex_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lowercased literals one of which occurs in every lowercased text ``pattern`` finds.

    Args:
        pattern: A Python regular expression (as given to :func:`re.compile`).
        flags: The ``re`` flags it is compiled with (inline flags are honoured too).

    Returns:
        A set such that whenever ``re.search(pattern, text, flags)`` succeeds, some member is
        a substring of ``text.lower()``; ``None`` when no such set of usable literals is known
        (the rule must then see every event).
    """
    try:
        parsed = _parser.parse(pattern, flags)
        info = _sequence(list(parsed), int(parsed.state.flags))
    except (re.error, RecursionError, ValueError, TypeError, AttributeError, IndexError):
        return None  # anything unexpected: no literal, which is always sound
    return info.required


def _cross(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MAX_EXACT:
        return None
    return frozenset(a + b for a in left for b in right)


def _as_required(exact: frozenset[str] | None) -> frozenset[str] | None:
    return exact if exact is not None and usable(exact) else None


def _sequence(items: Sequence[Any], flags: int) -> _Info:
    """A concatenation: exact runs are joined; every mandatory piece offers a set."""
    offers: list[frozenset[str] | None] = []
    run = frozenset({""})  # the exact strings of the current run of exact items
    whole = True  # no run has ended yet: ``run`` is exact for the whole sequence
    for op, av in items:
        info = _item(op, av, flags)
        if info.exact is not None:
            joined = _cross(run, info.exact)
            if joined is not None:
                run = joined
                continue
        # The run ends here; what it matched is one mandatory piece of every match.
        whole = False
        offers.append(_as_required(run))
        if info.exact is not None:
            run = info.exact  # too many strings to join: a new run starts with this item
        else:
            offers.append(info.required)
            run = frozenset({""})
    offers.append(_as_required(run))
    return _Info(run if whole else None, best_set(offers))


def _item(op: Any, av: Any, flags: int) -> _Info:
    """One node of the parse tree."""
    ignore = bool(flags & re.IGNORECASE)
    if op is _c.LITERAL:
        char = _char(av, ignore)
        return _Info(frozenset({char}), None) if char is not None else _UNKNOWN
    if op is _c.IN:
        return _class(av, ignore)
    if op is _c.AT:
        # Anchors and \b consume nothing: the text on either side is adjacent in the match.
        return _EMPTY
    if op is _c.ASSERT or op is _c.ASSERT_NOT:
        return _EMPTY  # lookarounds consume nothing either
    if op is _c.SUBPATTERN:
        _group, add, remove, body = av
        return _sequence(list(body), (flags | add) & ~remove)
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av), flags)
    if op is _c.BRANCH:
        return _branch(av[1], flags)
    if op is _c.MAX_REPEAT or op is _c.MIN_REPEAT or op is _c.POSSESSIVE_REPEAT:
        low, high, body = av
        return _repeat(int(low), int(high), _sequence(list(body), flags))
    # ANY, NOT_LITERAL, CATEGORY, GROUPREF, GROUPREF_EXISTS, ...: an unknown character run.
    return _UNKNOWN


def _char(code: int, ignore: bool) -> str | None:
    """The lowercased character a literal matches, when that is all it matches."""
    char = chr(code)
    if not char.isascii():
        # str.lower() of other scripts can depend on the context or change the length.
        return None
    lowered = char.lower()
    if ignore and lowered in IGNORECASE_UNSAFE:
        return None
    return lowered


def _class(items: Sequence[Any], ignore: bool) -> _Info:
    """A character class of a few known characters (``[-_]``, ``[aA]``); else unknown."""
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            char = _char(av, ignore)
            if char is None:
                return _UNKNOWN
            chars.add(char)
        elif op is _c.RANGE and av[1] - av[0] < _MAX_CLASS:
            for code in range(av[0], av[1] + 1):
                char = _char(code, ignore)
                if char is None:
                    return _UNKNOWN
                chars.add(char)
        else:  # NEGATE, CATEGORY (\d, \w), big ranges
            return _UNKNOWN
        if len(chars) > _MAX_CLASS:
            return _UNKNOWN
    if not chars:
        return _UNKNOWN
    return _Info(frozenset(chars), None)


def _branch(alternatives: Sequence[Any], flags: int) -> _Info:
    """``a|b``: the match is one of the alternatives, so it holds one of their sets."""
    exact: frozenset[str] | None = frozenset()
    required: frozenset[str] | None = frozenset()
    for alternative in alternatives:
        info = _sequence(list(alternative), flags)
        if exact is not None:
            exact = exact | info.exact if info.exact is not None else None
            if exact is not None and len(exact) > _MAX_EXACT:
                exact = None
        if required is not None:
            own = info.required or _as_required(info.exact)
            required = required | own if own is not None else None
    return _Info(exact, required or None)


def _repeat(low: int, high: int, body: _Info) -> _Info:
    """``x{low,high}`` (``*``, ``+``, ``?``): the body's set when it occurs at least once."""
    required = (body.required or _as_required(body.exact)) if low >= 1 else None
    if body.exact is None or high > _MAX_REPEAT_EXPAND:
        return _Info(None, required)
    exact: frozenset[str] | None = frozenset({""}) if low == 0 else frozenset()
    power: frozenset[str] | None = frozenset({""})
    for count in range(1, high + 1):
        power = _cross(power, body.exact) if power is not None else None
        if power is None:
            return _Info(None, required)
        if count >= low and exact is not None:
            exact = exact | power
    if exact is not None and len(exact) > _MAX_EXACT:
        exact = None
    return _Info(exact, required)
