"""ECS fields of an audit event (a group of records), for :mod:`garrison.normalize.auditd`.

Which record is *primary* (names ``event.action``): a record type that says what happened
(USER_LOGIN, ADD_USER, CONFIG_CHANGE, AVC...) wins over EXECVE, which wins over SYSCALL; the
auxiliary records (CWD, PATH, PROCTITLE, EOE, SOCKADDR...) only add details. The *actor* (the
process and user that did it) is the SYSCALL record when there is one, else the primary.
"""

from __future__ import annotations

import re
from typing import Any

from garrison.events import schema
from garrison.normalize.auditd_records import SYSCALLS, Record, execve_args, sockaddr
from garrison.normalize.webutil import is_ip

_AUTH, _IAM, _PROC = schema.CATEGORY_AUTHENTICATION, schema.CATEGORY_IAM, schema.CATEGORY_PROCESS
_CONF, _HOST, _IDS = schema.CATEGORY_CONFIGURATION, schema.CATEGORY_HOST, "intrusion_detection"

#: Record type -> (event.category, event.type) for types that say what happened.
CLASSES: dict[str, tuple[str, list[str]]] = {
    "USER_AUTH": (_AUTH, ["info"]), "USER_ACCT": (_AUTH, ["info"]),
    "USER_LOGIN": (_AUTH, ["start"]), "USER_LOGOUT": (_AUTH, ["end"]),
    "USER_START": (_AUTH, ["start"]), "USER_END": (_AUTH, ["end"]),
    "CRED_ACQ": (_AUTH, ["info"]), "CRED_DISP": (_AUTH, ["info"]), "CRED_REFR": (_AUTH, ["info"]),
    "USER_ERR": (_AUTH, ["info"]), "GRP_AUTH": (_AUTH, ["info"]), "LOGIN": (_AUTH, ["info"]),
    "ANOM_LOGIN_FAILURES": (_AUTH, ["info"]), "ANOM_LOGIN_ACCT": (_AUTH, ["info"]),
    "ANOM_LOGIN_LOCATION": (_AUTH, ["info"]), "ANOM_LOGIN_TIME": (_AUTH, ["info"]),
    "ANOM_LOGIN_SESSIONS": (_AUTH, ["info"]),
    "ADD_USER": (_IAM, ["user", "creation"]), "DEL_USER": (_IAM, ["user", "deletion"]),
    "ADD_GROUP": (_IAM, ["group", "creation"]), "DEL_GROUP": (_IAM, ["group", "deletion"]),
    "USER_CHAUTHTOK": (_IAM, ["user", "change"]), "USER_MGMT": (_IAM, ["user", "change"]),
    "GRP_MGMT": (_IAM, ["group", "change"]), "GRP_CHAUTHTOK": (_IAM, ["group", "change"]),
    "CHUSER_ID": (_IAM, ["user", "change"]), "CHGRP_ID": (_IAM, ["group", "change"]),
    "ACCT_LOCK": (_IAM, ["user", "change"]), "ACCT_UNLOCK": (_IAM, ["user", "change"]),
    "USER_ROLE_CHANGE": (_IAM, ["user", "change"]), "ROLE_ASSIGN": (_IAM, ["user", "change"]),
    "ROLE_REMOVE": (_IAM, ["user", "change"]),
    "CONFIG_CHANGE": (_CONF, ["change"]), "DAEMON_CONFIG": (_CONF, ["change"]),
    "USYS_CONFIG": (_CONF, ["change"]), "NETFILTER_CFG": (_CONF, ["change"]),
    "MAC_POLICY_LOAD": (_CONF, ["change"]), "MAC_STATUS": (_CONF, ["change"]),
    "MAC_CONFIG_CHANGE": (_CONF, ["change"]), "FEATURE_CHANGE": (_CONF, ["change"]),
    "USER_MAC_POLICY_LOAD": (_CONF, ["change"]),
    "SERVICE_START": (_PROC, ["start"]), "SERVICE_STOP": (_PROC, ["end"]),
    "DAEMON_START": (_PROC, ["start"]), "DAEMON_END": (_PROC, ["end"]),
    "DAEMON_ABORT": (_PROC, ["end"]), "USER_CMD": (_PROC, ["start"]),
    "USER_TTY": (_PROC, ["info"]), "TTY": (_PROC, ["info"]), "SECCOMP": (_PROC, ["info"]),
    "ANOM_ABEND": (_PROC, ["end"]),
    "SYSTEM_BOOT": (_HOST, ["start"]), "SYSTEM_SHUTDOWN": (_HOST, ["end"]),
    "SYSTEM_RUNLEVEL": (_HOST, ["change"]),
    "AVC": (_IDS, ["info"]), "USER_AVC": (_IDS, ["info"]), "SELINUX_ERR": (_IDS, ["info"]),
    "USER_SELINUX_ERR": (_IDS, ["info"]), "ANOM_PROMISCUOUS": (_IDS, ["info"]),
    "ANOM_LINK": (_IDS, ["info"]), "ANOM_CREAT": (_IDS, ["info"]), "ANOM_EXEC": (_IDS, ["info"]),
    "ANOM_ROOT_TRANS": (_IDS, ["info"]), "ANOM_ADD_ACCT": (_IDS, ["info"]),
    "ANOM_DEL_ACCT": (_IDS, ["info"]), "ANOM_MOD_ACCT": (_IDS, ["info"]),
    "KERN_MODULE": ("driver", ["start"]), "NETFILTER_PKT": (schema.CATEGORY_NETWORK, ["info"]),
    "SOFTWARE_UPDATE": ("package", ["installation"]),
}  # fmt: skip

