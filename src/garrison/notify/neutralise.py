"""Making attacker-controlled values safe to put into a notification.

Incident titles, user names and hosts often come straight from logs, so an attacker chooses
them. Two steps protect the people reading a notification:

* :func:`plain` (every channel): removes control characters, zero-width and bidirectional
  formatting characters (which can disguise text), folds the value onto one line (no header
  injection, no fake extra lines), *defangs* URL schemes (``http://`` becomes ``http[:]//``, as
  security teams write indicators) and caps the length.
* :func:`markdown` (robot channels): on top of that, replaces every character that markdown,
  robot mention syntax (``@all``, ``<@id>``, ``<at id=all>``) or HTML give a meaning to with
  its full-width look-alike. Backslash escapes are not used because the robots' markdown
  dialects do not all honour them; look-alikes read the same on every client and cannot
  form a link, an image, emphasis or a mention.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_MAX = 200

_FOLD = re.compile(r"\s+")
_WWW = re.compile(r"(?i)\bwww\.")
# Full-width forms (U+FF01..U+FF5E) mirror ASCII 0x21..0x7E at an offset of 0xFEE0.
_MD_SPECIAL = "\\`*_[]()<>#|~@&"
_MD_TABLE = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _MD_SPECIAL})


def _visible(char: str) -> bool:
    # Cc: control characters; Cf: zero-width and bidi overrides (U+202E) that reorder text.
    # Cs/Co/Cn: surrogates, private use and unassigned code points have no business here.
    return unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}


def plain(value: object, *, max_len: int = DEFAULT_MAX) -> str:
    """Return ``value`` as one clean, defanged line of at most ``max_len`` characters."""
    text = str(value)
    # Whitespace (including newlines, tabs) first becomes a space, so words do not merge.
    text = _FOLD.sub(" ", text)
    # Fold again: removing an invisible character can leave two spaces side by side.
    text = _FOLD.sub(" ", "".join(c for c in text if _visible(c))).strip()
    # Every "://", whatever precedes it, so no autolinker finds a scheme to start a link at.
    text = text.replace("://", "[:]//")
    text = _WWW.sub("www[.]", text)
    if len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def markdown(value: object, *, max_len: int = DEFAULT_MAX) -> str:
    """Return ``value`` cleaned as by :func:`plain` and inert in markdown and mentions."""
    return plain(value, max_len=max_len).translate(_MD_TABLE)


def markdown_url(url: str) -> str:
    """Percent-encode the characters that would end a markdown link target early."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
