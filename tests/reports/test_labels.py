"""Every label exists in both languages, and every code of the model has one."""

from __future__ import annotations

import re

from garrison.reports.labels import EN, LABELS, LANGUAGES, ZH_CN
from garrison.reports.model import (
    CATEGORIES,
    GRADES,
    IMPORTANCES,
    PHASES,
    SLA_STATUSES,
    TASK_STATUSES,
    TIMELINE_KINDS,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_both_languages_have_the_same_keys() -> None:
    assert set(LANGUAGES) == set(LABELS)
    assert set(ZH_CN) == set(EN)


def test_every_model_code_has_a_label() -> None:
    families = {
        "grade": GRADES,
        "colour": GRADES,
        "category": CATEGORIES,
        "importance": IMPORTANCES,
        "kind": TIMELINE_KINDS,
        "phase": PHASES,
        "task": TASK_STATUSES,
        "sla": SLA_STATUSES,
    }
    for labels in LABELS.values():
        for family, codes in families.items():
            for code in codes:
                assert labels[f"{family}.{code}"].strip(), f"{family}.{code}"


def test_category_names_are_the_standards() -> None:
    assert [ZH_CN[f"category.{code}"] for code in CATEGORIES] == [
        "恶意程序",
        "网络攻击",
        "数据安全",
        "信息内容安全",
        "设备设施故障",
        "违规操作",
        "安全隐患",
        "异常行为",
        "不可抗力",
        "其他",
    ]


def test_chinese_labels_are_chinese_and_english_ones_are_not() -> None:
    # Words that read the same in both languages, and the other language's title shown as a
    # subtitle on the cover.
    shared = {"field.sha256", "report.subtitle", "page.after", "unit.separator"}
    for key, text in ZH_CN.items():
        if key not in shared and key.split(".")[0] not in {"grade", "list", "common"}:
            assert CJK.search(text), f"zh-CN {key!r} = {text!r} has no Chinese"
    for key, text in EN.items():
        if key != "report.subtitle":
            assert not CJK.search(text), f"en {key!r} = {text!r} has Chinese"
