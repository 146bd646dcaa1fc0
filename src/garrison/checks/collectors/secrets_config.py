"""Passwords set in configuration files (the ``credential_settings`` fact).

Understood files, by name: ``.env`` / ``*.env`` / ``.env.<stage>`` (``KEY=VALUE``), Redis
``*redis*.conf`` (``requirepass``, ``masterauth``, ACL ``user`` lines, ``bind``,
``protected-mode``), MySQL ``*.cnf`` (``password`` in ``[client*]`` / ``[mysql*]`` /
``[mariadb*]``), ``*.properties``, Spring ``application*.yml`` / ``bootstrap*.yml``,
``wp-config*.php`` and Compose files (``environment`` and build ``args``). Templates
(``.env.example``, ``*.sample``, ``*.dist``...) are skipped: they hold placeholders on purpose.

A password value stays in memory only, wrapped in :class:`SecretValue` whose ``repr`` and
``str`` are masked, so a log line or a traceback never shows it; checks read it with
:meth:`SecretValue.reveal` and report the file, line, key and why, never the value.
Values that only point elsewhere (``${VAR}``, ``$VAR``, ``{{ var }}``, ``<placeholder>``,
``ENC(...)``...) are references, not literals; the default of ``${VAR:-default}`` is a literal
(it is the password whenever the variable is unset).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

FACT = "credential_settings"
#: Larger files are not configuration files worth reading whole.
MAX_FILE = 1024 * 1024
#: Longer lines are not searched with the backtracking patterns (a hostile file cannot stall
#: the scan); real ``define(...)`` and ``command:`` lines are far shorter.
MAX_LINE = 8192
#: Folders never walked: vendored code and tool state, not the target's configuration.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache",
     "site-packages", ".idea", ".terraform"}
)  # fmt: skip
#: Name parts that mark a template or example file (its placeholders are not real settings).
TEMPLATE = re.compile(r"(?:^|[.\-_])(?:example|sample|template|tmpl|dist|tpl)(?:[.\-_]|$)")

Origin = Literal["literal", "default", "reference"]
Format = Literal["env", "redis", "mysql", "properties", "yaml", "compose", "wordpress"]


class SecretValue:
    """A secret read from a file: compared in memory, masked everywhere it could be printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for comparisons only: never log, store or report it."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return "SecretValue('****')"

    def __str__(self) -> str:
        return "****"

    def __format__(self, spec: str) -> str:
        return "****"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretValue):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("SecretValue", self._value))


@dataclass(frozen=True, slots=True)
class CredentialSetting:
    """One password set in a configuration file.

    Attributes:
        file: The file.
        line: Its line (1-based).
        key: The setting (``requirepass``, ``spring.datasource.password``, ``DB_PASSWORD``...).
        format: The kind of file it came from.
        origin: ``literal`` (written in the file), ``default`` (the default of
            ``${VAR:-default}``) or ``reference`` (taken from elsewhere: not judged).
        value: The password (masked wrapper), ``None`` for references.
        user: The user name it belongs to, when the file tells (``MYSQL_USER``, ``username``,
            ``user`` in the same section; ``root`` for ``MYSQL_ROOT_PASSWORD``...).
    """

    file: str
    line: int
    key: str
    format: Format
    origin: Origin
    value: SecretValue | None = None
    user: str | None = None


@dataclass(frozen=True, slots=True)
class OpenAuth:
    """A setting that leaves a service without a password.

    Attributes:
        file: The file.
        line: Its line.
        key: The setting (or the missing one, e.g. ``requirepass``).
        reason: Why there is no password, for people.
    """

    file: str
    line: int
    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class CredentialSettings:
    """Everything the configuration files say about passwords.

    Attributes:
        files: Every file that was understood (read and parsed), with or without passwords.
        settings: Passwords that are set (non-empty).
        open_auth: Explicitly empty passwords and settings that turn authentication off.
    """

    files: tuple[str, ...] = ()
    settings: tuple[CredentialSetting, ...] = ()
    open_auth: tuple[OpenAuth, ...] = ()


