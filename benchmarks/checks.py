"""IaC check speed benchmark: Garrison's config scan against Checkov on the same files.

Generates (deterministically for a seed) a folder of ``--files`` infrastructure-as-code files,
one per service folder: about 40% Kubernetes manifests (a Deployment, StatefulSet, DaemonSet,
CronJob, Job or Pod, often with a Service, a ConfigMap of varying size, an Ingress or a
HorizontalPodAutoscaler in the same multi-document file), 30% Docker Compose files (1-8
services with environment, ports, volumes, health checks, limits) and 30% Dockerfiles
(single- and multi-stage, long ``RUN`` chains). Sizes range from about 15 to 400 lines;
roughly a third of the files carry misconfigurations (privileged containers, ``hostPath``
Docker sockets, ``latest`` tags, root users, secrets in the environment, ``curl | sh``...).

Then, each in a fresh process (so peak RSS is its own):

* ``garrison``: the real collectors (Kubernetes, Compose, Dockerfile, ``docker run``) and
  :func:`garrison.checks.runner.run_checks` with every ``iac`` and ``container`` check, timed
  in-process around collect + run (interpreter start, imports and check loading are reported
  apart); also once with only the Kubernetes and Dockerfile collectors, Checkov's scope;
* ``checkov``: ``checkov -d DIR --quiet --compact -o json --framework kubernetes dockerfile
  --skip-download`` timed by wall clock from start to exit (Checkov does not scan Compose
  files; its start-up cost is measured apart on an empty folder). Checkov is never a project
  dependency: install it in its own virtual environment::

      python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov

Files/s is files in the folder divided by the wall-clock seconds of the scan; CPU seconds
include child processes; peak RSS is the largest process's high-water mark.

Usage::

    python benchmarks/checks.py                        # 1,000 files, Garrison and Checkov
    python benchmarks/checks.py --files 5000 --repeat 3 --json
    python benchmarks/checks.py --checkov /opt/checkov/bin/checkov --keep --workdir /tmp/iac
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILES = 1_000
DEFAULT_SEED = 20_261_203
DEFAULT_CHECKOV_VENV = Path("/tmp/checkov-venv/bin/checkov")
#: Fact name -> collector ("module:function" taking the paths); imported lazily so that the
#: benchmark still runs (with a note) where one of them does not exist yet.
COLLECTORS = {
    "kubernetes": "garrison.checks.collectors.kubernetes:collect",
    "compose": "garrison.checks.collectors.compose:collect",
    "dockerfile": "garrison.checks.collectors.dockerfile:collect",
    "docker_run": "garrison.checks.collectors.docker_run:collect",
}
CHECKOV_SCOPE = ("kubernetes", "dockerfile")
CHECKOV_LABEL = "k8s + Dockerfile"
AREAS = ("iac", "container")
MIX = (("kubernetes", 0.4), ("compose", 0.3), ("dockerfile", 0.3))

# ---------------------------------------------------------------------------------------------
# Input generator
# ---------------------------------------------------------------------------------------------
# fmt: off
_APPS = ["api", "web", "worker", "billing", "auth", "search", "cart", "orders", "media", "notify",
         "gateway", "report", "ingest", "scheduler", "cache", "users", "catalog"]
_REGISTRIES = ["registry.example.com/shop", "ghcr.io/acme", "docker.io/acme",
               "harbor.internal/prod"]
_PUBLIC = ["nginx:1.27.0", "redis:7.2.5", "postgres:16.3", "rabbitmq:3.13-management",
           "memcached:1.6.29", "envoyproxy/envoy:v1.30.1", "busybox:1.36", "mysql:8.4.0"]
_BASES = ["python:3.12-slim", "node:20-bookworm-slim", "golang:1.22-alpine", "alpine:3.20",
          "debian:bookworm-slim", "eclipse-temurin:21-jre", "ubuntu:24.04", "ruby:3.3-slim"]
_PACKAGES = ["ca-certificates", "curl", "git", "build-essential", "libpq-dev", "libssl-dev",
             "libffi-dev", "tzdata", "locales", "gnupg", "unzip", "jq", "openssh-client",
             "libxml2-dev", "libxslt1-dev", "zlib1g-dev", "libjpeg-dev", "pkg-config",
             "python3-dev", "gcc", "make", "wget", "tini", "dumb-init", "netcat-openbsd"]
_ENV_KEYS = ["LOG_LEVEL", "PORT", "WORKERS", "TZ", "FEATURE_FLAGS", "CACHE_TTL", "REGION",
             "OTEL_EXPORTER_OTLP_ENDPOINT", "DATABASE_HOST", "DATABASE_NAME", "REDIS_URL",
             "QUEUE_NAME", "MAX_UPLOAD_MB", "SENTRY_ENVIRONMENT", "HTTP_TIMEOUT", "LANG"]
_PIP = ["requests", "flask", "gunicorn", "psycopg", "redis", "celery", "pydantic", "sqlalchemy",
        "boto3", "uvicorn"]
_SECRET_KEYS = ["DB_PASSWORD", "API_TOKEN", "AWS_SECRET_ACCESS_KEY", "JWT_SECRET"]
# fmt: on


@dataclass
class Generated:
    """What the generator wrote."""

    files: dict[str, int] = field(default_factory=dict)  # kind -> count
    lines: int = 0
    bytes: int = 0
    misconfigured: int = 0
    sizes: list[int] = field(default_factory=list)


class Generator:
    """Deterministic realistic IaC files."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _app(self) -> str:
        return f"{self.rng.choice(_APPS)}-{self.rng.randrange(1000):03d}"

    def _image(self, app: str, bad: bool) -> str:
        if bad and self.rng.random() < 0.5:
            return f"{self.rng.choice(_REGISTRIES)}/{app}" + self.rng.choice([":latest", ""])
        if self.rng.random() < 0.2:
            return self.rng.choice(_PUBLIC)
        version = f"{self.rng.randrange(1, 6)}.{self.rng.randrange(30)}.{self.rng.randrange(20)}"
        return f"{self.rng.choice(_REGISTRIES)}/{app}:{version}"

    def _env(self, count: int) -> dict[str, str]:
        keys = self.rng.sample(_ENV_KEYS, min(count, len(_ENV_KEYS)))
        return {
            k: str(self.rng.choice(["info", "8080", "4", "UTC", "eu-west-1", "30s"])) for k in keys
        }

    # -- Kubernetes ------------------------------------------------------------------------
    def _container(self, app: str, bad: set[str], index: int) -> dict[str, Any]:
        rng = self.rng
        container: dict[str, Any] = {
            "name": app if index == 0 else f"{app}-sidecar-{index}",
            "image": self._image(app, "image" in bad),
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": rng.choice([8080, 8000, 3000, 9090])}],
            "env": [{"name": k, "value": v} for k, v in self._env(rng.randrange(2, 16)).items()],
        }
        if rng.random() < 0.3:
            container["env"].append(
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}},
                }
            )
        if rng.random() < 0.7:
            probe = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10}
            container["livenessProbe"] = probe
            container["readinessProbe"] = {**probe, "initialDelaySeconds": 5}
        if "limits" not in bad:
            container["resources"] = {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {
                    "cpu": rng.choice(["500m", "1", "2"]),
                    "memory": rng.choice(["256Mi", "512Mi", "1Gi"]),
                },
            }
        security: dict[str, Any] = {}
        if "root" in bad:
            security["runAsUser"] = 0
        elif rng.random() < 0.6:
            security.update(
                runAsNonRoot=True,
                runAsUser=10001,
                allowPrivilegeEscalation=False,
                readOnlyRootFilesystem=True,
                capabilities={"drop": ["ALL"]},
            )
        if "privileged" in bad:
            security["privileged"] = True
        if "caps" in bad:
            security["capabilities"] = {"add": ["NET_ADMIN", "SYS_ADMIN"]}
        if security:
            container["securityContext"] = security
        container["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
        return container

    def kubernetes(self) -> tuple[str, bool]:
        """A multi-document manifest: a workload and its companions."""
        rng = self.rng
        app = self._app()
        bad = {
            m
            for m in (
                "image",
                "limits",
                "root",
                "privileged",
                "caps",
                "hostpath",
                "hostnet",
                "namespace",
            )
            if rng.random() < self._odds(m)
        }
        containers = [self._container(app, bad, i) for i in range(rng.choice([1, 1, 1, 2, 3]))]
        volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
        if "hostpath" in bad:
            path = rng.choice(["/var/run/docker.sock", "/var/log", "/etc", "/proc"])
            volumes.append({"name": "host", "hostPath": {"path": path}})
        pod: dict[str, Any] = {
            "serviceAccountName": app,
            "containers": containers,
            "volumes": volumes,
        }
        if "hostnet" in bad:
            pod["hostNetwork"] = True
        if rng.random() < 0.3:
            pod["initContainers"] = [
                {
                    "name": "migrate",
                    "image": self._image(app, False),
                    "command": ["/app/migrate", "--up"],
                }
            ]
        metadata: dict[str, Any] = {"name": app, "labels": {"app": app, "tier": "backend"}}
        if "namespace" not in bad:
            metadata["namespace"] = rng.choice(["shop", "payments", "platform", "data"])
        elif rng.random() < 0.5:
            metadata["namespace"] = "default"
        template = {"metadata": {"labels": {"app": app}}, "spec": pod}
        kind = rng.choices(
            ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod"],
            weights=[50, 15, 10, 10, 5, 10],
        )[0]
        selector = {"matchLabels": {"app": app}}
        specs: dict[str, dict[str, Any]] = {
            "Deployment": {
                "replicas": rng.randrange(1, 6),
                "selector": selector,
                "template": template,
            },
            "StatefulSet": {"serviceName": app, "selector": selector, "template": template},
            "DaemonSet": {"selector": selector, "template": template},
            "CronJob": {
                "schedule": "*/15 * * * *",
                "jobTemplate": {"spec": {"template": template}},
            },
            "Job": {"backoffLimit": 3, "template": template},
            "Pod": pod,
        }
        if kind in ("Job", "CronJob", "Pod"):
            pod["restartPolicy"] = "OnFailure" if kind != "Pod" else "Always"
        api = {
            "Deployment": "apps/v1",
            "StatefulSet": "apps/v1",
            "DaemonSet": "apps/v1",
            "CronJob": "batch/v1",
            "Job": "batch/v1",
            "Pod": "v1",
        }[kind]
        docs: list[dict[str, Any]] = [
            {"apiVersion": api, "kind": kind, "metadata": metadata, "spec": specs[kind]}
        ]
        namespace = {k: v for k, v in metadata.items() if k == "namespace"}
        if rng.random() < 0.7:
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": app, **namespace},
                    "spec": {
                        "selector": {"app": app},
                        "ports": [{"port": 80, "targetPort": "http"}],
                    },
                }
            )
        if rng.random() < 0.5:
            lines = rng.choice([5, 10, 20, 40, 80, 120, 200])
            config = "\n".join(f"{app}.setting_{i} = {rng.randrange(10**6)}" for i in range(lines))
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"{app}-config", **namespace},
                    "data": {"application.properties": config + "\n"},
                }
            )
        if rng.random() < 0.2:
            docs.append(
                {
                    "apiVersion": "autoscaling/v2",
                    "kind": "HorizontalPodAutoscaler",
                    "metadata": {"name": app, **namespace},
                    "spec": {
                        "scaleTargetRef": {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": app,
                        },
                        "minReplicas": 2,
                        "maxReplicas": 10,
                    },
                }
            )
        return yaml.safe_dump_all(docs, sort_keys=False, width=120), bool(bad)

    def _odds(self, misconfiguration: str) -> float:
        return {
            "image": 0.1,
            "limits": 0.15,
            "root": 0.05,
            "privileged": 0.03,
            "caps": 0.03,
            "hostpath": 0.04,
            "hostnet": 0.03,
            "namespace": 0.1,
        }.get(misconfiguration, 0.05)

    # -- Compose ---------------------------------------------------------------------------
    def compose(self) -> tuple[str, bool]:
        """A Compose file with a few services."""
        rng = self.rng
        services: dict[str, Any] = {}
        any_bad = False
        for _ in range(rng.randrange(1, 9)):
            app = self._app()
            bad = {
                m for m in ("privileged", "sock", "secret", "host", "root") if rng.random() < 0.05
            }
            any_bad = any_bad or bool(bad)
            service: dict[str, Any] = {"image": self._image(app, rng.random() < 0.08)}
            if rng.random() < 0.3:
                service["build"] = {"context": f"./{app}", "dockerfile": "Dockerfile"}
            service["restart"] = "unless-stopped"
            env = self._env(rng.randrange(0, 14))
            if "secret" in bad:
                env[rng.choice(_SECRET_KEYS)] = "s3cr3t-" + str(rng.randrange(10**6))
            if env:
                service["environment"] = (
                    env if rng.random() < 0.5 else [f"{k}={v}" for k, v in env.items()]
                )
            if rng.random() < 0.6:
                service["ports"] = [
                    f"{rng.choice(['', '127.0.0.1:'])}{8000 + rng.randrange(100)}:8080"
                ]
            volumes = [f"{app}-data:/var/lib/{app}"] if rng.random() < 0.5 else []
            if "sock" in bad:
                volumes.append("/var/run/docker.sock:/var/run/docker.sock")
            if volumes:
                service["volumes"] = volumes
            if "privileged" in bad:
                service["privileged"] = True
            if "host" in bad:
                service["network_mode"] = "host"
            if "root" in bad:
                service["user"] = "root"
            elif rng.random() < 0.4:
                service["user"] = "10001:10001"
            if rng.random() < 0.5:
                service["healthcheck"] = {
                    "test": ["CMD", "curl", "-f", "http://localhost:8080/healthz"],
                    "interval": "30s",
                    "timeout": "5s",
                    "retries": 3,
                }
            if rng.random() < 0.5:
                service["deploy"] = {"resources": {"limits": {"cpus": "0.5", "memory": "512M"}}}
            if rng.random() < 0.4:
                service["security_opt"] = ["no-new-privileges:true"]
            service["logging"] = {
                "driver": "json-file",
                "options": {"max-size": "10m", "max-file": "3"},
            }
            services[app] = service
        names = list(services)
        for i, name in enumerate(names[1:], 1):
            services[name]["depends_on"] = names[:i][-2:]
        doc: dict[str, Any] = {"services": services}
        named_volumes = [
            v.split(":")[0]
            for s in services.values()
            for v in s.get("volumes", [])
            if not v.startswith("/")
        ]
        if named_volumes:
            doc["volumes"] = dict.fromkeys(named_volumes, None)
        doc["networks"] = {"default": {"name": "backend"}}
        return yaml.safe_dump(doc, sort_keys=False, width=120), any_bad

    # -- Dockerfile ------------------------------------------------------------------------
    def dockerfile(self) -> str:
        """A Dockerfile, multi-stage in about half the cases."""
        rng = self.rng
        base = (
            rng.choice(_BASES)
            if rng.random() > 0.08
            else rng.choice(["ubuntu:latest", "node", "python:latest"])
        )
        out = ["# syntax=docker/dockerfile:1", f"ARG BASE={base}"]
        if rng.random() < 0.5:
            out += [
                "",
                f"FROM {rng.choice(_BASES)} AS build",
                "WORKDIR /src",
                "COPY . .",
                "RUN make build && make test",
                "",
            ]
        out += ["FROM ${BASE}", "LABEL org.opencontainers.image.source=https://git.example.com/app"]
        out += [f"ENV {k}={v}" for k, v in self._env(rng.randrange(1, 8)).items()]
        if rng.random() < 0.05:
            out.append(f"ENV {rng.choice(_SECRET_KEYS)}=hunter2-{rng.randrange(10**6)}")
        for _ in range(rng.randrange(1, 4)):
            packages = rng.sample(_PACKAGES, rng.randrange(3, len(_PACKAGES)))
            out.append("RUN apt-get update \\")
            out.append("    && apt-get install -y --no-install-recommends \\")
            out += [f"       {p} \\" for p in packages]
            out.append("    && rm -rf /var/lib/apt/lists/*")
        if rng.random() < 0.05:
            out.append("RUN curl -fsSL https://get.example.com/install.sh | sh")
        if rng.random() < 0.04:
            out.append("ADD https://example.com/tool.tar.gz /opt/")
        if rng.random() < 0.04:
            out.append("RUN apt-get update && apt-get install -y sudo")
        out += [
            "WORKDIR /app",
            "COPY --from=build /src/dist /app" if "AS build" in "\n".join(out) else "COPY . /app",
        ]
        out += [
            f"RUN pip install --no-cache-dir {p}=={rng.randrange(1, 9)}.{rng.randrange(20)}"
            for p in rng.sample(_PIP, rng.randrange(0, 6))
        ]
        out.append(f"EXPOSE {rng.choice([8080, 8000, 3000])}")
        if rng.random() < 0.4:
            out.append(
                "HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/healthz || exit 1"
            )
        if rng.random() < 0.7:
            out += ["RUN useradd --uid 10001 --create-home app", "USER 10001"]
        out.append('ENTRYPOINT ["/usr/bin/tini", "--"]')
        out.append('CMD ["/app/run.sh"]')
        return "\n".join(out) + "\n"


