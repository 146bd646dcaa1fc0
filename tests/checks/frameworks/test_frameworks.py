"""The framework files: valid, complete where promised, and every check mapping resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from garrison.checks.frameworks import (
    FILES,
    builtin_frameworks,
    framework,
    load_framework,
    validate_mappings,
)
from garrison.checks.loader import all_checks
from garrison.core.errors import ConfigError
from tests.checks.frameworks.samples import CHECKS, check

DENGBAO_ITEM = re.compile(r"^8\.1\.[2-5]\.\d{1,2}( [a-g]\))?$")


def test_every_builtin_framework_loads_in_order() -> None:
    found = builtin_frameworks()
    assert [f.id for f in found] == list(FILES)
    for f in found:
        assert f.requirements and f.title.zh and f.title.en and f.version


def test_dengbao_items_sections_and_families() -> None:
    dengbao = framework("dengbao")
    assert dengbao.metadata == "dengbao"
    assert all(DENGBAO_ITEM.match(r.id) for r in dengbao.requirements)
    tops = {f.id: f.title.zh for f in dengbao.top_families()}
    assert tops == {
        "8.1.2": "安全通信网络",
        "8.1.3": "安全区域边界",
        "8.1.4": "安全计算环境",
        "8.1.5": "安全管理中心",
    }
    subs = {f.title.zh for f in dengbao.families if f.parent == "8.1.4"}
    assert subs == {
        "身份鉴别", "访问控制", "安全审计", "入侵防范", "恶意代码防范", "可信验证",
        "数据完整性", "数据保密性", "数据备份恢复", "剩余信息保护", "个人信息保护",
    }  # fmt: skip
    # Lettered items a)-g) as in the standard, e.g. 身份鉴别 a)-d), 访问控制 a)-g).
    for family, letters in {"8.1.4.1": "abcd", "8.1.4.2": "abcdefg", "8.1.4.4": "abcdef",
                            "8.1.5.4": "abcdef", "8.1.3.2": "abcde"}.items():  # fmt: skip
        ids = [r.id for r in dengbao.requirements if r.family == family]
        assert ids == [f"{family} {letter})" for letter in letters]
    first = dengbao.requirement("8.1.4.1 a)")
    assert first is not None
    assert first.title.zh.startswith("应对登录的用户进行身份标识和鉴别")
    assert first.guidance is not None
    assert dengbao.top_family(first).id == "8.1.4"
    # Every 等保 item tells an auditor how to verify it by hand.
    assert all(r.guidance for r in dengbao.requirements)


def test_iso27001_has_all_93_controls_in_four_themes() -> None:
    iso = framework("iso27001")
    counts = {f.id: 0 for f in iso.families}
    for r in iso.requirements:
        counts[r.family] += 1
    assert counts == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    assert iso.requirement("A.8.9") is not None
    assert iso.requirement("A.8.9").title.en == "Configuration management"  # type: ignore[union-attr]


def test_cis_frameworks_share_the_cis_key_by_prefix() -> None:
    for fid, prefix in {"cis_linux": "Linux ", "cis_docker": "Docker ",
                        "cis_kubernetes": "Kubernetes "}.items():  # fmt: skip
        f = framework(fid)
        assert f.metadata == "cis" and f.prefix == prefix
        assert all(r.id.startswith(prefix) for r in f.requirements)
    assert framework("cis_docker").requirement("Docker 5.31") is not None
    assert framework("cis_kubernetes").requirement("Kubernetes 5.7.4") is not None
    assert framework("nist_csf").requirement("PR.AA-05") is not None


def test_checks_for_is_derived_from_metadata() -> None:
    dengbao = framework("dengbao")
    assert dengbao.checks_for("8.1.4.2 b)", CHECKS) == ["ssh_root_login"]
    assert dengbao.checks_for("8.1.5.4 d)", CHECKS) == []
    docker = framework("cis_docker")
    assert docker.checks_for("Docker 5.31", CHECKS) == ["docker_run_docker_sock"]
    coverage = dengbao.coverage(CHECKS)
    assert coverage["8.1.4.1 a)"] == ("accounts_empty_password",)
    assert coverage["8.1.2.1 a)"] == ()


def test_validate_mappings_names_unknown_items() -> None:
    bad = [
        check("demo_unknown", dengbao=["8.1.4.1 z)"], cis=["Docker 99.1", "Windows 1.1"]),
        check("demo_known", dengbao=["8.1.4.1 a)"], iso27001=["A.9.1"]),
    ]
    problems = validate_mappings(bad, builtin_frameworks())
    assert problems == [
        "demo_known: iso27001 'A.9.1' is not a requirement of iso27001",
        "demo_unknown: cis 'Docker 99.1' is not a requirement of cis_docker",
        "demo_unknown: cis 'Windows 1.1' belongs to no framework file",
        "demo_unknown: dengbao '8.1.4.1 z)' is not a requirement of dengbao",
    ]
    assert validate_mappings(CHECKS, builtin_frameworks()) == []


def test_every_builtin_check_maps_onto_existing_requirements() -> None:
    assert validate_mappings(all_checks(), builtin_frameworks()) == []


HEADER = """\
id: dengbao
metadata: dengbao
title: {zh-CN: 测试, en: Test}
version: "1"
families:
  - {id: "8.1.4", title: {zh-CN: 安全计算环境, en: Computing}}
requirements:
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_reports_the_line_of_a_bad_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + '  - id: "8.1.4.1 a)"\n    family: "8.1.4"\n    title: {zh-CN: 甲, en: A}\n'
        + '  - id: "8.1.4.1 b)"\n    family: "8.1.4"\n    title: {zh-CN: 乙}\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_framework(path)
    assert f"{path}:13:" in str(caught.value)
    assert "requirements.1.title.en" in str(caught.value)


def test_loader_refuses_unknown_family_and_duplicates(tmp_path: Path) -> None:
    item = '  - id: "8.1.4.1 a)"\n    family: "{family}"\n    title: {{zh-CN: 甲, en: A}}\n'
    with pytest.raises(ConfigError, match=r"unknown family '8\.1\.9'"):
        load_framework(_write(tmp_path, HEADER + item.format(family="8.1.9")))
    with pytest.raises(ConfigError, match="duplicate requirement id"):
        load_framework(_write(tmp_path, HEADER + item.format(family="8.1.4") * 2))


def test_loader_reports_broken_yaml_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"fw\.yaml:4: invalid YAML"):
        load_framework(_write(tmp_path, "id: dengbao\nmetadata: dengbao\ntitle: [unclosed\n"))


def test_loader_refuses_ids_without_the_prefix(tmp_path: Path) -> None:
    text = (
        HEADER.replace(
            "id: dengbao\nmetadata: dengbao", 'id: cis_docker\nmetadata: cis\nprefix: "Docker "'
        )
        + '  - id: "5.31"\n    family: "8.1.4"\n    title: {zh-CN: 甲, en: A}\n'
    )
    with pytest.raises(ConfigError, match="does not start with 'Docker '"):
        load_framework(_write(tmp_path, text))
