"""Every container check: its failing fixture fails on the right line, its passing one passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.checks.base import Facts, Status
from garrison.checks.collectors import docker_run
from garrison.checks.loader import select

HERE = Path(__file__).parent
CHECKS = {c.id: c for c in select("container")}
#: The line each failing fixture's ``docker run`` starts on.
FAIL_LINES = {
    "docker_run_root_user": 3,
    "docker_run_docker_sock": 6,
    "docker_run_privileged": 2,
    "docker_run_host_namespaces": 3,
}


def _fixture(check_id: str, kind: str) -> Path:
    found = sorted((HERE / check_id).glob(f"{kind}.*"))
    assert found, f"{check_id} needs a {kind} fixture in tests/checks/container/{check_id}/"
    return found[0]


def test_every_check_has_both_fixtures() -> None:
    folders = {p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert set(CHECKS) <= folders
    assert set(FAIL_LINES) == set(CHECKS)


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_failing_fixture_fails_on_its_line(check_id: str) -> None:
    facts = Facts("t", {"docker_run": docker_run.collect([_fixture(check_id, "fail")])})
    results = CHECKS[check_id].run(facts)
    failed = [r for r in results if r.status is Status.FAIL]
    assert [r.line for r in failed] == [FAIL_LINES[check_id]]
    assert failed[0].expected and failed[0].actual


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_passing_fixture_passes(check_id: str) -> None:
    facts = Facts("t", {"docker_run": docker_run.collect([_fixture(check_id, "pass")])})
    results = CHECKS[check_id].run(facts)
    assert results and all(r.status is Status.PASS for r in results)


def test_no_docker_run_lines_give_no_results() -> None:
    assert all(c.run(Facts("t", {"docker_run": []})) == [] for c in CHECKS.values())