@dataclass
class _Found:
    settings: list[CredentialSetting] = field(default_factory=list)
    open_auth: list[OpenAuth] = field(default_factory=list)
    #: Whether the file is one of its kind (an ``openssl.cnf`` is not a MySQL option file).
    relevant: bool = True


# --- keys -----------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_PASSWORD_WORDS = frozenset(
    {"password", "passwd", "pwd", "pass", "passphrase", "requirepass", "masterauth"}
)
#: Words that make a ``*_PASSWORD`` key a switch about passwords, not a password.
_SWITCH_WORDS = frozenset({"allow", "random", "onetime", "generate", "empty", "skip", "no"})
_USER_WORDS = ("user", "username", "usr", "login", "name")
#: ``<PREFIX>_PASSWORD`` with no ``<PREFIX>_USER``: the user the prefix names.
_IMPLIED_USERS = {"root": "root", "admin": "admin", "postgres": "postgres", "sa": "sa"}


def key_words(key: str) -> tuple[str, ...]:
    """The words of a key, lower case (``spring.datasource.password``, ``dbPassword``...)."""
    return tuple(w.lower() for w in _WORD.findall(key))


def is_password_key(key: str) -> bool:
    """Whether a key names a password (its last word), not a switch or a path about one.

    ``MYSQL_ROOT_PASSWORD`` and ``spring.redis.password`` are; ``MYSQL_ALLOW_EMPTY_PASSWORD``,
    ``MYSQL_PASSWORD_FILE`` and ``PASSWORD_MIN_LENGTH`` are not.
    """
    words = key_words(key)
    return bool(words) and words[-1] in _PASSWORD_WORDS and not _SWITCH_WORDS & set(words)


def _user_for(key: str, block: dict[tuple[str, ...], str]) -> str | None:
    """The user name that goes with password ``key`` among the settings of its block."""
    prefix = key_words(key)[:-1]
    for word in _USER_WORDS:
        value = block.get((*prefix, word))
        if value is not None:
            origin, literal = classify(value)
            return literal if origin != "reference" and literal else None
    if prefix and prefix[-1] in _IMPLIED_USERS:
        return _IMPLIED_USERS[prefix[-1]]
    return None


# --- values ---------------------------------------------------------------------------------

#: Compose / shell: ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``.
_SHELL_VAR = re.compile(r"^\$\{([A-Za-z_]\w*)(?:(:-|-|:\?|\?)(.*))?\}$", re.DOTALL)
#: Spring: ``${property.name}``, ``${property.name:default}``.
_SPRING_VAR = re.compile(r"^\$\{([A-Za-z_][\w.\-\[\]]*)(?:(:)(.*))?\}$", re.DOTALL)
_PLAIN_VAR = re.compile(r"^\$[A-Za-z_]\w*$")
_PLACEHOLDER = re.compile(
    r"^(?:<[^<>]*>|ENC\(.*\)|\{cipher\}.*|@[\w.\-]+@|%\([^)]*\)s|(?:vault|secret|ssm|kms):.*"
    r"|\*+|[xX]{3,}|!vault.*)$",
    re.DOTALL,
)


def classify(raw: str) -> tuple[Origin, str | None]:
    """Whether a configured value is a literal, the default of a variable, or a reference.

    Returns:
        ``("literal", value)``, ``("default", default)`` for ``${VAR:-default}`` (Compose) and
        ``${VAR:default}`` (Spring), or ``("reference", None)`` for anything that is resolved
        elsewhere (it cannot be judged from the file).
    """
    braced = _SHELL_VAR.match(raw) or _SPRING_VAR.match(raw)
    if braced:
        operator, default = braced.group(2), braced.group(3)
        if operator in (":-", "-", ":") and default:
            origin, literal = classify(default)
            return ("default", literal) if origin != "reference" else ("reference", None)
        return "reference", None
    if _PLAIN_VAR.match(raw) or _PLACEHOLDER.match(raw):
        return "reference", None
    if "${" in raw or "{{" in raw or "#{" in raw or "{%" in raw:
        return "reference", None  # partly interpolated: the final value is not in the file
    return "literal", raw


