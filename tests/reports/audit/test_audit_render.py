"""The audit report as HTML (both languages) and PDF: contents, escaping, masking, charts."""

from __future__ import annotations

import io
import re

import pytest

from garrison.core.errors import InputError
from garrison.reports.audit import render_html, render_pdf
from tests.reports.audit.samples import PAYLOAD, PHONE, sample


@pytest.fixture(scope="module")
def html_zh() -> str:
    return render_html(sample("zh-CN"), zone="Asia/Shanghai")


@pytest.fixture(scope="module")
def html_en() -> str:
    return render_html(sample("en"), zone="Asia/Shanghai")


def test_chinese_html_has_title_scores_findings_and_remediation(html_zh: str) -> None:
    assert "<title>网络安全审计报告</title>" in html_zh
    assert '<html lang="zh-CN">' in html_zh
    for text in ("一、审计概述", "三、合规评分", "安全计算环境", "身份鉴别", "严重", "高危"):
        assert text in html_zh
    assert "示例科技有限公司" in html_zh
    # The empty-password finding with its evidence and its remediation.
    assert "account has an empty password" in html_zh
    assert "/etc/shadow (第 7 行)" in html_zh
    assert "backup: empty password field" in html_zh
    assert "整改 accounts_empty_password。" in html_zh
    assert "passwd -l USER" in html_zh
    # 等保 score 14.3 (was 25.0), shown with its change; times in the reader's zone.
    assert re.search(r'<td class="num score-poor">14\.3</td><td class="num">-10\.7</td>', html_zh)
    assert "Asia/Shanghai (UTC+08:00)" in html_zh
    assert "2026-11-24 09:00:00" in html_zh  # 01:00 UTC + 1 day in Shanghai
    # Manual items with their guidance, and the scoring method.
    assert "8.1.5.4 d)" in html_zh and "六个月" in html_zh
    assert "附：评分方法" in html_zh
    assert "新增" in html_zh and "遗留" in html_zh


def test_english_html(html_en: str) -> None:
    assert "<title>Cybersecurity Audit Report</title>" in html_en
    for text in ("1. Summary", "Compliance scores", "Secure computing environment", "Critical"):
        assert text in html_en
    assert "Fix accounts_empty_password." in html_en
    assert "/etc/shadow (line 7)" in html_en
    assert "Items to verify manually" in html_en
    assert "网络安全审计报告" in html_en  # the subtitle


def test_attacker_text_is_escaped(html_zh: str, html_en: str) -> None:
    for html in (html_zh, html_en):
        assert PAYLOAD not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html


def test_personal_data_is_masked(html_zh: str) -> None:
    assert PHONE not in html_zh
    assert "138****5678" in html_zh


def test_charts_are_inline_svg(html_zh: str) -> None:
    assert html_zh.count("<svg ") == 3
    assert "图2 各框架合规得分" in html_zh and "图3 等保2.0 各安全层面得分" in html_zh
    assert "8.1.4 安全计算环境" in html_zh
    assert "<img" not in html_zh and "http://" not in html_zh.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_first_audit_says_so() -> None:
    html = render_html(sample("zh-CN", previous=False))
    assert "无上次审计记录" in html


def test_unknown_language_is_refused() -> None:
    with pytest.raises(InputError):
        render_html(sample("zh-CN"), "fr")


pypdf = pytest.importorskip("pypdf")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "title"), [("zh-CN", "网络安全审计报告"), ("en", "Cybersecurity Audit Report")]
)
def test_pdf_renders_with_its_title(language: str, title: str) -> None:
    pytest.importorskip("weasyprint")
    pdf = render_pdf(sample(language), zone="Asia/Shanghai")
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    first = reader.pages[0].extract_text()
    assert title in first
    text = "".join(page.extract_text() for page in reader.pages)
    assert "网络安全审计报告" in text  # Chinese glyphs in both (subtitle in English)
    assert len(reader.pages) >= 3