_CHANGE_CALLS = (
    "rename", "renameat", "renameat2", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown",
    "fchownat",
)  # fmt: skip
#: syscall name -> (event.category, event.type) for SYSCALL-primary events.
_SYSCALL_CLASSES: dict[str, tuple[str, list[str]]] = {
    **dict.fromkeys(("connect",), (schema.CATEGORY_NETWORK, ["connection", "start"])),
    **dict.fromkeys(
        ("bind", "listen", "accept", "accept4", "socket", "sendto", "socketcall"),
        (schema.CATEGORY_NETWORK, ["info"]),
    ),
    **dict.fromkeys(("open", "openat", "openat2"), (schema.CATEGORY_FILE, ["access"])),
    **dict.fromkeys(
        ("creat", "mkdir", "mkdirat", "link", "linkat", "symlink", "symlinkat"),
        (schema.CATEGORY_FILE, ["creation"]),
    ),
    **dict.fromkeys(("unlink", "unlinkat", "rmdir"), (schema.CATEGORY_FILE, ["deletion"])),
    **dict.fromkeys(_CHANGE_CALLS, (schema.CATEGORY_FILE, ["change"])),
    **dict.fromkeys(("kill", "tkill", "tgkill", "ptrace"), (_PROC, ["info"])),
    **dict.fromkeys(
        ("setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid"), (_PROC, ["change"])
    ),
    **dict.fromkeys(("clone", "fork", "vfork"), (_PROC, ["start"])),
    **dict.fromkeys(("init_module", "finit_module"), ("driver", ["start"])),
    "delete_module": ("driver", ["end"]),
    **dict.fromkeys(("mount", "umount2", "bpf"), (_CONF, ["change"])),
}

_AUXILIARY = frozenset(
    {"SYSCALL", "EXECVE", "PROCTITLE", "CWD", "PATH", "EOE", "SOCKADDR", "BPRM_FCAPS", "CAPSET",
     "MMAP", "FD_PAIR", "OBJ_PID", "IPC", "SOCKETCALL", "KERNEL_OTHER", "MQ_OPEN", "MQ_SENDRECV",
     "MQ_NOTIFY", "MQ_GETSETATTR", "IPC_SET_PERM", "OPENAT2", "URINGOP", "TIME_INJOFFSET",
     "TIME_ADJNTPVAL"}
)  # fmt: skip
_USER_SPACE_PREFIXES = (
    "USER_", "CRED_", "DAEMON_", "ANOM_LOGIN_", "ANOM_MAX_", "ANOM_RBAC_", "RESP_", "ROLE_",
    "VIRT_", "CRYPTO_", "GRP_", "ACCT_", "SYSTEM_", "SERVICE_",
)  # fmt: skip
_USER_SPACE = frozenset(
    {"ADD_USER", "DEL_USER", "ADD_GROUP", "DEL_GROUP", "CHGRP_ID", "CHUSER_ID", "TRUSTED_APP",
     "USYS_CONFIG", "DAC_CHECK", "MAC_CHECK", "SOFTWARE_UPDATE", "TEST", "LABEL_OVERRIDE",
     "LABEL_LEVEL_CHANGE", "DEV_ALLOC", "DEV_DEALLOC", "FS_RELABEL", "ANOM_AMTU_FAIL",
     "ANOM_CRYPTO_FAIL", "ANOM_ACCESS_FS", "ANOM_EXEC", "ANOM_MK_EXEC", "ANOM_ADD_ACCT",
     "ANOM_DEL_ACCT", "ANOM_MOD_ACCT", "ANOM_ROOT_TRANS", "ANOM_ORIGIN_FAILURES",
     "ANOM_SESSION"}
)  # fmt: skip
_UNSET = frozenset({"4294967295", "-1", "unset", "(none)", "?", "(unknown)", "(null)", ""})
_SUCCESS = frozenset({"yes", "success", "1", "granted", "allowed", "audit"})
_FAILURE = frozenset({"no", "failed", "failure", "0", "denied"})
_SADDR_KV = re.compile(r"(\w+)=(\S+)")


