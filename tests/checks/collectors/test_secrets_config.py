"""The configuration-file password collector: formats, references, lines, masking."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors import secrets_config as sc
from garrison.checks.collectors.secrets_config import SecretValue


def _values(found: sc._Found) -> dict[str, tuple[int, str, str | None, str | None]]:
    return {
        s.key: (s.line, s.origin, s.value.reveal() if s.value else None, s.user)
        for s in found.settings
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("admin123", ("literal", "admin123")),
        ("${DB_PASSWORD}", ("reference", None)),
        ("$DB_PASSWORD", ("reference", None)),
        ("${DB_PASSWORD:-admin123}", ("default", "admin123")),
        ("${DB_PASSWORD-admin123}", ("default", "admin123")),
        ("${DB_PASSWORD:admin123}", ("default", "admin123")),  # Spring
        ("${DB_PASSWORD:?must be set}", ("reference", None)),
        ("${A:-${B}}", ("reference", None)),
        ("${A:-}", ("reference", None)),
        ("{{ vault_db_password }}", ("reference", None)),
        ("<your-password>", ("reference", None)),
        ("ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)", ("reference", None)),
        ("{cipher}AQA6R4", ("reference", None)),
        ("@db.password@", ("reference", None)),
        ("******", ("reference", None)),
        ("xxxxxx", ("reference", None)),
        ("pre${VAR}post", ("reference", None)),
        ("p@$$w0rd", ("literal", "p@$$w0rd")),
    ],
)
def test_classify(raw: str, expected: tuple[str, str | None]) -> None:
    assert sc.classify(raw) == expected


@pytest.mark.parametrize(
    ("key", "is_password"),
    [
        ("MYSQL_ROOT_PASSWORD", True),
        ("spring.datasource.password", True),
        ("spring.redis.password", True),
        ("RABBITMQ_DEFAULT_PASS", True),
        ("DB_PWD", True),
        ("jdbc.dbPassword", True),
        ("requirepass", True),
        ("MYSQL_ALLOW_EMPTY_PASSWORD", False),
        ("MYSQL_RANDOM_ROOT_PASSWORD", False),
        ("MYSQL_ROOT_PASSWORD_FILE", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("BYPASS", False),
        ("DB_USER", False),
    ],
)
def test_password_keys(key: str, is_password: bool) -> None:
    assert sc.is_password_key(key) is is_password


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (".env", "env"),
        ("prod.env", "env"),
        (".env.production", "env"),
        (".env.example", None),
        (".env.sample", None),
        ("redis.conf", "redis"),
        ("redis-6380.conf", "redis"),
        ("redis.conf.dist", None),
        ("my.cnf", "mysql"),
        ("mysqld.cnf", "mysql"),
        ("application.properties", "properties"),
        ("jdbc.properties", "properties"),
        ("application.yml", "yaml"),
        ("application-prod.yaml", "yaml"),
        ("bootstrap.yml", "yaml"),
        ("docker-compose.yml", "compose"),
        ("compose.yaml", "compose"),
        ("docker-compose.prod.yml", "compose"),
        ("wp-config.php", "wordpress"),
        ("wp-config-sample.php", None),
        ("values.yaml", None),
        ("nginx.conf", None),
    ],
)
def test_parser_for(name: str, fmt: str | None) -> None:
    assert sc.parser_for(name) == fmt


def test_env_file() -> None:
    text = (
        "# comment\n"
        "export DB_USER=shop\n"
        "DB_PASSWORD='s3cr et#1' # trailing comment\n"
        'API_PASS="a\\"b"\n'
        "PLAIN_PWD=abc # note\n"
        "EMPTY_PASSWORD=\n"
        "MYSQL_ALLOW_EMPTY_PASSWORD=no\n"
        "ALLOW_EMPTY_PASSWORD=yes\n"
        "POSTGRES_HOST_AUTH_METHOD=trust\n"
        "#DB_PASSWORD=old\n"
    )
    found = sc.parse_env(text, ".env")
    assert _values(found) == {
        "DB_PASSWORD": (3, "literal", "s3cr et#1", "shop"),
        "API_PASS": (4, "literal", 'a"b', None),
        "PLAIN_PWD": (5, "literal", "abc", None),
    }
    assert [(o.line, o.key) for o in found.open_auth] == [
        (7, "MYSQL_ALLOW_EMPTY_PASSWORD"),
        (8, "ALLOW_EMPTY_PASSWORD"),
        (9, "POSTGRES_HOST_AUTH_METHOD"),
    ]


def test_redis_conf() -> None:
    text = (
        "bind 0.0.0.0\n"
        "requirepass p#ss\n"
        'masterauth "with space"\n'
        "user default on nopass ~* +@all\n"
        "user app on >apppass ~app:* +@read\n"
    )
    found = sc.parse_redis(text, "redis.conf")
    assert _values(found) == {
        "requirepass": (2, "literal", "p#ss", None),
        "masterauth": (3, "literal", "with space", None),
        "user app": (5, "literal", "apppass", "app"),
    }
    assert [(o.line, o.key) for o in found.open_auth] == [(4, "user default")]


@pytest.mark.parametrize(
    ("text", "open_line"),
    [
        ("bind 0.0.0.0\n", 1),
        ("bind * -::*\n", 1),
        ("port 6379\nprotected-mode no\n", 2),
        ('bind 0.0.0.0\nrequirepass ""\n', 2),  # the empty requirepass is the finding
        ("bind 127.0.0.1 -::1\n", None),
        ("bind 0.0.0.0\nrequirepass Xk9!qLw2Rz7#\n", None),
        ("port 6379\n", None),  # protected mode keeps it local
        ("bind 0.0.0.0\nuser default on >Xk9!qLw2Rz7# ~* +@all\n", None),
    ],
)
def test_redis_without_password(text: str, open_line: int | None) -> None:
    found = sc.parse_redis(text, "redis.conf")
    assert [o.line for o in found.open_auth] == ([open_line] if open_line else [])


def test_mysql_cnf() -> None:
    text = (
        "[mysqld]\ndatadir=/var/lib/mysql\n\n"
        '[client]\nuser = backup\npassword = "b@ckup pass"\n'
        "[mysqldump]\npassword\n"
        "[client-empty]\npassword=\n"
        "[other]\npassword=ignored\n"
    )
    found = sc.parse_mysql(text, "my.cnf")
    assert _values(found) == {"[client] password": (6, "literal", "b@ckup pass", "backup")}
    assert [(o.line, o.key) for o in found.open_auth] == [(10, "[client-empty] password")]
    assert not sc.parse_mysql("[req]\nprompt = no\n", "openssl.cnf").relevant


def test_properties() -> None:
    text = (
        "! comment\n"
        "jdbc.username = sa\n"
        "jdbc.password = changeme\n"
        "spring.redis.password:r3dis\\:pw\n"
        "spring.datasource.druid.password \\\n"
        "    continued\n"
        "spring.rabbitmq.password=\n"
    )
    found = sc.parse_properties(text, "app.properties")
    assert _values(found) == {
        "jdbc.password": (3, "literal", "changeme", "sa"),
        "spring.redis.password": (4, "literal", "r3dis:pw", None),
        "spring.datasource.druid.password": (5, "literal", "continued", None),
    }
    assert [(o.line, o.key) for o in found.open_auth] == [(7, "spring.rabbitmq.password")]


def test_spring_yaml() -> None:
    text = (
        "spring:\n"
        "  datasource:\n"
        "    username: shop\n"
        "    password: 'it''s'   # quoted\n"
        "  redis:\n"
        "    password: ${REDIS_PASSWORD:redis123}\n"
        "  mail:\n"
        '    password: ""\n'
        "datasources:\n"
        "  - name: a\n"
        "    username: alice\n"
        "    password: alice\n"
        "  - name: b\n"
        "    username: bob\n"
        "    password: |\n"
        "      block scalar skipped\n"
        "---\n"
        "other:\n"
        "  password: !!str 123\n"
    )
    found = sc.parse_spring_yaml(text, "application.yml")
    settings = [(s.line, s.key, s.origin, s.value.reveal() if s.value else None, s.user)
                for s in found.settings]  # fmt: skip
    assert settings == [
        (4, "spring.datasource.password", "literal", "it's", "shop"),
        (6, "spring.redis.password", "default", "redis123", None),
        (12, "datasources.password", "literal", "alice", "alice"),
        (19, "other.password", "literal", "123", None),
    ]
    assert [(o.line, o.key) for o in found.open_auth] == [(8, "spring.mail.password")]


def test_compose() -> None:
    text = (
        "x-common: &common\n"
        "  TZ: Asia/Shanghai\n"
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        "      POSTGRES_USER: shop\n"
        '      "POSTGRES_PASSWORD": shop\n'
        "      POSTGRES_HOST_AUTH_METHOD: trust\n"
        "  grafana:\n"
        "    image: grafana/grafana\n"
        "    environment:\n"
        "      - GF_SECURITY_ADMIN_PASSWORD=admin\n"
        "      - 'MONGO_INITDB_ROOT_PASSWORD=${MONGO_PW}'\n"
        "      - REDIS_PASSWORD\n"
        "  app:\n"
        "    build:\n"
        "      args:\n"
        "        DB_PASSWORD: build-time-pw\n"
        '    command: ["--password", "x"]\n'
        "    environment:\n"
        "      MYSQL_PASSWORD:\n"
        "  cache:\n"
        "    command: redis-server --appendonly yes --requirepass 'r3d1s pw'\n"
    )
    found = sc.parse_compose(text, "docker-compose.yml")
    assert _values(found) == {
        "POSTGRES_PASSWORD": (8, "literal", "shop", "shop"),
        "GF_SECURITY_ADMIN_PASSWORD": (13, "literal", "admin", "admin"),
        "MONGO_INITDB_ROOT_PASSWORD": (14, "reference", None, "root"),
        "DB_PASSWORD": (19, "literal", "build-time-pw", None),
        "requirepass": (24, "literal", "r3d1s pw", None),
    }
    assert [(o.line, o.key) for o in found.open_auth] == [(9, "POSTGRES_HOST_AUTH_METHOD")]


def test_wordpress() -> None:
    text = (
        "<?php\n"
        "// define('DB_PASSWORD', 'commented');\n"
        "define( 'DB_USER', 'wp' );\n"
        'define("DB_PASSWORD", "wp\\"pw");\n'
        "define( 'DB_PASSWORD', getenv('WP_DB_PASSWORD') );\n"
    )
    found = sc.parse_wordpress(text, "wp-config.php")
    assert _values(found) == {"DB_PASSWORD": (4, "literal", 'wp\\"pw', "wp")}
    empty = sc.parse_wordpress("<?php\ndefine('DB_PASSWORD', '');\n", "wp-config.php")
    assert [(o.line, o.key) for o in empty.open_auth] == [(2, "DB_PASSWORD")]


def test_collect_walks_folders_and_skips_vendored_ones(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "node_modules/pkg").mkdir(parents=True)
    (tmp_path / "deploy/.env").write_text("DB_PASSWORD=admin123\n")
    (tmp_path / "deploy/.env.example").write_text("DB_PASSWORD=changeme\n")
    (tmp_path / "node_modules/pkg/.env").write_text("DB_PASSWORD=vendored\n")
    (tmp_path / "README.md").write_text("DB_PASSWORD=doc\n")
    (tmp_path / "openssl.cnf").write_text("[req]\nprompt=no\n")
    single = tmp_path / "prod.env"
    single.write_text("X_PASS=Zq8!wLr2#Vx9\n")
    found = sc.collect([tmp_path / "deploy", tmp_path, single])
    files = [Path(f).relative_to(tmp_path).as_posix() for f in found.files]
    assert files == ["deploy/.env", "prod.env"]  # each file once, however often it is named
    assert len(found.settings) == 2
    named = sc.collect([tmp_path / "node_modules"])  # a folder named on purpose is read
    assert len(named.files) == 1


def test_collect_skips_unreadable_and_huge_files(tmp_path: Path) -> None:
    (tmp_path / "big.env").write_text("A_PASSWORD=x\n" * (sc.MAX_FILE // 10))
    (tmp_path / "missing.env").symlink_to(tmp_path / "nowhere")
    assert sc.collect([tmp_path]) == sc.CredentialSettings()


def test_settings_repr_masks_values() -> None:
    found = sc.parse_env("DB_PASSWORD=admin@123\n", ".env")
    assert "admin@123" not in repr(found) + str(found.settings)
    assert found.settings[0].value == SecretValue("admin@123")


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=400)


@given(_TEXT)
def test_parsers_never_raise_and_lines_stay_in_range(text: str) -> None:
    count = len(text.splitlines())
    for fmt in ("env", "redis", "mysql", "properties", "compose", "yaml", "wordpress"):
        found = sc.parse_text(text, "f", fmt)
        lines = [s.line for s in found.settings] + [o.line for o in found.open_auth]
        assert all(1 <= line <= max(count, 1) for line in lines)


@given(st.from_regex(r"[A-Z][A-Z0-9_]{0,10}_PASSWORD", fullmatch=True),
       st.text(alphabet="abcdefXYZ0123456789!@%^&*()-+=.,", min_size=1, max_size=30))  # fmt: skip
def test_env_round_trip(key: str, value: str) -> None:
    found = sc.parse_env(f"{key}={value}\n", ".env")
    literal = sc.classify(value)[1]  # "XXX" or "***" are placeholders, not passwords
    expected = SecretValue(literal) if literal is not None else None
    assert [(s.key, s.value) for s in found.settings] == [(key, expected)]
    assert found.settings[0].value == SecretValue(value) or literal is None
    assert repr(found.settings[0].value) in ("SecretValue('****')", "None")


@given(st.text(alphabet="abcdefXYZ0123456789!@%^&*()-+=.,#'\" ", min_size=1, max_size=30))
def test_yaml_scalars_single_quoted_round_trip(value: str) -> None:
    quoted = "'" + value.replace("'", "''") + "'"
    found = list(sc.yaml_scalars(f"a:\n  password: {quoted}\n"))
    assert found[-1] == (2, ("a", "password"), value)
