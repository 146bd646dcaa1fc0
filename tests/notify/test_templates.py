"""Rendering every event in zh-CN and en, and refusing bad values."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from zoneinfo import ZoneInfo

import pytest

from garrison.core.errors import InputError
from garrison.notify.base import EVENT_KINDS, LANGUAGES
from garrison.notify.catalog import REQUIRED
from garrison.notify.templates import format_time, normalise_grade, render

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
ALL_VALUES: dict[str, object] = {
    "incident_id": "INC-42",
    "title": "SSH 暴力破解后登录成功",
    "grade": "II",
    "category": "网络攻击",
    "deadline_kind": "report",
    "deadline": DEADLINE,
    "who": "王五",
    "task": "隔离主机 web01",
    "due": DEADLINE,
    "reason": "涉及核心业务系统",
    "link": "https://garrison.example/incidents/INC-42",
}


def _values(event: str) -> dict[str, object]:
    keys = set(REQUIRED[event]) | {"link"}
    return {k: v for k, v in ALL_VALUES.items() if k in keys}


@pytest.mark.parametrize("event", EVENT_KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_event_renders_in_both_languages(event: str, language: str) -> None:
    message = render(event, language, _values(event), tz=SHANGHAI)
    assert message.event == event and message.language == language
    assert "\n" not in message.subject and message.subject
    assert "INC-42" in message.subject
    assert message.text.endswith("https://garrison.example/incidents/INC-42\n")
    assert message.markdown.startswith("### ")
    assert message.markdown.endswith("(https://garrison.example/incidents/INC-42)\n")
    assert message.url == "https://garrison.example/incidents/INC-42"


def test_sla_warning_zh_exact() -> None:
    message = render("sla.warning", "zh-CN", _values("sla.warning"), tz=SHANGHAI)
    assert (
        message.subject
        == "【II级·重大·橙色】时限预警：INC-42 上报将于 2026-11-23 21:00 UTC+08:00 到期"
    )
    assert message.text == (
        "事件 INC-42 的上报时限即将到期（截止 2026-11-23 21:00 UTC+08:00），请尽快处理。\n"
        "\n"
        "事件编号：INC-42\n"
        "事件名称：SSH 暴力破解后登录成功\n"
        "事件级别：II级·重大·橙色\n"
        "时限：上报 2026-11-23 21:00 UTC+08:00\n"
        "\n"
        "查看事件：https://garrison.example/incidents/INC-42\n"
    )
    assert message.markdown == (
        "### 【II级·重大·橙色】时限预警：INC-42 上报将于 2026-11-23 21:00 UTC+08:00 到期\n"
        "\n"
        "事件 INC-42 的上报时限即将到期（截止 2026-11-23 21:00 UTC+08:00），请尽快处理。\n"
        "\n"
        "- **事件编号**：INC-42\n"
        "- **事件名称**：SSH 暴力破解后登录成功\n"
        "- **事件级别**：II级·重大·橙色\n"
        "- **时限**：上报 2026-11-23 21:00 UTC+08:00\n"
        "\n"
        "[查看事件](https://garrison.example/incidents/INC-42)\n"
    )
    assert message.fields["color"] == "orange"


def test_sla_breach_en_exact() -> None:
    values = {**_values("sla.breach"), "grade": "I", "category": "malware"}
    message = render("sla.breach", "en", values)
    assert message.subject == (
        "[Grade I (extraordinarily serious, red)] SLA breached: report of INC-42 "
        "(due 2026-11-23 13:00 UTC+00:00)"
    )
    assert message.text == (
        "The report deadline of incident INC-42 passed at 2026-11-23 13:00 UTC+00:00. "
        "The breach has been escalated.\n"
        "\n"
        "Incident: INC-42\n"
        "Title: SSH 暴力破解后登录成功\n"
        "Severity: Grade I (extraordinarily serious, red)\n"
        "Category: malware\n"
        "Deadline: report 2026-11-23 13:00 UTC+00:00\n"
        "\n"
        "Open the incident: https://garrison.example/incidents/INC-42\n"
    )


def test_task_assigned_en_and_zh() -> None:
    values = {**_values("task.assigned"), "due": DEADLINE}
    en = render("task.assigned", "en", values, tz=SHANGHAI)
    zh = render("task.assigned", "zh-CN", values, tz=SHANGHAI)
    assert en.subject == "Task assigned: 隔离主机 web01 (incident INC-42)"
    assert en.text.splitlines()[0] == (
        '王五, you were assigned the task "隔离主机 web01" of incident INC-42, '
        "due 2026-11-23 21:00 UTC+08:00."
    )
    assert zh.subject == "任务分派：隔离主机 web01（事件 INC-42）"
    assert zh.text.splitlines()[0] == (
        "王五，您被分派了事件 INC-42 的处置任务“隔离主机 web01”，请于 2026-11-23 21:00 UTC+08:00 前完成。"
    )


def test_escalation_with_reason() -> None:
    values = {**_values("incident.escalated"), "who": "应急指挥部", "reason": "影响核心业务"}
    message = render("incident.escalated", "zh-CN", values)
    assert message.subject == "【II级·重大·橙色】事件升级：INC-42 已升级至应急指挥部"
    assert "原因：影响核心业务。" in message.text
    assert "升级至：应急指挥部" in message.text


@pytest.mark.parametrize(
    ("grade", "zh", "en", "color"),
    [
        ("I", "I级·特别重大·红色", "Grade I (extraordinarily serious, red)", "red"),
        ("II", "II级·重大·橙色", "Grade II (serious, orange)", "orange"),
        ("III", "III级·较大·黄色", "Grade III (relatively serious, yellow)", "yellow"),
        ("IV", "IV级·一般·蓝色", "Grade IV (general, blue)", "blue"),
    ],
)
def test_grades(grade: str, zh: str, en: str, color: str) -> None:
    values = {**_values("incident.new"), "grade": grade}
    assert render("incident.new", "zh-CN", values).subject.startswith(f"【{zh}】")
    message = render("incident.new", "en", values)
    assert message.subject.startswith(f"[{en}]")
    assert message.fields["color"] == color


class Grade(Enum):
    II = "II"


def test_grade_forms() -> None:
    assert normalise_grade(3) == "III"
    assert normalise_grade(" iv ") == "IV"
    assert normalise_grade(Grade.II) == "II"
    with pytest.raises(InputError, match="unknown incident grade"):
        normalise_grade("V")


def test_hostile_title_is_inert_everywhere() -> None:
    title = (
        "x [click](http://evil.example) @all <at id=all></at> {{ 7*7 }}\r\nBcc: victim@example.com"
    )
    message = render("incident.new", "en", {**_values("incident.new"), "title": title})
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "http://evil" not in message.text and "http://evil" not in message.markdown
    body = message.markdown.split("\n\n[Open the incident]")[0]
    for fragment in ("[click]", "](", "@all", "<at", "49"):
        assert fragment not in body
    assert "{{ 7＊7 }}" in body  # values are data, never template source
    assert "{{ 7*7 }}" in message.text
    assert "［click］（http［:］//evil.example） ＠all ＜at id=all＞＜/at＞" in body


def test_unknown_deadline_kind_is_neutralised() -> None:
    values = {**_values("sla.breach"), "deadline_kind": "[x](http://e)"}
    message = render("sla.breach", "zh-CN", values)
    assert "［x］（http［:］//e）" in message.markdown
    assert message.fields["deadline_label"] == "[x](http[:]//e)"


@pytest.mark.parametrize(
    ("event", "language", "values", "problem"),
    [
        ("incident.closed", "en", {}, "unknown notification event"),
        ("incident.new", "fr", {}, "unknown language"),
        ("incident.new", "en", {"incident_id": "1", "title": "t"}, "needs grade"),
        (
            "incident.new",
            "en",
            {"incident_id": "1", "title": "t", "grade": "II", "titel": "x"},
            "unknown notification values: titel",
        ),
        ("sla.breach", "en", {**ALL_VALUES, "deadline": datetime(2026, 1, 1)}, "time zone"),
        ("sla.breach", "en", {**ALL_VALUES, "deadline": "tomorrow"}, "not a time"),
        ("incident.new", "en", {**ALL_VALUES, "link": "javascript:alert(1)"}, "link"),
    ],
)
def test_bad_input(event: str, language: str, values: dict[str, object], problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        render(event, language, values)


def test_iso_text_times() -> None:
    assert format_time("2026-11-23T13:00:00+00:00", SHANGHAI) == "2026-11-23 21:00 UTC+08:00"
    assert format_time(datetime(2026, 1, 1, tzinfo=ZoneInfo("America/St_Johns")), UTC) == (
        "2026-01-01 03:30 UTC+00:00"
    )
