"""Masking personal data in report text: resident ID numbers, mobile numbers, e-mail addresses.

Reports leave the platform (printed, mailed to regulators), so personal data in free text and
names is masked before rendering, following the usual Chinese display conventions:

* resident ID numbers (18 characters, the last may be ``X``; the old 15-digit form) keep the
  first 6 and last 4 characters: ``110105********1234``;
* mainland mobile numbers ``1[3-9]xxxxxxxxx``, optionally with ``+86``/``0086``/``86`` and
  space or dash separators, keep the first 3 and last 4 digits: ``138****5678``;
* e-mail addresses keep the first and last character of the local part and the domain:
  ``z***n@example.com``.

A number counts only when it stands alone: a match must not touch another digit, so the same
digits inside a longer run (a 20-digit order number, a millisecond timestamp) are left alone,
as are IP addresses and dates, which never have runs of 11 or more digits. ID numbers must also
look like one (region code not starting with 0, a real month and day); the check digit is not
verified, so a mistyped ID is still masked. Masking is idempotent: masked text masks to itself.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_REGION = r"[1-9][0-9]{5}"

# Why ASCII classes instead of \d: \d also matches other scripts' digits, which would make a
# fullwidth digit next to a number count as "part of a longer run" inconsistently.
_ID_NUMBER = re.compile(
    rf"(?<![0-9])(?:"
    rf"(?P<long>{_REGION}(?:18|19|20)[0-9]{{2}}{_DATE}[0-9]{{3}}[0-9Xx])"
    rf"|(?P<short>{_REGION}[0-9]{{2}}{_DATE}[0-9]{{3}})"
    rf")(?![0-9])"
)

_PHONE = re.compile(
    r"(?<![0-9])"
    r"(?P<prefix>(?:\+86|0086|86)[ \-]?)?"
    r"(?P<head>1[3-9][0-9])(?P<sep1>[ \-]?)[0-9]{4}(?P<sep2>[ \-]?)(?P<tail>[0-9]{4})"
    r"(?![0-9])"
)

# Why the look-behind: the local part must be matched whole, not from its middle, or masking
# would not be idempotent. '*' is allowed in the local part so a masked address is still one.
_LOCAL = r"[A-Za-z0-9._%+\-*]"
_EMAIL = re.compile(
    rf"(?<!{_LOCAL})(?P<local>{_LOCAL}+)@(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)


def _mask_id(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def _mask_phone(match: re.Match[str]) -> str:
    prefix = match.group("prefix") or ""
    return (
        f"{prefix}{match.group('head')}{match.group('sep1')}****"
        f"{match.group('sep2')}{match.group('tail')}"
    )


def _mask_email(match: re.Match[str]) -> str:
    local = match.group("local")
    if len(local) == 1:
        masked = "*"
    elif len(local) == 2:
        masked = local[0] + "*"
    else:
        # A fixed number of stars: it hides the length and keeps masking idempotent.
        masked = local[0] + "***" + local[-1]
    return f"{masked}@{match.group('domain')}"


def mask_text(text: str) -> str:
    """Mask resident ID numbers, mobile numbers and e-mail addresses in ``text``.

    Args:
        text: Any text; attacker-controlled input is fine (no backtracking blow-ups: every
            pattern is linear).

    Returns:
        The text with personal data masked; text without any is returned unchanged.
    """
    # E-mail first: a mobile number used as a local part (13812345678@139.com) is then
    # masked as an address, which hides more of it.
    text = _EMAIL.sub(_mask_email, text)
    text = _ID_NUMBER.sub(_mask_id, text)
    return _PHONE.sub(_mask_phone, text)


#: Fields that hold identifiers or codes, not prose or names: masking could only damage them.
CODE_FIELDS = frozenset(
    {"incident_id", "sha256", "grade", "category", "kind", "phase", "status", "currency"}
)

T = TypeVar("T")


def mask_value(value: T) -> T:
    """Mask every text and name field of a report value, recursively.

    Strings, tuples of values and dataclasses (rebuilt with :func:`dataclasses.replace`) are
    walked; fields named in :data:`CODE_FIELDS` are kept as they are; other values (times,
    numbers) pass through.

    Args:
        value: A :class:`~garrison.reports.model.ReportData` or any part of one.

    Returns:
        A masked copy of the same type.
    """
    return _mask(value)  # type: ignore[no-any-return]


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, tuple):
        return tuple(_mask(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            item.name: _mask(getattr(value, item.name))
            for item in fields(value)
            if item.name not in CODE_FIELDS
        }
        return replace(value, **changes)
    return value
