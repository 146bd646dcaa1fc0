"""Logging and auditing configuration (``logging`` fact): syslog daemons, journald, auditd,
and how long logrotate keeps the syslog files.

Whether the daemons *run* is in the ``processes`` fact; this one says what is configured.
logrotate is read as logrotate reads it: directives at the top of ``/etc/logrotate.conf``
are defaults for every block (including the files of ``/etc/logrotate.d``), and a block's own
directives override them. A file is kept ``rotate`` x period days (``maxage`` caps it).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field

from garrison.checks.collectors.host.source import HostSource

FACT = "logging"
#: Files listed from one configuration folder at most (a hostile tree must not make us read all).
MAX_FILES = 256

RSYSLOG = "/etc/rsyslog.conf"
RSYSLOG_DIR = "/etc/rsyslog.d"
SYSLOG_NG = "/etc/syslog-ng/syslog-ng.conf"
SYSLOG_NG_DIR = "/etc/syslog-ng/conf.d"
JOURNALD = "/etc/systemd/journald.conf"
JOURNALD_DIR = "/etc/systemd/journald.conf.d"
AUDITD_CONF = "/etc/audit/auditd.conf"
AUDIT_RULES = "/etc/audit/audit.rules"
AUDIT_RULES_DIR = "/etc/audit/rules.d"
LOGROTATE = "/etc/logrotate.conf"
LOGROTATE_DIR = "/etc/logrotate.d"
#: The syslog files of the usual distributions (more come from the rsyslog rules).
SYSLOG_FILES = (
    "/var/log/messages",
    "/var/log/secure",
    "/var/log/syslog",
    "/var/log/auth.log",
    "/var/log/kern.log",
    "/var/log/cron",
    "/var/log/maillog",
)
#: Days per logrotate period keyword.
PERIODS = {"hourly": 1 / 24, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}

# A traditional selector line: "facility.priority[;...]  action".
_SELECTOR = re.compile(r"^[\w*,]+\.[!=<>]*[\w*]+(?:;[\w*,]+\.[!=<>]*[\w*]+)*\s+(\S.*)$")
_RAINER_ACTION = re.compile(r"\baction\s*\(", re.IGNORECASE)
_RAINER_FILE = re.compile(r"\bfile\s*=\s*\"([^\"]+)\"", re.IGNORECASE)
_NG_LOG = re.compile(r"^\s*log\s*\{", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SyslogConfig:
    """A syslog daemon's configuration.

    Attributes:
        daemon: ``rsyslog`` or ``syslog-ng``.
        path: Its main file.
        files: Every file read (main file first).
        rules: Selector/action rules (rsyslog) or ``log { }`` paths (syslog-ng).
        targets: Local files the rules write to.
    """

    daemon: str
    path: str
    files: tuple[str, ...]
    rules: int
    targets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Journald:
    """journald's settings.

    Attributes:
        storage: ``Storage=`` (``auto`` when unset).
        file: Where it was set (``None`` for the default).
        line: Its line.
        persistent_dir: ``/var/log/journal`` exists (``auto`` then keeps logs on disk).
        max_retention: ``MaxRetentionSec=`` as written, if set.
    """

    storage: str
    file: str | None
    line: int | None
    persistent_dir: bool
    max_retention: str | None = None

    @property
    def persistent(self) -> bool:
        """Logs survive a reboot."""
        return self.storage == "persistent" or (self.storage == "auto" and self.persistent_dir)


@dataclass(frozen=True, slots=True)
class Auditd:
    """auditd's configuration.

    Attributes:
        config: ``/etc/audit/auditd.conf`` when it exists.
        settings: Its ``key = value`` pairs (lowercase keys).
        rules: Watch (``-w``) and syscall (``-a``) rules, ``-a never,task`` excepted.
        rule_files: The rule files read.
    """

    config: str | None
    settings: dict[str, str]
    rules: int
    rule_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rotation:
    """One logrotate block.

    Attributes:
        file: The configuration file.
        line: The line the block starts on.
        patterns: The log paths (globs) it rotates.
        rotate: ``rotate N`` (logrotate's default is 0: no old copies; -1: never removed).
        period_days: Days per rotation (``daily`` 1, ``weekly`` 7...); ``None`` for size only.
        maxage: ``maxage N`` days, if set.
    """

    file: str
    line: int
    patterns: tuple[str, ...]
    rotate: int
    period_days: float | None
    maxage: int | None = None

    @property
    def retained_days(self) -> float | None:
        """How many days of logs are kept: ``inf`` for ``rotate -1`` (never removed) without
        ``maxage``; ``None`` when rotation is by size only (it depends on the log volume)."""
        if self.rotate < 0:
            return float(self.maxage) if self.maxage is not None else float("inf")
        if self.period_days is None:
            return None
        days = self.rotate * self.period_days
        return min(days, float(self.maxage)) if self.maxage is not None else days

    def covers(self, path: str) -> bool:
        """The block rotates ``path``."""
        return any(fnmatch.fnmatchcase(path, p) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Logging:
    """The logging configuration of a host.

    Attributes:
        syslog: The syslog daemons configured (rsyslog, syslog-ng).
        journald: journald's settings (``None`` when no systemd configuration exists).
        auditd: auditd's configuration (``None`` when auditd is not installed).
        rotations: Every logrotate block.
        syslog_files: The local files syslog writes (the rules' targets, or the usual ones).
    """

    syslog: tuple[SyslogConfig, ...]
    journald: Journald | None
    auditd: Auditd | None
    rotations: tuple[Rotation, ...] = ()
    syslog_files: tuple[str, ...] = field(default=SYSLOG_FILES)

    def rotations_of(self, path: str) -> list[Rotation]:
        """The blocks rotating ``path`` (logrotate refuses duplicates; the first one counts)."""
        return [r for r in self.rotations if r.covers(path)]


def _folder(source: HostSource, folder: str, suffix: str) -> list[str]:
    """The files ``folder/*suffix``, sorted (as the daemons' include globs expand)."""
    names = [n for n in source.listdir(folder) if n.endswith(suffix) and not n.startswith(".")]
    return [posixpath.join(folder, n) for n in names[:MAX_FILES]]


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines without comments and blank lines."""
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith(("#", ";")):
            out.append((number, line))
    return out


def rsyslog_rules(text: str) -> tuple[int, list[str]]:
    """The number of rules in an rsyslog file, and the local files they write to."""
    rules = 0
    targets = []
    for _, line in _lines(text):
        if line.startswith("$"):
            continue  # legacy directives ($ModLoad, $IncludeConfig...)
        selector = _SELECTOR.match(line)
        if selector:
            rules += 1
            action = selector.group(1).strip().lstrip("-")
            if action.startswith("/"):
                targets.append(action.split()[0])
        elif _RAINER_ACTION.search(line):
            rules += 1
            targets.extend(_RAINER_FILE.findall(line))
    return rules, targets


def _rsyslog(source: HostSource) -> SyslogConfig | None:
    main = source.read_text(RSYSLOG)
    if main is None:
        return None
    files, rules, targets = [RSYSLOG], 0, []
    for path, text in [
        (RSYSLOG, main),
        *((p, source.read_text(p) or "") for p in _folder(source, RSYSLOG_DIR, ".conf")),
    ]:
        if path != RSYSLOG:
            files.append(path)
        count, written = rsyslog_rules(text)
        rules += count
        targets.extend(written)
    return SyslogConfig("rsyslog", RSYSLOG, tuple(files), rules, tuple(dict.fromkeys(targets)))


def _syslog_ng(source: HostSource) -> SyslogConfig | None:
    main = source.read_text(SYSLOG_NG)
    if main is None:
        return None
    files, rules = [SYSLOG_NG], len(_NG_LOG.findall(main))
    for path in _folder(source, SYSLOG_NG_DIR, ".conf"):
        files.append(path)
        rules += len(_NG_LOG.findall(source.read_text(path) or ""))
    return SyslogConfig("syslog-ng", SYSLOG_NG, tuple(files), rules)


def _ini_value(text: str, key: str) -> tuple[str, int] | None:
    """The last ``key=value`` of a systemd-style file, with its line."""
    found = None
    for number, line in _lines(text):
        name, sep, value = line.partition("=")
        if sep and name.strip() == key:
            found = (value.strip(), number)
    return found


def _journald(source: HostSource) -> Journald | None:
    files = [JOURNALD, *_folder(source, JOURNALD_DIR, ".conf")]
    texts = [(p, source.read_text(p)) for p in files]
    if all(t is None for _, t in texts) and source.stat("/etc/systemd") is None:
        return None
    storage, where, line, retention = "auto", None, None, None
    for path, text in texts:
        if text is None:
            continue
        found = _ini_value(text, "Storage")
        if found:
            storage, line, where = found[0].lower(), found[1], path
        kept = _ini_value(text, "MaxRetentionSec")
        if kept:
            retention = kept[0]
    journal = source.stat("/var/log/journal")
    return Journald(storage, where, line, journal is not None and journal.is_dir, retention)


def audit_rules(text: str) -> int:
    """Watch and syscall rules in an audit rules file (``-a never,task`` is not auditing)."""
    count = 0
    for _, line in _lines(text):
        words = line.split()
        if words[0] == "-w" or (
            words[0] in ("-a", "-A")
            and len(words) > 1
            and words[1] not in ("never,task", "task,never")
        ):
            count += 1
    return count


def _auditd(source: HostSource) -> Auditd | None:
    conf = source.read_text(AUDITD_CONF)
    rule_files = [*_folder(source, AUDIT_RULES_DIR, ".rules")]
    if not rule_files and source.read_text(AUDIT_RULES) is not None:
        rule_files = [AUDIT_RULES]  # augenrules builds audit.rules from rules.d
    if conf is None and not rule_files:
        return None
    settings = {}
    for _, line in _lines(conf or ""):
        key, sep, value = line.partition("=")
        if sep:
            settings[key.strip().lower()] = value.strip()
    rules = sum(audit_rules(source.read_text(p) or "") for p in rule_files)
    return Auditd(AUDITD_CONF if conf is not None else None, settings, rules, tuple(rule_files))


@dataclass
class _Directives:
    rotate: int = 0
    period: float | None = None
    maxage: int | None = None

    def apply(self, words: list[str]) -> None:
        keyword = words[0].lower()
        if keyword in PERIODS:
            self.period = PERIODS[keyword]
        elif keyword == "size":
            self.period = None  # size and a period exclude each other; the last one wins
        elif keyword == "rotate" and len(words) > 1:
            count = _int(words[1])
            if count is not None:
                self.rotate = max(count, -1)  # -1: old logs are never removed
        elif keyword == "maxage" and len(words) > 1:
            self.maxage = _int(words[1])


def _int(text: str) -> int | None:
    body = text[1:] if text.startswith("-") else text
    return int(text) if body.isascii() and body.isdigit() and len(body) < 10 else None


def parse_logrotate(
    text: str, file: str, defaults: _Directives | None = None
) -> tuple[list[Rotation], _Directives]:
    """The blocks of one logrotate file, and its top-level directives (defaults for later files).

    Args:
        text: The file.
        file: Its path (for the results).
        defaults: Directives in force before this file (logrotate's own defaults when ``None``).
    """
    top = _Directives(**vars(defaults)) if defaults else _Directives()
    rotations: list[Rotation] = []
    block: _Directives | None = None
    start, patterns = 0, []
    pending: list[tuple[int, str]] = []  # log paths on the lines before a block's "{"
    in_script = False
    for number, line in _lines(text):
        words = line.split()
        if in_script:  # postrotate ... endscript: shell, not directives
            in_script = words[0] != "endscript"
            continue
        if block is None and line.endswith("{"):
            block = _Directives(**vars(top))
            start = pending[0][0] if pending else number
            patterns = [p.strip("\"'") for _, w in pending for p in w.split()]
            patterns += [p.strip("\"'") for p in line[:-1].split()]
            pending = []
            continue
        if block is None and line.startswith(("/", '"', "'")):
            pending.append((number, line))
            continue
        if block is not None and line == "}":
            if patterns:
                rotations.append(
                    Rotation(file, start, tuple(patterns), block.rotate, block.period, block.maxage)
                )
            block = None
            continue
        if words[0] in ("postrotate", "prerotate", "firstaction", "lastaction", "preremove"):
            in_script = True
            continue
        pending = []
        (block or top).apply(words)
    return rotations, top


def _logrotate(source: HostSource) -> list[Rotation]:
    main = source.read_text(LOGROTATE)
    rotations, defaults = parse_logrotate(main or "", LOGROTATE)
    for path in _folder(source, LOGROTATE_DIR, ""):
        text = source.read_text(path)
        if text is not None and not path.endswith((".dpkg-old", ".rpmsave", "~")):
            found, _ = parse_logrotate(text, path, defaults)
            rotations.extend(found)
    return rotations


def collect(source: HostSource) -> Logging:
    """Read the syslog, journald, auditd and logrotate configurations."""
    syslog = tuple(c for c in (_rsyslog(source), _syslog_ng(source)) if c is not None)
    targets = [t for c in syslog for t in c.targets]
    return Logging(
        syslog=syslog,
        journald=_journald(source),
        auditd=_auditd(source),
        rotations=tuple(_logrotate(source)),
        syslog_files=tuple(dict.fromkeys(targets)) or SYSLOG_FILES,
    )