_NAMES = {
    "kubernetes": ["deployment.yaml", "k8s.yaml", "manifests.yml", "app.yaml"],
    "compose": ["docker-compose.yml", "compose.yaml", "docker-compose.yaml"],
    "dockerfile": ["Dockerfile"],
}


def generate(folder: Path, count: int, seed: int) -> Generated:
    """Write ``count`` files under ``folder`` (one service folder each)."""
    gen = Generator(seed)
    rng = random.Random(seed + 1)
    out = Generated()
    kinds = [k for k, share in MIX for _ in range(round(count * share))]
    kinds = (kinds + ["kubernetes"] * count)[:count]
    rng.shuffle(kinds)
    for index, kind in enumerate(kinds):
        if kind == "kubernetes":
            text, bad = gen.kubernetes()
        elif kind == "compose":
            text, bad = gen.compose()
        else:
            text = gen.dockerfile()
            bad = (
                any(s in text for s in (":latest", "| sh", "ADD http", "sudo", "hunter2"))
                or "USER" not in text
            )
        target = folder / f"team-{index % 20:02d}" / f"svc-{index:05d}" / rng.choice(_NAMES[kind])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        out.files[kind] = out.files.get(kind, 0) + 1
        lines = text.count("\n")
        out.lines += lines
        out.bytes += len(text.encode())
        out.sizes.append(lines)
        out.misconfigured += bool(bad)
    return out


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------
@dataclass
class Row:
    """One measured run."""

    tool: str
    scope: str
    files: int
    scanned: str = ""
    findings: int = 0
    checked: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mib: float = 0.0
    setup_s: float = 0.0
    note: str = ""
    error: str | None = None

    @property
    def files_per_s(self) -> float:
        """Files in the folder per wall-clock second of the scan."""
        return self.files / self.wall_s if self.wall_s else 0.0


