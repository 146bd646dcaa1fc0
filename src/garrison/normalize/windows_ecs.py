"""ECS fields of Windows events, derived from their ``System`` and ``EventData`` fields.

The security-relevant event ids get a category, type, action and outcome, and their data items
are copied to the ECS fields detection relies on (``user.name``, ``source.ip``,
``process.command_line``...). Action names follow Winlogbeat's (``logged-in``,
``logon-failed``...) so that queries written for Elastic carry over. Other events get category
``host`` and action ``windows-event-<id>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from garrison.events import schema
from garrison.normalize.jsonobject import as_int, as_ip, as_text

_Mapper = Callable[[dict[str, Any]], None]

SYSMON_PROVIDER: Final = "Microsoft-Windows-Sysmon"

#: System ``Level`` -> ``log.level``.
_LEVELS: Final = {
    0: "information",
    1: "critical",
    2: "error",
    3: "warning",
    4: "information",
    5: "verbose",
}

# Keywords bits of the Security log.
_AUDIT_SUCCESS: Final = 0x0020000000000000
_AUDIT_FAILURE: Final = 0x0010000000000000

#: NTSTATUS codes of failed logons (4625 Status / SubStatus) -> event.reason.
_LOGON_FAILURES: Final = {
    "0xc0000064": "user name does not exist",
    "0xc000006a": "wrong password",
    "0xc000006d": "bad user name or authentication information",
    "0xc000006e": "account restriction",
    "0xc000006f": "logon outside authorised hours",
    "0xc0000070": "logon from unauthorised workstation",
    "0xc0000071": "password expired",
    "0xc0000072": "account disabled",
    "0xc000015b": "logon type not granted",
    "0xc0000193": "account expired",
    "0xc0000224": "password must change at next logon",
    "0xc0000234": "account locked out",
    "0xc0000133": "clocks out of sync",
}


def _set_user(fields: dict[str, Any], name: Any, domain: Any, sid: Any) -> None:
    user = as_text(name)
    if user and user != "-":
        fields[schema.USER_NAME] = user
    dom = as_text(domain)
    if dom and dom != "-":
        fields[schema.USER_DOMAIN] = dom
    ident = as_text(sid)
    if ident and ident not in ("-", "S-1-0-0"):  # S-1-0-0: the NULL SID, "nobody"
        fields[schema.USER_ID] = ident


def _subject(fields: dict[str, Any]) -> None:
    """The account that did it (``Subject*``)."""
    _set_user(
        fields,
        fields.get("SubjectUserName"),
        fields.get("SubjectDomainName"),
        fields.get("SubjectUserSid"),
    )


def _source(fields: dict[str, Any]) -> None:
    ip = as_ip(fields.get("IpAddress"))
    if ip is not None:
        fields[schema.SOURCE_IP] = ip
    port = as_int(fields.get("IpPort"))
    if port:
        fields[schema.SOURCE_PORT] = port


def _logon(fields: dict[str, Any]) -> None:
    """4624/4625/4634/4647: the account logged on (``Target*``) and where from."""
    _set_user(
        fields,
        fields.get("TargetUserName"),
        fields.get("TargetDomainName"),
        fields.get("TargetUserSid"),
    )
    _source(fields)
    status = as_text(fields.get("SubStatus"))
    reason = _LOGON_FAILURES.get(status.lower()) if status else None
    if reason is None:
        status = as_text(fields.get("Status"))
        reason = _LOGON_FAILURES.get(status.lower()) if status else None
    if reason is not None:
        fields[schema.REASON] = reason


def _explicit(fields: dict[str, Any]) -> None:
    """4648: a logon with explicit credentials, by the subject, as the target account."""
    _subject(fields)
    _target_user(fields)
    _source(fields)


def _target_user(fields: dict[str, Any]) -> None:
    target = as_text(fields.get("TargetUserName"))
    if target and target != "-":
        fields[schema.USER_TARGET_NAME] = target


def _account(fields: dict[str, Any]) -> None:
    """Account management (4720...): the subject changed the target account."""
    _subject(fields)
    _target_user(fields)


def _group(fields: dict[str, Any]) -> None:
    """4728/4732/4756: the subject added ``MemberName`` to group ``TargetUserName``."""
    _subject(fields)
    group = as_text(fields.get("TargetUserName"))
    if group:
        fields[schema.GROUP_NAME] = group
    member = as_text(fields.get("MemberName"))
    if member and member != "-":
        # "CN=Mallory,OU=Users,DC=corp,DC=example": the CN is the account's name.
        if member.upper().startswith("CN="):
            member = member[3:].split(",", 1)[0]
        fields[schema.USER_TARGET_NAME] = member
    elif fields.get("MemberSid"):
        fields["user.target.id"] = as_text(fields.get("MemberSid"))


def _new_process(fields: dict[str, Any]) -> None:
    """4688: process creation; pids are hexadecimal (``0x1a2c``)."""
    _subject(fields)
    _process(fields, fields.get("NewProcessName"), as_int(fields.get("NewProcessId"), 16))
    parent = as_int(fields.get("ProcessId"), 16)
    if parent is not None:
        fields[schema.PROCESS_PARENT_PID] = parent
    _copy(fields, "ParentProcessName", "process.parent.executable")
    _copy(fields, "CommandLine", schema.PROCESS_COMMAND_LINE)


def _service(fields: dict[str, Any]) -> None:
    """4697/7045: a service was installed."""
    _subject(fields)
    _copy(fields, "ServiceName", "service.name")


def _process(fields: dict[str, Any], executable: Any, pid: int | None) -> None:
    path = as_text(executable)
    if path and path != "-":
        fields[schema.PROCESS_EXECUTABLE] = path
        fields[schema.PROCESS_NAME] = path.rpartition("\\")[2]
    if pid is not None:
        fields[schema.PROCESS_PID] = pid


def _copy(fields: dict[str, Any], name: str, target: str) -> None:
    value = as_text(fields.get(name))
    if value and value != "-":
        fields[target] = value


def _sysmon_common(fields: dict[str, Any]) -> None:
    """Sysmon events: the acting process and its ``DOMAIN\\user``."""
    _process(fields, fields.get("Image"), as_int(fields.get("ProcessId")))
    user = as_text(fields.get("User"))
    if user:
        domain, sep, name = user.rpartition("\\")
        fields[schema.USER_NAME] = name
        if sep:
            fields[schema.USER_DOMAIN] = domain


def _sysmon_process(fields: dict[str, Any]) -> None:
    """Sysmon 1: process creation, with the parent and the hashes."""
    _sysmon_common(fields)
    _copy(fields, "CommandLine", schema.PROCESS_COMMAND_LINE)
    _copy(fields, "CurrentDirectory", schema.PROCESS_WORKING_DIRECTORY)
    _copy(fields, "ParentImage", "process.parent.executable")
    _copy(fields, "ParentCommandLine", "process.parent.command_line")
    parent = as_int(fields.get("ParentProcessId"))
    if parent is not None:
        fields[schema.PROCESS_PARENT_PID] = parent
    hashes = as_text(fields.get("Hashes"))
    if hashes:
        for part in hashes.split(","):
            algo, sep, digest = part.partition("=")
            if sep and digest:
                fields[f"process.hash.{algo.strip().lower()}"] = digest.strip().lower()


def _sysmon_network(fields: dict[str, Any]) -> None:
    """Sysmon 3: a network connection."""
    _sysmon_common(fields)
    for name, target in (("SourceIp", schema.SOURCE_IP), ("DestinationIp", schema.DESTINATION_IP)):
        ip = as_ip(fields.get(name))
        if ip is not None:
            fields[target] = ip
    for name, target in (
        ("SourcePort", schema.SOURCE_PORT),
        ("DestinationPort", schema.DESTINATION_PORT),
    ):
        port = as_int(fields.get(name))
        if port is not None:
            fields[target] = port
    _copy(fields, "Protocol", "network.transport")
    _copy(fields, "DestinationHostname", "destination.domain")


def _sysmon_file(fields: dict[str, Any]) -> None:
    """Sysmon 11: a file was created."""
    _sysmon_common(fields)
    _copy(fields, "TargetFilename", schema.FILE_PATH)


# id -> (category, types, action, outcome or None for "from Keywords", mapper)
_Rule = tuple[str, tuple[str, ...], str, str | None, _Mapper]
_AUTH, _IAM = schema.CATEGORY_AUTHENTICATION, schema.CATEGORY_IAM
_OK, _FAIL = schema.OUTCOME_SUCCESS, schema.OUTCOME_FAILURE
_CONF, _NET = schema.CATEGORY_CONFIGURATION, schema.CATEGORY_NETWORK
_EVENTS: Final[dict[int, _Rule]] = {
    4624: (_AUTH, ("start",), "logged-in", _OK, _logon),
    4625: (_AUTH, ("start",), "logon-failed", _FAIL, _logon),
    4634: (_AUTH, ("end",), "logged-out", _OK, _logon),
    4647: (_AUTH, ("end",), "logged-out", _OK, _logon),
    4648: (_AUTH, ("start",), "logged-in-explicit", _OK, _explicit),
    4672: (_IAM, ("admin",), "logged-in-special", _OK, _subject),
    4688: (schema.CATEGORY_PROCESS, ("start",), "created-process", _OK, _new_process),
    4697: (_CONF, ("creation",), "service-installed", _OK, _service),
    4698: (_CONF, ("creation",), "scheduled-task-created", _OK, _subject),
    4720: (_IAM, ("user", "creation"), "added-user-account", _OK, _account),
    4722: (_IAM, ("user", "change"), "enabled-user-account", _OK, _account),
    4723: (_IAM, ("user", "change"), "changed-password", None, _account),
    4724: (_IAM, ("user", "change"), "reset-password", None, _account),
    4725: (_IAM, ("user", "change"), "disabled-user-account", _OK, _account),
    4726: (_IAM, ("user", "deletion"), "deleted-user-account", _OK, _account),
    4728: (_IAM, ("group", "change"), "added-member-to-group", _OK, _group),
    4729: (_IAM, ("group", "change"), "removed-member-from-group", _OK, _group),
    4732: (_IAM, ("group", "change"), "added-member-to-group", _OK, _group),
    4733: (_IAM, ("group", "change"), "removed-member-from-group", _OK, _group),
    4740: (_IAM, ("user", "change"), "locked-out-user-account", _OK, _account),
    4756: (_IAM, ("group", "change"), "added-member-to-group", _OK, _group),
    4757: (_IAM, ("group", "change"), "removed-member-from-group", _OK, _group),
    1102: (_CONF, ("deletion",), "audit-log-cleared", _OK, _subject),
    7045: (_CONF, ("creation",), "service-installed", _OK, _service),
}
_SYSMON_EVENTS: Final[dict[int, _Rule]] = {
    1: (schema.CATEGORY_PROCESS, ("start",), "process-created", _OK, _sysmon_process),
    3: (
        schema.CATEGORY_NETWORK,
        ("connection", "start"),
        "network-connection",
        _OK,
        _sysmon_network,
    ),
    11: (schema.CATEGORY_FILE, ("creation",), "file-created", _OK, _sysmon_file),
}


def _keywords_outcome(keywords: Any) -> str | None:
    """Outcome from the audit bits of ``Keywords`` (``0x8020000000000000``) or their names."""
    if isinstance(keywords, list):
        names = " ".join(str(k) for k in keywords).lower()
        if "audit failure" in names:
            return schema.OUTCOME_FAILURE
        return schema.OUTCOME_SUCCESS if "audit success" in names else None
    bits = as_int(keywords, 16) if isinstance(keywords, str) else as_int(keywords)
    if bits is None:
        return None
    if bits & _AUDIT_FAILURE:
        return schema.OUTCOME_FAILURE
    return schema.OUTCOME_SUCCESS if bits & _AUDIT_SUCCESS else None


def map_ecs(fields: dict[str, Any]) -> None:
    """Add the ECS fields of a Windows event to its flat System/EventData fields."""
    event_id = fields.get("EventID")
    provider = as_text(fields.get("Provider_Name")) or ""
    if provider:
        fields[schema.PROVIDER] = provider
    computer = as_text(fields.get("Computer"))
    if computer:
        fields[schema.HOST_NAME] = computer
    level = fields.get("Level")
    if isinstance(level, int) and level in _LEVELS:
        fields[schema.LOG_LEVEL] = _LEVELS[level]
    rule: _Rule | None = None
    if isinstance(event_id, int):
        fields[schema.CODE] = str(event_id)
        sysmon = provider == SYSMON_PROVIDER or "Sysmon" in str(fields.get("Channel", ""))
        rule = (_SYSMON_EVENTS if sysmon else _EVENTS).get(event_id)
        if rule is None and sysmon:
            _sysmon_common(fields)
    if rule is None:
        fields[schema.CATEGORY] = schema.CATEGORY_HOST
        fields[schema.TYPE] = ["info"]
        fields[schema.ACTION] = (
            f"windows-event-{event_id if isinstance(event_id, int) else 'unknown'}"
        )
        outcome = _keywords_outcome(fields.get("Keywords"))
    else:
        category, types, action, outcome, mapper = rule
        fields[schema.CATEGORY] = category
        fields[schema.TYPE] = list(types)
        fields[schema.ACTION] = action
        if outcome is None:
            outcome = _keywords_outcome(fields.get("Keywords"))
        mapper(fields)
    if outcome is not None:
        fields[schema.OUTCOME] = outcome
