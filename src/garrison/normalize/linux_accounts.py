"""shadow-utils messages (useradd, usermod, userdel, groupadd, groupdel, passwd, gpasswd, chage).

Account and group creation, changes and deletion, as ``iam`` events. The account acted on is
``user.target.name`` (``user.target.id`` keeps the uid as text so that a new uid-0 account is
visible); who acted, when the message says, is ``user.name``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from garrison.events import schema as s

_A = re.ASCII
_AS = re.ASCII | re.DOTALL
_SUCCESS: Final = s.OUTCOME_SUCCESS
_FAILURE: Final = s.OUTCOME_FAILURE
_TARGET: Final = s.USER_TARGET_NAME


def _ev(category: str, etype: str, action: str, outcome: str) -> dict[str, Any]:
    return {s.CATEGORY: category, s.TYPE: etype, s.ACTION: action, s.OUTCOME: outcome}


# shadow-utils (useradd, usermod, userdel, groupadd, groupdel, passwd, gpasswd, chage). One row:
# prefix | event.action | event.type | what each group is | regex ('Q' is a quoted name).
# Group kinds: u -> user.target.name, g -> group.name, a -> user.name (who acted), other -> PROG.x
_ACCOUNT_TABLE = (
    r"add |user_added_to_group|change|u g|add Q to (?:shadow )?group Q",
    r"user |user_added_to_group|change|u a g|user (\S+) added by (\S+) to group (\S+)",
    r"delete user|user_deleted|deletion|u|delete user Q",
    r"delete |user_removed_from_group|change|u g|delete Q from (?:shadow )?group Q",
    r"user |user_removed_from_group|change|u a g|user (\S+) removed by (\S+) from group (\S+)",
    r"removed |group_deleted|deletion|g u|removed (?:shadow )?group Q owned by Q",
    r"group |group_deleted|deletion|g|group Q removed(?: from \S+)?",
    r"change user name|user_renamed|change|u new|change user name Q to Q",
    r"change user|password_changed|change|u|change user Q password",
    r"lock user|password_locked|change|u|lock user Q password",
    r"unlock user|password_unlocked|change|u|unlock user Q password",
    r"change user|user_changed|change|u attr old new|change user Q (\w+) from Q to Q",
    r"password for|password_changed|change|u a|password for Q changed by Q",
    r"changed password|password_expiry_changed|change|u|changed password expiry for (\S+)",
    r"members of|group_members_set|change|g a members|members of group (\S+) set by (\S+) to (.*)",
    r"failed adding|user_created|creation|u|failed adding user Q.*",
)
_ACCOUNT_RULES = [
    (prefix, re.compile(rx.replace("Q", r"'([^']*)'") + r"\Z", _AS), action, etype, names.split())
    for prefix, action, etype, names, rx in (row.split("|", 4) for row in _ACCOUNT_TABLE)
]
_ACCOUNT_KEYS = {"u": _TARGET, "g": s.GROUP_NAME, "a": s.USER_NAME}
_ACCOUNT_KV = re.compile(r"\b(\w+)=([^,]*)", _A)


def account_fields(msg: str, program: str) -> Mapping[str, Any] | None:
    """shadow-utils messages: account and group creation, changes and deletion."""
    if msg.startswith(("new user: ", "new group: ", "group added to ")):
        kv = {k: v.strip() for k, v in _ACCOUNT_KV.findall(msg)}
        if "name" not in kv:
            return None
        user = msg.startswith("new user")
        f = _ev(s.CATEGORY_IAM, "creation", "user_created" if user else "group_created", _SUCCESS)
        if user:
            f[_TARGET] = kv["name"]
            if "UID" in kv:
                f["user.target.id"] = kv["UID"]
        else:
            f[s.GROUP_NAME] = kv["name"]
        if "GID" in kv:
            f["group.id"] = kv["GID"]
        for key, value in kv.items():
            f[f"{program}.{key.lower()}"] = value
        return f
    for prefix, rx, action, etype, names in _ACCOUNT_RULES:
        if msg.startswith(prefix) and (m := rx.match(msg)) is not None:
            f = _ev(s.CATEGORY_IAM, etype, action, _FAILURE if msg[0] == "f" else _SUCCESS)
            for name, value in zip(names, m.groups(), strict=True):
                f[_ACCOUNT_KEYS.get(name) or f"{program}.{name}"] = value
            if f.get(f"{program}.attr") == "UID":  # usermod -u 0 must show as a uid-0 account
                f["user.target.id"] = f[f"{program}.new"]
            return f
    return None
