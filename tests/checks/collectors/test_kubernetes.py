"""Kubernetes manifests: workloads, pod specs and containers, with the line of each setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.collectors import kubernetes
from garrison.checks.collectors.kubernetes import Workload, collect, run_as, scan_text

STREAM = """\
# a Service and a Deployment in one file
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      hostNetwork: true
      hostIPC: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      initContainers:
        - name: migrate
          image: app:1.0
      containers:
        - name: web
          image: "nginx:1.27"
          securityContext:
            privileged: false
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsUser: 0
            capabilities:
              drop: [ALL]
              add:
                - NET_BIND_SERVICE
                - SYS_TIME
          resources:
            limits: {cpu: 500m, memory: 512}
      volumes:
        - name: sock
          hostPath:
            path: /var/run/docker.sock
        - name: tmp
          emptyDir: {}
"""


def test_a_deployment_in_a_stream_with_every_line() -> None:
    [pod] = scan_text(STREAM, "deploy.yaml")
    assert (pod.file, pod.kind, pod.name, pod.namespace, pod.namespace_set) == (
        "deploy.yaml", "Deployment", "web", "shop", True,
    )  # fmt: skip
    assert pod.label == "Deployment/web" and pod.line == 8 and pod.namespace_line == 12
    assert pod.spec_line == 16 and pod.host_network and not pod.host_ipc and not pod.host_pid
    assert pod.pod_line("hostNetwork") == 16 and pod.pod_line("hostPID") == 16
    assert pod.security.run_as_non_root is True and pod.security.run_as_user == 1000
    assert pod.security.line("runAsUser", 0) == 20
    [sock] = pod.host_paths
    assert (sock.volume, sock.path, sock.line) == ("sock", "/var/run/docker.sock", 42)
    migrate, web = pod.containers
    assert (migrate.name, migrate.init, migrate.line, migrate.image_line) == (
        "migrate",
        True,
        22,
        23,
    )
    assert migrate.label == "init container 'migrate'" and migrate.limits == {}
    assert migrate.limits_line == 22  # no resources: the container's line
    assert (web.name, web.image, web.init, web.line, web.image_line) == (
        "web",
        "nginx:1.27",
        False,
        25,
        26,
    )
    sc = web.security
    assert (sc.privileged, sc.allow_privilege_escalation, sc.read_only_root_filesystem) == (
        False, False, True,
    )  # fmt: skip
    assert sc.run_as_user == 0 and sc.run_as_non_root is None
    assert [sc.line(k, -1) for k in ("privileged", "runAsUser", "capabilities.add")] == [28, 31, 34]
    assert sc.line("runAsNonRoot", -1) == -1
    assert sc.capabilities_drop == ("ALL",) and sc.capabilities_add == (
        "NET_BIND_SERVICE",
        "SYS_TIME",
    )
    assert sc.add_lines == (35, 36)
    assert web.limits == {"cpu": "500m", "memory": "512"} and web.limits_line == 38


def test_container_settings_override_the_pods() -> None:
    [pod] = scan_text(STREAM, "deploy.yaml")
    migrate, web = pod.containers
    inherited = run_as(pod, migrate)
    assert (inherited.run_as_non_root, inherited.run_as_user) == (True, 1000)
    assert (inherited.non_root_line, inherited.user_line) == (19, 20)
    own = run_as(pod, web)
    assert (own.run_as_user, own.user_line, own.run_as_non_root) == (0, 31, True)


def test_every_workload_kind_and_its_pod_spec() -> None:
    docs = []
    for kind in kubernetes.POD_SPEC_PATHS:
        spec: dict[str, Any] = {"containers": [{"name": kind.lower(), "image": "a:1"}]}
        for key in reversed(kubernetes.POD_SPEC_PATHS[kind]):
            spec = {key: spec}
        docs.append({"apiVersion": "v1", "kind": kind, "metadata": {"name": kind}, **spec})
    found = scan_text(yaml.safe_dump_all(docs), "all.yaml")
    assert [w.kind for w in found] == list(kubernetes.POD_SPEC_PATHS)
    assert all(w.containers[0].name == w.kind.lower() for w in found)
    assert all(w.namespace == "default" and not w.namespace_set for w in found)


def test_list_items_nested_lists_and_other_kinds() -> None:
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec: {containers: [{name: a, image: a}]}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: c}
  - apiVersion: v1
    kind: PodList
    items:
      - apiVersion: v1
        kind: Pod
        metadata: {name: b}
        spec:
          containers:
            - name: b
"""
    found = scan_text(text, "l.yaml")
    assert [(w.name, w.line, w.containers[0].line) for w in found] == [("a", 4, 7), ("b", 14, 19)]
    assert found[1].containers[0].image is None and found[1].containers[0].image_line == 19


