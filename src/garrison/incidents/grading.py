"""Incident grades and categories after GB/T 20986-2023 (信息安全事件分类分级指南).

A grade follows from two views of the incident, and the more severe one wins:

* the **system view**: how important the affected information system is (特别重要, 重要,
  一般) against how much the system lost (特别严重, 严重, 较大, 较小 系统损失);
* the **society view**: the social impact (特别重大, 重大, 较大, 一般 社会影响).

The matrix below is the standard's grading rule written as a table; administrators may override
the result with a reason (kept in the audit trail).
"""

from __future__ import annotations

from enum import StrEnum

from garrison.core.errors import InputError


class Grade(StrEnum):
    """Incident grade; ``I`` is the most severe."""

    I = "I"  # noqa: E741 - the standard's own name
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def rank(self) -> int:
        """1 for grade I (most severe) to 4 for grade IV."""
        return _ORDER.index(self) + 1

    @property
    def colour(self) -> str:
        """The warning colour of the grade: red, orange, yellow, blue."""
        return _COLOURS[self]

    def name_in(self, language: str) -> str:
        """The grade's name (特别重大/重大/较大/一般, or the English words)."""
        return _NAMES[self][0 if language == "zh-CN" else 1]

    @classmethod
    def parse(cls, text: str) -> Grade:
        """A grade from ``I``-``IV``, ``1``-``4`` or a colour.

        Raises:
            InputError: For anything else.
        """
        value = text.strip().upper()
        for grade in cls:
            if value in (grade.value, str(grade.rank), grade.colour.upper()):
                return grade
        raise InputError(
            f"unknown grade {text!r}", hint="I, II, III or IV (or red/orange/yellow/blue)"
        )


_ORDER = (Grade.I, Grade.II, Grade.III, Grade.IV)
_COLOURS = {Grade.I: "red", Grade.II: "orange", Grade.III: "yellow", Grade.IV: "blue"}
_NAMES = {
    Grade.I: ("特别重大", "Extremely major"),
    Grade.II: ("重大", "Major"),
    Grade.III: ("较大", "Considerable"),
    Grade.IV: ("一般", "General"),
}

#: Importance of an information system, most important first.
IMPORTANCE = ("critical", "important", "general")
#: Loss of the system, most severe first (特别严重, 严重, 较大, 较小).
LOSS = ("extremely_serious", "serious", "considerable", "minor")
#: Social impact, most severe first (特别重大, 重大, 较大, 一般).
IMPACT = ("extremely_major", "major", "considerable", "general")

_SYSTEM_MATRIX: dict[str, tuple[Grade, Grade, Grade, Grade]] = {
    # loss:      extremely_serious, serious, considerable, minor
    "critical": (Grade.I, Grade.II, Grade.III, Grade.IV),
    "important": (Grade.II, Grade.III, Grade.IV, Grade.IV),
    "general": (Grade.III, Grade.IV, Grade.IV, Grade.IV),
}
_IMPACT_GRADE = dict(zip(IMPACT, _ORDER, strict=True))


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise InputError(f"unknown {what} {value!r}", hint="one of " + ", ".join(allowed))
    return value


def grade_of(importance: str, loss: str, impact: str = "general") -> Grade:
    """The grade of an incident from the system view and the society view.

    Args:
        importance: Of the most important affected system (``critical``, ``important``,
            ``general``).
        loss: Assessed loss of the system (``extremely_serious`` ... ``minor``).
        impact: Assessed social impact (``extremely_major`` ... ``general``).

    Raises:
        InputError: On an unknown value.
    """
    by_system = _SYSTEM_MATRIX[_check(importance, IMPORTANCE, "importance")][
        LOSS.index(_check(loss, LOSS, "loss"))
    ]
    by_society = _IMPACT_GRADE[_check(impact, IMPACT, "impact")]
    return min(by_system, by_society, key=lambda g: g.rank)


#: Categories of GB/T 20986-2023 with (Chinese name, English name, subcategories).
CATEGORIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "malware": (
        "恶意程序",
        "Malware",
        ("virus", "worm", "trojan", "botnet", "ransomware", "mining", "webshell", "other"),
    ),
    "network_attack": (
        "网络攻击",
        "Network attack",
        ("dos", "scan", "brute_force", "exploit", "backdoor", "phishing", "interference", "other"),
    ),
    "data_security": (
        "数据安全",
        "Data security",
        ("tampering", "leak", "theft", "loss", "misuse", "other"),
    ),
    "content_security": (
        "信息内容安全",
        "Information content security",
        ("illegal_content", "rumour", "other"),
    ),
    "equipment_failure": (
        "设备设施故障",
        "Equipment or facility failure",
        ("hardware", "software", "power", "network", "other"),
    ),
    "violation": (
        "违规操作",
        "Violation of rules",
        ("privilege_abuse", "unauthorised_change", "unauthorised_access", "other"),
    ),
    "hidden_danger": (
        "安全隐患",
        "Security hazard",
        ("vulnerability", "misconfiguration", "other"),
    ),
    "abnormal_behaviour": (
        "异常行为",
        "Abnormal behaviour",
        ("access", "traffic", "account", "other"),
    ),
    "force_majeure": ("不可抗力", "Force majeure", ("natural_disaster", "accident", "other")),
    "other": ("其他", "Other", ("other",)),
}


def check_category(category: str, subcategory: str | None) -> tuple[str, str | None]:
    """Validate a category and its subcategory.

    Raises:
        InputError: On an unknown category or a subcategory it does not have.
    """
    if category not in CATEGORIES:
        raise InputError(f"unknown category {category!r}", hint="one of " + ", ".join(CATEGORIES))
    if subcategory is not None and subcategory not in CATEGORIES[category][2]:
        raise InputError(
            f"unknown subcategory {subcategory!r} of {category}",
            hint="one of " + ", ".join(CATEGORIES[category][2]),
        )
    return category, subcategory


def category_name(category: str, language: str) -> str:
    """The category's name in a language (the code itself when unknown)."""
    names = CATEGORIES.get(category)
    if names is None:
        return category
    return names[0] if language == "zh-CN" else names[1]
