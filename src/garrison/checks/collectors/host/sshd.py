"""The OpenSSH server configuration (``sshd`` fact), read the way sshd reads it.

sshd keeps the *first* value it obtains for a keyword, so a hardening line appended at the end
of ``sshd_config`` changes nothing when an earlier line (often an ``Include`` of
``sshd_config.d/*.conf`` at the top) already set it. Keywords are case-insensitive; arguments
are split like OpenSSH's ``argv_split`` (double or single quotes, backslash escapes, a word
starting with ``#`` ends the line). ``Include`` expands globs relative to ``/etc/ssh`` in sorted
order, at the place it appears. ``Match`` blocks only apply to some connections, so they are
kept apart and never override the global values; a ``Match`` inside an included file ends at
the end of that file, as in sshd.

Idle-session shell timeouts (``TMOUT`` in ``/etc/profile`` and friends) are read here too: they
are the other way to end an idle SSH session.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from garrison.checks.collectors.host._auth_common import Setting, as_int, host_glob
from garrison.checks.collectors.host.source import HostSource

FACT = "sshd"
MAIN = "/etc/ssh/sshd_config"
#: OpenSSH refuses deeper Include nesting (SERVCONF_MAX_DEPTH).
MAX_DEPTH = 16

#: OpenSSH (9.x) defaults for keywords the checks read, lowercase keyword -> value.
DEFAULTS: dict[str, str] = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
    "permitemptypasswords": "no",
    "kbdinteractiveauthentication": "yes",
    "pubkeyauthentication": "yes",
    "hostbasedauthentication": "no",
    "usepam": "no",
    "authenticationmethods": "any",
    "maxauthtries": "6",
    "maxsessions": "10",
    "logingracetime": "120",
    "clientaliveinterval": "0",
    "clientalivecountmax": "3",
    "protocol": "2",
    "x11forwarding": "no",
    "permituserenvironment": "no",
    "ignorerhosts": "yes",
    "loglevel": "INFO",
    "strictmodes": "yes",
}
#: Deprecated spellings sshd still accepts, mapped to the keyword they set.
ALIASES: dict[str, str] = {
    "challengeresponseauthentication": "kbdinteractiveauthentication",
    "pubkeyacceptedkeytypes": "pubkeyacceptedalgorithms",
    "hostbasedacceptedkeytypes": "hostbasedacceptedalgorithms",
    "skeyauthentication": "kbdinteractiveauthentication",
}

_TMOUT = re.compile(
    r"(?:^|[\s;])(?:export\s+|readonly\s+|(?:declare|typeset)\s+-\w+\s+)?TMOUT=(\d+)"
)
_PROFILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/profile.d/*.sh")


class QuoteError(ValueError):
    """A line whose quotes do not balance (sshd refuses to start on it)."""


@dataclass(frozen=True, slots=True)
class Directive:
    """One ``Keyword arguments`` line.

    Attributes:
        keyword: The keyword, lowercase, aliases resolved (``kbdinteractiveauthentication``).
        args: The arguments, unquoted, case kept.
        file: Where it is.
        line: Its line (1-based).
        written: The keyword as written (``ChallengeResponseAuthentication``).
    """

    keyword: str
    args: tuple[str, ...]
    file: str
    line: int
    written: str = ""

    @property
    def value(self) -> str:
        """The arguments joined by a space."""
        return " ".join(self.args)


@dataclass(frozen=True, slots=True)
class MatchBlock:
    """A ``Match`` block: settings for the connections its criteria select.

    Attributes:
        criteria: The criteria as written (``User backup``, ``Address 10.0.0.0/8``, ``all``).
        file: Where the ``Match`` line is.
        line: Its line.
        directives: Its directives, in order.
    """

    criteria: str
    file: str
    line: int
    directives: tuple[Directive, ...] = ()

    def first(self, keyword: str) -> Directive | None:
        """The directive sshd uses for ``keyword`` in this block, if set here."""
        keyword = ALIASES.get(keyword.lower(), keyword.lower())
        return next((d for d in self.directives if d.keyword == keyword), None)


@dataclass(frozen=True, slots=True)
class Effective:
    """The value sshd uses for a keyword.

    Attributes:
        keyword: Lowercase keyword.
        value: The value (the arguments joined by a space, or the OpenSSH default).
        file: Where it is set (the main file when defaulted).
        line: Its line; ``None`` for a default.
        default: True when nothing set it and OpenSSH's default applies.
    """

    keyword: str
    value: str
    file: str
    line: int | None
    default: bool


@dataclass(frozen=True, slots=True)
class SshdConfig:
    """The ``sshd`` fact.

    Attributes:
        present: False when ``/etc/ssh/sshd_config`` does not exist (no OpenSSH server).
        main_file: The main configuration file.
        directives: Every global directive in the order sshd reads them (Includes expanded).
        matches: The ``Match`` blocks, in order.
        files: Every file read.
        problems: Lines sshd would refuse, unreadable includes, nesting too deep.
        tmout: ``TMOUT=`` assignments in the shell profiles.
    """

    present: bool
    main_file: str = MAIN
    directives: tuple[Directive, ...] = ()
    matches: tuple[MatchBlock, ...] = ()
    files: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    tmout: tuple[Setting, ...] = field(default=())

    def first(self, keyword: str) -> Directive | None:
        """The global directive sshd uses for ``keyword`` (the first), ``None`` if unset."""
        keyword = ALIASES.get(keyword.lower(), keyword.lower())
        return next((d for d in self.directives if d.keyword == keyword), None)

    def all(self, keyword: str) -> list[Directive]:
        """Every global directive for ``keyword`` (keywords that accumulate, like Port)."""
        keyword = ALIASES.get(keyword.lower(), keyword.lower())
        return [d for d in self.directives if d.keyword == keyword]

    def effective(self, keyword: str) -> Effective:
        """What sshd uses for ``keyword``: the first global value, else the default."""
        keyword = ALIASES.get(keyword.lower(), keyword.lower())
        found = self.first(keyword)
        if found is not None:
            return Effective(keyword, found.value, found.file, found.line, default=False)
        return Effective(keyword, DEFAULTS.get(keyword, ""), self.main_file, None, default=True)


def split_args(text: str) -> list[str]:
    """Split a configuration line like OpenSSH's ``argv_split`` (with comment termination).

    Raises:
        QuoteError: When a quote is not closed.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n\f\v":
            i += 1
        if i >= n:
            break
        if text[i] == "#":  # a word starting with '#' comments out the rest
            break
        word: list[str] = []
        quote = ""
        while i < n:
            c = text[i]
            if quote:
                if c == "\\" and i + 1 < n and text[i + 1] in (quote, "\\"):
                    word.append(text[i + 1])
                    i += 2
                    continue
                if c == quote:
                    quote = ""
                    i += 1
                    continue
                word.append(c)
                i += 1
                continue
            if c in " \t\r\n\f\v":
                break
            if c == "\\" and i + 1 < n and text[i + 1] in "\"' \\":
                word.append(text[i + 1])
                i += 2
                continue
            if c in "\"'":
                quote = c
                i += 1
                continue
            word.append(c)
            i += 1
        if quote:
            raise QuoteError("unterminated quote")
        out.append("".join(word))
    return out


