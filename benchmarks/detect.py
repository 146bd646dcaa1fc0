"""Detection throughput benchmark: the engine against naive evaluation and pySigma's SQLite backend.

Generates (deterministically for a seed) realistic SigmaHQ-shaped rules -- Linux
``process_creation`` rules on ``process.command_line``/``process.executable`` with
``contains``/``endswith``/``startswith`` lists, ``|all`` and ``not filter``; web rules on
``url.original`` payloads; ``linux``/``auth`` rules; a few ``|re`` and keyword rules -- as
Sigma YAML loaded by pySigma, mapped by Garrison's pipelines and compiled. Events are
``linux.auditd`` (execve), ``linux.auth`` and ``web.access`` events built with
:meth:`ParseContext.make` with the fields our parsers emit, mostly benign; about 0.5% are made to
match one rule. Every mode runs in a fresh subprocess (peak RSS per mode):

* ``engine``: :class:`garrison.detect.engine.Engine` (dataset routing + Aho-Corasick prefilter);
* ``engine-unrestricted``: the same, with rules prepared without the ``event.dataset``
  condition (``prepare(restrict=False)``; routing applies it anyway) -- a diagnostic;
* ``naive``: every compiled rule on every event (on the first ``--naive-events`` events: its cost
  grows with rules x events); its matches must equal the engine's on those events;
* ``sqlite-backend``: the Zircolite approach -- events flattened into one SQLite table
  (``TEXT COLLATE NOCASE`` columns, a ``REGEXP`` function), every rule converted to SQL by
  ``pysigma-backend-sqlite`` and run; optional, never a project dependency.

Events/s per core is events divided by the CPU seconds (``time.process_time``) of the
measured phase: matching for ``engine``/``naive``; loading + all queries for ``sqlite-backend``
(SQL conversion is reported apart). Rule compilation and event generation are not measured.

Usage::

    python benchmarks/detect.py                       # 100,000 events; 100, 1,000, 3,000 rules
    python benchmarks/detect.py --events 20000 --sizes 100,1000 --modes engine,naive --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_EVENTS = 100_000
DEFAULT_SIZES = (100, 1_000, 3_000)
DEFAULT_SEED = 20_260_522
DEFAULT_NAIVE_EVENTS = 10_000
MODES = ("engine", "engine-unrestricted", "naive", "sqlite-backend")
MATCH_FRACTION = 0.005
RATE_TARGET = 30_000  # events/s per core at 1,000 rules
SCALE_TARGET = 2.0  # 10x more rules (ratio of time per event), at most
SQLITE_FACTOR_TARGET = 10.0  # engine at least this many times faster than sqlite-backend
GENERATOR_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------
_TOOLS = [
    "nc",
    "ncat",
    "socat",
    "curl",
    "wget",
    "python",
    "python3",
    "perl",
    "ruby",
    "php",
    "bash",
    "sh",
    "dash",
    "zsh",
    "busybox",
    "openssl",
    "ssh",
    "scp",
    "sftp",
    "rsync",
    "tar",
    "zip",
    "unzip",
    "gzip",
    "base64",
    "xxd",
    "od",
    "dd",
    "chmod",
    "chown",
    "chattr",
    "setfacl",
    "useradd",
    "usermod",
    "userdel",
    "passwd",
    "chpasswd",
    "crontab",
    "at",
    "systemctl",
    "service",
    "insmod",
    "modprobe",
    "rmmod",
    "iptables",
    "nft",
    "ufw",
    "tcpdump",
    "tshark",
    "nmap",
    "masscan",
    "zmap",
    "hydra",
    "john",
    "hashcat",
    "mimipenguin",
    "linpeas",
    "pspy",
    "gdb",
    "strace",
    "ltrace",
    "find",
    "xargs",
    "awk",
    "sed",
    "grep",
    "mount",
    "umount",
    "losetup",
    "docker",
    "kubectl",
    "ctr",
    "runc",
    "nsenter",
    "unshare",
    "chroot",
    "setcap",
    "getcap",
    "sudo",
    "su",
    "pkexec",
    "doas",
    "shred",
    "wipe",
    "history",
    "journalctl",
    "auditctl",
    "ausearch",
    "lsof",
    "ss",
    "netstat",
    "ip",
    "ifconfig",
    "route",
    "arp",
    "hostname",
    "uname",
    "id",
    "whoami",
    "w",
    "last",
    "lastlog",
    "dig",
    "nslookup",
    "host",
    "tftp",
    "ftp",
    "telnet",
    "git",
    "make",
    "gcc",
    "cc",
    "ld",
]
_WORDS = [
    "dump",
    "creds",
    "shadow",
    "token",
    "key",
    "secret",
    "reverse",
    "shell",
    "bind",
    "listen",
    "exec",
    "spawn",
    "inject",
    "hook",
    "preload",
    "persist",
    "beacon",
    "implant",
    "stage",
    "payload",
    "loader",
    "dropper",
    "miner",
    "xmr",
    "pool",
    "stratum",
    "tunnel",
    "proxy",
    "pivot",
    "relay",
    "exfil",
    "upload",
    "download",
    "archive",
    "encrypt",
    "decrypt",
    "wipe",
    "purge",
    "clear",
    "disable",
    "stop",
    "kill",
    "hide",
    "rootkit",
    "module",
    "kernel",
    "cgroup",
    "namespace",
    "escape",
    "mount",
    "socket",
    "pipe",
    "fifo",
    "cron",
    "timer",
    "unit",
    "service",
    "agent",
    "daemon",
    "backdoor",
    "admin",
    "root",
    "sudoers",
    "passwd",
    "group",
    "host",
    "known",
    "authorized",
    "config",
    "profile",
    "bashrc",
    "motd",
    "audit",
    "history",
    "trace",
]
_APPS = [
    "wp-admin",
    "wp-content",
    "wp-includes",
    "phpmyadmin",
    "cgi-bin",
    "admin",
    "console",
    "manager",
    "jenkins",
    "solr",
    "struts",
    "actuator",
    "api",
    "graphql",
    "owa",
    "ecp",
    "autodiscover",
    "vpn",
    "remote",
    "portal",
    "login",
    "jmx-console",
    "invoker",
    "axis2",
    "webdav",
    "boaform",
    "hnap1",
    "setup.cgi",
    "shell",
    "cmd",
    "upload",
]
_EXTS = [
    "php",
    "jsp",
    "asp",
    "aspx",
    "cgi",
    "pl",
    "action",
    "do",
    "json",
    "xml",
    "txt",
    "bak",
    "sql",
    "env",
    "git",
]
_PARAMS = [
    "id",
    "cmd",
    "exec",
    "q",
    "search",
    "file",
    "path",
    "page",
    "url",
    "redirect",
    "lang",
    "template",
    "debug",
]
_PAYLOADS = [
    "union select",
    "sleep(",
    "benchmark(",
    "information_schema",
    "<script",
    "onerror=",
    "javascript:",
    "../../",
    "..%2f",
    "%2e%2e%2f",
    "/etc/passwd",
    "${jndi:",
    "{{7*7}}",
    ";wget ",
    ";curl ",
    "$(id)",
    "`id`",
    "%00",
    "xp_cmdshell",
    "load_file(",
    "into outfile",
    "@@version",
    "waitfor delay",
    "<svg",
    "alert(",
]
_BENIGN_COMMANDS = (
    "/usr/bin/ls -la /var/log",
    "/usr/bin/grep -r error /var/log/syslog",
    "/usr/bin/systemctl status nginx",
    "/usr/bin/python3 /opt/app/manage.py runjobs",
    "/usr/bin/find /tmp -mtime +7 -delete",
    "/usr/bin/tar czf /backup/etc.tgz /etc",
    "/usr/bin/curl -s http://127.0.0.1:8080/health",
    "/usr/bin/git pull --ff-only",
    "/usr/bin/ps aux",
    "/usr/bin/df -h",
    "/usr/bin/rsync -a /srv/data/ /backup/data/",
    "/usr/sbin/logrotate /etc/logrotate.conf",
    "/usr/bin/apt-get update",
    "/usr/bin/docker ps --format {{.Names}}",
    "/usr/bin/ssh -o BatchMode=yes backup01 uptime",
    "/usr/bin/awk -F: {print $1} /etc/passwd",
    "/usr/bin/sed -i s/foo/bar/ /opt/app/config.ini",
    "/usr/bin/wget -q -O /tmp/index.html https://example.com/",
    "/bin/bash /usr/local/bin/backup.sh --incremental",
    "/usr/bin/openssl s_client -connect example.com:443",
)
_BENIGN_PATHS = [
    "/",
    "/index.html",
    "/static/app.js",
    "/static/style.css",
    "/api/v1/items",
    "/api/v1/cart",
    "/login",
    "/logout",
    "/search",
    "/products/laptop",
    "/products/coffee",
    "/favicon.ico",
    "/robots.txt",
    "/images/logo.png",
    "/api/v2/orders",
    "/account",
    "/checkout",
    "/blog/2025/05/release-notes",
    "/health",
]
_USERS = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "deploy",
    "ansible",
    "jenkins",
]
_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
)
#: Every field a generated rule reads (the SQLite table gets a column for each).
RULE_FIELDS = (
    "process.command_line",
    "process.executable",
    "process.working_directory",
    "user.name",
    "url.original",
    "http.response.status_code",
    "http.request.method",
    "event.action",
    "event.outcome",
    "user_agent.original",
)


# ---------------------------------------------------------------------------------------------
# Rule generation
# ---------------------------------------------------------------------------------------------
@dataclass
class RuleSpec:
    """One generated rule: its YAML, and the event fields and text that satisfy it."""

    yaml: str
    kind: str  # proc, web, auth, keyword
    witness: dict[str, Any] = field(default_factory=dict)
    keyword: str | None = None


class RuleGenerator:
    """SigmaHQ-shaped rules whose literals are mostly unique across the set."""

    def __init__(self, rng: random.Random) -> None:
        """Keep the random source and the set of literals already used."""
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Any) -> str:
        for _ in range(50):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return str(value)
        return str(make())  # a shared literal now and then, as in SigmaHQ

    def _flag(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: rng.choice(
                (
                    f" --{rng.choice(_WORDS)}-{rng.choice(_WORDS)}",
                    f" -{rng.choice('abcdefghijklmnopqrstuvwxyz')}{rng.choice(_WORDS)}",
                    f"/tmp/.{rng.choice(_WORDS)}{rng.randint(0, 99)}",
                    f"/dev/shm/{rng.choice(_WORDS)}_{rng.choice(_WORDS)}",
                    f" {rng.choice(_WORDS)}={rng.choice(_WORDS)}{rng.randint(0, 9)}",
                )
            )
        )

    def _header(self, title: str, logsource: dict[str, str], level: str) -> dict[str, Any]:
        rng = self.rng
        return {
            "title": title,
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "status": rng.choice(("test", "stable", "experimental")),
            "description": f"Detects {title.lower()} (generated for benchmarks/detect.py)",
            "author": "Garrison benchmark",
            "date": "2026-05-22",
            "tags": [f"attack.t{rng.randint(1000, 1600)}"],
            "logsource": logsource,
        }

    def rule(self, index: int) -> RuleSpec:
        """The ``index``-th rule of the corpus (its kind drawn by a fixed mix)."""
        roll = self.rng.random()
        if roll < 0.55:
            return self._proc(index)
        if roll < 0.80:
            return self._web(index)
        if roll < 0.92:
            return self._auth(index)
        if roll < 0.96:
            return self._regex(index)
        return self._keyword(index)

    def _dump(self, rule: dict[str, Any]) -> str:
        import yaml

        return str(yaml.safe_dump(rule, sort_keys=False, allow_unicode=True))

    def _proc(self, index: int) -> RuleSpec:
        rng = self.rng
        tools = rng.sample(_TOOLS, rng.randint(1, 3))
        flags = [self._flag() for _ in range(rng.randint(1, 4))]
        shape = rng.random()
        detection: dict[str, Any]
        if shape < 0.45:
            detection = {
                "selection": {
                    "process.executable|endswith": [f"/{t}" for t in tools],
                    "process.command_line|contains": flags,
                },
                "condition": "selection",
            }
            command = f"/usr/bin/{tools[0]} {rng.choice(_WORDS)}{flags[0]} {rng.choice(_WORDS)}"
        elif shape < 0.80:
            allflags = flags[:2] if len(flags) > 1 else [*flags, self._flag()]
            detection = {
                "selection": {
                    "process.executable|endswith": f"/{tools[0]}",
                    "process.command_line|contains|all": allflags,
                },
                "filter_main_user": {"user.name": rng.sample(("ansible", "backup", "deploy"), 2)},
                "filter_optional_cwd": {
                    "process.working_directory|startswith": f"/opt/{rng.choice(_WORDS)}"
                },
                "condition": "selection and not 1 of filter_*",
            }
            command = f"/usr/bin/{tools[0]}{allflags[0]} x{allflags[1]}"
        else:
            detection = {
                "selection_img": {
                    "process.executable|startswith": ["/tmp/", "/dev/shm/", "/var/tmp/"]
                },
                "selection_cli": {"process.command_line|contains": flags},
                "condition": "all of selection_*",
            }
            command = f"/tmp/{tools[0]} {flags[-1]}"
            tools = [tools[0]]
        executable = command.split(" ", 1)[0]
        logsource = {"product": "linux", "category": "process_creation"}
        if rng.random() < 0.1:
            logsource = {"product": "linux"}
        rule = self._header(f"Suspicious {tools[0]} execution {index}", logsource, "medium")
        rule["detection"] = detection
        rule["falsepositives"] = ["Administrative scripts"]
        rule["level"] = rng.choice(("low", "medium", "high"))
        witness = {"process.command_line": command, "process.executable": executable}
        return RuleSpec(self._dump(rule), "proc", witness)

    def _regex(self, index: int) -> RuleSpec:
        rng = self.rng
        tool = rng.choice(_TOOLS)
        w1, w2 = rng.choice(_WORDS), rng.choice(_WORDS)
        rule = self._header(
            f"Regex {tool} {w1} {index}", {"product": "linux", "category": "process_creation"}, "m"
        )
        rule["detection"] = {
            "selection": {"process.command_line|re": f"{tool}\\s+.*--{w1}[-_]{w2}{index}\\b"},
            "condition": "selection",
        }
        rule["level"] = "medium"
        command = f"/usr/bin/{tool} -q --{w1}_{w2}{index} now"
        witness = {"process.command_line": command, "process.executable": f"/usr/bin/{tool}"}
        return RuleSpec(self._dump(rule), "proc", witness)

    def _web(self, index: int) -> RuleSpec:
        rng = self.rng

        def payload() -> str:
            if rng.random() < 0.5:
                app, word, ext = rng.choice(_APPS), rng.choice(_WORDS), rng.choice(_EXTS)
                return f"/{app}/{word}{rng.randint(0, 40)}.{ext}"
            return f"{rng.choice(_PARAMS)}={rng.choice(_PAYLOADS)}{rng.choice(_WORDS)}"

        payloads = [self._unique(payload) for _ in range(rng.randint(2, 6))]
        selection: dict[str, Any] = {"url.original|contains": payloads}
        witness: dict[str, Any] = {"url.original": f"/index.php?x=1&{payloads[0]}"}
        if payloads[0].startswith("/"):
            witness["url.original"] = payloads[0] + "?v=2"
        if rng.random() < 0.4:
            selection["http.response.status_code"] = 200
            witness["http.response.status_code"] = 200
        if rng.random() < 0.3:
            selection["http.request.method"] = "POST"
            witness["http.request.method"] = "POST"
        rule = self._header(f"Web exploitation attempt {index}", {"category": "webserver"}, "high")
        rule["detection"] = {"selection": selection, "condition": "selection"}
        if rng.random() < 0.3:
            rule["detection"]["filter_scanner"] = {"user_agent.original|contains": "Nessus"}
            rule["detection"]["condition"] = "selection and not filter_scanner"
        rule["level"] = rng.choice(("medium", "high"))
        return RuleSpec(self._dump(rule), "web", witness)

    def _auth(self, index: int) -> RuleSpec:
        rng = self.rng
        logsource = {"product": "linux", "service": "auth"}
        if rng.random() < 0.5:
            flags = [self._flag() for _ in range(rng.randint(1, 3))]
            tool = rng.choice(_TOOLS)
            detection = {
                "selection": {
                    "event.action": "sudo_command",
                    "process.command_line|contains": flags,
                },
                "filter": {"user.name": "ansible"},
                "condition": "selection and not filter",
            }
            witness = {
                "event.action": "sudo_command",
                "process.command_line": f"/usr/bin/{tool}{flags[0]}",
            }
        else:
            users = [
                self._unique(lambda: f"svc-{rng.choice(_WORDS)}{rng.randint(0, 999)}")
                for _ in range(rng.randint(1, 3))
            ]
            detection = {
                "selection": {
                    "event.action": "ssh_login",
                    "event.outcome": "success",
                    "user.name": users,
                },
                "condition": "selection",
            }
            witness = {
                "event.action": "ssh_login",
                "event.outcome": "success",
                "user.name": users[0],
            }
        rule = self._header(f"Suspicious authentication {index}", logsource, "medium")
        rule["detection"] = detection
        rule["level"] = "medium"
        return RuleSpec(self._dump(rule), "auth", witness)

    def _keyword(self, index: int) -> RuleSpec:
        rng = self.rng
        words = [
            self._unique(
                lambda: f"pam_{rng.choice(_WORDS)}(sshd:{rng.choice(_WORDS)}) {rng.randint(0, 99)}"
            )
            for _ in range(rng.randint(1, 3))
        ]
        rule = self._header(
            f"Suspicious auth message {index}", {"product": "linux", "service": "auth"}, "low"
        )
        rule["detection"] = {"keywords": words, "condition": "keywords"}
        rule["level"] = "low"
        return RuleSpec(self._dump(rule), "keyword", {}, keyword=words[0])


def generate_rules(count: int, seed: int) -> list[RuleSpec]:
    """``count`` rules; the first ``n`` of a larger corpus are the corpus of ``n`` rules."""
    gen = RuleGenerator(random.Random(f"rules-{seed}-{GENERATOR_VERSION}"))
    return [gen.rule(i) for i in range(count)]


def compile_rules(specs: list[RuleSpec], restrict: bool = True) -> tuple[list[Any], list[Any]]:
    """Load the YAML with pySigma, apply Garrison's pipelines, compile: (sigma rules, compiled).

    ``restrict=False`` leaves out the ``event.dataset`` condition ``prepare`` adds (routing
    already applies it): a diagnostic of what that condition costs the prefilter.
    """
    from sigma.collection import SigmaCollection

    from garrison.detect.compiler import compile_rule
    from garrison.rules.pipelines import load_pipelines, prepare

    collection = SigmaCollection.from_yaml("---\n".join(s.yaml for s in specs))
    pipeline = load_pipelines()
    prepared = [prepare(rule, pipeline, restrict=restrict) for rule in collection.rules]
    return prepared, [compile_rule(rule) for rule in prepared]


# ---------------------------------------------------------------------------------------------
# Event generation
# ---------------------------------------------------------------------------------------------
def _ip(rng: random.Random) -> str:
    return (
        f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    )


def generate_events(count: int, seed: int, specs: list[RuleSpec]) -> list[Any]:
    """``count`` events (45% auditd execve, 35% web access, 20% auth); ~0.5% hit a rule."""
    from garrison.normalize.base import ParseContext

    rng = random.Random(f"events-{seed}-{GENERATOR_VERSION}")
    start = datetime(2025, 5, 1, tzinfo=UTC)
    ctx = ParseContext(stream="bench-detect", now=start)
    hosts = [f"web{n:02d}" for n in range(1, 9)] + ["bastion01", "db01"]
    events = []
    for offset in range(count):
        when = start + timedelta(milliseconds=offset * 37)
        witness: RuleSpec | None = None
        if rng.random() < MATCH_FRACTION:
            witness = rng.choice(specs)
        kind = witness.kind if witness is not None else None
        roll = rng.random()
        if kind in ("proc",) or (kind is None and roll < 0.45):
            events.append(_auditd(ctx, rng, when, offset, hosts, witness))
        elif kind == "web" or (kind is None and roll < 0.80):
            events.append(_web(ctx, rng, when, offset, witness))
        else:
            events.append(_auth(ctx, rng, when, offset, hosts, witness))
    return events


def _auditd(ctx: Any, rng: random.Random, when: datetime, offset: int, hosts: list[str],
            witness: RuleSpec | None) -> Any:  # fmt: skip
    command = rng.choice(_BENIGN_COMMANDS)
    fields: dict[str, Any] = {}
    if witness is not None:
        fields.update(witness.witness)
        command = fields["process.command_line"]
    args = command.split()
    executable = fields.get("process.executable", args[0])
    user = rng.choice(_USERS)
    pid = rng.randint(1000, 60000)
    serial = 100000 + offset
    stamp = f"{when.timestamp():.3f}:{serial}"
    argv = " ".join(f'a{i}="{a}"' for i, a in enumerate(args))
    original = (
        f"type=SYSCALL msg=audit({stamp}): arch=c000003e syscall=59 success=yes exit=0 "
        f"ppid={pid - 7} pid={pid} auid=1000 uid=1000 euid=1000 tty=pts0 "
        f'comm="{args[0].rsplit("/", 1)[-1]}" '
        f'exe="{executable}" key="exec"\n'
        f"type=EXECVE msg=audit({stamp}): argc={len(args)} {argv}\n"
        f'type=CWD msg=audit({stamp}): cwd="/home/{user}"'
    )
    fields.update(
        {
            "event.category": "process",
            "event.type": ["start"],
            "event.action": "execve",
            "event.outcome": "success",
            "host.name": rng.choice(hosts),
            "process.pid": pid,
            "process.parent.pid": pid - 7,
            "process.executable": executable,
            "process.name": executable.rsplit("/", 1)[-1],
            "process.args": args,
            "process.command_line": command,
            "process.working_directory": f"/home/{user}",
            "user.id": "1000",
            "user.name": user,
            "auditd.sequence": serial,
            "auditd.key": "exec",
        }
    )
    return ctx.make(timestamp=when, dataset="linux.auditd", original=original, offset=offset,
                    fields=fields)  # fmt: skip


def _web(ctx: Any, rng: random.Random, when: datetime, offset: int,
         witness: RuleSpec | None) -> Any:  # fmt: skip
    target = rng.choice(_BENIGN_PATHS)
    if rng.random() < 0.3:
        target += f"?{rng.choice(_PARAMS)}={rng.choice(_WORDS)}"
    method = "GET" if rng.random() < 0.85 else "POST"
    status = rng.choice((200, 200, 200, 200, 304, 301, 404, 500))
    w = witness.witness if witness is not None else {}
    target = w.get("url.original", target)
    method = w.get("http.request.method", method)
    status = w.get("http.response.status_code", status)
    client, agent, size = _ip(rng), rng.choice(_AGENTS), rng.randint(200, 90000)
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    original = f'{client} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size} "-" "{agent}"'
    path, _, query = target.partition("?")
    fields: dict[str, Any] = {
        "event.category": "web",
        "event.type": "access",
        "event.action": "http_request",
        "source.address": client,
        "source.ip": client,
        "http.response.status_code": status,
        "event.outcome": "success" if status < 400 else "failure",
        "http.response.body.bytes": size,
        "http.request.method": method,
        "url.original": target,
        "url.path": path,
        "http.version": "1.1",
        "user_agent.original": agent,
    }
    if query:
        fields["url.query"] = query
    return ctx.make(timestamp=when, dataset="web.access", original=original, offset=offset,
                    fields=fields)  # fmt: skip


def _auth(ctx: Any, rng: random.Random, when: datetime, offset: int, hosts: list[str],
          witness: RuleSpec | None) -> Any:  # fmt: skip
    host, pid = rng.choice(hosts), rng.randint(1000, 60000)
    stamp = when.strftime("%b %d %H:%M:%S")
    w = dict(witness.witness) if witness is not None else {}
    action = w.get("event.action") or rng.choice(("ssh_login", "ssh_login", "sudo_command"))
    user = w.get("user.name", rng.choice(_USERS))
    fields: dict[str, Any] = {"host.name": host, "process.pid": pid}
    if action == "sudo_command":
        command = w.get("process.command_line", rng.choice(_BENIGN_COMMANDS))
        message = f"sudo: {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND={command}"
        fields.update(
            {
                "event.category": "process",
                "event.action": "sudo_command",
                "event.outcome": "success",
                "process.name": "sudo",
                "process.command_line": command,
                "user.name": user,
                "user.effective.name": "root",
            }
        )
    else:
        outcome = w.get("event.outcome") or rng.choice(("success", "failure", "failure"))
        ip, port = _ip(rng), rng.randint(1024, 65535)
        verb = "Accepted publickey" if outcome == "success" else "Failed password"
        message = f"sshd[{pid}]: {verb} for {user} from {ip} port {port} ssh2"
        fields.update(
            {
                "event.category": "authentication",
                "event.action": "ssh_login",
                "event.outcome": outcome,
                "process.name": "sshd",
                "user.name": user,
                "source.ip": ip,
                "source.port": port,
            }
        )
    if witness is not None and witness.keyword is not None:
        message = f"sshd[{pid}]: {witness.keyword}: authentication failure; user={user}"
    original = f"{stamp} {host} {message}"
    fields["message"] = message
    return ctx.make(timestamp=when, dataset="linux.auth", original=original, offset=offset,
                    fields=fields)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Modes (run in a worker subprocess)
# ---------------------------------------------------------------------------------------------
@dataclass
class Result:
    """One mode at one rule-set size."""

    mode: str
    rules: int
    events: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    events_per_s_core: float = 0.0
    peak_rss_mib: float = 0.0
    matches: int = 0
    candidates_per_event: float | None = None
    candidate_ratio: float | None = None
    prefix_events: int = 0
    prefix_matches: int = 0
    prefix_digest: str = ""
    per_rule: list[int] = field(default_factory=list)
    setup_s: float = 0.0
    note: str = ""
    error: str | None = None


def _peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(pairs: list[tuple[int, int]]) -> str:
    return hashlib.sha256(json.dumps(sorted(pairs)).encode()).hexdigest()[:16]


def run_engine(result: Result, compiled: list[Any], events: list[Any], prefix: int) -> None:
    """Engine with routing and prefilter over every event."""
    from garrison.detect.engine import Engine
    from garrison.detect.ruleset import route

    t0 = time.process_time()
    engine = Engine(compiled, route)
    result.setup_s = time.process_time() - t0
    index_of = {id(rule): i for i, rule in enumerate(compiled)}
    per_rule = [0] * len(compiled)
    pairs: list[tuple[int, int]] = []
    match = engine.match
    w0, c0 = time.perf_counter(), time.process_time()
    found = [match(event) for event in events]
    result.cpu_s = time.process_time() - c0
    result.wall_s = time.perf_counter() - w0
    for n, matches in enumerate(found):
        for m in matches:
            i = index_of[id(m.rule)]
            per_rule[i] += 1
            if n < prefix:
                pairs.append((n, i))
    stats = engine.stats
    result.events = len(events)
    result.matches = stats.matches
    result.candidates_per_event = stats.candidates / max(1, stats.events)
    buckets = stats.candidates + stats.evaluated_rules_skipped
    result.candidate_ratio = stats.candidates / max(1, buckets)
    result.per_rule = per_rule
    result.prefix_events = min(prefix, len(events))
    result.prefix_matches = len(pairs)
    result.prefix_digest = _digest(pairs)
    result.note = f"engine build {result.setup_s:.2f} s"


def run_naive(result: Result, compiled: list[Any], events: list[Any], prefix: int) -> None:
    """Every compiled rule on each of the first ``prefix`` events."""
    subset = events[:prefix]
    tests = [rule.matches for rule in compiled]
    pairs: list[tuple[int, int]] = []
    w0, c0 = time.perf_counter(), time.process_time()
    for n, event in enumerate(subset):
        for i, test in enumerate(tests):
            if test(event):
                pairs.append((n, i))
    result.cpu_s = time.process_time() - c0
    result.wall_s = time.perf_counter() - w0
    result.events = len(subset)
    result.matches = len(pairs)
    result.prefix_events = len(subset)
    result.prefix_matches = len(pairs)
    result.prefix_digest = _digest(pairs)
    result.candidates_per_event = float(len(compiled))
    result.candidate_ratio = 1.0
    result.note = f"first {len(subset):,} events"


def _sql_text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def run_sqlite(result: Result, prepared: list[Any], events: list[Any]) -> None:
    """Zircolite's approach with pySigma's SQLite backend: one flat table, one query per rule."""
    try:
        from sigma.backends.sqlite import sqliteBackend
    except ImportError as exc:
        result.error = f"not available: pysigma-backend-sqlite not installed ({exc})"
        return
    from garrison.detect.values import haystack

    backend = sqliteBackend(fulltext_field="fulltext", collate_nocase=True)
    t0 = time.process_time()
    queries: list[tuple[int, str]] = []
    failed = 0
    for i, rule in enumerate(prepared):
        try:
            for query in backend.convert_rule(rule):
                queries.append((i, str(query)))
        except Exception:  # a rule the backend cannot convert is counted, not fatal
            failed += 1
    result.setup_s = time.process_time() - t0
    columns = sorted(
        {key for event in events for key in event.fields} | set(RULE_FIELDS) | {"event.dataset"}
    )
    names = ["timestamp", "event.original", "fulltext", *columns]
    position = {name: n for n, name in enumerate(names)}
    quoted = ", ".join(f'"{c}" TEXT COLLATE NOCASE' for c in names)
    regex_cache: dict[str, re.Pattern[str]] = {}

    def regexp(pattern: str, value: Any) -> bool:
        if value is None:
            return False
        compiled = regex_cache.get(pattern)
        if compiled is None:
            compiled = regex_cache[pattern] = re.compile(pattern)
        return compiled.search(str(value)) is not None

    per_rule = [0] * len(prepared)
    w0, c0 = time.perf_counter(), time.process_time()
    db = sqlite3.connect(":memory:")
    db.create_function("regexp", 2, regexp, deterministic=True)
    db.execute(f"CREATE TABLE logs ({quoted})")
    rows = []
    width = len(names)
    for event in events:
        row: list[Any] = [None] * width
        row[0] = event.timestamp.isoformat()
        row[1] = event.original
        row[2] = haystack(event)
        row[position["event.dataset"]] = event.dataset
        for key, value in event.fields.items():
            row[position[key]] = _sql_text(value)
        rows.append(row)
    db.executemany(f"INSERT INTO logs VALUES ({', '.join('?' * width)})", rows)  # noqa: S608
    db.commit()
    del rows
    load = time.process_time() - c0
    errors = 0
    for i, query in queries:
        try:
            per_rule[i] += sum(1 for _ in db.execute(query.replace("SELECT *", "SELECT rowid", 1)))
        except sqlite3.Error:
            errors += 1
    result.cpu_s = time.process_time() - c0
    result.wall_s = time.perf_counter() - w0
    result.events = len(events)
    result.matches = sum(per_rule)
    result.per_rule = per_rule
    note = f"load {load:.1f} s + queries {result.cpu_s - load:.1f} s; to SQL {result.setup_s:.1f} s"
    if failed or errors:
        note += f"; {failed} rules not converted, {errors} queries failed"
    result.note = note


def worker(mode: str, size: int, n_events: int, seed: int, prefix: int, rule_pool: int) -> Result:
    """Build rules and events, run one mode, return its result."""
    result = Result(mode=mode, rules=size)
    pool = generate_rules(rule_pool, seed)
    specs = pool[:size]
    events = generate_events(n_events, seed, pool)
    prepared, compiled = compile_rules(specs, restrict=mode != "engine-unrestricted")
    if mode in ("engine", "engine-unrestricted"):
        run_engine(result, compiled, events, prefix)
    elif mode == "naive":
        run_naive(result, compiled, events, prefix)
    else:
        run_sqlite(result, prepared, events)
    if result.cpu_s > 0:
        result.events_per_s_core = result.events / result.cpu_s
    result.peak_rss_mib = _peak_rss_mib()
    return result


def run_subprocess(args: argparse.Namespace, mode: str, size: int, rule_pool: int) -> Result:
    """Run one mode at one size in a fresh interpreter."""
    cmd = [sys.executable, __file__, "--worker", mode, "--worker-size", str(size),
           "--events", str(args.events), "--seed", str(args.seed),
           "--naive-events", str(args.naive_events), "--rule-pool", str(rule_pool)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return Result(mode=mode, rules=size, error=f"worker failed: {tail}")
    return Result(**json.loads(proc.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
def check(results: list[Result]) -> dict[str, Any]:
    """Agreement between modes and the issue's targets."""
    by = {(r.mode, r.rules): r for r in results if r.error is None}
    agreement: dict[str, str] = {}
    for (mode, size), r in sorted(by.items()):
        engine = by.get(("engine", size))
        if mode == "engine" or engine is None:
            continue
        if mode == "engine-unrestricted":
            same = r.per_rule == engine.per_rule
            agreement[f"{mode}@{size}"] = (
                f"equal per rule ({r.matches} matches)" if same else "DIFFERENT per rule"
            )
        elif mode == "naive":
            same = (r.prefix_matches, r.prefix_digest) == (
                engine.prefix_matches,
                engine.prefix_digest,
            )
            agreement[f"naive@{size}"] = (
                f"equal ({r.prefix_matches} matches on {r.prefix_events:,} events)"
                if same
                else f"DIFFERENT: naive {r.prefix_matches} vs engine {engine.prefix_matches}"
            )
        else:
            differ = sum(1 for a, b in zip(r.per_rule, engine.per_rule, strict=False) if a != b)
            agreement[f"{mode}@{size}"] = (
                f"equal per rule ({r.matches} matches)"
                if differ == 0
                else f"{differ} rules differ ({r.matches} vs engine {engine.matches})"
            )
    targets: dict[str, str] = {}
    e1k = by.get(("engine", 1000))
    if e1k is not None:
        ok = e1k.events_per_s_core >= RATE_TARGET
        targets["rate@1000"] = (
            f"{e1k.events_per_s_core:,.0f} ev/s/core: {'met' if ok else 'MISSED'}"
        )
    sizes = sorted(s for m, s in by if m == "engine")
    for small in sizes:
        for big in sizes:
            if big >= 10 * small:
                a, b = by[("engine", small)], by[("engine", big)]
                ratio = (b.cpu_s / b.events) / (a.cpu_s / a.events)
                ok = ratio < SCALE_TARGET
                targets[f"scale {small}->{big}"] = (
                    f"time x{ratio:.2f}: {'met' if ok else 'MISSED'} (< x{SCALE_TARGET:g})"
                )
    for size in sizes:
        sq = by.get(("sqlite-backend", size))
        if sq is not None and sq.events_per_s_core > 0:
            factor = by[("engine", size)].events_per_s_core / sq.events_per_s_core
            ok = factor >= SQLITE_FACTOR_TARGET
            targets[f"vs sqlite@{size}"] = (
                f"x{factor:.1f} faster: {'met' if ok else 'MISSED'} (>= x{SQLITE_FACTOR_TARGET:g})"
            )
    return {"agreement": agreement, "targets": targets}


