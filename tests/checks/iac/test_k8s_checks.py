"""Every Kubernetes check: its failing fixture fails on the right lines, its passing one passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.checks.base import Facts, Status
from garrison.checks.collectors import kubernetes
from garrison.checks.loader import select

HERE = Path(__file__).parent
CHECKS = {c.id: c for c in select("iac") if c.id.startswith("k8s_")}
#: The lines each failing fixture fails on (the offending key, else the container item).
FAIL_LINES = {
    "k8s_privileged": [18],
    "k8s_allow_privilege_escalation": [8, 16],
    "k8s_run_as_non_root": [23, 32],
    "k8s_host_path": [22, 26],
    "k8s_host_namespaces": [7],
    "k8s_capabilities": [21],
    "k8s_read_only_root_fs": [17],
    "k8s_resource_limits": [19],
    "k8s_default_namespace": [6],
    "k8s_image_tag": [13, 15],
}


def _facts(check_id: str, kind: str) -> Facts:
    path = HERE / check_id / f"{kind}.yaml"
    assert path.is_file(), f"{check_id} needs tests/checks/iac/{check_id}/{kind}.yaml"
    return Facts("t", {"kubernetes": kubernetes.collect([path])})


def test_the_ten_checks_load() -> None:
    assert set(CHECKS) == set(FAIL_LINES)
    assert all(c.needs == ("kubernetes",) for c in CHECKS.values())


@pytest.mark.parametrize("check_id", sorted(FAIL_LINES))
def test_failing_fixture_fails_on_its_lines(check_id: str) -> None:
    results = CHECKS[check_id].run(_facts(check_id, "fail"))
    failed = [r for r in results if r.status is Status.FAIL]
    assert [r.line for r in failed] == FAIL_LINES[check_id]
    assert all(r.expected and r.actual and r.resource.endswith("fail.yaml") for r in failed)


@pytest.mark.parametrize("check_id", sorted(FAIL_LINES))
def test_passing_fixture_passes(check_id: str) -> None:
    results = CHECKS[check_id].run(_facts(check_id, "pass"))
    assert results and all(r.status is Status.PASS for r in results)


def test_runtime_socket_and_system_paths_are_called_critical() -> None:
    failed = CHECKS["k8s_host_path"].run(_facts("k8s_host_path", "fail"))
    assert "critical" not in failed[0].message and "/var/log" in failed[0].message
    assert "(critical)" in failed[1].message and "runtime socket" in failed[1].message


@pytest.mark.parametrize(
    ("path", "critical"),
    [
        ("/", True),
        ("//etc/", True),
        ("/proc/1/root", True),
        ("/run/containerd/containerd.sock", True),
        ("/var/lib/kubelet", True),
        ("/srv/../etc", True),
        ("/var/log", False),
        ("/data/app", False),
        ("/etcetera", False),
    ],
)
def test_host_path_severity_by_path(path: str, critical: bool) -> None:
    text = f"""\
apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: x}}
spec:
  containers: [{{name: c, image: "a:1"}}]
  volumes:
    - name: v
      hostPath: {{path: "{path}"}}
"""
    facts = Facts("t", {"kubernetes": kubernetes.scan_text(text, "p.yaml")})
    [result] = CHECKS["k8s_host_path"].run(facts)
    assert result.status is Status.FAIL and result.line == 8
    assert ("(critical)" in result.message) is critical


def _pod(container: str, pod: str = "") -> Facts:
    text = f"""\
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  {pod or "restartPolicy: Always"}
  containers:
    - name: c
      image: app:1
      {container or "ports: []"}
