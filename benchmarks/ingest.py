"""Ingest throughput benchmark: parse-only and parse+store, against hand-written baselines.

Generates realistic ``auth.log`` and nginx ``combined`` access-log input (deterministic for a
seed), then runs every mode in a fresh subprocess so that peak RSS is per mode:

* ``garrison parse``: the real reader and registry parser, events consumed and dropped;
* ``garrison parse+SQLite`` / ``parse+PostgreSQL``: the real ``ingest_path`` into a fresh
  database through ``SqlEventStore`` (hash-chained batches, dedupe by id);
* ``naive Python``: the script a user would write by hand (one header regex, ``strptime``,
  a dict, ``json.dumps``), alone and with ``sqlite3.executemany`` into one table;
* third-party parsers when installed (``pygrok`` for both formats, ``apachelogs`` for access);
  they are optional and never project dependencies: their rows say "not installed" otherwise.

Lines/s per core is lines divided by the CPU seconds of the measuring process
(``time.process_time``); PostgreSQL's own CPU is reported separately, and wall-clock rates too.

Usage::

    python benchmarks/ingest.py                       # 1,000,000 lines of each format
    python benchmarks/ingest.py --lines 200000 --formats auth --modes parse,sqlite --json
"""

from __future__ import annotations

import argparse
import base64
import heapq
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

DEFAULT_LINES = 1_000_000
DEFAULT_SEED = 20_260_521
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: Year of the generated (year-less) syslog timestamps, passed to the parser as ``--year``.
YEAR = 2025
FORMATS = ("auth", "access")
MODES = ("parse", "sqlite", "postgres", "baseline")
#: Garrison's registry name of each input shape.
REGISTRY_NAME = {"auth": "syslog", "access": "access"}
PARSE_TARGET = 100_000  # lines/s per core, parse-only
SQLITE_TARGET = 30_000  # events/s (wall clock), parse+store on SQLite
GENERATOR_VERSION = 1

_BAD_USERS = (
    "admin test oracle postgres user ftpuser git guest support ubnt pi hadoop mysql "
    "nagios tomcat www minecraft steam sftp deploy jenkins ubuntu centos ec2-user backup "
    "administrator operator demo dev teamspeak ts3 vagrant docker elastic"
)
_WORDS = (
    "shoes laptop coffee headphones backpack camera monitor keyboard lamp tent jacket "
    "watch phone charger desk chair bottle"
)
_CATEGORIES = "electronics home outdoor fashion office kitchen sports toys"
_USERS = (
    "alice bob carol dave erin frank grace heidi ivan judy mallory oscar peggy trent "
    "victor walter deploy ansible jenkins backup"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------------------------------------
# Input generation
# ---------------------------------------------------------------------------------------------
def _public_ipv4(rng: random.Random) -> str:
    """A random address outside the private, loopback and multicast ranges."""
    while True:
        a = rng.randint(1, 223)
        if a in (10, 127, 172, 192, 100, 169):
            continue
        return f"{a}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(4)]
    return f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}:{groups[3]}"


def _skewed(rng: random.Random, pool: list[str]) -> str:
    """Pick from ``pool`` with a heavy head: a few sources produce most of the traffic."""
    return pool[int(len(pool) * rng.random() ** 3)]