def _quoted(value: str) -> str | None:
    """The text of a quoted value (YAML rules: ``''`` in single, backslash in double quotes).

    Returns:
        The text, ``None`` when the closing quote is missing.
    """
    quote, out, i = value[0], [], 1
    while i < len(value):
        char = value[i]
        if char == quote:
            if quote == "'" and value[i + 1 : i + 2] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out)
        if quote == '"' and char == "\\" and i + 1 < len(value):
            char = value[i + 1]
            i += 1
        out.append(char)
        i += 1
    return None


def _unquote(value: str) -> str:
    """A shell-, ini- or YAML-style value without its quotes or trailing comment."""
    value = value.strip()
    if value[:1] in ("'", '"'):
        inner = _quoted(value)
        return inner if inner is not None else value[1:]
    for mark in (" #", "\t#"):
        cut = value.find(mark)
        if cut >= 0:
            value = value[:cut]
    return value.strip()


# --- building settings from (line, key, value) entries ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    line: int
    key: str
    raw: str | None  # None: the key is there without a value (passed through, prompted)
    block: str = ""  # settings that share a block share their user names


def _settings(file: str, fmt: Format, entries: list[_Entry], found: _Found) -> None:
    """Turn a file's entries into settings (passwords) with their user names."""
    blocks: dict[str, dict[tuple[str, ...], str]] = {}
    for entry in entries:
        if entry.raw is not None:
            blocks.setdefault(entry.block, {}).setdefault(key_words(entry.key), entry.raw)
    for entry in entries:
        if entry.raw is None or entry.raw == "" or not is_password_key(entry.key):
            continue
        origin, literal = classify(entry.raw)
        found.settings.append(
            CredentialSetting(
                file=file,
                line=entry.line,
                key=entry.key,
                format=fmt,
                origin=origin,
                value=SecretValue(literal) if literal is not None else None,
                user=_user_for(entry.key, blocks.get(entry.block, {})),
            )
        )


_TRUE = frozenset({"yes", "true", "1", "on", "y"})


def _switches(file: str, entries: list[_Entry], found: _Found) -> None:
    """Container image variables that turn password authentication off."""
    for entry in entries:
        name = entry.key.upper()
        value = (entry.raw or "").strip()
        if not value or classify(value)[0] == "reference":
            continue
        if name in ("MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"):
            # The official images test for a non-empty value: even "no" allows it.
            reason = f"{entry.key} is set: the database root account gets an empty password"
        elif name == "ALLOW_EMPTY_PASSWORD" and value.lower() in _TRUE:
            reason = "ALLOW_EMPTY_PASSWORD=yes: the service starts without a password"
        elif name == "POSTGRES_HOST_AUTH_METHOD" and value.lower() == "trust":
            reason = "POSTGRES_HOST_AUTH_METHOD=trust: PostgreSQL accepts any password"
        else:
            continue
        found.open_auth.append(OpenAuth(file, entry.line, entry.key, reason))


def _empty_passwords(file: str, entries: list[_Entry], found: _Found, what: str) -> None:
    """Password keys explicitly set to an empty string (used as is by the application)."""
    for entry in entries:
        if entry.raw == "" and is_password_key(entry.key):
            reason = f"{entry.key} is set to an empty string: {what} without a password"
            found.open_auth.append(OpenAuth(file, entry.line, entry.key, reason))


# --- formats ---------------------------------------------------------------------------------

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][\w.\-]*)\s*=(.*)$")


