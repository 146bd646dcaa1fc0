"""Local accounts (``accounts`` fact): ``/etc/passwd``, ``/etc/shadow``, ``/etc/group``.

From the password fields only the *kind* of credential is kept (none, empty, locked, the hash
algorithm) and the shadow maximum age: a hash never enters the fact, so it can never reach a
finding, a report or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.password_policy import LOGIN_DEFS, parse_login_defs
from garrison.checks.collectors.host.source import HostSource

FACT = "accounts"
PASSWD = "/etc/passwd"  # noqa: S105 - a path, not a password
SHADOW = "/etc/shadow"
GROUP = "/etc/group"
#: Shells that do not give an interactive session.
NO_LOGIN_SHELLS = frozenset(
    {
        "/sbin/nologin", "/usr/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/true",
        "/usr/bin/true", "/sbin/halt", "/usr/sbin/halt", "/sbin/shutdown", "/usr/sbin/shutdown",
        "/bin/sync", "/usr/bin/sync",
    }
)  # fmt: skip
_ALGORITHMS = {
    "1": "md5", "2a": "bcrypt", "2b": "bcrypt", "2y": "bcrypt", "5": "sha256",
    "6": "sha512", "y": "yescrypt", "gy": "gost-yescrypt", "7": "scrypt", "sha1": "sha1crypt",
    "md5": "sunmd5",
}  # fmt: skip
_DES = re.compile(r"^[./0-9A-Za-z]{13}$")


def password_kind(field: str) -> tuple[str, str | None]:
    """The kind of a password field and its hash algorithm, never the hash.

    Returns:
        ``("empty", None)`` (no password needed), ``("locked", alg|None)`` (``!`` prefix: a
        hash kept but disabled), ``("disabled", None)`` (``*``, ``!!``, ``x``...: no password
        can match), or ``("hash", alg)`` with ``alg`` one of :data:`_ALGORITHMS` values,
        ``des`` or ``unknown``.
    """
    if field == "":
        return "empty", None
    if field.startswith("!"):
        rest = field.lstrip("!")
        return "locked", (_algorithm(rest) if rest.startswith("$") or _DES.match(rest) else None)
    if field.startswith("$"):
        return "hash", _algorithm(field)
    if _DES.match(field):
        return "hash", "des"
    return "disabled", None


def _algorithm(field: str) -> str:
    parts = field.split("$")
    ident = parts[1] if len(parts) > 2 else ""
    if _DES.match(field):
        return "des"
    return _ALGORITHMS.get(ident, "unknown")


@dataclass(frozen=True, slots=True)
class Account:
    """One ``/etc/passwd`` entry with what ``/etc/shadow`` says about it.

    Attributes:
        name: User name.
        uid: User id (``-1`` when the field is not a number).
        gid: Primary group id (``-1`` when not a number).
        home: Home directory.
        shell: Login shell (``""`` means ``/bin/sh``).
        line: Line in ``/etc/passwd``.
        passwd_kind: Kind of the ``/etc/passwd`` password field: ``shadow`` (``x``), ``empty``,
            ``locked``, ``disabled`` or ``hash`` (a hash in the world-readable file).
        shadow_kind: Kind of the shadow password (see :func:`password_kind`), ``None`` when
            there is no shadow entry or the shadow file could not be read.
        algorithm: Hash algorithm of the usable (or locked) password, if any.
        max_days: Shadow maximum password age in days, ``None`` when unset.
        shadow_line: Line in ``/etc/shadow``.
    """

    name: str
    uid: int
    gid: int
    home: str
    shell: str
    line: int
    passwd_kind: str
    shadow_kind: str | None = None
    algorithm: str | None = None
    max_days: int | None = None
    shadow_line: int | None = None

    @property
    def login_shell(self) -> bool:
        """The shell gives an interactive session (an empty shell field means ``/bin/sh``)."""
        return self.shell not in NO_LOGIN_SHELLS

    @property
    def kind(self) -> str | None:
        """The kind of password that applies: shadow when ``x``, else the passwd field."""
        if self.passwd_kind == "shadow":  # noqa: S105 - a kind, not a password
            return self.shadow_kind
        return self.passwd_kind

    @property
    def usable_password(self) -> bool | None:
        """A password (or none at all) lets one log in; ``None`` when it cannot be told."""
        kind = self.kind
        if kind is None:
            return None
        return kind in ("hash", "empty")


@dataclass(frozen=True, slots=True)
class Group:
    """One ``/etc/group`` entry.

    Attributes:
        name: Group name.
        gid: Group id (``-1`` when not a number).
        members: Supplementary members.
        line: Line in ``/etc/group``.
    """

    name: str
    gid: int
    members: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Accounts:
    """The ``accounts`` fact.

    Attributes:
        accounts: Every ``/etc/passwd`` entry, in file order.
        groups: Every ``/etc/group`` entry.
        shadow_readable: ``/etc/shadow`` could be read (scans without root cannot).
        uid_min: ``UID_MIN`` from ``/etc/login.defs`` (1000 when unset).
        sys_uid_max: ``SYS_UID_MAX`` (``uid_min - 1`` when unset).
        uid_min_line: The ``UID_MIN`` line in ``/etc/login.defs``, if set.
        orphans: Shadow entries without a passwd entry (name, shadow line).
    """

    accounts: tuple[Account, ...]
    groups: tuple[Group, ...] = ()
    shadow_readable: bool = False
    uid_min: int = 1000
    sys_uid_max: int = 999
    uid_min_line: int | None = None
    orphans: tuple[tuple[str, int], ...] = ()


def _number(text: str) -> int:
    value = as_int(text)
    return value if value is not None and value >= 0 else -1


def parse_passwd(text: str) -> list[Account]:
    """``/etc/passwd`` entries (malformed lines and NIS ``+``/``-`` lines skipped)."""
    found: list[Account] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split(":")
        if len(fields) != 7 or not fields[0] or fields[0][0] in "+-#":
            continue
        name, field, uid, gid, _gecos, home, shell = fields
        # "x": the password is in /etc/shadow; anything else is the field itself.
        kind = "shadow" if field == "x" else password_kind(field)[0]
        found.append(Account(name, _number(uid), _number(gid), home, shell.strip(), number, kind))
    return found


def parse_shadow(text: str) -> dict[str, tuple[str, str | None, int | None, int]]:
    """Name -> (kind, algorithm, max days, line); the hash itself is dropped here."""
    found: dict[str, tuple[str, str | None, int | None, int]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split(":")
        if len(fields) < 2 or not fields[0] or fields[0][0] in "+-#":
            continue
        kind, algorithm = password_kind(fields[1])
        max_days = as_int(fields[4]) if len(fields) > 4 and fields[4].strip() else None
        found.setdefault(fields[0], (kind, algorithm, max_days, number))
    return found


def parse_group(text: str) -> list[Group]:
    """``/etc/group`` entries."""
    found: list[Group] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split(":")
        if len(fields) != 4 or not fields[0] or fields[0][0] in "+-#":
            continue
        members = tuple(m.strip() for m in fields[3].split(",") if m.strip())
        found.append(Group(fields[0], _number(fields[2]), members, number))
    return found


def collect(source: HostSource) -> Accounts:
    """The ``accounts`` fact of a host.

    Raises:
        LookupError: When ``/etc/passwd`` cannot be read (the checks then report an error).
    """
    passwd = source.read_text(PASSWD)
    if passwd is None:
        raise LookupError(f"{PASSWD} is unreadable")
    accounts = parse_passwd(passwd)
    shadow_text = source.read_text(SHADOW)
    shadow = parse_shadow(shadow_text) if shadow_text is not None else {}
    merged: list[Account] = []
    for account in accounts:
        entry = shadow.get(account.name)
        if entry is None:
            merged.append(account)
            continue
        kind, algorithm, max_days, line = entry
        merged.append(
            Account(
                account.name, account.uid, account.gid, account.home, account.shell,
                account.line, account.passwd_kind, kind, algorithm, max_days, line,
            )
        )  # fmt: skip
    names = {a.name for a in accounts}
    orphans = tuple((name, e[3]) for name, e in shadow.items() if name not in names)
    group_text = source.read_text(GROUP)
    defs_text = source.read_text(LOGIN_DEFS)
    defs = parse_login_defs(defs_text, LOGIN_DEFS) if defs_text is not None else {}
    uid_min_setting = defs.get("UID_MIN")
    uid_min = as_int(uid_min_setting.value) if uid_min_setting else None
    uid_min = uid_min if uid_min is not None and uid_min > 0 else 1000
    sys_max_setting = defs.get("SYS_UID_MAX")
    sys_uid_max = as_int(sys_max_setting.value) if sys_max_setting else None
    return Accounts(
        accounts=tuple(merged),
        groups=tuple(parse_group(group_text)) if group_text is not None else (),
        shadow_readable=shadow_text is not None,
        uid_min=uid_min,
        sys_uid_max=sys_uid_max if sys_uid_max is not None else uid_min - 1,
        uid_min_line=uid_min_setting.line if uid_min_setting else None,
        orphans=orphans,
    )