class AuthLogGenerator:
    """Linux ``auth.log`` lines from interleaved scenarios, in increasing time order.

    Scenarios: SSH brute force against invalid and existing users (with PAM failures,
    ``message repeated``, max-attempts disconnects), scanners, successful password and
    public-key logins with their sessions, sudo, su, cron sessions and systemd-logind.
    """

    def __init__(self, rng: random.Random) -> None:
        """Build the pools of hosts, addresses and users."""
        self.rng = rng
        self.now = datetime(YEAR, 1, 1, 0, 0, 0, tzinfo=UTC).timestamp()
        self.hosts = [f"web{n:02d}" for n in range(1, 13)] + ["bastion01", "db01", "db02", "ci01"]
        self.pid = 10_000
        self.session = 1
        self.attackers = [_public_ipv4(rng) for _ in range(60_000)]
        self.attackers += [_ipv6(rng) for _ in range(3_000)]
        rng.shuffle(self.attackers)
        self.clients = [f"10.{rng.randint(0, 40)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"]
        self.clients += [f"10.20.{rng.randint(0, 255)}.{rng.randint(2, 254)}" for _ in range(800)]
        self.clients += [_ipv6(rng) for _ in range(40)]
        common = _BAD_USERS.split()
        self.bad_users = common + [
            f"{rng.choice(common)}{rng.randint(1, 9999)}" for _ in range(20_000)
        ]
        self.users = [(name, 1000 + i) for i, name in enumerate(_USERS.split())]
        self.commands = [
            "/usr/bin/systemctl restart nginx",
            "/usr/bin/apt-get update",
            "/usr/bin/apt-get -y upgrade",
            "/usr/bin/journalctl -u sshd --since today",
            "/usr/bin/cat /var/log/auth.log",
            "/usr/bin/docker ps -a",
            "/usr/bin/tail -n 200 /var/log/nginx/error.log",
            "/usr/bin/vim /etc/nginx/sites-available/default",
            "/bin/bash",
            "/usr/sbin/ufw status verbose",
            "/usr/bin/find /var/www -name *.php -mtime -1",
        ]
        self.cron_jobs = [
            ("root", "cd / && run-parts --report /etc/cron.hourly"),
            ("root", "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )"),
            ("root", "command -v debian-sa1 > /dev/null && debian-sa1 1 1"),
            ("www-data", "php /var/www/app/artisan schedule:run >> /dev/null 2>&1"),
            ("backup", "/usr/local/bin/backup.sh --incremental"),
        ]
        self._stamp_sec = -1
        self._stamp = ""

    def _stamp_of(self, when: float) -> str:
        sec = int(when)
        if sec != self._stamp_sec:
            t = datetime.fromtimestamp(sec, UTC)
            self._stamp = (
                f"{_MONTH_NAMES[t.month - 1]} {t.day:>2} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"
            )
            self._stamp_sec = sec
        return self._stamp

    def _next_pid(self) -> int:
        self.pid += self.rng.randint(1, 40)
        if self.pid > 4_000_000:
            self.pid = 10_000
        return self.pid

    def _fingerprint(self) -> str:
        return "SHA256:" + base64.b64encode(self.rng.randbytes(32)).decode().rstrip("=")

    def _scenario(self) -> list[tuple[float, str, str]]:
        """One scenario: (delay in seconds, tag, message) items."""
        rng = self.rng
        r = rng.random()
        port = rng.randint(1024, 65535)
        if r < 0.36:  # brute force with an invalid user
            pid = self._next_pid()
            tag = f"sshd[{pid}]"
            ip, user = _skewed(rng, self.attackers), rng.choice(self.bad_users)
            items = [
                (0.0, tag, f"Invalid user {user} from {ip} port {port}"),
                (0.1, tag, "pam_unix(sshd:auth): check pass; user unknown"),
                (
                    0.1,
                    tag,
                    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                    f"tty=ssh ruser= rhost={ip}",
                ),
                (2.0, tag, f"Failed password for invalid user {user} from {ip} port {port} ssh2"),
            ]
            end = rng.random()
            if end < 0.5:
                items.append(
                    (2.3, tag, f"Received disconnect from {ip} port {port}:11: Bye Bye [preauth]")
                )
                items.append(
                    (2.3, tag, f"Disconnected from invalid user {user} {ip} port {port} [preauth]")
                )
            else:
                items.append(
                    (
                        2.4,
                        tag,
                        f"Connection closed by invalid user {user} {ip} port {port} [preauth]",
                    )
                )
            return items
        if r < 0.58:  # brute force against an existing account
            pid = self._next_pid()
            tag = f"sshd[{pid}]"
            ip = _skewed(rng, self.attackers)
            user = "root" if rng.random() < 0.8 else rng.choice(self.users)[0]
            items = [
                (
                    0.0,
                    tag,
                    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                    f"tty=ssh ruser= rhost={ip}  user={user}",
                ),
                (2.0, tag, f"Failed password for {user} from {ip} port {port} ssh2"),
            ]
            tries = rng.choice((1, 1, 2, 3, 6))
            if tries == 6:
                items += [
                    (
                        6.0,
                        tag,
                        f"message repeated 5 times: [ Failed password for {user} from "
                        f"{ip} port {port} ssh2]",
                    ),
                    (
                        7.0,
                        tag,
                        f"error: maximum authentication attempts exceeded for {user} from {ip} "
                        f"port {port} ssh2 [preauth]",
                    ),
                    (
                        7.0,
                        tag,
                        f"Disconnecting authenticating user {user} {ip} port {port}: Too many "
                        "authentication failures [preauth]",
                    ),
                    (
                        7.0,
                        tag,
                        "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh "
                        f"ruser= rhost={ip}  user={user}",
                    ),
                ]
            else:
                for i in range(1, tries):
                    items.append(
                        (2.0 + 2 * i, tag, f"Failed password for {user} from {ip} port {port} ssh2")
                    )
                items.append(
                    (
                        2.5 + 2 * tries,
                        tag,
                        f"Connection closed by authenticating user {user} {ip} port {port} "
                        "[preauth]",
                    )
                )
            return items
        if r < 0.63:  # scanners
            pid = self._next_pid()
            tag = f"sshd[{pid}]"
            ip = _skewed(rng, self.attackers)
            kind = rng.random()
            if kind < 0.4:
                return [(0.0, tag, f"Did not receive identification string from {ip} port {port}")]
            if kind < 0.7:
                return [(0.0, tag, f"Connection reset by {ip} port {port} [preauth]")]
            return [
                (
                    0.0,
                    tag,
                    f"Unable to negotiate with {ip} port {port}: no matching key exchange method "
                    "found. Their offer: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1 "
                    "[preauth]",
                )
            ]
        if r < 0.72:  # a successful login and, later, its logout
            pid = self._next_pid()
            tag = f"sshd[{pid}]"
            user, uid = rng.choice(self.users)
            ip = rng.choice(self.clients)
            session = self.session
            self.session += 1
            if rng.random() < 0.7:
                accepted = (
                    f"Accepted publickey for {user} from {ip} port {port} ssh2: "
                    f"{rng.choice(('RSA', 'ED25519', 'ECDSA'))} {self._fingerprint()}"
                )
            else:
                accepted = f"Accepted password for {user} from {ip} port {port} ssh2"
            stay = rng.expovariate(1 / 900.0)
            return [
                (0.0, tag, accepted),
                (
                    0.0,
                    tag,
                    f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)",
                ),
                (0.1, "systemd-logind[812]", f"New session {session} of user {user}."),
                (stay, tag, f"Received disconnect from {ip} port {port}:11: disconnected by user"),
                (stay, tag, f"Disconnected from user {user} {ip} port {port}"),
                (stay, tag, f"pam_unix(sshd:session): session closed for user {user}"),
                (
                    stay,
                    "systemd-logind[812]",
                    f"Session {session} logged out. Waiting for processes to exit.",
                ),
                (stay + 0.1, "systemd-logind[812]", f"Removed session {session}."),
            ]
        if r < 0.80:  # sudo
            user, uid = rng.choice(self.users)
            command = rng.choice(self.commands)
            tty = f"pts/{rng.randint(0, 5)}"
            if rng.random() < 0.1:
                return [
                    (
                        0.0,
                        "sudo",
                        "pam_unix(sudo:auth): authentication failure; logname="
                        f"{user} uid={uid} euid=0 tty=/dev/{tty} ruser={user} rhost=  user={user}",
                    ),
                    (
                        9.0,
                        "sudo",
                        f"{user:>8} : 3 incorrect password attempts ; TTY={tty} ; "
                        f"PWD=/home/{user} ; USER=root ; COMMAND={command}",
                    ),
                ]
            return [
                (
                    0.0,
                    "sudo",
                    f"{user:>8} : TTY={tty} ; PWD=/home/{user} ; USER=root ; COMMAND={command}",
                ),
                (
                    0.0,
                    "sudo",
                    f"pam_unix(sudo:session): session opened for user root(uid=0) by "
                    f"{user}(uid={uid})",
                ),
                (rng.random() * 5, "sudo", "pam_unix(sudo:session): session closed for user root"),
            ]
        if r < 0.82:  # su
            user, uid = rng.choice(self.users)
            tag = f"su[{self._next_pid()}]"
            tty = f"pts/{rng.randint(0, 5)}"
            return [
                (0.0, tag, f"(to root) {user} on {tty}"),
                (
                    0.0,
                    tag,
                    f"pam_unix(su-l:session): session opened for user root(uid=0) by "
                    f"{user}(uid={uid})",
                ),
                (rng.random() * 60, tag, "pam_unix(su-l:session): session closed for user root"),
            ]
        if r < 0.97:  # cron
            pid = self._next_pid()
            tag = f"CRON[{pid}]"
            user, command = rng.choice(self.cron_jobs)
            uid = 0 if user == "root" else 33
            return [
                (
                    0.0,
                    tag,
                    f"pam_unix(cron:session): session opened for user {user}(uid={uid}) by (uid=0)",
                ),
                (0.0, tag, f"({user}) CMD ({command})"),
                (0.5, tag, f"pam_unix(cron:session): session closed for user {user}"),
            ]
        # systemd and systemd-logind housekeeping
        kind = rng.random()
        if kind < 0.5:
            user, uid = rng.choice(self.users)
            return [
                (
                    0.0,
                    f"systemd[{self._next_pid()}]",
                    "pam_unix(systemd-user:session): session "
                    f"opened for user {user}(uid={uid}) by (uid=0)",
                ),
            ]
        return [
            (
                0.0,
                "systemd-logind[812]",
                "Watching system buttons on /dev/input/event0 (Power Button)",
            )
        ]

    def lines(self, count: int) -> Iterator[str]:
        """Yield ``count`` lines in increasing time order."""
        rng = self.rng
        pending: list[tuple[float, int, str, str, str]] = []
        seq = 0
        emitted = 0
        while emitted < count:
            if not pending or pending[0][0] > self.now:
                host = self.hosts[int(len(self.hosts) * rng.random() ** 2)]
                for delay, tag, msg in self._scenario():
                    seq += 1
                    heapq.heappush(pending, (self.now + delay, seq, host, tag, msg))
                self.now += rng.expovariate(1.0)  # about one scenario a second
                continue
            when, _, host, tag, msg = heapq.heappop(pending)
            yield f"{self._stamp_of(when)} {host} {tag}: {msg}\n"
            emitted += 1