def standalone(rtype: str) -> bool:
    """Whether a record type is a single-record event (user-space messages have no EOE)."""
    return rtype in _USER_SPACE or rtype.startswith(_USER_SPACE_PREFIXES)


def _primary(records: list[Record]) -> Record:
    execve = syscall = other = None
    for rec in records:
        if rec.type in CLASSES:
            return rec
        if rec.type == "EXECVE":
            execve = execve or rec
        elif rec.type == "SYSCALL":
            syscall = syscall or rec
        elif rec.type not in _AUXILIARY:
            other = other or rec
    return other or execve or syscall or records[0]


def _is_num(value: str | None) -> bool:
    return bool(value) and value.lstrip("-").isdigit()  # type: ignore[union-attr]


def _set_id(
    fields: dict[str, Any], f: dict[str, str], key: str, id_field: str, name_field: str
) -> None:
    """``uid=0``/``UID="root"`` (or interpreted ``uid=root``) -> ``<x>.id``/``<x>.name``."""
    value = f.get(key)
    if value is not None and value not in _UNSET:
        if _is_num(value):
            fields.setdefault(id_field, value)
        else:
            fields.setdefault(name_field, value)
    name = f.get(key.upper())
    if name is not None and name not in _UNSET:
        fields.setdefault(name_field, name)


def _outcome(*sources: dict[str, str]) -> str | None:
    for f in sources:
        for key in ("success", "res", "seresult", "apparmor"):
            value = f.get(key)
            if value is not None:
                low = value.lower()
                if low in _SUCCESS:
                    return schema.OUTCOME_SUCCESS
                if low in _FAILURE:
                    return schema.OUTCOME_FAILURE
    return None


def _syscall_name(rec: Record | None) -> str | None:
    if rec is None:
        return None
    f = rec.fields
    named = f.get("SYSCALL")
    number = f.get("syscall", "")
    if named:
        return named
    if number and not number.isdigit():
        return number  # ausearch -i
    return SYSCALLS.get((f.get("arch", ""), number))


def _add_users(
    fields: dict[str, Any], category: str, pf: dict[str, str], actor: dict[str, str]
) -> None:
    acct = pf.get("acct")
    acct = acct if acct is not None and acct not in _UNSET else None
    target_id = pf.get("id")
    if category == _AUTH and (acct is not None or "id" in pf):
        # Who authenticated or logged in: the account, not the (root) process doing the PAM work.
        if acct is not None:
            fields[schema.USER_NAME] = acct
        _set_id(fields, pf, "id", schema.USER_ID, schema.USER_NAME)
    else:
        _set_id(fields, actor, "uid", schema.USER_ID, schema.USER_NAME)
        if category == _IAM:
            group = fields.get(schema.TYPE, [""])[0] == "group"
            if acct is not None:
                fields["group.name" if group else schema.USER_TARGET_NAME] = acct
            if _is_num(target_id):
                fields["group.id" if group else "user.target.id"] = target_id
            elif target_id is not None and target_id not in _UNSET:
                fields["group.name" if group else schema.USER_TARGET_NAME] = target_id
    _set_id(fields, actor, "auid", "user.audit.id", "user.audit.name")
    _set_id(fields, actor, "euid", "user.effective.id", schema.USER_EFFECTIVE_NAME)
    _set_id(fields, actor, "gid", "group.id", schema.GROUP_NAME)


def _add_process(fields: dict[str, Any], by_type: dict[str, Record], actor: dict[str, str]) -> None:
    for key, target in (("pid", schema.PROCESS_PID), ("ppid", schema.PROCESS_PARENT_PID)):
        value = actor.get(key, "")
        if value.isdigit():
            fields[target] = int(value)
    exe = actor.get("exe")
    if exe is not None and exe not in _UNSET:
        fields[schema.PROCESS_EXECUTABLE] = exe
    comm = actor.get("comm")
    if comm is not None and comm not in _UNSET:
        fields[schema.PROCESS_NAME] = comm
    elif exe is not None and exe not in _UNSET:
        fields[schema.PROCESS_NAME] = exe.rpartition("/")[2]
    title = by_type["PROCTITLE"].fields.get("proctitle") if "PROCTITLE" in by_type else None
    if title is not None:
        fields["process.title"] = title
    if "EXECVE" in by_type:
        args = execve_args(by_type["EXECVE"])
        fields[schema.PROCESS_ARGS] = args
        fields[schema.PROCESS_COMMAND_LINE] = " ".join(args)
        if args and schema.PROCESS_NAME not in fields:
            fields[schema.PROCESS_NAME] = args[0].rpartition("/")[2]
    elif actor.get("cmd"):  # USER_CMD (sudo)
        fields[schema.PROCESS_COMMAND_LINE] = actor["cmd"]
    elif title is not None:
        fields[schema.PROCESS_COMMAND_LINE] = title
    cwd = by_type["CWD"].fields.get("cwd") if "CWD" in by_type else actor.get("cwd")
    if cwd is not None:
        fields[schema.PROCESS_WORKING_DIRECTORY] = cwd


