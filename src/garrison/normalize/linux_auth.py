"""Message parsers for Linux authentication programs (``auth.log`` / ``secure``).

:func:`auth_fields` is called by the syslog parser with the program name and the message of
every record. It returns ``None`` for programs that are not about authentication (the record
stays ``linux.syslog``), an empty mapping for an auth program whose message is not recognised,
and otherwise the normalised fields of the message.

Everything after the syslog tag is attacker-influenced (user names chosen by an SSH client,
lines injected with ``logger -t sshd``), so the patterns are anchored at the end of the
message and take the *last* ``from IP port N``, which is the part sshd itself appends; values
put into ``source.ip`` are checked to be IP addresses (the store may keep them as ``inet``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from garrison.events import schema as s
from garrison.normalize.linux_accounts import account_fields

_A = re.ASCII
_AS = re.ASCII | re.DOTALL
_EMPTY: Final[Mapping[str, Any]] = {}
_SUCCESS: Final = s.OUTCOME_SUCCESS
_FAILURE: Final = s.OUTCOME_FAILURE
_TARGET: Final = s.USER_TARGET_NAME
_SESSION_ID: Final = "systemd_logind.session_id"

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}", _A)
_KV = re.compile(r"\b(\w+)=(\S*)", _A)

# sshd: the user name (attacker-chosen) is matched greedily so that the trailing, sshd-written
# "from IP port N" is the one captured.
_SSH_ACCEPTED = re.compile(
    r"Accepted (\S+) for (.*) from (\S+) port (\d{1,5})(?: ssh\d?)?(?:: (\S+)(?: (\S+))?.*)?\Z",
    _AS,
)
_SSH_FAILED = re.compile(
    r"Failed (\S+) for (invalid user )?(.*) from (\S+) port (\d{1,5})(?: ssh\d?)?(?:: .*)?\Z", _AS
)
_SSH_INVALID = re.compile(r"Invalid user (.*) from (\S+)(?: port (\d{1,5}))?\Z", _AS)
_CLOSE_KINDS = (
    r"(Connection closed by|Disconnected from|Received disconnect from|Connection reset by)"
)
_SSH_CLOSED = re.compile(
    _CLOSE_KINDS + r" (?:(invalid user|authenticating user|user) (.*) )?(\S+) port (\d{1,5})"
    r"(?::(\d+): ?(.*?))?( \[preauth\])?\Z",
    _AS,
)
# OpenSSH < 7.3 wrote no port.
_SSH_CLOSED_OLD = re.compile(_CLOSE_KINDS + r" (\S+)(?::(\d+): ?(.*?))?( \[preauth\])?\Z", _AS)
_SSH_MAX_AUTH = re.compile(
    r"(?:error: maximum authentication attempts exceeded for (invalid user )?(.*) from"
    r"|Disconnecting (invalid user |authenticating user )(.*))"
    r" (\S+) port (\d{1,5})(?: ssh2|: Too many authentication failures)(?: \[preauth\])?\Z",
    _AS,
)
# OpenSSH < 7.5 wrote no address.
_SSH_TOO_MANY_OLD = re.compile(
    r"Disconnecting: Too many authentication failures(?: for (invalid user )?(.*?))?"
    r"(?: \[preauth\])?\Z",
    _AS,
)
_SSH_NO_IDENT = re.compile(
    r"Did not receive identification string from (\S+)(?: port (\d{1,5}))?", _A
)
_SSH_PAM_MORE = re.compile(r"PAM (\d{1,6}) more authentication failures?; (.*)\Z", _AS)
_SSH_PAM_ERR = re.compile(
    r"error: PAM: (.*?) for (illegal user |invalid user )?(.*) from (\S+)\Z", _AS
)
_SSH_NOT_ALLOWED = re.compile(r"User (.*) from (\S+) not allowed because ([^:]*)\Z", _AS)
_SSH_CONNECTION = re.compile(r"Connection from (\S+) port (\d{1,5}) on (\S+) port (\d{1,5})", _A)
_SSH_NEGOTIATE = re.compile(r"Unable to negotiate with (\S+) port (\d{1,5}): (.*)\Z", _AS)
_ANY_FROM = re.compile(r"(?:from|by) (\S+) port (\d{1,5})\b", _A)

_PAM = re.compile(r"pam_([\w-]+)\(([^:()\s]+):(\w+)\): (.*)\Z", _AS)
_PAM_SESSION = re.compile(
    r"session (opened|closed) for user (.+?)(?:\(uid=(\d{1,10})\))?"
    r"(?: by (.*?)(?:\(uid=(\d{1,10})\))?)?\Z",
    _AS,
)
_PAM_SUCCEED_IF = re.compile(r'requirement "(.*)" (not met|was met) by user "(.*)"\Z', _AS)
_PAM_LOCKED = re.compile(r"Consecutive login failures for user (\S+) account temporarily locked")
#: PAM services through which one user acts as another: the session user is the effective one.
_SWITCH_SERVICES = frozenset({"su", "su-l", "sudo", "sudo-i", "runuser", "runuser-l"})

_SU_TO = re.compile(r"(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)", _A)
_SU_SHORT = re.compile(r"([+-]) (\S+) ([^\s:]+):(\S+)\Z", _A)
_SU_OLD = re.compile(r"(Successful|FAILED) su for (\S+) by (\S+)", _A)
_SU_BSD = re.compile(r"'su (\S+)' (succeeded|failed) for (\S+) on (\S+)", _A)
_CHKPWD = re.compile(r"password check failed for user \((.*)\)\Z", _AS)
_CRON = re.compile(r"\((\S+)\) (CMD|CMDEND) \((.*)\)\Z", _AS)
_LOGIND_NEW = re.compile(r"New session (\S+) of user (\S+?)\.?\Z", _A)
_LOGIND_END = re.compile(r"(?:Removed session (\S+?)\.|Session (\S+) logged out\..*)\Z", _AS)


def is_ip(value: str) -> bool:
    """Whether ``value`` is an IPv4 or IPv6 address (cheap regex first, ipaddress for v6)."""
    if _IPV4.fullmatch(value) is not None:
        return True
    if ":" not in value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def put_source(fields: dict[str, Any], host: str, port: str | None = None) -> None:
    """Set ``source.ip`` (or ``source.address`` for a host name) and ``source.port``."""
    if _IPV4.fullmatch(host) is not None:  # the common case, without is_ip's call
        fields[s.SOURCE_IP] = host
    elif is_ip(host):
        # A zone id (fe80::1%eth0) is valid text but not an inet value: drop it.
        fields[s.SOURCE_IP] = host.partition("%")[0]
    elif host:
        fields["source.address"] = host
    if port:
        fields[s.SOURCE_PORT] = int(port)


def _ev(category: str, etype: str, action: str, outcome: str, **extra: Any) -> dict[str, Any]:
    """Fields every recognised message sets, plus ``extra`` (source-specific names allowed)."""
    return {s.CATEGORY: category, s.TYPE: etype, s.ACTION: action, s.OUTCOME: outcome, **extra}


def _auth(action: str, outcome: str, user: str | None, **extra: Any) -> dict[str, Any]:
    """Fields of an authentication event (type ``start`` on success, ``info`` otherwise)."""
    etype = "start" if outcome == _SUCCESS else "info"
    f = _ev(s.CATEGORY_AUTHENTICATION, etype, action, outcome, **extra)
    if user:
        f[s.USER_NAME] = user
    return f


def _sshd(msg: str, program: str) -> Mapping[str, Any] | None:
    """sshd / sshd-session messages, tested by prefix in order of frequency."""
    m: re.Match[str] | None
    if msg.startswith("Failed "):
        if (m := _SSH_FAILED.match(msg)) is None:
            return None
        # The hottest message of all (brute force): one dict literal, no helper.
        f = {
            s.CATEGORY: s.CATEGORY_AUTHENTICATION,
            s.TYPE: "info",
            s.ACTION: "ssh_login",
            s.OUTCOME: _FAILURE,
            "sshd.auth_method": m[1],
        }
        if m[3]:
            f[s.USER_NAME] = m[3]
        if m[2]:
            f["sshd.invalid_user"] = True
        put_source(f, m[4], m[5])
        return f
    if msg.startswith("Invalid user "):
        if (m := _SSH_INVALID.match(msg)) is None:
            return None
        f = {
            s.CATEGORY: s.CATEGORY_AUTHENTICATION,
            s.TYPE: "info",
            s.ACTION: "invalid_user",
            s.OUTCOME: _FAILURE,
            "sshd.invalid_user": True,
        }
        if m[1]:
            f[s.USER_NAME] = m[1]
        put_source(f, m[2], m[3])
        return f
    if msg.startswith(
        ("Connection closed", "Disconnected from", "Received disc", "Connection res")
    ):
        return _ssh_disconnect(msg)
    if msg.startswith("Accepted "):
        if (m := _SSH_ACCEPTED.match(msg)) is None:
            return None
        f = _auth("ssh_login", _SUCCESS, m[2], **{"sshd.auth_method": m[1]})
        if m[5]:
            f["sshd.key.type"] = m[5]
            if m[6]:
                f["sshd.key.fingerprint"] = m[6]
        put_source(f, m[3], m[4])
        return f
    if msg.startswith(("error: maximum auth", "Disconnecting")) and "authentication" in msg:
        if (m := _SSH_MAX_AUTH.match(msg)) is not None:
            invalid, user, ip, port = m[1] or m[3], m[2] or m[4], m[5], m[6]
        elif (m := _SSH_TOO_MANY_OLD.match(msg)) is not None:
            invalid, user, ip, port = m[1], m[2], "", None
        else:
            return None
        f = _auth("max_auth_attempts_exceeded", _FAILURE, user)
        if invalid == "invalid user ":
            f["sshd.invalid_user"] = True
        put_source(f, ip, port)
        return f
    if msg.startswith("PAM ") and (m := _SSH_PAM_MORE.match(msg)) is not None:
        kv = dict(_KV.findall(m[2]))
        f = _auth("pam_auth_failures", _FAILURE, kv.get("user"), **{"sshd.pam_failures": int(m[1])})
        put_source(f, kv.get("rhost", ""))
        return f
    if msg.startswith("Did not receive ident") and (m := _SSH_NO_IDENT.match(msg)) is not None:
        f = _ev(s.CATEGORY_NETWORK, "end", "no_identification_string", _FAILURE)
        put_source(f, m[1], m[2])
        return f
    if msg.startswith("error: PAM: ") and (m := _SSH_PAM_ERR.match(msg)) is not None:
        f = _auth("ssh_login", _FAILURE, m[3], **{s.REASON: m[1]})
        if m[2]:
            f["sshd.invalid_user"] = True
        put_source(f, m[4])
        return f
    if msg.startswith("User ") and (m := _SSH_NOT_ALLOWED.match(msg)) is not None:
        f = _auth("user_not_allowed", _FAILURE, m[1], **{s.REASON: m[3]})
        put_source(f, m[2])
        return f
    if msg.startswith("Connection from ") and (m := _SSH_CONNECTION.match(msg)) is not None:
        f = _ev(s.CATEGORY_NETWORK, "start", "connection_opened", _SUCCESS)
        put_source(f, m[1], m[2])
        if is_ip(m[3]):
            f[s.DESTINATION_IP] = m[3].partition("%")[0]
        f[s.DESTINATION_PORT] = int(m[4])
        return f
    if msg.startswith("Unable to negotiate") and (m := _SSH_NEGOTIATE.match(msg)) is not None:
        f = _ev(s.CATEGORY_NETWORK, "end", "negotiation_failed", _FAILURE, **{s.REASON: m[3]})
        put_source(f, m[1], m[2])
        return f
    # Anything else (Postponed, Starting session, banner exchange...): keep who connected.
    if " port " in msg and (m := _ANY_FROM.search(msg)) is not None and is_ip(m[1]):
        return {s.SOURCE_IP: m[1].partition("%")[0], s.SOURCE_PORT: int(m[2])}
    return None


def _ssh_disconnect(msg: str) -> dict[str, Any] | None:
    """Connection closed / Disconnected / Received disconnect / Connection reset."""
    if (m := _SSH_CLOSED.match(msg)) is not None:
        kind, user_kind, user, ip, port, code, reason, preauth = m.groups()
    elif (m := _SSH_CLOSED_OLD.match(msg)) is not None:
        kind, ip, code, reason, preauth = m.groups()
        user_kind = user = port = None
    else:
        return None
    # After authentication a disconnect ends a session; before it, only a connection.
    post_auth = user_kind == "user" or (user_kind is None and not preauth and code is not None)
    category = s.CATEGORY_SESSION if post_auth else s.CATEGORY_NETWORK
    f = _ev(category, "end", "disconnect", s.OUTCOME_UNKNOWN, **{"sshd.disconnect": kind})
    if user:
        f[s.USER_NAME] = user
    if user_kind == "invalid user":
        f["sshd.invalid_user"] = True
    if code is not None:
        f["sshd.disconnect_code"] = int(code)
        if reason:
            f[s.REASON] = reason
    if preauth:
        f["sshd.preauth"] = True
    put_source(f, ip, port)
    return f


def pam_fields(msg: str) -> Mapping[str, Any] | None:
    """``pam_MODULE(SERVICE:TYPE): ...`` messages, whichever program logged them."""
    if (m := _PAM.match(msg)) is None:
        return None
    module, service, pam_type, text = m.groups()
    base = {"pam.module": module, "pam.service": service, "pam.type": pam_type}
    if text.startswith("session "):
        if (sm := _PAM_SESSION.match(text)) is None:
            return base
        what, user, uid, by, by_uid = sm.groups()
        etype = "start" if what == "opened" else "end"
        f = _ev(s.CATEGORY_SESSION, etype, "session_" + what, _SUCCESS, **base)
        if by and service in _SWITCH_SERVICES:
            f[s.USER_NAME] = by
            f[s.USER_EFFECTIVE_NAME] = user
        else:
            f[s.USER_NAME] = user
            if uid is not None:
                f[s.USER_ID] = uid
        if by:
            f["pam.by_user"] = by
        if by_uid is not None:
            f["pam.by_uid"] = by_uid
        return f
    if text.startswith("authentication failure;"):
        kv = dict(_KV.findall(text, 23))
        user = kv.get("user")
        ruser = kv.get("ruser") or kv.get("logname")
        f = {
            s.CATEGORY: s.CATEGORY_AUTHENTICATION,
            s.TYPE: "info",
            s.ACTION: "authentication_failure",
            s.OUTCOME: _FAILURE,
            "pam.module": module,
            "pam.service": service,
            "pam.type": pam_type,
        }
        if user:
            f[s.USER_NAME] = user
        if service in _SWITCH_SERVICES and ruser and ruser != user:
            f[s.USER_NAME] = ruser  # su/sudo: who tried, not whom they tried to become
            if user:
                f[s.USER_EFFECTIVE_NAME] = user
        for key, value in kv.items():
            if value:
                f["pam." + key] = value
        put_source(f, kv.get("rhost", ""))
        return f
    if text.startswith("password changed for "):
        target = text[21:].strip()
        return _ev(
            s.CATEGORY_IAM, "change", "password_changed", _SUCCESS, **{_TARGET: target}, **base
        )
    if text.startswith("check pass; user unknown"):
        return _auth("user_unknown", _FAILURE, None, **base)
    if (lm := _PAM_LOCKED.match(text)) is not None:
        return _auth("account_locked", _FAILURE, lm[1], **base)
    if (rm := _PAM_SUCCEED_IF.match(text)) is not None:
        ok = rm[2] == "was met"
        action = "requirement_met" if ok else "requirement_not_met"
        outcome = _SUCCESS if ok else _FAILURE
        return _auth(action, outcome, rm[3], **{"pam.requirement": rm[1]}, **base)
    return base


def _sudo(msg: str, program: str) -> Mapping[str, Any] | None:
    """``alice : [REASON ; ]TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls``."""
    text = msg.strip()
    sep = text.find(" : ")
    if sep <= 0:
        return None
    rest = text[sep + 3 :]
    # COMMAND is always last and may itself contain " ; ": split only what comes before it.
    cmd_at = rest.find("COMMAND=")
    head = rest if cmd_at < 0 else rest[:cmd_at]
    reason = None
    kv: dict[str, str] = {}
    for part in head.split(" ; "):
        part = part.strip(" ;")
        key, eq, value = part.partition("=")
        if eq and key.isupper():
            kv[key] = value
        elif part and reason is None:
            reason = part
    if cmd_at < 0 and not kv:
        return None
    ok = reason is None
    f = _ev(
        s.CATEGORY_PROCESS, "start" if ok else "info", "sudo_command", _SUCCESS if ok else _FAILURE
    )
    f[s.USER_NAME] = text[:sep]
    if reason is not None:
        f[s.REASON] = reason
    if cmd_at >= 0:
        f[s.PROCESS_COMMAND_LINE] = f["sudo.command"] = rest[cmd_at + 8 :]
    if "USER" in kv:
        f[s.USER_EFFECTIVE_NAME] = kv["USER"]
    if "PWD" in kv:
        f[s.PROCESS_WORKING_DIRECTORY] = kv["PWD"]
    for key, value in kv.items():
        f["sudo." + key.lower()] = value
    return f


def _su(msg: str, program: str) -> Mapping[str, Any] | None:
    """su: ``(to root) alice on pts/0``, ``+ pts/0 alice:root``, ``FAILED SU ...``."""
    if (m := _SU_TO.match(msg)) is not None:
        failed, target, user, tty = m.groups()
        ok = failed is None
    elif (m := _SU_SHORT.match(msg)) is not None:
        sign, tty, user, target = m.groups()
        ok = sign == "+"
    elif (m := _SU_OLD.match(msg)) is not None:
        ok, target, user, tty = m[1] == "Successful", m[2], m[3], None
    elif (m := _SU_BSD.match(msg)) is not None:
        target, ok, user, tty = m[1], m[2] == "succeeded", m[3], m[4]
    else:
        return None
    f = _auth("su", _SUCCESS if ok else _FAILURE, user, **{s.USER_EFFECTIVE_NAME: target})
    if tty is not None:
        f["su.tty"] = tty
    return f


def _chkpwd(msg: str, program: str) -> Mapping[str, Any] | None:
    """unix_chkpwd (RHEL): ``password check failed for user (alice)``."""
    if (m := _CHKPWD.match(msg)) is None:
        return None
    return _auth("password_check_failed", _FAILURE, m[1])


def _cron(msg: str, program: str) -> Mapping[str, Any] | None:
    """cron: ``(root) CMD (command)`` and Debian's ``(root) CMDEND (command)``."""
    if "CMD" not in msg or (m := _CRON.match(msg)) is None:
        return None
    start = m[2] == "CMD"
    action = "cron_command" if start else "cron_command_end"
    f = _ev(s.CATEGORY_PROCESS, "start" if start else "end", action, _SUCCESS)
    f[s.USER_NAME] = m[1]
    f[s.PROCESS_COMMAND_LINE] = m[3]
    return f


