"""The Compose collector: which files, every setting with its line, broken YAML kept."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.collectors.compose import (
    collect,
    has_variable,
    interpolate,
    is_compose_name,
    parse,
)

COMPOSE = """\
x-common: &common
  restart: unless-stopped
services:
  db:
    <<: *common
    image: postgres:16
    user: "999:999"
    privileged: true
    read_only: true
    network_mode: host
    pid: host
    security_opt: ["no-new-privileges:true", "seccomp=unconfined"]
    cap_add:
      - SYS_ADMIN
    cap_drop: [ALL]
    environment:
      POSTGRES_PASSWORD: secret
      EMPTY:
      PORT: 5432
    env_file:
      - .env
      - path: ./prod.env
    secrets:
      - db_password
      - source: other
    ports:
      - "127.0.0.1:5432:5432"
      - 6379
      - target: 9200
        published: "9200"
        host_ip: 0.0.0.0
        protocol: tcp
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - data:/var/lib/postgresql/data
      - /anonymous
      - type: bind
        source: /etc
        target: /host-etc
        read_only: true
    deploy:
      resources:
        limits:
          memory: 1G
          cpus: "2"
  worker:
    build: .
    environment:
      - TOKEN=${TOKEN}
      - SHELL_VALUE
    mem_limit: 256m
"""


def test_every_setting_with_its_line() -> None:
    parsed = parse(COMPOSE, "docker-compose.yml")
    assert parsed is not None
    db, worker = parsed.services
    assert (db.name, db.line, worker.name, worker.line) == ("db", 4, "worker", 46)
    assert db.image and (db.image.value, db.image.line) == ("postgres:16", 6)
    assert db.user and (db.user.text, db.user.line) == ("999:999", 7)
    assert db.privileged and (db.privileged.text, db.privileged.line) == ("true", 8)
    assert db.read_only and db.read_only.value is True
    assert [(k, v.text, v.line) for k, v in db.namespaces] == [
        ("network_mode", "host", 10),
        ("pid", "host", 11),
    ]
    assert [o.text for o in db.security_opt] == ["no-new-privileges:true", "seccomp=unconfined"]
    assert [(c.text, c.line) for c in db.cap_add] == [("SYS_ADMIN", 14)]
    assert [c.text for c in db.cap_drop] == ["ALL"]
    assert [(e.name, e.value, e.line) for e in db.environment] == [
        ("POSTGRES_PASSWORD", "secret", 17),
        ("EMPTY", None, 18),
        ("PORT", "5432", 19),
    ]
    assert [(f.value, f.line) for f in db.env_files] == [(".env", 21), ("./prod.env", 22)]
    assert db.secrets == ("db_password", "other")
    assert [(p.host_ip, p.published, p.target, p.protocol, p.line) for p in db.ports] == [
        ("127.0.0.1", "5432", "5432", "tcp", 27),
        (None, None, "6379", "tcp", 28),
        ("0.0.0.0", "9200", "9200", "tcp", 29),
    ]
    assert [(v.source, v.target, v.type, v.read_only, v.line) for v in db.volumes] == [
        ("/var/run/docker.sock", "/var/run/docker.sock", "bind", True, 34),
        ("data", "/var/lib/postgresql/data", "volume", False, 35),
        (None, "/anonymous", "volume", False, 36),
        ("/etc", "/host-etc", "bind", True, 37),
    ]
    assert db.memory_limit and (db.memory_limit.text, db.memory_limit.line) == ("1G", 44)
    assert db.cpu_limit and db.cpu_limit.text == "2"
    assert [(e.name, e.value, e.line) for e in worker.environment] == [
        ("TOKEN", "${TOKEN}", 49),
        ("SHELL_VALUE", None, 50),
    ]
    assert worker.memory_limit and worker.memory_limit.text == "256m"


def test_compose_names() -> None:
    yes = ["docker-compose.yml", "docker-compose.prod.yaml", "compose.yaml", "compose-dev.yml"]
    no = ["deployment.yaml", "docker-compose.yml.bak", "composer.json", "stack.yml"]
    assert all(is_compose_name(Path(n)) for n in yes)
    assert not any(is_compose_name(Path(n)) for n in no)


def test_collect_picks_compose_files_and_conservative_lookalikes(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  a:\n    image: x:1\n")
    (tmp_path / "stack.yml").write_text("version: '3.8'\nservices:\n  b:\n    build: .\n")
    # Top-level services that are no Compose services, and a Kubernetes object.
    (tmp_path / "catalog.yaml").write_text("services:\n  billing: [a, b]\n")
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: List\nservices:\n  c:\n    image: x\n"
    )
    (tmp_path / "ci.yml").write_text(
        "jobs:\n  test:\n    services:\n      db:\n        image: pg\n"
    )
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "compose.yml").write_text("services:\n  d:\n    image: x:1\n")
    facts = collect([tmp_path])
    assert sorted(Path(f.file).name for f in facts.files) == ["docker-compose.yml", "stack.yml"]
    assert [s.name for s in facts.services] == ["a", "b"]
    assert facts.errors == []


def test_broken_yaml_is_kept_as_an_error(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: [x\n")
    (tmp_path / "other.yml").write_text("key: [unclosed\n")  # no Compose file: not reported
    facts = collect([tmp_path])
    assert facts.files == []
    [(file, line, reason)] = facts.errors
    assert file.endswith("compose.yaml") and line == 4 and reason


def test_interpolation_helpers() -> None:
    assert (
        interpolate("${A:-/var/run/docker.sock}:/x ${B} ${C-d}") == "/var/run/docker.sock:/x ${B} d"
    )
    assert has_variable("${A}") and has_variable("x$A") and not has_variable("a$$b")


def _key(line: str) -> str:
    """The key of a ``key: value`` line, unquoted (the dumper quotes ``no``, ``on``...)."""
    return line.split(":", 1)[0].strip().strip("'\"")


_NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
_HOSTS = st.sampled_from([None, "127.0.0.1", "0.0.0.0", "::1", "10.0.0.5"])
_PORTS = st.integers(1, 65535).map(str)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        _NAMES,
        st.tuples(
            st.lists(st.tuples(_HOSTS, st.one_of(st.none(), _PORTS), _PORTS), max_size=3),
            st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), _NAMES),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_generated_compose_files_parse_back(
    services: dict[str, tuple[list[tuple[str | None, str | None, str]], dict[str, str]]],
) -> None:
    def short(host: str | None, published: str | None, target: str) -> str:
        host_part = (f"[{host}]:" if ":" in host else f"{host}:") if host else ""
        return f"{host_part}{published}:{target}" if published else target

    document = {
        "services": {
            name: {
                "image": "x:1",
                "ports": [short(*p) for p in ports],
                "environment": env,
            }
            for name, (ports, env) in services.items()
        }
    }
    text = yaml.safe_dump(document, sort_keys=False)
    parsed = parse(text, "compose.yml")
    assert parsed is not None
    lines = text.splitlines()
    for service, (name, (ports, env)) in zip(parsed.services, services.items(), strict=True):
        assert service.name == name and _key(lines[service.line - 1]) == name
        # Without a published port the short syntax has no host address either.
        expected = [(h if p else None, p, t) for h, p, t in ports]
        assert [(p.host_ip, p.published, p.target) for p in service.ports] == expected
        assert {e.name: e.value for e in service.environment} == env
        for variable in service.environment:
            assert _key(lines[variable.line - 1]) == variable.name