class AccessLogGenerator:
    """nginx ``combined`` access-log lines at about 50 requests a second."""

    def __init__(self, rng: random.Random) -> None:
        """Build the pools of clients, paths and user agents."""
        self.rng = rng
        self.now = datetime(YEAR, 3, 1, 8, 0, 0, tzinfo=UTC).timestamp()
        self.clients = [_public_ipv4(rng) for _ in range(80_000)]
        self.clients += [_ipv6(rng) for _ in range(6_000)]
        rng.shuffle(self.clients)
        self.scanners = [_public_ipv4(rng) for _ in range(2_000)]
        self.agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.4.1 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.6367.82 Mobile Safari/537.36",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "curl/8.5.0",
            "python-requests/2.31.0",
            "okhttp/4.12.0",
            "Go-http-client/1.1",
            "kube-probe/1.29",
        ]
        self.scanner_agents = [
            "Mozilla/5.0 zgrab/0.x",
            "sqlmap/1.7.11#stable (https://sqlmap.org)",
            "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
            "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
            "-",
        ]
        self.scan_paths = [
            "/wp-login.php",
            "/.env",
            "/.git/config",
            "/phpmyadmin/index.php",
            "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
            "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id)",
            "/?XDEBUG_SESSION_START=phpstorm",
            "/admin/config.php",
            "/actuator/env",
            "/boaform/admin/formLogin?username=admin&psd=admin",
            "/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array",
            "/products.php?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20-",
        ]
        self.words = _WORDS.split()
        self.categories = _CATEGORIES.split()
        self.referrers = [
            "https://www.example.com/",
            "https://www.example.com/products",
            "https://www.google.com/",
            "https://www.bing.com/",
            "https://duckduckgo.com/",
            "https://t.co/a8Fz2Qx1",
        ]
        self._stamp_sec = -1
        self._stamp = ""

    def _stamp_of(self, when: float) -> str:
        sec = int(when)
        if sec != self._stamp_sec:
            t = datetime.fromtimestamp(sec, UTC) + timedelta(hours=8)
            self._stamp = (
                f"{t.day:02d}/{_MONTH_NAMES[t.month - 1]}/{t.year}:"
                f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0800"
            )
            self._stamp_sec = sec
        return self._stamp

    def _request(self) -> tuple[str, str, str, int, int, str, str]:
        """(client, method, target, status, bytes, referrer, user agent) of one request."""
        rng = self.rng
        r = rng.random()
        referrer = "-"
        if r < 0.03:  # scanners
            path = rng.choice(self.scan_paths)
            method = "POST" if path.startswith("/wp-login") and rng.random() < 0.5 else "GET"
            status = rng.choice((404, 404, 404, 403, 400, 301))
            return (
                rng.choice(self.scanners),
                method,
                path,
                status,
                rng.randint(150, 600),
                referrer,
                rng.choice(self.scanner_agents),
            )
        client = _skewed(rng, self.clients)
        agent = self.agents[int(len(self.agents) * rng.random() ** 1.5)]
        if rng.random() < 0.6:
            referrer = rng.choice(self.referrers)
        if r < 0.45:  # static assets
            kind = rng.random()
            if kind < 0.4:
                path = f"/static/js/app.{rng.getrandbits(32):08x}.js"
            elif kind < 0.6:
                path = "/static/css/main.css?v=" + str(rng.randint(1, 40))
            elif kind < 0.95:
                path = f"/images/products/{rng.randint(1, 50_000)}.jpg"
            else:
                path = "/favicon.ico"
            status = 304 if rng.random() < 0.25 else 200
            size = 0 if status == 304 else rng.randint(800, 400_000)
            return client, "GET", path, status, size, referrer, agent
        if r < 0.75:  # pages
            kind = rng.random()
            if kind < 0.3:
                path = f"/products/{rng.randint(1, 50_000)}"
            elif kind < 0.55:
                path = (
                    f"/category/{rng.choice(self.categories)}?page={rng.randint(1, 30)}"
                    f"&sort={rng.choice(('price_asc', 'price_desc', 'newest'))}"
                )
            elif kind < 0.8:
                path = f"/search?q={rng.choice(self.words)}+{rng.choice(self.words)}&page=1"
            else:
                path = rng.choice(("/", "/index.html", "/about", "/cart", "/checkout"))
            status = rng.choices((200, 301, 302, 404, 500), (90, 2, 3, 4, 1))[0]
            return client, "GET", path, status, rng.randint(2_000, 90_000), referrer, agent
        if r < 0.97:  # API
            kind = rng.random()
            if kind < 0.4:
                method, path = "GET", f"/api/v1/items/{rng.randint(1, 50_000)}"
            elif kind < 0.6:
                method = "GET"
                path = f"/api/v1/orders?status=open&limit=50&offset={rng.randint(0, 20) * 50}"
            elif kind < 0.8:
                method, path = "POST", "/api/v1/orders"
            elif kind < 0.9:
                method = rng.choice(("PUT", "PATCH", "DELETE"))
                path = f"/api/v2/users/{rng.randint(1, 200_000)}/profile"
            else:
                method, path = "OPTIONS", "/api/v1/items"
            status = rng.choices(
                (200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503),
                (70, 8, 4, 4, 4, 2, 3, 1, 1, 2, 1),
            )[0]
            return client, method, path, status, rng.randint(0, 20_000), "-", agent
        # logins and health checks
        if rng.random() < 0.5:
            status = rng.choices((302, 200, 401), (6, 1, 3))[0]
            return client, "POST", "/login", status, rng.randint(0, 3000), referrer, agent
        return "10.0.3.17", "GET", "/healthz", 200, 2, "-", "kube-probe/1.29"

    def lines(self, count: int) -> Iterator[str]:
        """Yield ``count`` lines in increasing time order."""
        rng = self.rng
        for _ in range(count):
            self.now += rng.expovariate(50.0)
            client, method, path, status, size, referrer, agent = self._request()
            version = "HTTP/2.0" if rng.random() < 0.35 else "HTTP/1.1"
            user = "monitor" if path == "/healthz" and rng.random() < 0.5 else "-"
            shown = str(size) if size else rng.choice(("-", "0"))
            yield (
                f'{client} - {user} [{self._stamp_of(self.now)}] "{method} {path} {version}" '
                f'{status} {shown} "{referrer}" "{agent}"\n'
            )


