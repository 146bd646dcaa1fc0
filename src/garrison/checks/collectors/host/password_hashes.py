"""Local password hashes tested against the weak list (the ``password_hashes`` fact).

For each account with a crypt hash in ``/etc/shadow`` (and, on old systems, in
``/etc/passwd``), the weak candidates are hashed with the account's own salt and parameters and
compared: a match means the account's password is one of them. This is no cracking: only the
shipped list and a few variants of the account name are tried, within a time budget, because
yescrypt and bcrypt are slow on purpose (slow schemes only get the head of the list).

The hashes stay inside :func:`collect`: the fact holds the account, the scheme and whether a
candidate matched, never a hash or a password, so nothing secret can reach a finding, a log, a
report or the database. Empty password fields are the ``accounts`` checks' business (skipped),
and so are locked (``!``) and disabled (``*``) ones.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hmac
import logging
import re
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from garrison.checks.collectors.host.source import HostSource
from garrison.checks.weaklist import name_variants, weak_passwords

log = logging.getLogger(__name__)

FACT = "password_hashes"
SHADOW = "/etc/shadow"
PASSWD = "/etc/passwd"  # noqa: S105 - a path, not a password
#: Seconds for all accounts together: keeps ``garrison check host`` well under 30 s.
TOTAL_BUDGET = 15.0
#: Seconds for one account at most.
ACCOUNT_BUDGET = 4.0
#: Candidates tried against a slow scheme (the head of the list, name variants first).
SLOW_CAP = 50
#: Schemes that cost tens of milliseconds or more per candidate by design.
SLOW_SCHEMES = frozenset({"yescrypt", "gost-yescrypt", "bcrypt", "scrypt", "sha1crypt", "sunmd5"})

_SCHEMES = {
    "1": "md5crypt", "5": "sha256crypt", "6": "sha512crypt", "y": "yescrypt",
    "gy": "gost-yescrypt", "2a": "bcrypt", "2b": "bcrypt", "2y": "bcrypt", "7": "scrypt",
    "sha1": "sha1crypt", "md5": "sunmd5",
}  # fmt: skip
_DES = re.compile(r"^[./0-9A-Za-z]{13}$")
#: ``sizeof(struct crypt_data)`` in libxcrypt: the buffer ``crypt_rn`` needs.
_CRYPT_DATA_SIZE = 32768

#: ``crypt(candidate, setting)`` -> the hash, ``None`` when the scheme is not supported.
CryptFunction = Callable[[str, str], "str | None"]


@dataclass(frozen=True, slots=True)
class AccountHash:
    """What testing one account's hash found (never the hash itself).

    Attributes:
        account: The account name.
        file: ``/etc/shadow`` (or ``/etc/passwd`` for a hash left there).
        line: The account's line in ``file``.
        scheme: The hash scheme (``sha512crypt``, ``yescrypt``, ``bcrypt``, ``descrypt``...).
        supported: Whether this machine can compute the scheme (else nothing was tried).
        weak: Whether a weak candidate matched.
        tried: Candidates hashed.
        candidates: Candidates there were for this account (list + name variants); a slow
            scheme or the time budget may leave some untried.
    """

    account: str
    file: str
    line: int
    scheme: str
    supported: bool
    weak: bool
    tried: int
    candidates: int

    @property
    def complete(self) -> bool:
        """Whether every candidate was tried (a match ends the search early, and counts)."""
        return self.weak or self.tried >= self.candidates


@dataclass(frozen=True, slots=True)
class PasswordHashes:
    """The accounts whose hashes were tested.

    Attributes:
        present: Whether ``/etc/shadow`` exists.
        readable: Whether it could be read (it needs root).
        accounts: One entry per account with a crypt hash, in file order.
        seconds: Time spent hashing candidates.
    """

    present: bool
    readable: bool
    accounts: tuple[AccountHash, ...] = ()
    seconds: float = 0.0


def scheme_of(field: str) -> str | None:
    """The scheme of a password field, ``None`` when it holds no hash (empty, ``*``, ``!``)."""
    if field.startswith("$"):
        parts = field.split("$")
        return _SCHEMES.get(parts[1], "unknown") if len(parts) > 2 else None
    if _DES.match(field):
        return "descrypt"
    return None


def _stdlib_crypt() -> CryptFunction | None:
    """The ``crypt`` module (deprecated in 3.11, gone in 3.13), when it is there."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt as module  # optional: deprecated in 3.11, gone in 3.13
    except ImportError:
        return None

    def run(word: str, setting: str) -> str | None:
        try:
            return module.crypt(word, setting)
        except OSError:  # an unsupported or malformed setting
            return None

    return run


_LIBCRYPT_LOCK = threading.Lock()