"""
    return Facts("t", {"kubernetes": kubernetes.scan_text(text, "p.yaml")})


@pytest.mark.parametrize(
    ("container", "pod", "status", "line"),
    [
        ("", "", Status.FAIL, 7),
        ("securityContext: {runAsNonRoot: false}", "", Status.FAIL, 9),
        ("securityContext: {runAsUser: 1000}", "", Status.PASS, 7),
        ("", "securityContext: {runAsUser: 0}", Status.FAIL, 5),
        ("securityContext: {runAsUser: 1000}", "securityContext: {runAsUser: 0}", Status.PASS, 7),
        ("securityContext: {runAsNonRoot: true}", "", Status.PASS, 7),
        ("securityContext: {runAsUser: 0, runAsNonRoot: true}", "", Status.FAIL, 9),
        ("", "securityContext: {runAsNonRoot: true}", Status.PASS, 7),
        ('securityContext: {runAsNonRoot: "true"}', "", Status.FAIL, 7),
    ],
)
def test_run_as_non_root_cases(container: str, pod: str, status: Status, line: int) -> None:
    [result] = CHECKS["k8s_run_as_non_root"].run(_pod(container, pod))
    assert (result.status, result.line) == (status, line)


@pytest.mark.parametrize(
    ("container", "status"),
    [
        ("securityContext: {allowPrivilegeEscalation: false}", Status.PASS),
        ("securityContext: {allowPrivilegeEscalation: false, privileged: true}", Status.FAIL),
        ("securityContext: {allowPrivilegeEscalation: true}", Status.FAIL),
        ('securityContext: {allowPrivilegeEscalation: "false"}', Status.FAIL),  # a string
        ("securityContext: []", Status.FAIL),  # a wrong type counts as unset
    ],
)
def test_allow_privilege_escalation_cases(container: str, status: Status) -> None:
    [result] = CHECKS["k8s_allow_privilege_escalation"].run(_pod(container))
    assert result.status is status


@pytest.mark.parametrize(
    ("add", "failed"),
    [
        ("[SYS_ADMIN]", ["SYS_ADMIN"]),
        ("[cap_net_raw, NET_BIND_SERVICE]", ["NET_RAW"]),
        ("[ALL]", ["ALL"]),
        ("[CHOWN, SETUID]", []),
        ("[]", []),
    ],
)
def test_capabilities_cases(add: str, failed: list[str]) -> None:
    results = CHECKS["k8s_capabilities"].run(
        _pod(f"securityContext: {{capabilities: {{add: {add}}}}}")
    )
    assert [r.message.rsplit(" ", 1)[-1] for r in results if r.status is Status.FAIL] == failed
    assert (not failed) == any(r.status is Status.PASS for r in results)


@pytest.mark.parametrize(
    ("image", "status"),
    [
        ("nginx", Status.FAIL),
        ("nginx:latest", Status.FAIL),
        ("nginx:LATEST", Status.FAIL),
        ("localhost:5000/nginx", Status.FAIL),
        ("localhost:5000/nginx:1.2", Status.PASS),
        ("nginx@sha256:" + "a" * 64, Status.PASS),
        ("docker.io/library/nginx:1.27-alpine", Status.PASS),
    ],
)
def test_image_tag_cases(image: str, status: Status) -> None:
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - name: c\n      image: {image}\n"
    facts = Facts("t", {"kubernetes": kubernetes.scan_text(text, "p.yaml")})
    [result] = CHECKS["k8s_image_tag"].run(facts)
    assert result.status is status and result.line == 7


def test_missing_namespace_fails_on_the_metadata_line() -> None:
    [result] = CHECKS["k8s_default_namespace"].run(_pod(""))
    assert result.status is Status.FAIL and result.line == 3 and "no namespace" in result.message


def test_resource_limits_without_resources_fail_on_the_container() -> None:
    [result] = CHECKS["k8s_resource_limits"].run(_pod(""))
    assert result.status is Status.FAIL and result.line == 7
    assert result.actual == "missing: limits.cpu, limits.memory"


def test_no_workloads_give_no_results() -> None:
    assert all(c.run(Facts("t", {"kubernetes": []})) == [] for c in CHECKS.values())


def test_missing_facts_are_an_error_not_a_pass() -> None:
    from garrison.checks.runner import run_checks

    results = run_checks(CHECKS.values(), Facts("t"))
    assert results and all(r.status is Status.ERROR for r in results)