def generate(fmt: str, path: Path, count: int, seed: int, progress: Callable[[int], None]) -> None:
    """Write ``count`` lines of format ``fmt`` to ``path`` (deterministic for ``seed``)."""
    rng = random.Random(f"{seed}:{fmt}")
    gen = AuthLogGenerator(rng) if fmt == "auth" else AccessLogGenerator(rng)
    tmp = path.with_suffix(".tmp")
    chunk: list[str] = []
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        for line in gen.lines(count):
            chunk.append(line)
            if len(chunk) == 20_000:
                out.writelines(chunk)
                progress(len(chunk))
                chunk = []
        out.writelines(chunk)
        progress(len(chunk))
    tmp.replace(path)


# ---------------------------------------------------------------------------------------------
# Measured work (runs in a child process)
# ---------------------------------------------------------------------------------------------
@dataclass
class Measure:
    """What one child measured."""

    lines: int = 0
    events: int = 0
    unparsed: int = 0
    stored: int | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    setup_s: float = 0.0
    peak_rss_mib: float = 0.0
    server_cpu_s: float | None = None
    note: str = ""


class Timer:
    """CPU and wall time of a block, optionally under cProfile."""

    def __init__(self, profile: str | None) -> None:
        """Prepare; ``profile`` is where to dump cProfile stats, if anywhere."""
        self.profile_path = profile
        self.cpu = 0.0
        self.wall = 0.0
        self._profiler: Any = None

    def __enter__(self) -> Timer:
        if self.profile_path:
            import cProfile

            self._profiler = cProfile.Profile()
            self._profiler.enable()
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self._cpu0
        self.wall = time.perf_counter() - self._wall0
        if self._profiler is not None:
            self._profiler.disable()
            self._profiler.dump_stats(self.profile_path)


def _garrison_context(path: Path) -> Any:
    from garrison.core.ids import stream_key
    from garrison.ingest.pipeline import first_line
    from garrison.ingest.reader import open_binary, peek
    from garrison.normalize.base import ParseContext

    stream, _raw = open_binary(path)
    key = stream_key(first_line(peek(stream, 4096)))
    now = datetime.now(UTC)
    ctx = ParseContext(
        stream=key, now=now, tz=UTC, year=YEAR, path=str(path.resolve()), reference_time=now
    )
    return stream, ctx


def run_garrison_parse(spec: dict[str, Any], m: Measure) -> None:
    """Reader + registry parser; every event is consumed and dropped."""
    from garrison.ingest.reader import iter_lines
    from garrison.normalize import registry

    path = Path(spec["path"])
    stream, ctx = _garrison_context(path)
    parser = registry.create(REGISTRY_NAME[spec["format"]])
    events = unparsed = 0
    with stream, Timer(spec.get("profile")) as timer:
        for event in parser.parse(iter_lines(stream), ctx):
            events += 1
            if event.unparsed:
                unparsed += 1
    m.lines, m.events, m.unparsed = spec["lines"], events, unparsed
    m.cpu_s, m.wall_s = timer.cpu, timer.wall


