"""The Kestra flows in ``integrations/kestra``: valid flow files that call Garrison's real API.

Every HTTP task that calls ``{{ secret('GARRISON_URL') }}`` is checked against the OpenAPI
document of Garrison's FastAPI app: the path and method exist, each query parameter is one the
endpoint declares and each fixed value fits its schema (enums, patterns, ranges; alert
statuses and levels from :mod:`garrison.alerts.query`), JSON bodies have the fields the
endpoint requires and no others, and flow inputs that end up in a URL allow no value the
endpoint would refuse. So the flows cannot drift from the API unnoticed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from garrison.alerts.query import LEVELS, STATUSES
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings

FOLDER = Path(__file__).resolve().parents[2] / "integrations" / "kestra"
FLOWS = sorted(FOLDER.glob("*.yml"))
GARRISON = "{{ secret('GARRISON_URL') }}"
AUTH = "Bearer {{ secret('GARRISON_TOKEN') }}"
TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
HTTP_TASKS = {"io.kestra.plugin.core.http.Request", "io.kestra.plugin.core.http.Download"}
KNOWN_TASKS = HTTP_TASKS | {
    "io.kestra.plugin.core.flow.ForEach",
    "io.kestra.plugin.core.flow.If",
    "io.kestra.plugin.core.log.Log",
}
#: Fixed values of alert filters the OpenAPI document leaves as free text.
VALUES = {("/api/v1/alerts", "status"): STATUSES, ("/api/v1/alerts", "level"): LEVELS}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("garrison") / "home"
    clock = FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    platform = Platform.open(Settings(home=home), clock)
    try:
        yield create_app(platform).openapi()
    finally:
        platform.close()


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def tasks(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every task, nested ones included (ForEach ``tasks``, If ``then``/``else``)."""
    for task in items:
        yield task
        for key in ("tasks", "then", "else", "errors", "finally"):
            yield from tasks(task.get(key) or [])


def garrison_calls(flow: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        t
        for t in tasks(flow["tasks"])
        if t["type"] in HTTP_TASKS and str(t["uri"]).startswith(GARRISON)
    ]


