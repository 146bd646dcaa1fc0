"""Tests of the auth-program message parsers (sshd, PAM, sudo, su, shadow-utils, cron, logind)."""

from __future__ import annotations

from typing import Any

import pytest

from garrison.normalize.linux_auth import auth_fields, is_ip, pam_fields

AUTHN = "authentication"

# program, message, exact expected fields
CASES: list[tuple[str, str, dict[str, Any]]] = [
    # --- sshd ---------------------------------------------------------------------------------
    (
        "sshd",
        "Accepted password for alice from 198.51.100.7 port 50022 ssh2",
        {
            "event.category": AUTHN,
            "event.type": "start",
            "event.action": "ssh_login",
            "event.outcome": "success",
            "user.name": "alice",
            "source.ip": "198.51.100.7",
            "source.port": 50022,
            "sshd.auth_method": "password",
        },
    ),
    (
        "sshd",
        "Accepted publickey for git from 192.0.2.9 port 40000 ssh2: RSA SHA256:Zm9vYmFyYmF6",
        {
            "event.category": AUTHN,
            "event.type": "start",
            "event.action": "ssh_login",
            "event.outcome": "success",
            "user.name": "git",
            "source.ip": "192.0.2.9",
            "source.port": 40000,
            "sshd.auth_method": "publickey",
            "sshd.key.type": "RSA",
            "sshd.key.fingerprint": "SHA256:Zm9vYmFyYmF6",
        },
    ),
    (
        "sshd-session",
        "Accepted keyboard-interactive/pam for carol from 2001:db8::7 port 2222 ssh2",
        {
            "event.category": AUTHN,
            "event.type": "start",
            "event.action": "ssh_login",
            "event.outcome": "success",
            "user.name": "carol",
            "source.ip": "2001:db8::7",
            "source.port": 2222,
            "sshd.auth_method": "keyboard-interactive/pam",
        },
    ),
    (
        "sshd",
        "Accepted gssapi-with-mic for svc from 10.1.2.3 port 5000 ssh2",
        {
            "event.category": AUTHN,
            "event.type": "start",
            "event.action": "ssh_login",
            "event.outcome": "success",
            "user.name": "svc",
            "source.ip": "10.1.2.3",
            "source.port": 5000,
            "sshd.auth_method": "gssapi-with-mic",
        },
    ),
    (
        "sshd",
        "Failed password for root from 203.0.113.5 port 51234 ssh2",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "ssh_login",
            "event.outcome": "failure",
            "user.name": "root",
            "source.ip": "203.0.113.5",
            "source.port": 51234,
            "sshd.auth_method": "password",
        },
    ),
    (
        "sshd",
        "Failed password for invalid user admin from 203.0.113.5 port 51234 ssh2",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "ssh_login",
            "event.outcome": "failure",
            "user.name": "admin",
            "source.ip": "203.0.113.5",
            "source.port": 51234,
            "sshd.auth_method": "password",
            "sshd.invalid_user": True,
        },
    ),
    (
        "sshd",
        "Invalid user test from 203.0.113.6 port 4000",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "invalid_user",
            "event.outcome": "failure",
            "user.name": "test",
            "source.ip": "203.0.113.6",
            "source.port": 4000,
            "sshd.invalid_user": True,
        },
    ),
    (
        "sshd",
        "Invalid user ftp from 203.0.113.6",  # OpenSSH < 7.3: no port
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "invalid_user",
            "event.outcome": "failure",
            "user.name": "ftp",
            "source.ip": "203.0.113.6",
            "sshd.invalid_user": True,
        },
    ),
    (
        "sshd",
        "Connection closed by authenticating user root 203.0.113.5 port 4000 [preauth]",
        {
            "event.category": "network",
            "event.type": "end",
            "event.action": "disconnect",
            "event.outcome": "unknown",
            "user.name": "root",
            "source.ip": "203.0.113.5",
            "source.port": 4000,
            "sshd.disconnect": "Connection closed by",
            "sshd.preauth": True,
        },
    ),
    (
        "sshd",
        "Connection closed by invalid user oracle 203.0.113.5 port 4001 [preauth]",
        {
            "event.category": "network",
            "event.type": "end",
            "event.action": "disconnect",
            "event.outcome": "unknown",
            "user.name": "oracle",
            "source.ip": "203.0.113.5",
            "source.port": 4001,
            "sshd.disconnect": "Connection closed by",
            "sshd.invalid_user": True,
            "sshd.preauth": True,
        },
    ),
    (
        "sshd",
        "Disconnected from user alice 2001:db8::5 port 52044",
        {
            "event.category": "session",
            "event.type": "end",
            "event.action": "disconnect",
            "event.outcome": "unknown",
            "user.name": "alice",
            "source.ip": "2001:db8::5",
            "source.port": 52044,
            "sshd.disconnect": "Disconnected from",
        },
    ),
    (
        "sshd",
        "Received disconnect from 192.0.2.77 port 39822:11: Bye Bye [preauth]",
        {
            "event.category": "network",
            "event.type": "end",
            "event.action": "disconnect",
            "event.outcome": "unknown",
            "source.ip": "192.0.2.77",
            "source.port": 39822,
            "sshd.disconnect": "Received disconnect from",
            "sshd.disconnect_code": 11,
            "event.reason": "Bye Bye",
            "sshd.preauth": True,
        },
    ),
    (
        "sshd",
        "Connection reset by 192.0.2.78 port 50510 [preauth]",
        {
            "event.category": "network",
            "event.type": "end",
            "event.action": "disconnect",
            "event.outcome": "unknown",
            "source.ip": "192.0.2.78",
            "source.port": 50510,
            "sshd.disconnect": "Connection reset by",
            "sshd.preauth": True,
        },
    ),
    (
        "sshd",
        "Connection closed by 198.51.100.14 [preauth]",  # OpenSSH < 7.3
        {
            "event.category": "network",
            "event.type": "end",
            "event.action": "disconnect",
            "event.outcome": "unknown",
            "source.ip": "198.51.100.14",
            "sshd.disconnect": "Connection closed by",
            "sshd.preauth": True,
        },
    ),
    (
        "sshd",
        "error: maximum authentication attempts exceeded for invalid user pi from 203.0.113.9 "
        "port 3333 ssh2 [preauth]",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "max_auth_attempts_exceeded",
            "event.outcome": "failure",
            "user.name": "pi",
            "source.ip": "203.0.113.9",
            "source.port": 3333,
            "sshd.invalid_user": True,
        },
    ),
    (
        "sshd",
        "Disconnecting authenticating user root 203.0.113.9 port 3334: "
        "Too many authentication failures [preauth]",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "max_auth_attempts_exceeded",
            "event.outcome": "failure",
            "user.name": "root",
            "source.ip": "203.0.113.9",
            "source.port": 3334,
        },
    ),
    (
        "sshd",
        "Did not receive identification string from 198.51.100.23 port 61000",
        {
            "event.category": "network",
            "event.type": "end",
            "event.action": "no_identification_string",
            "event.outcome": "failure",
            "source.ip": "198.51.100.23",
            "source.port": 61000,
        },
    ),
    (
        "sshd",
        "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost=203.0.113.45  user=root",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "pam_auth_failures",
            "event.outcome": "failure",
            "user.name": "root",
            "source.ip": "203.0.113.45",
            "sshd.pam_failures": 2,
        },
    ),
    (
        "sshd",
        "error: PAM: Authentication failure for illegal user admin from 198.51.100.11",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "ssh_login",
            "event.outcome": "failure",
            "user.name": "admin",
            "source.ip": "198.51.100.11",
            "event.reason": "Authentication failure",
            "sshd.invalid_user": True,
        },
    ),
    (
        "sshd",
        "User root from 198.51.100.12 not allowed because not listed in AllowUsers",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "user_not_allowed",
            "event.outcome": "failure",
            "user.name": "root",
            "source.ip": "198.51.100.12",
            "event.reason": "not listed in AllowUsers",
        },
    ),
    (
        "sshd",
        'Connection from 198.51.100.13 port 41002 on 10.0.0.5 port 22 rdomain ""',
        {
            "event.category": "network",
            "event.type": "start",
            "event.action": "connection_opened",
            "event.outcome": "success",
            "source.ip": "198.51.100.13",
            "source.port": 41002,
            "destination.ip": "10.0.0.5",
            "destination.port": 22,
        },
    ),
    (
        "sshd",
        "Postponed publickey for alice from 198.51.100.7 port 50022 ssh2 [preauth]",
        {"source.ip": "198.51.100.7", "source.port": 50022},
    ),
    ("sshd", "Server listening on 0.0.0.0 port 22.", {}),
    # --- PAM ----------------------------------------------------------------------------------
    (
        "sshd",
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost=1.2.3.4  user=root",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "authentication_failure",
            "event.outcome": "failure",
            "user.name": "root",
            "source.ip": "1.2.3.4",
            "pam.module": "unix",
            "pam.service": "sshd",
            "pam.type": "auth",
            "pam.uid": "0",
            "pam.euid": "0",
            "pam.tty": "ssh",
            "pam.rhost": "1.2.3.4",
            "pam.user": "root",
        },
    ),
    (
        "sshd",
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost=scanner.example.net",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "authentication_failure",
            "event.outcome": "failure",
            "source.address": "scanner.example.net",
            "pam.module": "unix",
            "pam.service": "sshd",
            "pam.type": "auth",
            "pam.uid": "0",
            "pam.euid": "0",
            "pam.tty": "ssh",
            "pam.rhost": "scanner.example.net",
        },
    ),
    (
        "sshd",
        "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
        {
            "event.category": "session",
            "event.type": "start",
            "event.action": "session_opened",
            "event.outcome": "success",
            "user.name": "alice",
            "user.id": "1000",
            "pam.by_uid": "0",
            "pam.module": "unix",
            "pam.service": "sshd",
            "pam.type": "session",
        },
    ),
    (
        "sshd",
        "pam_unix(sshd:session): session closed for user alice",
        {
            "event.category": "session",
            "event.type": "end",
            "event.action": "session_closed",
            "event.outcome": "success",
            "user.name": "alice",
            "pam.module": "unix",
            "pam.service": "sshd",
            "pam.type": "session",
        },
    ),
    (
        "sudo",
        "pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 "
        "tty=/dev/pts/0 ruser=alice rhost=  user=alice",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "authentication_failure",
            "event.outcome": "failure",
            "user.name": "alice",
            "pam.module": "unix",
            "pam.service": "sudo",
            "pam.type": "auth",
            "pam.logname": "alice",
            "pam.uid": "1000",
            "pam.euid": "0",
            "pam.tty": "/dev/pts/0",
            "pam.ruser": "alice",
            "pam.user": "alice",
        },
    ),
    (
        "sshd",
        "pam_faillock(sshd:auth): Consecutive login failures for user root account "
        "temporarily locked",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "account_locked",
            "event.outcome": "failure",
            "user.name": "root",
            "pam.module": "faillock",
            "pam.service": "sshd",
            "pam.type": "auth",
        },
    ),
    (
        "sshd",
        'pam_succeed_if(sshd:auth): requirement "uid >= 1000" not met by user "root"',
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "requirement_not_met",
            "event.outcome": "failure",
            "user.name": "root",
            "pam.requirement": "uid >= 1000",
            "pam.module": "succeed_if",
            "pam.service": "sshd",
            "pam.type": "auth",
        },
    ),
    (
        "CRON",
        "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        {
            "event.category": "session",
            "event.type": "start",
            "event.action": "session_opened",
            "event.outcome": "success",
            "user.name": "root",
            "user.id": "0",
            "pam.by_uid": "0",
            "pam.module": "unix",
            "pam.service": "cron",
            "pam.type": "session",
        },
    ),
    (
        "passwd",
        "pam_unix(passwd:chauthtok): password changed for bob",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "password_changed",
            "event.outcome": "success",
            "user.target.name": "bob",
            "pam.module": "unix",
            "pam.service": "passwd",
            "pam.type": "chauthtok",
        },
    ),
    # --- sudo ---------------------------------------------------------------------------------
    (
        "sudo",
        "  alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
        {
            "event.category": "process",
            "event.type": "start",
            "event.action": "sudo_command",
            "event.outcome": "success",
            "user.name": "alice",
            "user.effective.name": "root",
            "process.command_line": "/usr/bin/cat /etc/shadow",
            "process.working_directory": "/home/alice",
            "sudo.command": "/usr/bin/cat /etc/shadow",
            "sudo.tty": "pts/0",
            "sudo.pwd": "/home/alice",
            "sudo.user": "root",
        },
    ),
    (
        "sudo",
        "alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
        "COMMAND=/usr/bin/su -",
        {
            "event.category": "process",
            "event.type": "info",
            "event.action": "sudo_command",
            "event.outcome": "failure",
            "event.reason": "3 incorrect password attempts",
            "user.name": "alice",
            "user.effective.name": "root",
            "process.command_line": "/usr/bin/su -",
            "process.working_directory": "/home/alice",
            "sudo.command": "/usr/bin/su -",
            "sudo.tty": "pts/0",
            "sudo.pwd": "/home/alice",
            "sudo.user": "root",
        },
    ),
    (
        "sudo",
        "    bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; "
        "COMMAND=/usr/bin/id",
        {
            "event.category": "process",
            "event.type": "info",
            "event.action": "sudo_command",
            "event.outcome": "failure",
            "event.reason": "user NOT in sudoers",
            "user.name": "bob",
            "user.effective.name": "root",
            "process.command_line": "/usr/bin/id",
            "process.working_directory": "/home/bob",
            "sudo.command": "/usr/bin/id",
            "sudo.tty": "pts/1",
            "sudo.pwd": "/home/bob",
            "sudo.user": "root",
        },
    ),
    ("sudo", "unable to resolve host web01: Name or service not known", {}),
    # --- su -----------------------------------------------------------------------------------
    (
        "su",
        "(to root) alice on pts/0",
        {
            "event.category": AUTHN,
            "event.type": "start",
            "event.action": "su",
            "event.outcome": "success",
            "user.name": "alice",
            "user.effective.name": "root",
            "su.tty": "pts/0",
        },
    ),
    (
        "su",
        "FAILED SU (to root) alice on pts/0",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "su",
            "event.outcome": "failure",
            "user.name": "alice",
            "user.effective.name": "root",
            "su.tty": "pts/0",
        },
    ),
    (
        "su",
        "+ pts/0 alice:root",
        {
            "event.category": AUTHN,
            "event.type": "start",
            "event.action": "su",
            "event.outcome": "success",
            "user.name": "alice",
            "user.effective.name": "root",
            "su.tty": "pts/0",
        },
    ),
    (
        "su",
        "- pts/0 alice:root",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "su",
            "event.outcome": "failure",
            "user.name": "alice",
            "user.effective.name": "root",
            "su.tty": "pts/0",
        },
    ),
    (
        "su",
        "pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)",
        {
            "event.category": "session",
            "event.type": "start",
            "event.action": "session_opened",
            "event.outcome": "success",
            "user.name": "alice",
            "user.effective.name": "root",
            "pam.by_user": "alice",
            "pam.by_uid": "1000",
            "pam.module": "unix",
            "pam.service": "su",
            "pam.type": "session",
        },
    ),
    (
        "su",
        "pam_unix(su-l:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 "
        "ruser=alice rhost=  user=root",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "authentication_failure",
            "event.outcome": "failure",
            "user.name": "alice",
            "user.effective.name": "root",
            "pam.module": "unix",
            "pam.service": "su-l",
            "pam.type": "auth",
            "pam.logname": "alice",
            "pam.uid": "1000",
            "pam.euid": "0",
            "pam.tty": "pts/0",
            "pam.ruser": "alice",
            "pam.user": "root",
        },
    ),
    # --- shadow-utils -------------------------------------------------------------------------
    (
        "useradd",
        "new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0",
        {
            "event.category": "iam",
            "event.type": "creation",
            "event.action": "user_created",
            "event.outcome": "success",
            "user.target.name": "bob",
            "user.target.id": "1001",
            "group.id": "1001",
            "useradd.name": "bob",
            "useradd.uid": "1001",
            "useradd.gid": "1001",
            "useradd.home": "/home/bob",
            "useradd.shell": "/bin/bash",
            "useradd.from": "/dev/pts/0",
        },
    ),
    (
        "groupadd",
        "new group: name=bob, GID=1001",
        {
            "event.category": "iam",
            "event.type": "creation",
            "event.action": "group_created",
            "event.outcome": "success",
            "group.name": "bob",
            "group.id": "1001",
            "groupadd.name": "bob",
            "groupadd.gid": "1001",
        },
    ),
    (
        "usermod",
        "add 'bob' to group 'sudo'",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "user_added_to_group",
            "event.outcome": "success",
            "user.target.name": "bob",
            "group.name": "sudo",
        },
    ),
    (
        "userdel",
        "delete user 'bob'",
        {
            "event.category": "iam",
            "event.type": "deletion",
            "event.action": "user_deleted",
            "event.outcome": "success",
            "user.target.name": "bob",
        },
    ),
    (
        "groupdel",
        "group 'staff2' removed from /etc/group",
        {
            "event.category": "iam",
            "event.type": "deletion",
            "event.action": "group_deleted",
            "event.outcome": "success",
            "group.name": "staff2",
        },
    ),
    (
        "usermod",
        "change user 'bob' password",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "password_changed",
            "event.outcome": "success",
            "user.target.name": "bob",
        },
    ),
    (
        "usermod",
        "lock user 'bob' password",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "password_locked",
            "event.outcome": "success",
            "user.target.name": "bob",
        },
    ),
    (
        "usermod",
        "change user 'bob' UID from '1001' to '0'",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "user_changed",
            "event.outcome": "success",
            "user.target.name": "bob",
            "user.target.id": "0",
            "usermod.attr": "UID",
            "usermod.old": "1001",
            "usermod.new": "0",
        },
    ),
    (
        "usermod",
        "delete 'bob' from group 'sudo'",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "user_removed_from_group",
            "event.outcome": "success",
            "user.target.name": "bob",
            "group.name": "sudo",
        },
    ),
    (
        "gpasswd",
        "user dba added by root to group wheel",
        {
            "event.category": "iam",
            "event.type": "change",
            "event.action": "user_added_to_group",
            "event.outcome": "success",
            "user.target.name": "dba",
            "user.name": "root",
            "group.name": "wheel",
        },
    ),
    (
        "useradd",
        "failed adding user 'bob', data deleted",
        {
            "event.category": "iam",
            "event.type": "creation",
            "event.action": "user_created",
            "event.outcome": "failure",
            "user.target.name": "bob",
        },
    ),
    # --- cron, logind, unix_chkpwd ------------------------------------------------------------
    (
        "CRON",
        "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
        {
            "event.category": "process",
            "event.type": "start",
            "event.action": "cron_command",
            "event.outcome": "success",
            "user.name": "root",
            "process.command_line": "   cd / && run-parts --report /etc/cron.hourly",
        },
    ),
    (
        "/usr/sbin/cron",
        "(www-data) CMD (php artisan schedule:run (nightly))",
        {
            "event.category": "process",
            "event.type": "start",
            "event.action": "cron_command",
            "event.outcome": "success",
            "user.name": "www-data",
            "process.command_line": "php artisan schedule:run (nightly)",
        },
    ),
    (
        "systemd-logind",
        "New session 12 of user alice.",
        {
            "event.category": "session",
            "event.type": "start",
            "event.action": "session_created",
            "event.outcome": "success",
            "user.name": "alice",
            "systemd_logind.session_id": "12",
        },
    ),
    (
        "systemd-logind",
        "Removed session 12.",
        {
            "event.category": "session",
            "event.type": "end",
            "event.action": "session_removed",
            "event.outcome": "success",
            "systemd_logind.session_id": "12",
        },
    ),
    (
        "unix_chkpwd",
        "password check failed for user (dba)",
        {
            "event.category": AUTHN,
            "event.type": "info",
            "event.action": "password_check_failed",
            "event.outcome": "failure",
            "user.name": "dba",
        },
    ),
]