def parse_env(text: str, file: str) -> _Found:
    """A ``.env`` file: ``KEY=VALUE`` lines (``export`` allowed, ``#`` comments)."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _ENV_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            entries.append(_Entry(number, match.group(1), _unquote(match.group(2))))
    found = _Found()
    _settings(file, "env", entries, found)
    _switches(file, entries, found)
    return found


_WILDCARDS = frozenset({"0.0.0.0", "*", "::", "-::*", "::*", "[::]"})  # noqa: S104 - matched, not bound


def _words(line: str) -> list[str]:
    # Redis has no trailing comments: a '#' inside a password is part of it.
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def parse_redis(text: str, file: str) -> _Found:
    """A ``redis.conf``: passwords, ACL users, and whether it is open without one."""
    found = _Found()
    entries: list[_Entry] = []
    has_password = False
    exposure: tuple[int, str] | None = None
    protected_off: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = _words(stripped)
        if not words:
            continue
        directive, args = words[0].lower(), words[1:]
        if directive in ("requirepass", "masterauth"):
            value = args[0] if args else ""
            if directive == "requirepass":
                has_password = has_password or value != ""
                if value == "":
                    has_password = True  # reported here, not again as a missing requirepass
                    found.open_auth.append(
                        OpenAuth(file, number, directive, "requirepass is empty: no password")
                    )
            entries.append(_Entry(number, directive, value))
        elif directive == "user" and args:
            name, rules = args[0], [r.lower() for r in args[1:]]
            for rule in args[1:]:
                if rule.startswith(">"):
                    entries.append(_Entry(number, f"user {name} password", rule[1:], block=name))
                    has_password = has_password or name == "default"
            if "nopass" in rules and "on" in rules:
                reason = f"ACL user {name} is enabled with nopass: any password logs in"
                found.open_auth.append(OpenAuth(file, number, f"user {name}", reason))
                has_password = has_password or name == "default"  # reported on its own line
        elif directive == "bind" and any(a.lower() in _WILDCARDS for a in args):
            exposure = (number, " ".join(args))
        elif directive == "protected-mode" and args and args[0].lower() == "no":
            protected_off = number
    for entry in entries:
        if entry.raw is not None and entry.raw != "":
            origin, literal = classify(entry.raw)
            found.settings.append(
                CredentialSetting(
                    file,
                    entry.line,
                    entry.key.replace(" password", ""),
                    "redis",
                    origin,
                    SecretValue(literal) if literal is not None else None,
                    entry.block or None,
                )
            )
    if not has_password and (exposure or protected_off):
        why = [f"bound to {exposure[1]}"] if exposure else []
        why += ["protected-mode is off"] if protected_off else []
        at = exposure[0] if exposure else protected_off or 0
        reason = f"no requirepass while {' and '.join(why)}: anyone who reaches the port logs in"
        found.open_auth.append(OpenAuth(file, at, "requirepass", reason))
    return found


_SECTION = re.compile(r"^\s*\[([^\]]+)\]")
_MYSQL_SECTIONS = ("client", "mysql", "mariadb")


def parse_mysql(text: str, file: str) -> _Found:
    """A MySQL / MariaDB option file: ``password`` and ``user`` per client or server section."""
    entries = []
    section = ""
    seen = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;!":
            continue
        header = _SECTION.match(stripped)
        if header:
            section = header.group(1).strip().lower()
            continue
        if not section.startswith(_MYSQL_SECTIONS):
            continue
        seen = True
        key, eq, value = stripped.partition("=")
        key = key.strip().lower().replace("-", "_")
        # A bare "password" makes the client prompt: no value to judge.
        entries.append(
            _Entry(number, f"[{section}] {key}", _unquote(value) if eq else None, block=section)
        )
    found = _Found(relevant=seen)
    _settings(file, "mysql", entries, found)
    for entry in entries:
        if entry.key.endswith("] password") and entry.raw == "":
            reason = f"{entry.key} is empty: the client logs in without a password"
            found.open_auth.append(OpenAuth(file, entry.line, entry.key, reason))
    return found


_PROP_SPLIT = re.compile(r"(?<!\\)[=:]|(?<!\\)\s")


def parse_properties(text: str, file: str) -> _Found:
    """A Java ``.properties`` file (``key=value``, ``key: value``, continued lines)."""
    entries = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i].lstrip()
        while line.endswith("\\") and not line.endswith("\\\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + lines[i].lstrip()
        i += 1
        if not line or line[0] in "#!":
            continue
        split = _PROP_SPLIT.search(line)
        if split is None:
            key, value = line, ""
        else:
            key = line[: split.start()]
            value = line[split.end() :].lstrip()
            if split.group(0).isspace() and value[:1] in ("=", ":"):
                value = value[1:].lstrip()
        key = key.replace("\\", "")
        value = re.sub(r"\\(.)", r"\1", value.rstrip())
        entries.append(_Entry(number, key, value))
    found = _Found()
    _settings(file, "properties", entries, found)
    _empty_passwords(file, entries, found, "the application connects")
    return found


_COLON = re.compile(r":(?:[ \t]|$)")


def _yaml_key(content: str) -> tuple[str, str] | None:
    """``key: rest`` of a YAML mapping line, ``None`` when the line is not one."""
    if content[:1] in ("'", '"'):
        end = content.find(content[0], 1)
        if end < 0 or content[end + 1 : end + 2] != ":":
            return None
        rest = content[end + 2 :]
        if rest and rest[0] not in " \t":
            return None
        return content[1:end], rest.strip()
    match = _COLON.search(content)
    if match is None or " #" in content[: match.start()] or content.startswith("#"):
        return None
    return content[: match.start()].strip(), content[match.end() :].strip()


def yaml_scalars(text: str) -> Iterator[tuple[int, tuple[str, ...], str | None]]:
    """The scalars of a YAML file with their line and key path, from a line scan.

    Good enough for configuration files (block mappings and lists); flow collections, block
    scalars and aliases are skipped. List items get a ``-<line>`` path part; ``- KEY=VALUE``
    items (Compose ``environment`` lists) come out as a ``KEY`` scalar. A value of ``None``
    means the key had no value (``key:``).

    Yields:
        (line, path, value) with quotes and comments removed from the value.
    """
    stack: list[tuple[int, str]] = []
    block_indent: int | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        content = raw.lstrip(" ")
        if raw.startswith(("---", "...")):
            stack.clear()
            block_indent = None
            continue
        if not content.strip() or content.startswith("#"):
            continue
        indent = len(raw) - len(content)
        if block_indent is not None:
            if indent > block_indent:
                continue
            block_indent = None
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if content.startswith("-") and content[1:2] in ("", " ", "\t"):
            item = content[1:].lstrip()
            parent = tuple(k for _, k in stack)
            if not item or item.startswith("#"):
                continue
            pair = _yaml_key(item)
            if pair is None:
                value = _unquote(item)
                name, eq, rest = value.partition("=")
                if re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
                    yield number, (*parent, name), rest if eq else None
                continue
            stack.append((indent, f"-{number}"))
            indent += len(content) - len(item)
            content = item
        pair = _yaml_key(content)
        if pair is None:
            continue
        key, rest = pair
        path = (*(k for _, k in stack), key)
        rest = re.sub(r"^(?:![\w!]*\s*|&\S+\s*)+", "", rest)  # tags, anchors
        if rest == "" or rest.startswith("#"):
            stack.append((indent, key))
            yield number, path, None
        elif rest[0] in "|>":
            block_indent = indent
        elif rest[0] in "*[{":
            continue
        else:
            yield number, path, _unquote(rest)


def _visible(path: tuple[str, ...]) -> str:
    return ".".join(p for p in path if not p.startswith("-"))


def parse_spring_yaml(text: str, file: str) -> _Found:
    """A Spring ``application.yml``: dotted keys (``spring.datasource.password``)."""
    entries = []
    for number, path, value in yaml_scalars(text):
        if value is not None:
            blocks = [p for p in path if p.startswith("-")]
            entries.append(_Entry(number, _visible(path), value, block=":".join(blocks)))
    found = _Found()
    _settings(file, "yaml", entries, found)
    _empty_passwords(file, entries, found, "the application connects")
    return found


_REDIS_FLAG = re.compile(r"--(requirepass|masterauth)(?:=|\s+)(\"[^\"]*\"|'[^']*'|\S+)")


def parse_compose(text: str, file: str) -> _Found:
    """A Compose file: ``environment`` (mapping or list) and build ``args`` of each service,
    and ``redis-server --requirepass ...`` in a ``command`` string."""
    entries = []
    for number, path, value in yaml_scalars(text):
        if path[-1] == "command" and value and len(value) <= MAX_LINE:
            for flag in _REDIS_FLAG.finditer(value):
                block = ".".join(path[:-1])
                entries.append(_Entry(number, flag.group(1), _unquote(flag.group(2)), block))
        elif len(path) >= 2 and path[-2] in ("environment", "args"):
            entries.append(_Entry(number, path[-1], value, block=".".join(path[:-2])))
        elif len(path) >= 3 and path[-3] in ("environment", "args") and path[-2].startswith("-"):
            entries.append(_Entry(number, path[-1], value, block=".".join(path[:-3])))
    found = _Found()
    _settings(file, "compose", entries, found)
    _switches(file, entries, found)
    return found


_WP_DEFINE = re.compile(
    r"""define\s*\(\s*(['"])(DB_PASSWORD|DB_USER)\1\s*,\s*(['"])(.*?)(?<!\\)\3\s*\)"""
)


def parse_wordpress(text: str, file: str) -> _Found:
    """``wp-config.php``: ``define('DB_PASSWORD', '...')`` and ``DB_USER``."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith(("//", "#", "*")) or len(line) > MAX_LINE:
            continue
        for match in _WP_DEFINE.finditer(line):
            entries.append(_Entry(number, match.group(2), match.group(4).replace("\\'", "'")))
    found = _Found()
    _settings(file, "wordpress", entries, found)
    _empty_passwords(file, entries, found, "WordPress connects to its database")
    return found


# --- files -----------------------------------------------------------------------------------

_COMPOSE = re.compile(r"^(?:docker-)?compose(?:[.\-][\w.\-]+)?\.ya?ml$")
_SPRING_YAML = re.compile(r"^(?:application|bootstrap)(?:[.\-][\w.\-]+)?\.ya?ml$")


def parser_for(name: str) -> str | None:
    """The format of a file by its name, ``None`` when it is not one this collector reads."""
    lower = name.lower()
    if TEMPLATE.search(lower):
        return None
    if lower == ".env" or lower.endswith(".env") or lower.startswith(".env."):
        return "env"
    if lower.endswith(".conf") and ("redis" in lower or lower.startswith("sentinel")):
        return "redis"
    if lower.endswith(".cnf"):
        return "mysql"
    if lower.endswith(".properties"):
        return "properties"
    if _COMPOSE.match(lower):
        return "compose"
    if _SPRING_YAML.match(lower):
        return "yaml"
    if lower.startswith("wp-config") and lower.endswith(".php"):
        return "wordpress"
    return None


_PARSERS = {
    "env": parse_env,
    "redis": parse_redis,
    "mysql": parse_mysql,
    "properties": parse_properties,
    "compose": parse_compose,
    "yaml": parse_spring_yaml,
    "wordpress": parse_wordpress,
}


def parse_text(text: str, file: str, fmt: str) -> _Found:
    """Parse one file's text as ``fmt`` (see :func:`parser_for`)."""
    return _PARSERS[fmt](text, file)


def _files(path: Path) -> Iterator[Path]:
    if not path.is_dir():
        yield path
        return
    for folder, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            if parser_for(name):
                yield Path(folder, name)


def collect(paths: Iterable[Path]) -> CredentialSettings:
    """Read the configuration files among ``paths`` (folders are walked) for passwords."""
    files: list[str] = []
    seen: set[Path] = set()
    found = _Found()
    for path in paths:
        for file in _files(Path(path)):
            fmt = parser_for(file.name)
            key = file.resolve()
            if fmt is None or key in seen:
                continue
            seen.add(key)
            try:
                if not file.is_file() or file.stat().st_size > MAX_FILE:
                    continue
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            one = parse_text(text, str(file), fmt)
            if not one.relevant:
                continue
            files.append(str(file))
            found.settings.extend(one.settings)
            found.open_auth.extend(one.open_auth)
            log.debug(
                "%s: %d password settings, %d without a password",
                file,
                len(one.settings),
                len(one.open_auth),
            )
    return CredentialSettings(tuple(files), tuple(found.settings), tuple(found.open_auth))
