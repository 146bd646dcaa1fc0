"""Compiled tests of single Sigma values against single event values.

Everything here runs once per rule at compile time and returns closures; the closures do no
parsing of the rule per event. A *value test* receives one non-``None`` scalar event value (list
elements are fed one at a time by the caller) and answers whether it matches.

Text conversion (:func:`to_text`) is shared by matching and by :func:`haystack`, the text a
literal prefilter scans, so both see the same characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExpansion,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SigmaType,
    SpecialChars,
    TimestampPart,
)

from garrison.core.errors import GarrisonError
from garrison.events.model import Event

ValueTest = Callable[[Any], bool]
TextTest = Callable[[str], bool]

_REGEX_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: re.IGNORECASE,
    SigmaRegularExpressionFlag.MULTILINE: re.MULTILINE,
    SigmaRegularExpressionFlag.DOTALL: re.DOTALL,
}


class UnsupportedRuleError(GarrisonError):
    """A Sigma rule uses a construct Garrison cannot evaluate; the message names it."""

    code = "rule.unsupported"


def to_text(value: Any) -> str | None:
    """The text a scalar event value is matched as, or ``None`` when it has none.

    Strings are themselves; booleans are ``true``/``false``; numbers use ``str()``; datetimes
    use ISO 8601; mappings, sequences and bytes have no text.
    """
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, dict | list | tuple | set | frozenset | bytes):
        return None
    return str(value)


def to_number(value: Any) -> int | float | None:
    """The number an event value stands for (a number or numeric text), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return None
    return None


def haystack(event: Event) -> str:
    r"""Lowercased text of an event's values, one per line, for a literal prefilter.

    It holds ``event.original`` and the text (:func:`to_text`) of every field value, list
    elements included, each on its own line, with a line break before the first and after the
    last: every value is framed by ``\n`` on both sides, so a rule that compares a whole value
    (or its start or end) can require ``"\nvalue\n"`` (``"\nprefix"``, ``"suffix\n"``).
    Every string of a rule's ``required_any`` that a matching event must contain is a substring
    of this text. ``event.id``, ``@timestamp`` and ``event.dataset`` are left out: keywords do
    not search them and the compiler takes no literal from conditions on them.
    """
    parts = ["", event.original]
    append = parts.append
    # Inline fast paths for the common exact types; everything else goes through to_text.
    for value in event.fields.values():
        kind = value.__class__
        if kind is str:
            append(value)
        elif kind is int or kind is float:
            append(str(value))
        elif isinstance(value, list | tuple):
            for item in value:
                if item.__class__ is str:
                    append(item)
                else:
                    text = to_text(item)
                    if text is not None:
                        append(text)
        else:
            text = to_text(value)
            if text is not None:
                append(text)
    append("")
    # One lower() of the joined text equals lowering each value on its own: the only
    # context-dependent mapping (final sigma) treats "\n" like the start or end of a text.
    return "\n".join(parts).lower()


# --- strings with wildcards -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StringSpec:
    """One Sigma string, normalised for matching.

    Attributes:
        kind: ``eq``, ``prefix``, ``suffix``, ``contains``, ``any`` or ``pattern``.
        text: The literal (lowercased unless ``cased``); the regex source for ``pattern``.
        cased: Case-sensitive matching.
        literals: The literal runs of the string (lowercased unless ``cased``).
        starts: A matching text starts with ``literals[0]``.
        ends: A matching text ends with ``literals[-1]``.
    """

    kind: str
    text: str
    cased: bool
    literals: tuple[str, ...]
    starts: bool = False
    ends: bool = False


def _parts(value: SigmaString, *, keyword: bool) -> list[str | SpecialChars]:
    """Literal runs and wildcards of ``value``, merged; keywords gain ``*`` at both ends."""
    merged: list[str | SpecialChars] = []
    for part in value.s:
        if isinstance(part, Placeholder):
            raise UnsupportedRuleError(
                f"placeholder '%{part.name}%' (expand modifier) needs a processing pipeline"
            )
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                continue
        elif part is SpecialChars.WILDCARD_MULTI and merged and merged[-1] is part:
            continue
        merged.append(part)
    if keyword:
        if not merged or merged[0] is not SpecialChars.WILDCARD_MULTI:
            merged.insert(0, SpecialChars.WILDCARD_MULTI)
        if merged[-1] is not SpecialChars.WILDCARD_MULTI:
            merged.append(SpecialChars.WILDCARD_MULTI)
    return merged