def _peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resolve(spec: str) -> Callable[..., Any] | None:
    module, _, name = spec.partition(":")
    try:
        function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return function


def _count(facts: Any) -> int:
    """How many things a collector found (workloads, files, commands)."""
    files = getattr(facts, "files", None)
    return len(files) if files is not None else len(facts)


def garrison_child(folder: Path, scope: tuple[str, ...], repeat: int) -> dict[str, Any]:
    """Run in a fresh process: import, load checks, then time collect + run ``repeat`` times."""
    w0 = time.perf_counter()
    from garrison.checks.base import Facts, Status
    from garrison.checks.loader import select
    from garrison.checks.runner import run_checks

    collectors = {n: f for n in scope if (f := _resolve(COLLECTORS[n])) is not None}
    missing = sorted(set(scope) - set(collectors))
    checks = [
        c for area in AREAS for c in select(area) if c.needs and set(c.needs) <= set(collectors)
    ]
    setup = time.perf_counter() - w0
    walls, cpus, found, results = [], [], {}, []
    for _ in range(repeat):
        w1, c1 = time.perf_counter(), time.process_time()
        facts = Facts(target=str(folder))
        for name, collect in collectors.items():
            facts.values[name] = collect([folder])
        results = run_checks(checks, facts)
        walls.append(time.perf_counter() - w1)
        cpus.append(time.process_time() - c1)
        found = {name: _count(value) for name, value in facts.values.items()}
    errors = sum(r.status is Status.ERROR for r in results)
    return {
        "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "setup_s": setup,
        "peak_rss_mib": _peak_rss_mib(),
        "found": found,
        "findings": sum(r.status is Status.FAIL for r in results),
        "checked": len(results),
        "errors": errors,
        "checks": len(checks),
        "missing": missing,
        "walls": walls,
    }