def operation(openapi: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The OpenAPI path template and operation that serve ``method path``."""
    for template, item in openapi["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"Garrison has no {method} {path}")


def resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return dict(openapi["components"]["schemas"][ref.rsplit("/", 1)[1]])
    return schema


def fits(value: str, schema: dict[str, Any]) -> bool:
    """Whether a fixed text value fits a parameter schema."""
    options = schema.get("anyOf")
    if options:
        return any(fits(value, s) for s in options if s.get("type") != "null")
    if schema.get("type") == "array":
        return fits(value, schema.get("items", {}))
    if "enum" in schema and value not in schema["enum"]:
        return False
    if schema.get("type") == "integer":
        if not value.isdigit():
            return False
        number = int(value)
        return bool(schema.get("minimum", number) <= number <= schema.get("maximum", number))
    return not ("pattern" in schema and not re.search(schema["pattern"], value))


def input_fits(flow: dict[str, Any], value: str, schema: dict[str, Any]) -> None:
    """A ``{{ inputs.x }}`` value: the input may only take values the endpoint accepts."""
    match = re.fullmatch(r"\{\{\s*inputs\.(\w+)\s*\}\}", value)
    if match is None:
        return  # taskrun values (ids from Garrison's own answers)
    spec = next(i for i in flow["inputs"] if i["id"] == match.group(1))
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    target = options[0]
    if spec["type"] == "SELECT":
        assert all(fits(v, target) for v in spec["values"]), spec
    elif spec["type"] == "INT":
        assert target.get("minimum", spec["min"]) <= spec["min"], spec
        assert spec["max"] <= target.get("maximum", spec["max"]), spec
    elif spec["type"] == "STRING":
        assert spec.get("validator") == target.get("pattern"), spec
    assert fits(str(spec["defaults"]), target), spec


def test_there_are_three_flows() -> None:
    assert [p.name for p in FLOWS] == [
        "garrison-alert-to-ticket.yml",
        "garrison-daily-baseline.yml",
        "garrison-monthly-audit-report.yml",
    ]


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.stem)
def test_flows_are_well_formed(path: Path) -> None:
    flow = load(path)
    assert flow["id"] == path.stem
    assert flow["namespace"] == "garrison"
    assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9._-]*", flow["id"])
    ids = [t["id"] for t in tasks(flow["tasks"])]
    assert len(ids) == len(set(ids)), "task ids are unique in a flow"
    assert all(re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_-]*", i) for i in ids)
    assert {t["type"] for t in tasks(flow["tasks"])} <= KNOWN_TASKS
    for task in tasks(flow["tasks"]):
        if task["type"] in HTTP_TASKS:
            assert task["options"]["allowFailed"] is False  # non-2xx fails the execution
            assert task["options"]["followRedirects"] is False
    assert all(t["type"] == "io.kestra.plugin.core.trigger.Schedule" for t in flow["triggers"])


@pytest.mark.parametrize(
    ("name", "cron", "timezone"),
    [
        ("garrison-daily-baseline", "0 7 * * 1-5", "Asia/Shanghai"),
        ("garrison-monthly-audit-report", "0 8 1 * *", "Asia/Shanghai"),
        ("garrison-alert-to-ticket", "*/5 * * * *", None),
    ],
)
def test_schedules(name: str, cron: str, timezone: str | None) -> None:
    (trigger,) = load(FOLDER / f"{name}.yml")["triggers"]
    assert trigger["cron"] == cron
    assert trigger.get("timezone") == timezone


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.stem)
def test_every_garrison_call_exists_in_the_api(path: Path, openapi: dict[str, Any]) -> None:
    flow = load(path)
    calls = garrison_calls(flow)
    assert calls
    for task in calls:
        assert task["headers"]["Authorization"] == AUTH
        url = urlsplit(str(task["uri"])[len(GARRISON) :])
        sample = TEMPLATE.sub("1", url.path)
        template, op = operation(openapi, task["method"], sample)
        params = {p["name"]: p for p in op.get("parameters", [])}
        # Path parameters: fixed segments fit the schema (an enum such as the triage action).
        names = re.findall(r"\{([^}]+)\}", template)
        segments = dict(zip(template.split("/"), url.path.split("/"), strict=True))
        for name in names:
            value = segments["{" + name + "}"]
            if TEMPLATE.fullmatch(value):
                input_fits(flow, value, params[name]["schema"])
            else:
                assert fits(value, params[name]["schema"]), (template, name, value)
        # Query parameters: declared, and fixed values allowed.
        for name, value in parse_qsl(url.query):
            assert name in params and params[name]["in"] == "query", (template, name)
            if TEMPLATE.fullmatch(value):
                input_fits(flow, value, params[name]["schema"])
                continue
            assert fits(value, params[name]["schema"]), (template, name, value)
            allowed = VALUES.get((template, name))
            assert allowed is None or value in allowed, (template, name, value)
        # JSON bodies: the required fields, and no field the endpoint does not know.
        if "body" in task:
            content = op["requestBody"]["content"]["application/json"]
            schema = resolve(openapi, content["schema"])
            body = json.loads(TEMPLATE.sub("x", str(task["body"])))
            assert set(schema.get("required", [])) <= set(body)
            assert set(body) <= set(schema["properties"])
            assert task["contentType"] == "application/json"
        else:
            assert "requestBody" not in op or not op["requestBody"].get("required")


def test_the_calls_are_the_documented_ones() -> None:
    found = {
        path.stem: [
            (t["method"], urlsplit(t["uri"][len(GARRISON) :]).path)
            for t in garrison_calls(load(path))
        ]
        for path in FLOWS
    }
    assert found == {
        "garrison-daily-baseline": [
            ("POST", "/api/v1/scan-targets/{{ inputs.target }}/run"),
        ],
        "garrison-monthly-audit-report": [
            ("GET", "/api/v1/scans"),
            ("GET", "/api/v1/scans/{{ taskrun.value }}/report"),
        ],
        "garrison-alert-to-ticket": [
            ("GET", "/api/v1/alerts"),
            ("POST", "/api/v1/alerts/{{ fromJson(taskrun.value).id }}/acknowledge"),
        ],
    }


def test_the_report_is_a_pdf_in_the_chosen_language() -> None:
    flow = load(FOLDER / "garrison-monthly-audit-report.yml")
    (download,) = [t for t in tasks(flow["tasks"]) if t["type"].endswith(".Download")]
    query = dict(parse_qsl(urlsplit(download["uri"]).query))
    assert query == {"format": "pdf", "language": "{{ inputs.language }}"}
    (language,) = [i for i in flow["inputs"] if i["id"] == "language"]
    assert language["defaults"] == "zh-CN"


def test_alerts_are_acknowledged_only_after_their_ticket() -> None:
    flow = load(FOLDER / "garrison-alert-to-ticket.yml")
    (loop,) = [t for t in tasks(flow["tasks"]) if t["type"].endswith(".ForEach")]
    assert [t["id"] for t in loop["tasks"]] == ["create_ticket", "acknowledge"]
    ticket = loop["tasks"][0]
    assert "secret('TICKET_WEBHOOK_URL')" in ticket["uri"]
    assert "| toJson" in ticket["body"]  # alert text from logs is escaped, not pasted
    assert "GARRISON_TOKEN" not in json.dumps(ticket)  # Garrison's token goes to Garrison only
    assert loop["concurrencyLimit"] == 1
    assert flow["concurrency"]["limit"] == 1


def test_the_readme_names_secrets_scopes_and_settings() -> None:
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    for needed in (
        "GARRISON_URL",
        "GARRISON_TOKEN",
        "TICKET_WEBHOOK_URL",
        "--scope read --scope write",
        "[response.kestra]",
        "kestra_resume",
        "SECRET_GARRISON_TOKEN",
    ):
        assert needed in text, needed
    for path in FLOWS:
        assert path.name in text