def string_spec(value: SigmaString, *, keyword: bool = False) -> StringSpec:
    """Normalise a Sigma string (``keyword``: matched anywhere inside the text)."""
    cased = isinstance(value, SigmaCasedString)
    parts = [
        p if cased or not isinstance(p, str) else p.lower() for p in _parts(value, keyword=keyword)
    ]
    literals = tuple(p for p in parts if isinstance(p, str))
    star = SpecialChars.WILDCARD_MULTI
    starts = bool(parts) and isinstance(parts[0], str)
    ends = bool(parts) and isinstance(parts[-1], str)
    if not any(isinstance(p, SpecialChars) for p in parts):
        return StringSpec("eq", literals[0] if literals else "", cased, literals, starts, ends)
    if parts == [star]:
        return StringSpec("any", "", cased, ())
    if len(parts) == 2 and isinstance(parts[1], str) and parts[0] is star:
        return StringSpec("suffix", parts[1], cased, literals, ends=True)
    if len(parts) == 2 and isinstance(parts[0], str) and parts[1] is star:
        return StringSpec("prefix", parts[0], cased, literals, starts=True)
    if len(parts) == 3 and isinstance(parts[1], str) and parts[0] is star and parts[2] is star:
        return StringSpec("contains", parts[1], cased, literals)
    source = "".join(
        re.escape(p) if isinstance(p, str) else (".*" if p is star else ".") for p in parts
    )
    return StringSpec("pattern", source, cased, literals, starts, ends)


def text_test(specs: Iterable[StringSpec]) -> TextTest:
    """One test matching a text against any of ``specs`` (texts arrive already normalised)."""
    eqs: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    needles: list[str] = []
    patterns: list[str] = []
    for spec in specs:
        if spec.kind == "any":
            return _always
        if spec.kind == "eq":
            eqs.add(spec.text)
        else:
            {
                "prefix": prefixes,
                "suffix": suffixes,
                "contains": needles,
                "pattern": patterns,
            }[spec.kind].append(spec.text)
    checks: list[TextTest] = []
    if eqs:
        checks.append(frozenset(eqs).__contains__)
    if prefixes:
        starts = tuple(prefixes)
        checks.append(lambda s: s.startswith(starts))
    if suffixes:
        ends = tuple(suffixes)
        checks.append(lambda s: s.endswith(ends))
    if len(needles) == 1:
        needle = needles[0]
        checks.append(lambda s: needle in s)
    elif needles:
        many = tuple(needles)
        checks.append(lambda s: any(n in s for n in many))
    if patterns:
        compiled = re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL)
        checks.append(lambda s: compiled.fullmatch(s) is not None)
    return _any_of_texts(checks)


def _always(_: str) -> bool:
    return True


def _any_of_texts(checks: list[TextTest]) -> TextTest:
    if len(checks) == 1:
        return checks[0]
    first, rest = checks[0], tuple(checks[1:])

    def test(s: str) -> bool:
        return first(s) or any(check(s) for check in rest)

    return test


def string_value_test(specs: list[StringSpec]) -> ValueTest:
    """A value test for strings that share one case mode (all cased or all not)."""
    check = text_test(specs)
    if specs and specs[0].cased:

        def cased(value: Any) -> bool:
            text = value if value.__class__ is str else to_text(value)
            return text is not None and check(text)

        return cased

    def folded(value: Any) -> bool:
        if value.__class__ is str:
            return check(value.lower())
        text = to_text(value)
        return text is not None and check(text.lower())

    return folded


def string_specs(value: SigmaType, *, keyword: bool = False) -> list[StringSpec] | None:
    """The specs of a string or an expansion of strings; ``None`` for other values."""
    if isinstance(value, SigmaString):
        return [string_spec(value, keyword=keyword)]
    if isinstance(value, SigmaExpansion):
        specs: list[StringSpec] = []
        for member in value.values:
            sub = string_specs(member, keyword=keyword)
            if sub is None:
                return None
            specs.extend(sub)
        return specs
    return None


def strings_test(specs: list[StringSpec]) -> ValueTest:
    """A value test for strings of possibly mixed case modes (any of them matches)."""
    cased = [s for s in specs if s.cased]
    folded = [s for s in specs if not s.cased]
    tests = [string_value_test(group) for group in (folded, cased) if group]
    return any_of(tests)