def _logind(msg: str, program: str) -> Mapping[str, Any] | None:
    """systemd-logind: ``New session 12 of user alice.``, ``Removed session 12.``."""
    if (m := _LOGIND_NEW.match(msg)) is not None:
        f = _ev(s.CATEGORY_SESSION, "start", "session_created", _SUCCESS, **{_SESSION_ID: m[1]})
        f[s.USER_NAME] = m[2]
        return f
    if (m := _LOGIND_END.match(msg)) is not None:
        action = "session_removed" if m[1] else "session_logged_out"
        return _ev(s.CATEGORY_SESSION, "end", action, _SUCCESS, **{_SESSION_ID: m[1] or m[2]})
    return None


_SHADOW = "useradd usermod userdel groupadd groupdel groupmod passwd chpasswd gpasswd chage chsh"
_HANDLERS: dict[str, Callable[[str, str], Mapping[str, Any] | None]] = {
    "sshd": _sshd,
    "sshd-session": _sshd,  # OpenSSH >= 9.8 logs per-connection messages under this name
    "sudo": _sudo,
    "su": _su,
    "systemd-logind": _logind,
    "unix_chkpwd": _chkpwd,
    **dict.fromkeys(("CRON", "cron", "crond", "CROND"), _cron),
    **dict.fromkeys(_SHADOW.split(), account_fields),
}
#: Auth programs without a message parser: their records are still ``linux.auth``.
_OTHER_AUTH = frozenset({"login", "polkitd", "runuser", "sshd-auth", "newusers"})


def auth_fields(program: str | None, msg: str) -> Mapping[str, Any] | None:
    """Normalised fields of an auth record.

    Args:
        program: The syslog tag's program name (``sshd``), or ``None`` when there is no tag.
        msg: The message after the tag.

    Returns:
        ``None`` when the record is not from an authentication program (PAM messages count
        whatever program logged them); an empty mapping when it is but the message is not
        recognised; otherwise the fields to add to the event (a new dict the caller may keep).
    """
    if msg.startswith("pam_"):
        return pam_fields(msg) or _EMPTY
    if program is None:
        return None
    handler = _HANDLERS.get(program)
    if handler is None:
        if "/" in program:  # "/usr/sbin/cron", "/usr/sbin/sshd"
            return auth_fields(program.rpartition("/")[2], msg)
        return _EMPTY if program in _OTHER_AUTH else None
    return handler(msg, program) or _EMPTY