def split_line(text: str) -> tuple[str, list[str]] | None:
    """The keyword and arguments of one line; ``None`` for blank lines and comments.

    The keyword ends at whitespace or ``=``; one ``=`` between keyword and arguments is
    allowed (``PermitRootLogin=no``).

    Raises:
        QuoteError: When a quote is not closed.
    """
    stripped = text.strip(" \t\r\n\f\v")
    if not stripped or stripped.startswith("#"):
        return None
    match = re.match(r"([^\s=]+)\s*=?\s*(.*)$", stripped, re.DOTALL)
    if match is None:  # a line that is only '=...'
        return ("=", split_args(stripped[1:]))
    return match.group(1), split_args(match.group(2))


class _Reader:
    """Reads the main file and its Includes in sshd's order."""

    def __init__(self, source: HostSource) -> None:
        self.source = source
        self.directives: list[Directive] = []
        self.matches: list[MatchBlock] = []
        self.files: list[str] = []
        self.problems: list[str] = []

    def read(self, path: str, depth: int, match: list[Directive] | None) -> None:
        """Read ``path``; directives go to ``match`` when inside a Match block of the parent."""
        text = self.source.read_text(path)
        if text is None:
            if depth:
                self.problems.append(f"{path}: included but unreadable")
            return
        self.files.append(path)
        current = match
        open_block: tuple[str, int, list[Directive]] | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            try:
                parsed = split_line(raw)
            except QuoteError:
                self.problems.append(f"{path}:{number}: unbalanced quotes (sshd refuses this)")
                continue
            if parsed is None:
                continue
            written, args = parsed
            keyword = ALIASES.get(written.lower(), written.lower())
            if keyword == "match":
                if open_block is not None:
                    self._close(path, open_block)
                open_block = (" ".join(args), number, [])
                current = open_block[2]
                continue
            if keyword == "include":
                self._include(path, number, args, depth, current)
                continue
            directive = Directive(keyword, tuple(args), path, number, written)
            (current if current is not None else self.directives).append(directive)
        if open_block is not None:
            self._close(path, open_block)

    def _close(self, path: str, block: tuple[str, int, list[Directive]]) -> None:
        criteria, line, directives = block
        self.matches.append(MatchBlock(criteria, path, line, tuple(directives)))

    def _include(
        self, path: str, line: int, args: list[str], depth: int, into: list[Directive] | None
    ) -> None:
        if depth + 1 > MAX_DEPTH:
            self.problems.append(f"{path}:{line}: Include nested too deeply")
            return
        for pattern in args:
            absolute = pattern if pattern.startswith("/") else posixpath.join("/etc/ssh", pattern)
            for found in host_glob(self.source, absolute):
                self.read(found, depth + 1, into)