def any_of(tests: list[ValueTest]) -> ValueTest:
    """A value test true when any of ``tests`` is."""
    if len(tests) == 1:
        return tests[0]
    frozen = tuple(tests)

    def test(value: Any) -> bool:
        return any(t(value) for t in frozen)

    return test


# --- other value types ----------------------------------------------------------------------


def regex_source(value: SigmaRegularExpression) -> tuple[str, int]:
    """The Python pattern and ``re`` flags a Sigma ``re`` value is searched with.

    Raises:
        UnsupportedRuleError: The pattern holds a placeholder (``expand`` modifier).
    """
    if value.regexp.contains_placeholder():
        raise UnsupportedRuleError("placeholder in a regular expression (expand modifier)")
    flags = 0
    for flag in value.flags:
        flags |= _REGEX_FLAGS[flag]
    return value.regexp.to_plain(), flags


def _regex_test(value: SigmaRegularExpression) -> ValueTest:
    compiled = re.compile(*regex_source(value))
    search = compiled.search

    def test(item: Any) -> bool:
        text = item if item.__class__ is str else to_text(item)
        return text is not None and search(text) is not None

    return test


def _cidr_test(value: SigmaCIDRExpression) -> ValueTest:
    network: IPv4Network | IPv6Network = value.network

    def test(item: Any) -> bool:
        text = item if item.__class__ is str else to_text(item)
        if text is None:
            return False
        try:
            return ip_address(text.strip()) in network
        except ValueError:
            return False

    return test


_COMPARE: dict[CompareOperators, Callable[[float, float], bool]] = {
    CompareOperators.LT: lambda a, b: a < b,
    CompareOperators.LTE: lambda a, b: a <= b,
    CompareOperators.GT: lambda a, b: a > b,
    CompareOperators.GTE: lambda a, b: a >= b,
    CompareOperators.NEQ: lambda a, b: a != b,
}


def _compare_test(value: SigmaCompareExpression) -> ValueTest:
    operator = _COMPARE[value.op]
    bound = value.number.number

    def test(item: Any) -> bool:
        number = to_number(item)
        return number is not None and operator(number, bound)

    return test


def _number_test(value: SigmaNumber) -> ValueTest:
    expected = value.number

    def test(item: Any) -> bool:
        number = to_number(item)
        return number is not None and number == expected

    return test


_TIME_PARTS: dict[TimestampPart, Callable[[datetime], int]] = {
    TimestampPart.MINUTE: lambda d: d.minute,
    TimestampPart.HOUR: lambda d: d.hour,
    TimestampPart.DAY: lambda d: d.day,
    TimestampPart.WEEK: lambda d: d.isocalendar().week,
    TimestampPart.MONTH: lambda d: d.month,
    TimestampPart.YEAR: lambda d: d.year,
}


def _timestamp_part_test(value: SigmaTimestampPart) -> ValueTest:
    part = _TIME_PARTS[value.timestamp_part]
    expected = value.number

    def test(item: Any) -> bool:
        if isinstance(item, str):
            try:
                item = datetime.fromisoformat(item.strip().replace("Z", "+00:00"))
            except ValueError:
                return False
        return isinstance(item, datetime) and part(item) == expected

    return test


def _bool_test(value: SigmaBool) -> ValueTest:
    expected = bool(value.boolean)
    word = "true" if expected else "false"

    def test(item: Any) -> bool:
        if isinstance(item, bool):
            return item is expected
        return isinstance(item, str) and item.strip().lower() == word

    return test


def value_test(value: SigmaType) -> ValueTest:
    """Compile a field value (not null/exists/fieldref, which need the whole event).

    Raises:
        UnsupportedRuleError: For value types Garrison cannot evaluate.
    """
    specs = string_specs(value)
    if specs is not None:
        return strings_test(specs)
    if isinstance(value, SigmaExpansion):
        return any_of([value_test(member) for member in value.values])
    if isinstance(value, SigmaRegularExpression):
        return _regex_test(value)
    if isinstance(value, SigmaCIDRExpression):
        return _cidr_test(value)
    if isinstance(value, SigmaCompareExpression):
        return _compare_test(value)
    if isinstance(value, SigmaTimestampPart):
        return _timestamp_part_test(value)
    if isinstance(value, SigmaNumber):
        return _number_test(value)
    if isinstance(value, SigmaBool):
        return _bool_test(value)
    raise UnsupportedRuleError(f"value type {type(value).__name__} ({value!r})")