def libcrypt() -> CryptFunction | None:
    """``crypt_rn`` (thread-safe) or ``crypt`` from the system's libcrypt (libxcrypt), by ctypes."""
    name = ctypes.util.find_library("crypt")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    crypt_rn = getattr(lib, "crypt_rn", None)
    if crypt_rn is not None:
        crypt_rn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
        crypt_rn.restype = ctypes.c_void_p

        def run_rn(word: str, setting: str) -> str | None:
            data = ctypes.create_string_buffer(_CRYPT_DATA_SIZE)
            out = crypt_rn(word.encode(), setting.encode(), data, _CRYPT_DATA_SIZE)
            return ctypes.string_at(out).decode("ascii", "replace") if out else None

        return run_rn
    plain = lib.crypt
    plain.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    plain.restype = ctypes.c_char_p

    def run(word: str, setting: str) -> str | None:
        with _LIBCRYPT_LOCK:  # crypt() returns a static buffer
            out = plain(word.encode(), setting.encode())
        return out.decode("ascii", "replace") if out else None

    return run


@cache
def crypt_function() -> CryptFunction | None:
    """The crypt implementation: the stdlib module if importable, else libcrypt by ctypes."""
    return _stdlib_crypt() or libcrypt()


def _matches(crypt: CryptFunction, word: str, stored: str) -> bool | None:
    """Whether ``word`` hashes to ``stored``; ``None`` when the scheme cannot be computed."""
    try:
        computed = crypt(word, stored)
    except ValueError:  # a NUL in the word: it cannot be a password
        return False
    if not computed or computed.startswith("*"):
        return None
    return hmac.compare_digest(computed.encode(), stored.encode())


def _candidates(account: str, words: Sequence[str], scheme: str) -> tuple[list[str], int]:
    """The candidates to try for one account (name variants first) and how many there are."""
    ordered = list(dict.fromkeys([*name_variants(account), *words]))
    return (ordered[:SLOW_CAP] if scheme in SLOW_SCHEMES else ordered), len(ordered)


def try_candidates(
    account: str,
    stored: str,
    *,
    words: Sequence[str],
    crypt: CryptFunction,
    deadline: float,
) -> tuple[bool | None, int, int]:
    """Try the candidates for one account until a match or the deadline.

    Returns:
        (weak, tried, candidates); ``weak`` is ``None`` when the scheme is not supported.
    """
    scheme = scheme_of(stored) or "unknown"
    candidates, total = _candidates(account, words, scheme)
    tried = 0
    for word in candidates:
        if tried and time.monotonic() >= deadline:
            break
        found = _matches(crypt, word, stored)
        tried += 1
        if found is None:
            return None, 0, total
        if found:
            return True, tried, total
    return False, tried, total


def _hashed_accounts(text: str) -> list[tuple[int, str, str]]:
    """(line, account, hash) for every account whose password field is a crypt hash."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split(":")
        if len(fields) >= 2 and fields[0] and scheme_of(fields[1]):
            found.append((number, fields[0], fields[1]))
    return found


def collect(
    source: HostSource,
    *,
    words: Sequence[str] | None = None,
    budget: float = TOTAL_BUDGET,
    account_budget: float = ACCOUNT_BUDGET,
    crypt: CryptFunction | None = None,
) -> PasswordHashes:
    """Test the password hashes of the host's accounts against the weak list.

    Args:
        source: The host.
        words: Candidates, most likely first (default: the shipped list).
        budget: Seconds for all accounts together.
        account_budget: Seconds for one account at most.
        crypt: The crypt implementation (default: :func:`crypt_function`).
    """
    shadow = source.read_text(SHADOW)
    if shadow is None:
        return PasswordHashes(present=source.stat(SHADOW) is not None, readable=False)
    found = [(SHADOW, *entry) for entry in _hashed_accounts(shadow)]
    # A hash left in the world-readable /etc/passwd logs in just the same.
    found += [(PASSWD, *entry) for entry in _hashed_accounts(source.read_text(PASSWD) or "")]
    words = weak_passwords() if words is None else words
    crypt = crypt or crypt_function()
    start = time.monotonic()
    results = []
    for index, (file, line, account, stored) in enumerate(found):
        scheme = scheme_of(stored) or "unknown"
        now = time.monotonic()
        share = (start + budget - now) / (len(found) - index)
        deadline = now + max(0.0, min(account_budget, share))
        if crypt is None:
            weak, tried, total = None, 0, 0
        else:
            weak, tried, total = try_candidates(
                account, stored, words=words, crypt=crypt, deadline=deadline
            )
        results.append(
            AccountHash(account, file, line, scheme, weak is not None, bool(weak), tried, total)
        )
        log.debug(
            "%s: %s, %d of %d weak candidates tried in %.2f s",
            account,
            scheme,
            tried,
            total,
            time.monotonic() - now,
        )
    return PasswordHashes(
        present=True, readable=True, accounts=tuple(results), seconds=time.monotonic() - start
    )
