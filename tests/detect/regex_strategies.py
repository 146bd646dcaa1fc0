"""Hypothesis strategies for random regular expressions and texts they may match.

The grammar is small but reaches every construct the literal extraction handles (literal runs,
classes, alternations, groups with scoped flags, repeats, anchors, lookarounds, atomic groups,
backreferences), with the characters that make case-insensitive matching tricky: ``i``/``s``/
``k`` and their non-ASCII case partners ``İ``, ``ı``, ``ſ``, the Kelvin sign, and the three
sigmas (``Σ`` lowercases to ``ς`` or ``σ`` depending on the context).
"""

from __future__ import annotations

import contextlib
import re

from hypothesis import strategies as st

#: Characters of texts, and of the regexes' literals.
ALPHABET = "abcsikABSIK-_ \n\u0130\u0131\u017f\u212a\u03a3\u03c3\u03c2\u00e9"

#: Look-alikes a text character may be swapped for: same letter in another case or script.
VARIANTS = {
    "i": "iI\u0130\u0131",
    "s": "sS\u017f",
    "k": "kK\u212a",
    "a": "aA",
    "b": "bB",
    "c": "cC",
    "\u03c3": "\u03c3\u03c2\u03a3",
}

_LITERALS = st.one_of(
    st.sampled_from([*"abcsikABSIK-_ ", "\u0130", "\u0131", "\u017f", "\u212a", "\u03a3", "é"]),
    st.sampled_from(["abc", "kiss", "Sab", "sis", "back", "ask", "ABC", "a\\.b", "\\n", "\\-"]),
)
_CLASSES = st.sampled_from(
    [
        "[ab]",
        "[a-c]",
        "[^a]",
        "[-_]",
        "[sS]",
        "[iI]",
        "[Kk]",
        "[j-l]",
        "[r-t]",
        "[\u0130\u0131]",
        "[\u017fs]",
        ".",
        "\\d",
        "\\s",
        "\\w",
        "\\W",
    ]
)
_ANCHORS = st.sampled_from(["^", "$", "\\b", "\\B", "\\A", "\\Z"])
_QUANTIFIERS = st.sampled_from(
    ["?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}", "??", "*?", "+?", "*+", "?+", "{0}"]
)


def _compose(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Every construct but repetition, over ``inner``."""
    return st.one_of(
        st.lists(inner, min_size=2, max_size=4).map("".join),
        st.lists(inner, min_size=2, max_size=4).map("".join),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
        inner.map(lambda x: f"({x})"),
        inner.map(lambda x: f"(?i:{x})"),
        inner.map(lambda x: f"(?-i:{x})"),
        st.sampled_from(["?=", "?!", "?<=ab", "?<!ab", "?>"]).flatmap(
            lambda kind: inner.map(
                lambda x: f"({kind}{x})" if not kind.startswith("?<") else f"({kind}){x}"
            )
        ),
    )


def regexes() -> st.SearchStrategy[str]:
    """Random pattern sources (some may not compile: callers skip those).

    Literal-heavy on purpose: most patterns should yield literals, or the soundness test
    would mostly check that "no literal" is sound. Repetitions are never nested: Python's
    ``re`` backtracks exponentially on nested ones, and a search inside its C code cannot
    be interrupted by a test timeout.
    """
    words = _LITERALS
    atoms = st.one_of(words, words, words, words, _CLASSES, _ANCHORS)
    plain = st.recursive(atoms, _compose, max_leaves=5)
    repeated = st.tuples(plain, _QUANTIFIERS).map(lambda t: f"(?:{t[0]}){t[1]}")
    body = st.recursive(st.one_of(atoms, atoms, repeated), _compose, max_leaves=8)
    global_flags = st.sampled_from(["", "", "", "(?i)", "(?x)", "(?s)"])
    top = st.one_of(
        st.lists(body, min_size=1, max_size=3).map("".join),
        st.lists(body, min_size=1, max_size=3).map("|".join),
        # A backreference to group 1, which this wrapper opens first and closes before it.
        st.tuples(body, body).map(lambda t: f"({t[0]}){t[1]}\\1"),
    )
    return st.tuples(global_flags, top).map("".join)


#: ``re`` flags a Sigma rule can set (``i``, ``m``, ``s``).
FLAGS = st.sampled_from(
    [0, re.IGNORECASE, re.MULTILINE, re.DOTALL, re.IGNORECASE | re.MULTILINE | re.DOTALL]
)


@st.composite
def texts_for(draw: st.DrawFn, compiled: re.Pattern[str]) -> str:
    """A text likely to contain a match of ``compiled``, its letters maybe case-swapped."""
    text = draw(st.text(ALPHABET, max_size=12))
    if draw(st.integers(0, 2)):
        # Patterns Hypothesis cannot generate from keep the random text. Texts stay short:
        # even without nested repetitions a search can backtrack polynomially in the length.
        with contextlib.suppress(Exception):
            text = draw(st.from_regex(compiled))[:12]
    swaps = draw(st.lists(st.integers(0, 3), min_size=len(text), max_size=len(text)))
    out = []
    for char, pick in zip(text, swaps, strict=True):
        variants = VARIANTS.get(char.lower())
        out.append(variants[pick % len(variants)] if variants else char)
    return "".join(out)