def test_non_kubernetes_yaml_is_skipped_silently() -> None:
    compose = "services:\n  web:\n    image: nginx\n    privileged: true\n"
    assert scan_text(compose, "compose.yaml") == []
    # Mentions the words but has no apiVersion key / is a custom kind / is a Helm template.
    assert scan_text("kind: Pod\nnote: apiVersion\n", "x.yaml") == []
    assert scan_text("apiVersion: x/v1\nkind: Widget\nspec: {}\n", "x.yaml") == []
    helm = (
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  {{- toYaml .Values.c | nindent 4 }}\n"
    )
    assert scan_text(helm, "t.yaml") == []
    assert scan_text("apiVersion: v1\nkind: Pod\nspec: [1, 2\n", "broken.yaml") == []
    assert scan_text("apiVersion: v1\nkind: Pod\nspec: 3\n", "odd.yaml") == []
    assert scan_text("---\n- apiVersion: v1\n  kind: Pod\n", "seq.yaml") == []
    assert scan_text("apiVersion: v1\nkind: [Pod]\nspec: {}\n", "k.yaml") == []
    assert scan_text("apiVersion: v1\nkind: {a: 1}\nitems: []\n", "k.yaml") == []


def test_wrong_types_are_absent_not_trusted() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata: [not, a, mapping]
spec:
  hostPID: "true"
  securityContext: nope
  volumes: {hostPath: {path: /}}
  containers:
    - just-a-string
    - name: 7
      image: [x]
      securityContext:
        privileged: "true"
        runAsUser: true
        capabilities: {add: SYS_ADMIN, drop: [1, ALL]}
      resources: {limits: [cpu]}
"""
    [pod] = scan_text(text, "p.yaml")
    assert pod.name == "" and pod.namespace == "default" and pod.namespace_line == 3
    assert not pod.host_pid and pod.host_paths == () and pod.security.run_as_user is None
    [container] = pod.containers
    assert container.name == "7" and container.image is None and container.line == 10
    sc = container.security
    assert sc.privileged is None and sc.run_as_user is None
    assert sc.capabilities_add == () and sc.capabilities_drop == ("ALL",)
    assert container.limits == {}


def test_collect_walks_folders_for_yaml_only(tmp_path: Path) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n"
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "a.yaml").write_text(pod)
    (tmp_path / "k8s" / "b.YML").write_text(pod.replace("name: p", "name: q"))
    (tmp_path / "k8s" / "c.json").write_text(pod)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.yaml").write_text(pod)
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe: [")
    (tmp_path / "compose.yml").write_text("services: {web: {image: nginx}}\n")
    found = collect([tmp_path])
    assert [(Path(w.file).name, w.name) for w in found] == [("a.yaml", "p"), ("b.YML", "q")]
    # A file named explicitly is read whatever its suffix.
    assert [w.name for w in collect([tmp_path / "k8s" / "c.json"])] == ["p"]
    assert collect([tmp_path / "missing.yaml"]) == []


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.text(max_size=12),
    st.floats(allow_nan=False),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                ["name", "image", "securityContext", "privileged", "runAsUser", "runAsNonRoot",
                 "capabilities", "add", "drop", "resources", "limits", "cpu", "memory",
                 "hostPath", "path", "containers", "initContainers", "volumes", "hostPID"]
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    kind=st.one_of(st.sampled_from([*kubernetes.POD_SPEC_PATHS, "List"]), _VALUES),
    spec=_VALUES,
    meta=_VALUES,
)
def test_any_shape_of_manifest_is_read_without_crashing(kind: Any, spec: Any, meta: Any) -> None:
    doc = {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec, "items": [spec]}
    for workload in scan_text(yaml.safe_dump(doc), "fuzz.yaml"):
        assert isinstance(workload, Workload) and workload.kind in kubernetes.POD_SPEC_PATHS
        assert workload.line >= 1 and all(c.line >= 1 for c in workload.containers)


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), min_size=1, max_size=6),
    flow=st.booleans(),
)
def test_container_lines_point_at_their_items(names: list[str], flow: bool) -> None:
    containers = [{"name": n, "image": f"{n}:1"} for n in names]
    doc = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": containers}}
    text = yaml.safe_dump(doc, default_flow_style=None if flow else False, sort_keys=False)
    [pod] = scan_text(text, "p.yaml")
    lines = text.splitlines()
    assert [c.name for c in pod.containers] == names
    for container in pod.containers:
        assert f"name: {container.name}" in lines[container.line - 1] or flow
        assert f"image: {container.image}" in lines[container.image_line - 1] or flow