def print_table(results: list[Result], summary: dict[str, Any], args: argparse.Namespace) -> None:
    """Render the results as a rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Detection throughput, {args.events:,} events, seed {args.seed}")
    for name in ("mode", "rules", "events", "events/s/core", "CPU s", "peak RSS MiB",
                 "matches", "candidates/event", "candidate ratio", "note"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("mode", "note") else "right")
    for r in results:
        if r.error is not None:
            table.add_row(r.mode, f"{r.rules:,}", "", "", "", "", "", "", "", r.error)
            continue
        table.add_row(
            r.mode,
            f"{r.rules:,}",
            f"{r.events:,}",
            f"{r.events_per_s_core:,.0f}",
            f"{r.cpu_s:.2f}",
            f"{r.peak_rss_mib:.0f}",
            f"{r.matches:,}",
            f"{r.candidates_per_event:.2f}" if r.candidates_per_event is not None else "",
            f"{r.candidate_ratio:.2%}" if r.candidate_ratio is not None else "",
            r.note,
        )
    console = Console(width=200)
    console.print(table)
    for key, value in {**summary["agreement"], **summary["targets"]}.items():
        console.print(f"  {key}: {value}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="events to generate")
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="rule-set sizes")
    ap.add_argument("--modes", default=",".join(MODES), help=f"subset of {','.join(MODES)}")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument(
        "--naive-events",
        type=int,
        default=DEFAULT_NAIVE_EVENTS,
        help="events the naive mode evaluates (and the engine is compared on)",
    )
    ap.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    ap.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--worker-size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--rule-pool", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        result = worker(args.worker, args.worker_size, args.events, args.seed,
                        args.naive_events, args.rule_pool)  # fmt: skip
        print(json.dumps(asdict(result)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = [m for m in args.modes.split(",") if m]
    for mode in modes:
        if mode not in MODES:
            ap.error(f"unknown mode {mode!r}")
    pool = max(sizes)  # witnesses are drawn from the largest rule set of the run
    results: list[Result] = []
    for size in sizes:
        for mode in modes:
            print(f"running {mode} with {size} rules...", file=sys.stderr, flush=True)
            results.append(run_subprocess(args, mode, size, pool))
    summary = check(results)
    if args.json:
        out = {
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            },
            "args": {
                "events": args.events,
                "sizes": sizes,
                "modes": modes,
                "seed": args.seed,
                "naive_events": args.naive_events,
            },
            "results": [{k: v for k, v in asdict(r).items() if k != "per_rule"} for r in results],
            **summary,
        }
        print(json.dumps(out, indent=2))
    else:
        print_table(results, summary, args)
    bad = [v for v in summary["agreement"].values() if v.startswith("DIFFERENT")]
    if bad:
        print("engine and naive disagree: " + "; ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