def parse(source: HostSource, main: str = MAIN) -> SshdConfig:
    """The configuration sshd would load from ``main`` (absent when ``main`` is missing)."""
    if source.read_text(main) is None:
        return SshdConfig(present=False, main_file=main)
    reader = _Reader(source)
    reader.read(main, 0, None)
    return SshdConfig(
        present=True,
        main_file=main,
        directives=tuple(reader.directives),
        matches=tuple(reader.matches),
        files=tuple(reader.files),
        problems=tuple(reader.problems),
    )


def shell_timeouts(source: HostSource) -> tuple[Setting, ...]:
    """``TMOUT=<seconds>`` assignments in the system shell profiles, in reading order."""
    found: list[Setting] = []
    for pattern in _PROFILES:
        for path in host_glob(source, pattern) if "*" in pattern else [pattern]:
            text = source.read_text(path)
            if text is None:
                continue
            for number, raw in enumerate(text.splitlines(), start=1):
                line = raw.split(" #", 1)[0]
                if line.lstrip().startswith("#"):
                    continue
                match = _TMOUT.search(line)
                if match and as_int(match.group(1)) is not None:
                    found.append(Setting(match.group(1), path, number))
    return tuple(found)


def collect(source: HostSource) -> SshdConfig:
    """The ``sshd`` fact of a host."""
    config = parse(source)
    if not config.present:
        return config
    return SshdConfig(
        present=True,
        main_file=config.main_file,
        directives=config.directives,
        matches=config.matches,
        files=config.files,
        problems=config.problems,
        tmout=shell_timeouts(source),
    )
