"""Display formatting: times in the reader's zone, durations, sizes, amounts, translations."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from garrison.reports.labels import EN, ZH_CN
from garrison.reports.model import Losses, SlaResult
from garrison.reports.view import (
    build_context,
    format_duration,
    format_size,
    format_time,
    printable,
    zone_name,
)
from tests.reports.samples import T0, sample

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_times_are_shown_in_the_readers_zone() -> None:
    assert format_time(T0, SHANGHAI, "-") == "2026-11-23 10:00:00"
    assert format_time(T0, UTC, "-") == "2026-11-23 02:00:00"
    assert format_time(None, UTC, "-") == "-"


def test_zone_names_carry_the_offset() -> None:
    assert zone_name(SHANGHAI, T0) == "Asia/Shanghai (UTC+08:00)"
    assert zone_name(UTC, T0) == "UTC"
    assert zone_name(timezone(timedelta(hours=-3, minutes=-30)), T0) == "UTC-03:30"
    # The offset is the one in force at the time: New York is on standard time in November.
    assert zone_name(ZoneInfo("America/New_York"), T0) == "America/New_York (UTC-05:00)"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (timedelta(0), "0秒", "0 s"),
        (timedelta(seconds=59), "59秒", "59 s"),
        (timedelta(minutes=6), "6分钟", "6 min"),
        (timedelta(hours=1, minutes=5, seconds=3), "1小时5分钟3秒", "1 h 5 min 3 s"),
        (timedelta(days=3, seconds=59), "3天", "3 d"),
        (timedelta(days=7, hours=2), "7天2小时", "7 d 2 h"),
    ],
)
def test_durations(value: timedelta, zh: str, en: str) -> None:
    assert format_duration(value, ZH_CN, "-") == zh
    assert format_duration(value, EN, "-") == en


def test_sizes() -> None:
    assert format_size(812) == "812 B"
    assert format_size(1_572_864) == "1.5 MiB (1,572,864 B)"
    assert format_size(5 * 1024**5) == "5120.0 TiB (5,629,499,534,213,120 B)"


def test_context_translates_codes_per_language() -> None:
    zh = build_context(sample(), "zh-CN", SHANGHAI)
    en = build_context(sample(), "en", SHANGHAI)
    assert zh["category_label"] == "网络攻击" and en["category_label"] == "Network attack"
    assert zh["grade_label"] == "II 级（重大）" and zh["colour_label"] == "橙色"
    assert en["colour_label"] == "Orange"
    assert [phase["name"] for phase in zh["phases"]][:3] == ["发现", "研判确认", "遏制"]
    assert zh["sla"][0]["name"] == "事件确认" and en["sla"][0]["name"] == "Confirm"
    assert zh["sla"][2]["status"] == "超时" and zh["sla"][2]["duration"] == "5小时"
    assert zh["losses"]["amount"] == "¥12,500.50"
    assert en["losses"]["amount"] == "CN¥12,500.50"
    assert zh["zone"] == "Asia/Shanghai (UTC+08:00)"


def test_context_sorts_the_timeline_and_keeps_unknown_sla_names() -> None:
    data = sample(
        timeline=tuple(reversed(sample().timeline)),
        sla=(SlaResult("客户通报", T0, "open"),),
        losses=Losses("", None),
        closed_at=None,
    )
    context = build_context(data, "zh-CN", UTC)
    times = [entry["time"] for entry in context["timeline"]]
    assert times == sorted(times)
    assert context["sla"][0]["name"] == "客户通报"
    assert context["losses"] == {"text": "无", "amount": "未评估"}
    assert dict(context["basic"])["结案时间"] == "处置中"


def test_context_without_optional_parts() -> None:
    data = sample(losses=None, handlers=(), subcategory=None)
    context = build_context(data, "en", UTC)
    basic = dict(context["basic"])
    assert basic["Handlers"] == "None" and basic["Subcategory"] == "None"
    assert context["losses"]["amount"] == "Not assessed"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("nul\x00", "nul\\x00"),
        ("invoice\u202etxt.exe", "invoice\\u202etxt.exe"),  # right-to-left override
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("tag\U000e0001", "tag\\U000e0001"),
        ("bad \ufffe \udc80", "bad \\ufffe \\udc80"),
        ("line\r\nnext\rlast\ttab", "line\nnext\nlast\ttab"),
        ("家庭👨\u200d👩\u200d👧 中文 עברית", "家庭👨\u200d👩\u200d👧 中文 עברית"),
    ],
)
def test_control_and_format_characters_are_shown_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_context_strings_are_printable() -> None:
    context = build_context(sample(title="a\x1bb", reporter="\u202eevil"), "en", UTC)
    assert context["title"] == "a\\x1bb"
    assert dict(context["basic"])["Reporter"] == "\\u202eevil"