def _add_network(
    fields: dict[str, Any], pf: dict[str, str], sock: Record | None, syscall: str | None
) -> None:
    addr, hostname = pf.get("addr"), pf.get("hostname")
    if addr is not None and is_ip(addr):
        fields[schema.SOURCE_IP] = addr
    if hostname is not None and hostname not in _UNSET and hostname != addr:
        if is_ip(hostname):
            fields.setdefault(schema.SOURCE_IP, hostname)
        else:
            fields["source.domain"] = hostname
    if sock is None:
        return
    saddr = sock.fields.get("saddr", "")
    decoded: dict[str, str | int] = sockaddr(saddr) if saddr else {}
    if not decoded and "=" in saddr:  # ausearch -i: "saddr_fam=inet laddr=1.2.3.4 lport=80"
        kv = dict(_SADDR_KV.findall(saddr))
        fam, ip, port = kv.get("saddr_fam"), kv.get("laddr"), kv.get("lport", "")
        decoded = {"family": fam or "", **({"ip": ip} if ip else {})}
        if port.isdigit():
            decoded["port"] = int(port)
    for key, value in decoded.items():
        fields["auditd.sockaddr." + key] = value
    ip = decoded.get("ip")
    if isinstance(ip, str) and is_ip(ip):
        side = "source" if syscall in ("accept", "accept4") else "destination"
        fields[side + ".ip"] = ip
        if isinstance(decoded.get("port"), int):
            fields[side + ".port"] = decoded["port"]


def add_ecs(fields: dict[str, Any], records: list[Record]) -> None:
    """Add the ECS fields of one audit event to ``fields``."""
    by_type: dict[str, Record] = {}
    for rec in records:
        by_type.setdefault(rec.type, rec)
    primary = _primary(records)
    pf = primary.fields
    actor = by_type["SYSCALL"].fields if "SYSCALL" in by_type else pf
    syscall = _syscall_name(by_type.get("SYSCALL"))
    if syscall is not None:
        fields["auditd.syscall_name"] = syscall
    if primary.type in CLASSES:
        category, types = CLASSES[primary.type]
    elif "EXECVE" in by_type or syscall in ("execve", "execveat"):
        category, types = _PROC, ["start"]
    elif syscall in _SYSCALL_CLASSES:
        category, types = _SYSCALL_CLASSES[syscall]
    elif "PATH" in by_type:
        category, types = schema.CATEGORY_FILE, ["info"]
    elif primary.type == "SYSCALL":
        category, types = _PROC, ["info"]
    else:
        category, types = _HOST, ["info"]
    # SELinux "avc:  denied" and AppArmor apparmor="DENIED" records.
    if pf.get("seresult") == "denied" or pf.get("apparmor", "").upper() == "DENIED":
        types = ["denied"]
    fields[schema.CATEGORY] = category
    fields[schema.TYPE] = list(types)
    fields[schema.ACTION] = primary.type.lower()
    outcome = _outcome(pf, actor)
    if outcome is not None:
        fields[schema.OUTCOME] = outcome
    if primary.node:
        fields[schema.HOST_NAME] = primary.node
    _add_users(fields, category, pf, actor)
    _add_process(fields, by_type, actor)
    if pf.get("unit"):  # SERVICE_START/STOP
        fields["service.name"] = pf["unit"]
    _add_network(fields, pf, by_type.get("SOCKADDR"), syscall)
    if "PATH" in by_type and category != _PROC:
        for rec in records:
            name = rec.fields.get("name") if rec.type == "PATH" else None
            if name and name not in _UNSET and rec.fields.get("nametype") != "PARENT":
                fields[schema.FILE_PATH] = name
                break
    for source in (actor, pf):
        key = source.get("key")
        if key and key not in _UNSET:
            # Several rule keys are written hex-encoded, separated by \x01.
            keys = [k for k in key.split("\x01") if k]
            if keys:
                fields["auditd.key"] = keys[0]
                fields[schema.TAGS] = keys
                break