def run_garrison(folder: Path, files: int, scope: tuple[str, ...], repeat: int) -> Row:
    """Garrison in a fresh interpreter (its own peak RSS)."""
    label = CHECKOV_LABEL if scope == CHECKOV_SCOPE else "k8s + Compose + Dockerfile"
    row = Row("garrison", label, files)
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(folder),
        "--scope",
        ",".join(scope),
        "--repeat",
        str(repeat),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        row.error = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return row
    data = json.loads(proc.stdout)
    row.wall_s, row.cpu_s, row.setup_s = data["wall_s"], data["cpu_s"], data["setup_s"]
    row.peak_rss_mib, row.findings, row.checked = (
        data["peak_rss_mib"],
        data["findings"],
        data["checked"],
    )
    names = {
        "kubernetes": "workloads",
        "compose": "compose files",
        "dockerfile": "Dockerfiles",
        "docker_run": "docker run lines",
    }
    row.scanned = ", ".join(f"{v:,} {names[k]}" for k, v in data["found"].items() if v)
    notes = [f"{data['checks']} checks", f"import + load {data['setup_s']:.2f} s"]
    if repeat > 1:
        notes.append(f"median of {repeat}: " + "/".join(f"{w:.2f}" for w in data["walls"]))
    if data["errors"]:
        notes.append(f"{data['errors']} error results")
    if data["missing"]:
        notes.append("collector missing, skipped: " + ", ".join(data["missing"]))
    row.note = "; ".join(notes)
    return row


