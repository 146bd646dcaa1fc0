"""SARIF 2.1.0 output, validated against the official OASIS schema (errata 01).

``data/sarif-schema-2.1.0.json`` is the OASIS schema file as published (carried here so the
test runs offline); jsonschema_rs (a schemathesis dependency) validates against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs

from garrison.checks.base import Status
from garrison.checks.sarif import to_sarif
from tests.checks.frameworks.samples import CHECKS, finding, host_scan

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def _validate(log: dict[str, Any]) -> None:
    # A JSON round trip first: the log must be plain JSON, as written to disk.
    validator = jsonschema_rs.validator_for(SCHEMA)
    errors = [str(e) for e in validator.iter_errors(json.loads(json.dumps(log)))]
    assert errors == []


def _sample() -> list[Any]:
    return [
        *host_scan().findings,
        finding(
            "web_tls_versions",
            Status.FAIL,
            resource="https://shop.example.com/login?a=1",
            message="TLS 1.0 accepted",
            expected="TLS 1.2 or later",
            actual="TLSv1",
        ),
        finding(
            "docker_run_docker_sock",
            Status.FAIL,
            resource="/srv/repo/deploy/run agent.sh",
            message="the Docker socket is mounted",
            line=3,
        ),
        finding("auditd_enabled", Status.FAIL, resource="auditd", message="auditd stopped"),
    ]


def test_log_validates_against_the_official_schema() -> None:
    log = to_sarif(_sample(), CHECKS, root="/srv/repo")
    _validate(log)
    _validate(to_sarif([], CHECKS, all_rules=True, language="zh-CN"))


def test_rules_and_results() -> None:
    log = to_sarif(_sample(), CHECKS, root="/srv/repo")
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    driver = run["tool"]["driver"]
    assert driver["name"] == "Garrison"
    rules = {r["id"]: r for r in driver["rules"]}
    # Only checks with failures get rules; passes and errors give no results.
    assert set(rules) == {
        "accounts_empty_password",
        "auditd_enabled",
        "docker_run_docker_sock",
        "ssh_root_login",
        "web_tls_versions",
    }
    ssh = rules["ssh_root_login"]
    assert ssh["shortDescription"]["text"] == "Check ssh_root_login"
    assert "Fix ssh_root_login." in ssh["help"]["text"]
    assert "PermitRootLogin no" in ssh["help"]["markdown"]
    assert ssh["properties"]["security-severity"] == "8.0"
    assert {"等保 8.1.4.2 b)", "CIS Linux 5.2.7", "ISO27001 A.8.2", "NIST-CSF PR.AA-05"} <= set(
        ssh["properties"]["tags"]
    )
    assert rules["accounts_empty_password"]["properties"]["security-severity"] == "9.5"
    assert rules["auditd_enabled"]["properties"]["security-severity"] == "5.5"

    results = {r["ruleId"]: r for r in run["results"]}
    assert len(run["results"]) == 5
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    root_login = results["ssh_root_login"]
    assert root_login["level"] == "error"
    loc = root_login["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "file:///etc/ssh/sshd_config"}
    assert loc["region"] == {"startLine": 32}
    assert "PermitRootLogin yes" in root_login["message"]["text"]
    sock = results["docker_run_docker_sock"]["locations"][0]["physicalLocation"]
    assert sock["artifactLocation"] == {"uri": "deploy/run%20agent.sh", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///srv/repo/"
    web = results["web_tls_versions"]["locations"][0]["physicalLocation"]
    assert web["artifactLocation"]["uri"] == "https://shop.example.com/login?a=1"
    assert "region" not in web
    assert results["auditd_enabled"]["level"] == "warning"
    logical = results["auditd_enabled"]["locations"][0]["logicalLocations"][0]
    assert logical["name"] == "auditd"


def test_fingerprints_ignore_the_line() -> None:
    one = finding("ssh_root_login", Status.FAIL, line=3, message="m")
    two = finding("ssh_root_login", Status.FAIL, line=30, message="m")
    other = finding("ssh_root_login", Status.FAIL, line=3, message="n")
    prints = [
        to_sarif([f], CHECKS)["runs"][0]["results"][0]["partialFingerprints"]
        for f in (one, two, other)
    ]
    assert prints[0] == prints[1] != prints[2]


def test_all_rules_in_chinese() -> None:
    log = to_sarif([], CHECKS, all_rules=True, language="zh-CN")
    driver = log["runs"][0]["tool"]["driver"]
    assert len(driver["rules"]) == len(CHECKS)
    assert driver["rules"][0]["shortDescription"]["text"].startswith("检查")
    assert log["runs"][0]["results"] == []