@pytest.mark.parametrize(("program", "msg", "expected"), CASES, ids=[c[1][:60] for c in CASES])
def test_message_fields(program: str, msg: str, expected: dict[str, Any]) -> None:
    result = auth_fields(program, msg)
    assert result is not None
    assert dict(result) == expected


def test_non_auth_program_is_none() -> None:
    assert auth_fields("systemd", "Started Session 3 of User alice.") is None
    assert auth_fields(None, "-- MARK --") is None
    assert auth_fields("kernel", "Failed password for root from 1.2.3.4 port 22 ssh2") is None


def test_pam_messages_are_auth_whatever_the_program() -> None:
    result = auth_fields("systemd", "pam_unix(systemd-user:session): session opened for user bob")
    assert result is not None
    assert result["event.action"] == "session_opened"
    assert result["user.name"] == "bob"


def test_auth_program_with_unknown_message_is_empty() -> None:
    assert auth_fields("sshd", "Received signal 15; terminating.") == {}
    assert auth_fields("login", "ROOT LOGIN ON tty1") == {}
    assert pam_fields("pam_unix(sshd:auth) no colon") is None


def test_spoofed_address_in_user_name_is_not_taken() -> None:
    # The user name is chosen by the client: sshd's own "from IP port N" comes last.
    msg = "Failed password for invalid user x from 9.9.9.9 port 1 from 203.0.113.5 port 22 ssh2"
    result = auth_fields("sshd", msg)
    assert result is not None
    assert result["source.ip"] == "203.0.113.5"
    assert result["source.port"] == 22
    assert result["user.name"] == "x from 9.9.9.9 port 1"


def test_non_ip_address_never_becomes_source_ip() -> None:
    result = auth_fields("sshd", "Failed password for root from not-an-ip port 22 ssh2")
    assert result is not None
    assert "source.ip" not in result
    assert result["source.address"] == "not-an-ip"


def test_ipv6_zone_id_is_dropped_from_source_ip() -> None:
    result = auth_fields("sshd", "Accepted password for a from fe80::1%eth0 port 22 ssh2")
    assert result is not None
    assert result["source.ip"] == "fe80::1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.2.3.4", True),
        ("255.255.255.255", True),
        ("256.1.1.1", False),
        ("1.2.3.4.", False),
        ("::1", True),
        ("2001:db8::8a2e:370:7334", True),
        ("::ffff:192.0.2.1", True),
        ("deadbeef", False),
        ("a:b:c", False),
        ("", False),
    ],
)
def test_is_ip(value: str, expected: bool) -> None:
    assert is_ip(value) is expected
