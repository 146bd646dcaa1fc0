"""The HTML report: sections in both languages, escaping, masking, zones, print CSS."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.core.errors import ConfigError, InputError
from garrison.reports.labels import LABELS
from garrison.reports.model import AffectedAsset, Attachment, PhaseAction, SlaResult, TimelineEntry
from garrison.reports.render import css_escape, render_html
from tests.reports.samples import EMAIL, ID_NUMBER, PHONE, T0, sample

SECTIONS = [
    "cover",
    "basic",
    "summary",
    "assets",
    "timeline",
    "actions",
    "losses",
    "root-cause",
    "sla",
    "improvements",
    "attachments",
]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Outline(HTMLParser):
    """Collects section ids, h2 texts and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: list[str] = []
        self.tags: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "section":
            self.sections.append(dict(attrs)["id"] or "")
        self._in_h2 = tag == "h2"
        if self._in_h2:
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings[-1] += data


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_html_has_every_section_in_order(language: str) -> None:
    html = render_html(sample(), language, "Asia/Shanghai")
    labels = LABELS[language]  # type: ignore[index]
    parsed = outline(html)
    assert parsed.sections == SECTIONS
    assert parsed.headings == [
        labels[key]
        for key in (
            "section.basic",
            "section.summary",
            "section.assets",
            "section.timeline",
            "section.actions",
            "section.losses",
            "section.root_cause",
            "section.sla",
            "section.improvements",
            "section.attachments",
        )
    ]
    assert f'<html lang="{language}">' in html
    assert labels["report.title"] in html
    assert labels["category.network_attack"] in html
    for phase in ("detect", "triage", "contain", "eradicate", "recover", "review"):
        assert labels[f"phase.{phase}"] in html
    # Times in the reader's zone: 02:00 UTC is 10:00 in Shanghai.
    assert "2026-11-23 10:00:00" in html


def test_chinese_and_english_reports_differ_only_in_words() -> None:
    zh = render_html(sample(), "zh-CN")
    en = render_html(sample(), "en")
    assert "安全事件处置报告" in zh and "事件概要" in zh and "Summary" not in zh
    assert "Security Incident Handling Report" in en and "2. Summary" in en
    assert "网络攻击" in zh and "Network attack" in en
    # Data is the same in both.
    assert "生产堡垒机 SSH 暴力破解后登录成功" in zh and "生产堡垒机 SSH 暴力破解后登录成功" in en


def test_print_css_sets_a4_page_numbers_and_cjk_fonts() -> None:
    html = render_html(sample(), "zh-CN")
    assert "size: A4" in html
    assert '"第 " counter(page) " 页，共 " counter(pages) " 页"' in html
    assert 'font-family: "Noto Sans CJK SC"' in html
    assert '"Noto Serif CJK SC"' in html
    en = render_html(sample(), "en")
    assert '"Page " counter(page) " of " counter(pages) ""' in en


@pytest.mark.parametrize("grade", ["I", "II", "III", "IV"])
def test_cover_band_has_the_grade_colour(grade: str) -> None:
    html = render_html(sample(grade=grade), "zh-CN")
    assert f'class="band grade-{grade}"' in html
    colour = {"I": "红色", "II": "橙色", "III": "黄色", "IV": "蓝色"}[grade]
    assert f'<span class="colour">{colour}</span>' in html


def test_hostile_text_is_escaped_everywhere() -> None:
    data = sample(
        title=HOSTILE,
        summary=HOSTILE,
        subcategory=HOSTILE,
        reporter=HOSTILE,
        handlers=(HOSTILE,),
        assets=(AffectedAsset(HOSTILE, "critical", HOSTILE),),
        timeline=(TimelineEntry(T0, "note", HOSTILE, actor=HOSTILE),),
        actions=(PhaseAction("contain", HOSTILE, HOSTILE),),
        root_cause=HOSTILE,
        sla=(SlaResult(HOSTILE, T0, "open"),),
        improvements=(HOSTILE,),
        attachments=(Attachment(HOSTILE, "f" * 64, 1),),
        incident_id=HOSTILE,
    )
    for language in ("zh-CN", "en"):
        html = render_html(data, language)
        parsed = outline(html)
        assert "script" not in parsed.tags and "img" not in parsed.tags
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_personal_data_is_masked() -> None:
    data = sample(
        title=f"{PHONE} 的账号被盗",
        reporter=f"张三 {PHONE}",
        root_cause=f"员工 {ID_NUMBER} 的口令泄露，邮箱 {EMAIL}",
    )
    for language in ("zh-CN", "en"):
        html = render_html(data, language)
        assert PHONE not in html
        assert ID_NUMBER not in html
        assert EMAIL not in html
        assert "138****5678" in html
        assert "110105********123X" in html
        assert "z***n@example.com" in html
        # What only looks like personal data stays.
        assert "12345678901234567890" in html and "1732356000000" in html


def test_empty_parts_say_none() -> None:
    data = sample(assets=(), timeline=(), actions=(), sla=(), improvements=(), attachments=())
    html = render_html(data, "en")
    # Assets, timeline, SLA and attachment tables, six phases, the improvement list.
    assert html.count('class="empty">None<') == 4 + 6 + 1


def test_unknown_language_and_zone_are_refused() -> None:
    with pytest.raises(InputError, match="unknown report language 'fr'") as caught:
        render_html(sample(), "fr")
    assert caught.value.hint == "use one of: zh-CN, en"
    with pytest.raises(ConfigError, match="unknown time zone"):
        render_html(sample(), "en", "Mars/Olympus")


@given(st.text())
def test_css_escape_leaves_nothing_that_could_end_the_string(text: str) -> None:
    escaped = css_escape(text)
    for char in "\"'<>&;{}\n\r":
        assert char not in escaped
    assert all(part[:6].isalnum() for part in escaped.split("\\")[1:])


@given(st.text())
def test_any_text_renders_to_valid_utf8_without_raw_control_characters(text: str) -> None:
    html = render_html(sample(title=text, summary=text, reporter=text), "en")
    html.encode("utf-8")  # lone surrogates would fail here
    assert not any(ord(char) < 0x20 and char not in "\n\t" for char in html)
