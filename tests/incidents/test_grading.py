"""Grades after GB/T 20986-2023: the matrix, monotonicity, categories."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.core.errors import InputError
from garrison.incidents.grading import (
    IMPACT,
    IMPORTANCE,
    LOSS,
    Grade,
    category_name,
    check_category,
    grade_of,
)


@pytest.mark.parametrize(
    ("importance", "loss", "impact", "grade"),
    [
        ("critical", "extremely_serious", "general", Grade.I),
        ("critical", "serious", "general", Grade.II),
        ("important", "extremely_serious", "general", Grade.II),
        ("important", "serious", "general", Grade.III),
        ("critical", "minor", "general", Grade.IV),
        ("general", "minor", "general", Grade.IV),
        ("general", "minor", "extremely_major", Grade.I),  # society's view wins
        ("important", "considerable", "considerable", Grade.III),
    ],
)
def test_the_grading_matrix(importance: str, loss: str, impact: str, grade: Grade) -> None:
    assert grade_of(importance, loss, impact) is grade


@given(
    st.sampled_from(IMPORTANCE),
    st.sampled_from(IMPORTANCE),
    st.sampled_from(LOSS),
    st.sampled_from(LOSS),
    st.sampled_from(IMPACT),
)
def test_more_importance_or_loss_never_lowers_the_grade(
    i1: str, i2: str, l1: str, l2: str, impact: str
) -> None:
    # Lists run from most to least severe: an index at most the other's is at least as severe.
    if IMPORTANCE.index(i1) <= IMPORTANCE.index(i2) and LOSS.index(l1) <= LOSS.index(l2):
        assert grade_of(i1, l1, impact).rank <= grade_of(i2, l2, impact).rank


def test_grades_have_colours_names_and_parse() -> None:
    assert [g.colour for g in Grade] == ["red", "orange", "yellow", "blue"]
    assert Grade.II.name_in("zh-CN") == "重大" and Grade.IV.name_in("en") == "General"
    assert Grade.parse("iii") is Grade.III and Grade.parse("2") is Grade.II
    assert Grade.parse("Red") is Grade.I
    with pytest.raises(InputError, match="unknown grade"):
        Grade.parse("V")


def test_unknown_values_are_refused() -> None:
    with pytest.raises(InputError, match="importance"):
        grade_of("vital", "minor")
    with pytest.raises(InputError, match="loss"):
        grade_of("critical", "huge")


def test_categories_and_subcategories() -> None:
    assert check_category("network_attack", "brute_force") == ("network_attack", "brute_force")
    assert category_name("data_security", "zh-CN") == "数据安全"
    with pytest.raises(InputError, match="unknown category"):
        check_category("hacking", None)
    with pytest.raises(InputError, match="subcategory"):
        check_category("malware", "brute_force")