def _backend_cpu(engine: Any) -> tuple[int, float] | None:
    """(pid, CPU seconds so far) of the PostgreSQL backend serving the pooled connection."""
    try:
        with engine.connect() as conn:
            pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return pid, (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def run_garrison_store(spec: dict[str, Any], m: Measure) -> None:
    """The real ``ingest_path`` into a fresh database through ``SqlEventStore``."""
    setup0 = time.perf_counter()
    from garrison.core.clock import SystemClock
    from garrison.ingest.options import IngestOptions
    from garrison.ingest.pipeline import ingest_path
    from garrison.ingest.summary import IngestSummary
    from garrison.settings import Settings
    from garrison.storage.sql.engine import make_engine, upgrade
    from garrison.storage.sql.events import SqlEventStore

    engine = make_engine(spec["url"])
    upgrade(engine)
    store = SqlEventStore(engine)
    batch_size = Settings.model_fields["batch_size"].default
    options = IngestOptions(format=None, tz=UTC, year=YEAR, batch_size=batch_size)
    summary = IngestSummary()
    postgres = engine.dialect.name == "postgresql"
    before = _backend_cpu(engine) if postgres else None
    m.setup_s = time.perf_counter() - setup0
    with Timer(spec.get("profile")) as timer:
        ingest_path(spec["path"], sink=store, summary=summary, options=options, clock=SystemClock())
    if postgres:
        after = _backend_cpu(engine)
        if before is not None and after is not None and before[0] == after[0]:
            m.server_cpu_s = after[1] - before[1]
    detected = summary.formats.get(spec["path"])
    if detected != REGISTRY_NAME[spec["format"]] or summary.errors:
        m.note = f"detected {detected!r}, errors {summary.errors}"
    m.lines, m.events, m.unparsed, m.stored = (
        summary.records,
        summary.events,
        summary.unparsed,
        store.count(),
    )
    m.cpu_s, m.wall_s = timer.cpu, timer.wall
    engine.dispose()


# The hand-written baseline: what a user writes in an afternoon. Same fields as Garrison's
# normalised core: auth -> timestamp, host, program, pid, user, source ip, outcome;
# access -> client ip, time, method, path, status, bytes, referrer, user agent.
NAIVE_SYSLOG = re.compile(r"^(\w{3} +\d+ \d\d:\d\d:\d\d) (\S+) ([^\[:]+)(?:\[(\d+)\])?: (.*)$")
NAIVE_FAILED = re.compile(r"Failed \S+ for (?:invalid user )?(\S+) from (\S+) port \d+")
NAIVE_ACCEPTED = re.compile(r"Accepted \S+ for (\S+) from (\S+) port \d+")
NAIVE_INVALID = re.compile(r"Invalid user (\S*) from (\S+)")
NAIVE_USER_FROM = re.compile(r"(?:user|by|from) (?:(\S+) )?(\d+\.\d+\.\d+\.\d+|[0-9a-f:]+) port")
NAIVE_RHOST = re.compile(r"rhost=(\S*)(?:\s+user=(\S+))?")
NAIVE_SESSION = re.compile(r"session (opened|closed) for user ([^\s(]+)")
NAIVE_SUDO = re.compile(r"^\s*(\S+) : .*COMMAND=")
NAIVE_ACCESS = re.compile(
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"'
)


def naive_auth(line: str) -> dict[str, Any] | None:
    """One auth.log line -> dict, the way a typical script does it."""
    m = NAIVE_SYSLOG.match(line)
    if m is None:
        return None
    stamp, host, program, pid, msg = m.groups()
    ts = datetime.strptime(f"{YEAR} {stamp}", "%Y %b %d %H:%M:%S")
    user = ip = outcome = None
    if "Failed " in msg and (f := NAIVE_FAILED.search(msg)):
        user, ip, outcome = f.group(1), f.group(2), "failure"
    elif "Accepted " in msg and (f := NAIVE_ACCEPTED.search(msg)):
        user, ip, outcome = f.group(1), f.group(2), "success"
    elif msg.startswith("Invalid user") and (f := NAIVE_INVALID.search(msg)):
        user, ip, outcome = f.group(1), f.group(2), "failure"
    elif "authentication failure" in msg and (f := NAIVE_RHOST.search(msg)):
        ip, user, outcome = f.group(1) or None, f.group(2), "failure"
    elif "session " in msg and (f := NAIVE_SESSION.search(msg)):
        user, outcome = f.group(2), "success"
    elif program == "sudo" and (f := NAIVE_SUDO.match(msg)):
        user, outcome = f.group(1), "failure" if "incorrect password" in msg else "success"
    elif " port " in msg and (f := NAIVE_USER_FROM.search(msg)):
        user, ip = f.group(1), f.group(2)
    return {
        "timestamp": ts.isoformat(),
        "host": host,
        "program": program,
        "pid": int(pid) if pid else None,
        "user": user,
        "source_ip": ip,
        "outcome": outcome,
        "message": msg,
    }


def naive_access(line: str) -> dict[str, Any] | None:
    """One combined access-log line -> dict, the way a typical script does it."""
    m = NAIVE_ACCESS.match(line)
    if m is None:
        return None
    ip, user, stamp, method, path, proto, status, size, referrer, agent = m.groups()
    ts = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
    return {
        "timestamp": ts.isoformat(),
        "client_ip": ip,
        "user": None if user == "-" else user,
        "method": method,
        "path": path,
        "protocol": proto,
        "status": int(status),
        "bytes": 0 if size == "-" else int(size),
        "referrer": None if referrer == "-" else referrer,
        "user_agent": agent,
    }


def _grok_parsers(fmt: str) -> Callable[[str], dict[str, Any] | None]:
    """pygrok patterns in the style of Logstash's (``SYSLOGBASE``, ``COMBINEDAPACHELOG``)."""
    from pygrok import Grok  # type: ignore[import-untyped,import-not-found,unused-ignore]

    if fmt == "access":
        combined = Grok("^%{COMBINEDAPACHELOG}")

        def grok_access(line: str) -> dict[str, Any] | None:
            g = combined.match(line)
            if g is None:
                return None
            ts = datetime.strptime(g["timestamp"], "%d/%b/%Y:%H:%M:%S %z")
            size = g["bytes"]
            return {
                "timestamp": ts.isoformat(),
                "client_ip": g["clientip"],
                "user": None if g["auth"] == "-" else g["auth"],
                "method": g["verb"],
                "path": g["request"],
                "protocol": g["httpversion"],
                "status": int(g["response"]),
                "bytes": int(size) if size else 0,
                "referrer": g["referrer"].strip('"'),
                "user_agent": g["agent"].strip('"'),
            }

        return grok_access

    header = Grok(r"^%{SYSLOGBASE} %{GREEDYDATA:message}")
    rules = [
        (Grok(r"^Failed %{WORD} for (?:invalid user )?%{DATA:user} from %{IP:ip} port"), "failure"),
        (Grok(r"^Accepted %{WORD} for %{DATA:user} from %{IP:ip} port"), "success"),
        (Grok(r"^Invalid user %{DATA:user} from %{IP:ip}"), "failure"),
        (Grok(r"authentication failure;.*rhost=%{IP:ip}?(?:\s+user=%{USERNAME:user})?"), "failure"),
        (Grok(r"session (?:opened|closed) for user %{USERNAME:user}"), "success"),
        (Grok(r"^\s*%{USERNAME:user} : .*COMMAND="), "success"),
        (Grok(r"(?:user|by|from) (?:%{USERNAME:user} )?%{IP:ip} port"), None),
    ]

    def grok_auth(line: str) -> dict[str, Any] | None:
        g = header.match(line)
        if g is None:
            return None
        msg = g["message"]
        user = ip = outcome = None
        for rule, result in rules:
            f = rule.match(msg)
            if f is not None:
                user, ip, outcome = f.get("user"), f.get("ip"), result
                break
        ts = datetime.strptime(f"{YEAR} {g['timestamp']}", "%Y %b %d %H:%M:%S")
        pid = g["pid"]
        return {
            "timestamp": ts.isoformat(),
            "host": g["logsource"],
            "program": g["program"],
            "pid": int(pid) if pid else None,
            "user": user,
            "source_ip": ip,
            "outcome": outcome,
            "message": msg,
        }

    return grok_auth


def _apachelogs_parser() -> Callable[[str], dict[str, Any] | None]:
    import apachelogs  # type: ignore[import-untyped,import-not-found,unused-ignore]

    parser = apachelogs.LogParser(apachelogs.COMBINED)

    def parse(line: str) -> dict[str, Any] | None:
        try:
            e = parser.parse(line)
        except apachelogs.InvalidEntryError:
            return None
        method, _, rest = (e.request_line or "").partition(" ")
        path, _, proto = rest.rpartition(" ")
        return {
            "timestamp": e.request_time.isoformat(),
            "client_ip": e.remote_host,
            "user": e.remote_user,
            "method": method,
            "path": path,
            "protocol": proto,
            "status": e.final_status,
            "bytes": e.bytes_sent or 0,
            "referrer": e.headers_in.get("Referer"),
            "user_agent": e.headers_in.get("User-Agent"),
        }

    return parse


def run_script(spec: dict[str, Any], m: Measure) -> None:
    """A per-line parse function over ``open()``; optionally stored with ``sqlite3``."""
    kind, fmt = spec["kind"], spec["format"]
    if kind in ("naive-parse", "naive-sqlite"):
        parse: Callable[[str], dict[str, Any] | None] = (
            naive_auth if fmt == "auth" else naive_access
        )
    elif kind == "pygrok-parse":
        parse = _grok_parsers(fmt)
    else:
        parse = _apachelogs_parser()
    store = kind == "naive-sqlite"
    db: sqlite3.Connection | None = None
    if store:
        db = sqlite3.connect(spec["db"])
        db.execute(
            "CREATE TABLE events (ts TEXT, host TEXT, program TEXT, pid INTEGER, user TEXT, "
            "source_ip TEXT, outcome TEXT, status INTEGER, doc TEXT, original TEXT)"
        )
    lines = events = unmatched = 0
    batch: list[tuple[Any, ...]] = []
    insert = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    with (
        open(spec["path"], encoding="utf-8", errors="replace") as fh,
        Timer(spec.get("profile")) as timer,
    ):
        for line in fh:
            lines += 1
            doc = parse(line.rstrip("\n"))
            if doc is None:
                unmatched += 1
                continue
            out = json.dumps(doc)
            events += 1
            if db is not None:
                batch.append(
                    (
                        doc["timestamp"],
                        doc.get("host"),
                        doc.get("program"),
                        doc.get("pid"),
                        doc.get("user"),
                        doc.get("source_ip") or doc.get("client_ip"),
                        doc.get("outcome"),
                        doc.get("status"),
                        out,
                        line,
                    )
                )
                if len(batch) >= 5000:
                    db.executemany(insert, batch)
                    db.commit()
                    batch = []
        if db is not None:
            db.executemany(insert, batch)
            db.commit()
    if db is not None:
        m.stored = int(db.execute("SELECT count(*) FROM events").fetchone()[0])
        db.close()
    m.lines, m.events, m.unparsed = lines, events, unmatched
    m.cpu_s, m.wall_s = timer.cpu, timer.wall


CHILD_RUNNERS: dict[str, Callable[[dict[str, Any], Measure], None]] = {
    "garrison-parse": run_garrison_parse,
    "garrison-sqlite": run_garrison_store,
    "garrison-postgres": run_garrison_store,
    "naive-parse": run_script,
    "naive-sqlite": run_script,
    "pygrok-parse": run_script,
    "apachelogs-parse": run_script,
}


def peak_rss_mib() -> float:
    """Peak resident set size of this process, in MiB.

    ``getrusage(RUSAGE_SELF).ru_maxrss`` survives ``execve`` on Linux: a child started by
    ``subprocess`` reports at least its parent's peak at the time of the fork. The kernel's
    ``VmHWM`` belongs to the process image after ``execve``, so it is used where available.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_main(spec_json: str) -> int:
    """Entry point of a measuring subprocess: prints one JSON :class:`Measure`."""
    spec = json.loads(spec_json)
    m = Measure()
    CHILD_RUNNERS[spec["kind"]](spec, m)
    m.peak_rss_mib = peak_rss_mib()
    print(json.dumps(asdict(m)))
    return 0


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the result table."""

    input: str
    mode: str
    kind: str
    lines: int | None = None
    events: int | None = None
    unparsed: int | None = None
    stored: int | None = None
    cpu_s: float | None = None
    lines_per_core_s: float | None = None
    wall_s: float | None = None
    events_per_s_wall: float | None = None
    peak_rss_mib: float | None = None
    server_cpu_s: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


MODE_LABEL = {
    "garrison-parse": "garrison parse",
    "garrison-sqlite": "garrison parse+SQLite",
    "garrison-postgres": "garrison parse+PostgreSQL",
    "naive-parse": "naive Python parse",
    "naive-sqlite": "naive Python parse+sqlite3",
    "pygrok-parse": "pygrok parse",
    "apachelogs-parse": "apachelogs parse",
}


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run_child(spec: dict[str, Any]) -> tuple[Measure | None, str]:
    """Run one measurement in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return None, f"failed: {tail[:200]}"
    return Measure(**json.loads(proc.stdout.strip().splitlines()[-1])), ""


def _row_from(fmt: str, kind: str, m: Measure | None, error: str) -> Row:
    row = Row(input=fmt, mode=MODE_LABEL[kind], kind=kind, note=error)
    if m is None:
        return row
    row.lines, row.events, row.unparsed, row.stored = m.lines, m.events, m.unparsed, m.stored
    row.cpu_s, row.wall_s, row.peak_rss_mib = m.cpu_s, m.wall_s, m.peak_rss_mib
    row.server_cpu_s = m.server_cpu_s
    row.lines_per_core_s = m.lines / m.cpu_s if m.cpu_s else None
    row.events_per_s_wall = m.events / m.wall_s if m.wall_s else None
    row.extra["setup_s"] = round(m.setup_s, 3)
    if m.note:
        row.note = m.note
    if kind == "garrison-parse":
        row.target = f">= {PARSE_TARGET:,} lines/s/core"
        row.met = (row.lines_per_core_s or 0) >= PARSE_TARGET
    elif kind == "garrison-sqlite":
        row.target = f">= {SQLITE_TARGET:,} events/s"
        row.met = (row.events_per_s_wall or 0) >= SQLITE_TARGET
    if m.server_cpu_s is not None:
        row.note = (row.note + "; " if row.note else "") + (
            f"server CPU {m.server_cpu_s:.1f} s, client+server "
            f"{m.lines / (m.cpu_s + m.server_cpu_s):,.0f} lines/s/core"
        )
    if m.stored is not None and m.stored != m.events:
        row.note = (row.note + "; " if row.note else "") + f"{m.stored:,} stored"
    if m.unparsed and kind.startswith("garrison"):
        row.note = (row.note + "; " if row.note else "") + f"{m.unparsed} unparsed"
    if m.unparsed and not kind.startswith("garrison"):
        row.note = (row.note + "; " if row.note else "") + f"{m.unparsed} lines not matched"
    return row


def _pg_prepare(url: str) -> tuple[str | None, str, str]:
    """Create a fresh schema; returns (URL using it, schema name, note)."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        return None, "", "skipped: psycopg is not installed (pip install 'psycopg[binary]')"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, "", f"skipped: PostgreSQL unreachable at {url} ({first})"
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema, ""


def _pg_drop(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def machine_info(pg_url: str | None) -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    mem_gib = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
    }
    if pg_url:
        try:
            import psycopg

            with psycopg.connect(pg_url, connect_timeout=5) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                info["postgresql"] = row[0] if row else None
        except Exception:  # noqa: S110 - reported as unknown
            pass
    return info


def _fmt(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def print_table(rows: list[Row], info: dict[str, Any], command: str, lines: int) -> None:
    """Render the results as a rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    console.print(
        f"[bold]Garrison ingest benchmark[/] - {lines:,} lines per input - "
        f"{info['cpus']} x {info['cpu_model']}, {info['memory_gib']} GiB, Python {info['python']}, "
        f"SQLite {info['sqlite']}, PostgreSQL {info['postgresql'] or 'n/a'}"
    )
    console.print(f"command: {command}")
    table = Table(show_lines=False)
    for name, justify in (
        ("input", "left"),
        ("mode", "left"),
        ("lines", "right"),
        ("events", "right"),
        ("CPU s", "right"),
        ("lines/s per core", "right"),
        ("wall s", "right"),
        ("events/s (wall)", "right"),
        ("peak RSS MiB", "right"),
        ("target", "left"),
        ("met?", "left"),
        ("notes", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        met = "-" if r.met is None else "[green]yes[/]" if r.met else "[red]NO[/]"
        table.add_row(
            r.input,
            r.mode,
            _fmt(r.lines),
            _fmt(r.events),
            _fmt(r.cpu_s, 2),
            _fmt(r.lines_per_core_s),
            _fmt(r.wall_s, 2),
            _fmt(r.events_per_s_wall),
            _fmt(r.peak_rss_mib, 1),
            r.target or "-",
            met,
            r.note,
        )
    console.print(table)
    for fmt in FORMATS:
        mine = {r.kind: r for r in rows if r.input == fmt and r.lines_per_core_s}
        ours = mine.get("garrison-parse")
        for base in ("naive-parse", "pygrok-parse", "apachelogs-parse"):
            other = mine.get(base)
            if ours and other and ours.lines_per_core_s and other.lines_per_core_s:
                ratio = ours.lines_per_core_s / other.lines_per_core_s
                console.print(f"{fmt}: garrison parse is {ratio:.2f}x {MODE_LABEL[base]} per core")
        store, naive = mine.get("garrison-sqlite"), mine.get("naive-sqlite")
        if store and naive and store.events_per_s_wall and naive.events_per_s_wall:
            ratio = store.events_per_s_wall / naive.events_per_s_wall
            console.print(
                f"{fmt}: garrison parse+SQLite is {ratio:.2f}x naive parse+sqlite3 (wall)"
            )


def plan(formats: list[str], modes: list[str]) -> list[str]:
    """The kinds of run, in order, for one input format."""
    kinds: list[str] = []
    if "parse" in modes:
        kinds.append("garrison-parse")
    if "sqlite" in modes:
        kinds.append("garrison-sqlite")
    if "postgres" in modes:
        kinds.append("garrison-postgres")
    if "baseline" in modes:
        kinds += ["naive-parse", "naive-sqlite", "pygrok-parse", "apachelogs-parse"]
    return kinds


def _split(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise SystemExit(f"--{what}: choose from {','.join(allowed)} (got {value!r})")
    return items


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate input, run every mode and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--lines", type=int, default=DEFAULT_LINES, help="lines per input file")
    ap.add_argument("--formats", default="auth,access", help="auth,access")
    ap.add_argument("--modes", default=",".join(MODES), help=",".join(MODES))
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server for 'postgres'")
    ap.add_argument("--workdir", type=Path, help="where input and databases go (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the input generator")
    ap.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="run each mode under cProfile, save <workdir>/<input>-<mode>.prof and print the "
        "top functions on stderr (the timings are then inflated)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args.child)

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    err = Console(stderr=True)
    formats = _split(args.formats, FORMATS, "formats")
    modes = _split(args.modes, MODES, "modes")
    if args.lines < 1:
        raise SystemExit("--lines must be at least 1")
    temp = args.workdir is None
    workdir: Path = args.workdir or Path(tempfile.mkdtemp(prefix="garrison-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python benchmarks/ingest.py", *(sys.argv[1:] if argv is None else argv)])
    info = machine_info(args.pg_url if "postgres" in modes else None)
    rows: list[Row] = []
    try:
        inputs: dict[str, Path] = {}
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        ) as progress:
            for fmt in formats:
                path = workdir / f"{fmt}-{args.lines}-s{args.seed}-v{GENERATOR_VERSION}.log"
                inputs[fmt] = path
                task = progress.add_task(f"generating {fmt}", total=args.lines)
                if path.exists():
                    progress.update(task, completed=args.lines, description=f"reusing {fmt}")
                    continue
                generate(fmt, path, args.lines, args.seed, partial(progress.advance, task))
        for fmt in formats:
            for kind in plan(formats, modes):
                if kind == "apachelogs-parse" and fmt != "access":
                    continue
                rows.append(run_one(fmt, kind, inputs[fmt], workdir, args, err))
    finally:
        if temp and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not args.keep:
            for db in workdir.glob("*.db*"):
                db.unlink(missing_ok=True)
    if args.keep or not temp:
        err.print(f"files are in {workdir}")
    if args.json:
        doc = {
            "command": command,
            "lines": args.lines,
            "seed": args.seed,
            "machine": info,
            "targets": {
                "parse_lines_per_core_s": PARSE_TARGET,
                "sqlite_events_per_s": SQLITE_TARGET,
            },
            "results": [asdict(r) for r in rows],
        }
        print(json.dumps(doc, indent=2))
    else:
        print_table(rows, info, command, args.lines)
    return 0


def run_one(
    fmt: str, kind: str, path: Path, workdir: Path, args: argparse.Namespace, err: Any
) -> Row:
    """Measure one (input, mode) pair in a subprocess."""
    spec: dict[str, Any] = {"kind": kind, "format": fmt, "path": str(path), "lines": args.lines}
    profile = workdir / f"{fmt}-{kind}.prof"
    if args.profile:
        spec["profile"] = str(profile)
    label = f"{fmt}: {MODE_LABEL[kind]}"
    if kind in ("pygrok-parse", "apachelogs-parse"):
        module = kind.split("-")[0]
        if not _installed(module):
            err.print(f"{label}: not installed (pip install {module})")
            return Row(input=fmt, mode=MODE_LABEL[kind], kind=kind, note="not installed")
    schema = ""
    db = workdir / f"{fmt}-{kind}.db"
    for stale in workdir.glob(f"{db.name}*"):
        stale.unlink()
    if kind == "garrison-sqlite":
        spec["url"] = f"sqlite:///{db}"
    elif kind == "naive-sqlite":
        spec["db"] = str(db)
    elif kind == "garrison-postgres":
        url, schema, note = _pg_prepare(args.pg_url)
        if url is None:
            err.print(f"{label}: {note}")
            return Row(input=fmt, mode=MODE_LABEL[kind], kind=kind, note=note)
        spec["url"] = url
    with err.status(f"{label} ..."):
        try:
            measure, error = run_child(spec)
        finally:
            if schema:
                _pg_drop(args.pg_url, schema)
    row = _row_from(fmt, kind, measure, error)
    err.print(
        f"{label}: {_fmt(row.lines_per_core_s)} lines/s/core, "
        f"{_fmt(row.events_per_s_wall)} events/s wall, {_fmt(row.peak_rss_mib, 1)} MiB"
        + (f" ({row.note})" if row.note else "")
    )
    if args.profile and profile.exists():
        import io
        import pstats

        out = io.StringIO()
        pstats.Stats(str(profile), stream=out).sort_stats("tottime").print_stats(15)
        sys.stderr.write(out.getvalue())
    return row


if __name__ == "__main__":
    sys.exit(main())
