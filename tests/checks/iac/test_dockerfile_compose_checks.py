"""The Dockerfile and Compose checks: each failing fixture fails on its lines, each passing one
passes, and the Compose acceptance case (root user + docker.sock) is flagged twice with lines.

Fixtures are named ``fail.Dockerfile`` / ``pass.Dockerfile`` (the Dockerfile collector takes
``*.Dockerfile``) and ``fail.yml`` / ``pass.yml`` (the Compose collector reads any YAML with a
top-level ``services:`` whose services look like Compose services), so they are collected as
they are, with no copy under another name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.checks.base import Facts, Result, Status
from garrison.checks.collectors import compose, dockerfile
from garrison.checks.loader import select

HERE = Path(__file__).parent
CHECKS = {c.id: c for c in select("iac") if c.id.startswith(("dockerfile_", "compose_"))}
#: The lines each failing fixture fails on.
FAIL_LINES = {
    "dockerfile_root_user": [9],
    "dockerfile_latest_tag": [3, 9],
    "dockerfile_secrets_in_env": [4],
    "dockerfile_add_url": [3],
    "dockerfile_no_healthcheck": [6],
    "dockerfile_sudo": [4],
    "dockerfile_curl_pipe_shell": [3],
    "compose_privileged": [6],
    "compose_docker_sock": [6],
    "compose_root_user": [4],
    "compose_host_namespaces": [4],
    "compose_no_new_privileges": [5],
    "compose_security_opt_disabled": [6],
    "compose_cap_add": [6],
    "compose_secrets_in_environment": [6],
    "compose_database_ports_public": [6],
    "compose_no_resource_limits": [2],
}
#: Values the fixtures hold that must never show in a result.
SECRETS = ("Sup3rS3cret!", "correct-horse-battery")


def _facts(*paths: Path) -> Facts:
    return Facts(
        "config",
        {"dockerfile": dockerfile.collect(paths), "compose": compose.collect(paths)},
    )


def _fixture(check_id: str, kind: str) -> Path:
    found = sorted((HERE / check_id).glob(f"{kind}.*"))
    assert found, f"{check_id} needs a {kind} fixture in tests/checks/iac/{check_id}/"
    return found[0]


def _shown(result: Result) -> str:
    return " ".join(str(v) for v in (result.message, result.expected, result.actual))


def test_every_check_has_its_expected_lines() -> None:
    assert set(FAIL_LINES) == set(CHECKS)
    assert all(c.metadata.area == "iac" for c in CHECKS.values())


@pytest.mark.parametrize("check_id", sorted(FAIL_LINES))
def test_failing_fixture_fails_on_its_lines(check_id: str) -> None:
    fixture = _fixture(check_id, "fail")
    results = CHECKS[check_id].run(_facts(fixture))
    failed = [r for r in results if r.status is Status.FAIL]
    assert [r.line for r in failed] == FAIL_LINES[check_id]
    for result in failed:
        assert result.resource == str(fixture)
        assert result.expected and result.actual
        assert not any(secret in _shown(result) for secret in SECRETS)


@pytest.mark.parametrize("check_id", sorted(FAIL_LINES))
def test_passing_fixture_passes(check_id: str) -> None:
    results = CHECKS[check_id].run(_facts(_fixture(check_id, "pass")))
    assert results
    assert all(r.status is Status.PASS for r in results), [r for r in results if r.status]


def test_compose_root_user_and_docker_sock_are_both_flagged_with_lines(tmp_path: Path) -> None:
    """Issue 6 acceptance: a compose file with user root and docker.sock mounted."""
    file = tmp_path / "docker-compose.yml"
    file.write_text(
        "services:\n"
        "  ci-runner:\n"
        "    image: example/runner:1.0\n"
        "    user: root\n"
        "    volumes:\n"
        "      - ./cache:/cache\n"
        "      - /var/run/docker.sock:/var/run/docker.sock\n"
    )
    facts = _facts(tmp_path)
    root = [r for r in CHECKS["compose_root_user"].run(facts) if r.status is Status.FAIL]
    sock = [r for r in CHECKS["compose_docker_sock"].run(facts) if r.status is Status.FAIL]
    assert [(r.resource, r.line, r.actual) for r in root] == [(str(file), 4, "user: root")]
    assert [(r.resource, r.line) for r in sock] == [(str(file), 7)]
    assert sock[0].actual == "/var/run/docker.sock:/var/run/docker.sock"


#: Check -> file name, file text around one value ("{}"), and the values with whether they fail.
SNIPPETS: dict[str, tuple[str, str, list[tuple[str, bool]]]] = {
    "compose_docker_sock": (
        "compose.yaml",
        "services:\n  a:\n    image: x:1\n    volumes:\n      - '{}'\n",
        [
            ("/run/docker.sock:/var/run/docker.sock", True),
            ("${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock", True),
            ("//var/run//docker.sock:/s", True),
            ("/var/run:/host-run", True),
            ("/run/containerd/containerd.sock:/c.sock", True),
            ("./docker.sock:/s", False),
            ("docker_sock:/var/run/docker.sock", False),
        ],
    ),
    "compose_database_ports_public": (
        "compose.yaml",
        "services:\n  db:\n    image: x:1\n    ports:\n      - {}\n",
        [
            ("'5432'", True),
            ("'0.0.0.0:3306:3306'", True),
            ("'[::]:27017:27017'", True),
            ("'15432:5432/tcp'", True),
            ("'9190-9210:9190-9210'", True),
            ("'[::1]:5432:5432'", False),
            ("'127.0.0.1:11211:11211'", False),
            ("'8080:80'", False),
            ("{target: 5432, published: 5432, host_ip: 127.0.0.1}", False),
            ("{target: 5432, published: 5432}", True),
        ],
    ),
    "dockerfile_curl_pipe_shell": (
        "Dockerfile",
        "FROM alpine:3.20\n{}\n",
        [
            ("RUN wget -qO- https://x.example/i.sh | sh", True),
            ("RUN curl -sSL https://x.example/i.sh | sudo -E bash -", True),
            ('RUN sh -c "$(curl -fsSL https://x.example/i.sh)"', True),
            ("RUN bash <(curl -s https://x.example/i.sh)", True),
            ('RUN ["/bin/sh", "-c", "curl -s https://x.example/i | /bin/bash"]', True),
            ("RUN curl -s https://x.example/a.tgz | tar -xz", False),
            ("RUN curl -o /tmp/i.sh https://x.example/i.sh; sh /tmp/i.sh", False),
        ],
    ),
}


@pytest.mark.parametrize(
    ("check_id", "value", "flagged"),
    [(check_id, *case) for check_id, (_, _, cases) in SNIPPETS.items() for case in cases],
)
def test_snippet_values(tmp_path: Path, check_id: str, value: str, flagged: bool) -> None:
    """Docker socket sources, database ports and ``curl | sh`` forms, one value per file."""
    name, text, _ = SNIPPETS[check_id]
    file = tmp_path / name
    file.write_text(text.format(value))
    results = CHECKS[check_id].run(_facts(file))
    assert any(r.status is Status.FAIL for r in results) is flagged


def test_curl_pipe_shell_masks_credentials(tmp_path: Path) -> None:
    file = tmp_path / "Dockerfile"
    file.write_text(
        "FROM alpine:3.20\n"
        "RUN curl -H 'Authorization: token-abc123' https://bob:hunter2@x.example/i | sh\n"
    )
    [failed] = [
        r for r in CHECKS["dockerfile_curl_pipe_shell"].run(_facts(file)) if r.status is Status.FAIL
    ]
    assert "hunter2" not in _shown(failed) and "token-abc123" not in _shown(failed)


def test_build_argument_without_default_needs_a_person(tmp_path: Path) -> None:
    file = tmp_path / "Dockerfile"
    file.write_text("ARG BASE\nFROM ${BASE}\nUSER ${APP_USER}\n")
    facts = _facts(file)
    [tag] = CHECKS["dockerfile_latest_tag"].run(facts)
    [user] = CHECKS["dockerfile_root_user"].run(facts)
    assert (tag.status, tag.line) == (Status.MANUAL, 2)
    assert (user.status, user.line) == (Status.MANUAL, 3)


def test_no_user_at_all_fails_on_the_final_from(tmp_path: Path) -> None:
    file = tmp_path / "Dockerfile"
    file.write_text("FROM alpine:3.20 AS a\nUSER app\nFROM alpine:3.20\nRUN true\n")
    [result] = CHECKS["dockerfile_root_user"].run(_facts(file))
    assert (result.status, result.line, result.actual) == (Status.FAIL, 3, "no USER")
    file.write_text("FROM gcr.io/distroless/static:nonroot\n")
    [result] = CHECKS["dockerfile_root_user"].run(_facts(file))
    assert result.status is Status.PASS


def test_broken_compose_file_is_an_error_not_a_pass(tmp_path: Path) -> None:
    file = tmp_path / "docker-compose.yml"
    file.write_text("services:\n  web:\n    image: [nginx\n    user: root\n")
    facts = _facts(tmp_path)
    assert facts.values["compose"].errors and facts.values["compose"].files == []
    for check_id in (c for c in CHECKS if c.startswith("compose_")):
        results = CHECKS[check_id].run(facts)
        assert [r.status for r in results] == [Status.ERROR]
        assert results[0].resource == str(file) and results[0].line == 4


def test_no_files_give_no_results() -> None:
    facts = Facts(
        "config", {"dockerfile": dockerfile.DockerfileFacts(), "compose": compose.ComposeFacts()}
    )
    assert all(c.run(facts) == [] for c in CHECKS.values())


def test_missing_facts_raise_for_an_error_result() -> None:
    from garrison.checks.runner import run_checks

    results = run_checks(CHECKS.values(), Facts("config", {}))
    assert len(results) == len(CHECKS) and all(r.status is Status.ERROR for r in results)
