"""The shipped weak password list (``checks/data/weak_passwords.txt``), most common first.

Checks compare configured passwords and local password hashes with it; nothing ever logs in
with it. The order matters: slow hash schemes only get the head of the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

#: The list's file inside the package.
LIST_FILE = "data/weak_passwords.txt"
#: Below this length a password is weak whatever it is: the project's security rules ask for
#: database passwords of at least 8 random characters ("不低于8位的随机密码").
MIN_LENGTH = 8


def parse(lines: Iterable[str]) -> tuple[str, ...]:
    """The passwords of a list: one per line, ``#`` lines and blank lines skipped, in order.

    Leading and trailing blanks are not part of a password (a list file is hand-edited).
    Duplicates keep their first place.
    """
    seen: set[str] = set()
    found: list[str] = []
    for raw in lines:
        word = raw.strip()
        if not word or word.startswith("#") or word in seen:
            continue
        seen.add(word)
        found.append(word)
    return tuple(found)


@cache
def weak_passwords() -> tuple[str, ...]:
    """The shipped list, most common first."""
    text = resources.files("garrison.checks").joinpath(LIST_FILE).read_text(encoding="utf-8")
    return parse(text.splitlines())


@cache
def _folded() -> frozenset[str]:
    return frozenset(w.casefold() for w in weak_passwords())


def is_listed(value: str) -> bool:
    """Whether ``value`` is on the list, ignoring case (``ADMIN@123`` is as weak as ``admin@123``).

    Args:
        value: A password.
    """
    return value.casefold() in _folded()


def name_variants(name: str) -> tuple[str, ...]:
    """Passwords made from a user name that people pick: the name, ``name123``, ``name@123``...

    Args:
        name: An account or user name.

    Returns:
        The variants, most likely first, without duplicates; empty for an empty name.
    """
    if not name:
        return ()
    cap = name[:1].upper() + name[1:]
    variants = (name, f"{name}123", f"{name}@123", f"{cap}@123", f"{name}1234", f"{cap}123")
    return tuple(dict.fromkeys(variants))