def find_checkov(given: str | None) -> str | None:
    """``--checkov``, else ``checkov`` on PATH, else the benchmark's own venv."""
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    on_path = shutil.which("checkov")
    if on_path:
        return on_path
    return str(DEFAULT_CHECKOV_VENV) if DEFAULT_CHECKOV_VENV.exists() else None


def run_checkov(checkov: str, folder: Path, files: int, out: Path, scope: str) -> Row:
    """Checkov on ``folder``: wall clock from start to exit, CPU and RSS of its process tree."""
    row = Row("checkov", scope, files)
    cmd = [
        checkov,
        "-d",
        str(folder),
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--framework",
        *CHECKOV_SCOPE,
        "--skip-download",
    ]
    env = {**os.environ, "LOG_LEVEL": "ERROR"}
    with out.open("wb") as stdout:
        w0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
        # wait4: the child's own rusage, CPU including the descendants it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        row.wall_s = time.perf_counter() - w0
    proc.returncode = os.waitstatus_to_exitcode(status)
    row.cpu_s = usage.ru_utime + usage.ru_stime
    row.peak_rss_mib = usage.ru_maxrss / 1024
    try:
        data = json.loads(out.read_text(encoding="utf-8") or "{}")
    except json.JSONDecodeError:
        row.error = f"exit {proc.returncode}: no JSON output"
        return row
    reports = data if isinstance(data, list) else [data]
    parts, errors = [], 0
    for report in reports:
        summary = report.get("summary", report)
        row.findings += int(summary.get("failed", 0))
        row.checked += int(summary.get("failed", 0)) + int(summary.get("passed", 0))
        errors += int(summary.get("parsing_errors", 0))
        if report.get("check_type"):
            parts.append(f"{summary.get('resource_count', 0):,} {report['check_type']} resources")
    row.scanned = ", ".join(parts)
    version = next((r.get("summary", r).get("checkov_version") for r in reports), None)
    notes = [f"checkov {version}" if version else "checkov"]
    notes.append("start-up only" if files == 0 else "Compose files not scanned (unsupported)")
    if errors:
        notes.append(f"{errors} parsing errors")
    row.note = "; ".join(notes)
    return row


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": f"{os.cpu_count()} x {cpu}",
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_report(
    rows: list[Row], gen: Generated, args: argparse.Namespace, notes: list[str]
) -> None:
    """The table on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=220)
    share = ", ".join(f"{n:,} {k}" for k, n in gen.files.items())
    sizes = sorted(gen.sizes)
    console.print(
        f"Input: {args.files:,} files ({share}), {gen.lines:,} lines, {gen.bytes / 2**20:.1f} MiB; "
        f"lines per file min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]}; "
        f"{gen.misconfigured:,} files with misconfigurations; seed {args.seed}"
    )
    table = Table(title=f"IaC checks, {args.files:,} files")
    for name in (
        "tool",
        "scope",
        "scanned",
        "wall s",
        "files/s",
        "CPU s",
        "peak RSS MiB",
        "results",
        "failed",
        "note",
    ):
        table.add_column(
            name, justify="left" if name in ("tool", "scope", "scanned", "note") else "right"
        )
    for r in rows:
        if r.error is not None:
            table.add_row(r.tool, r.scope, "", "", "", "", "", "", "", r.error)
            continue
        table.add_row(
            r.tool,
            r.scope,
            r.scanned,
            f"{r.wall_s:.2f}",
            f"{r.files_per_s:,.0f}",
            f"{r.cpu_s:.2f}",
            f"{r.peak_rss_mib:.0f}",
            f"{r.checked:,}",
            f"{r.findings:,}",
            r.note,
        )
    console.print(table)
    for note in notes:
        console.print(f"  {note}")
    console.print("  machine: " + "; ".join(f"{k} {v}" for k, v in machine().items()))


def main(argv: list[str] | None = None) -> int:
    """Generate the input, measure Garrison and Checkov, print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--files", type=int, default=DEFAULT_FILES, help="files to generate")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generator")
    ap.add_argument("--workdir", type=Path, help="where the files go (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--repeat", type=int, default=1, help="Garrison scans per process (median)")
    ap.add_argument("--checkov", help="checkov executable (default: PATH, then /tmp/checkov-venv)")
    ap.add_argument("--no-checkov", action="store_true", help="measure Garrison only")
    ap.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--scope", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        scope = tuple(s for s in (args.scope or "").split(",") if s)
        print(json.dumps(garrison_child(Path(args.child), scope, max(args.repeat, 1))))
        return 0
    if args.files < 1:
        raise SystemExit("--files must be at least 1")
    temp = args.workdir is None
    base = Path(tempfile.mkdtemp(prefix="garrison-iac-")) if temp else args.workdir
    folder = base / "repo"
    try:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        gen = generate(folder, args.files, args.seed)
        rows = [
            run_garrison(folder, args.files, tuple(COLLECTORS), args.repeat),
            run_garrison(folder, args.files, CHECKOV_SCOPE, args.repeat),
        ]
        notes = []
        checkov = None if args.no_checkov else find_checkov(args.checkov)
        if checkov:
            empty = base / "empty"
            empty.mkdir(exist_ok=True)
            scan = run_checkov(checkov, folder, args.files, base / "checkov.json", CHECKOV_LABEL)
            idle = run_checkov(checkov, empty, 0, base / "checkov-empty.json", "empty folder")
            rows += [scan, idle]
            if scan.error is None and idle.error is None and scan.wall_s > idle.wall_s:
                net = args.files / (scan.wall_s - idle.wall_s)
                notes.append(
                    f"checkov without its start-up ({idle.wall_s:.2f} s): {net:,.0f} files/s"
                )
            garrison = rows[1]
            if scan.error is None and garrison.error is None and garrison.wall_s:
                faster = scan.wall_s / garrison.wall_s
                leaner = scan.cpu_s / max(garrison.cpu_s, 1e-9)
                notes.append(
                    f"same scope ({CHECKOV_LABEL}): garrison {faster:,.0f}x faster in wall time, "
                    f"{leaner:,.0f}x less CPU"
                )
        elif not args.no_checkov:
            notes.append(
                "checkov not found, skipped: python3 -m venv /tmp/checkov-venv && "
                "/tmp/checkov-venv/bin/pip install checkov (or pass --checkov PATH)"
            )
        if args.json:
            print(
                json.dumps(
                    {
                        "input": asdict(gen) | {"sizes": None},
                        "rows": [asdict(r) | {"files_per_s": r.files_per_s} for r in rows],
                        "notes": notes,
                        "machine": machine(),
                    },
                    indent=2,
                )
            )
        else:
            print_report(rows, gen, args, notes)
    finally:
        if temp and not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        elif args.keep or not temp:
            print(f"files kept in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
