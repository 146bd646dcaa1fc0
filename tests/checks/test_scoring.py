"""Scores: requirement verdicts from check results, framework and family scores."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.base import Status
from garrison.checks.frameworks import framework
from garrison.checks.scoring import Tally, Verdict, score, score_all, summaries, verdict
from tests.checks.frameworks.samples import CHECKS, finding, host_scan, scan


def _verdicts(framework_id: str = "dengbao", **kwargs: object) -> dict[str, Verdict]:
    result = score(host_scan(**kwargs), framework(framework_id), CHECKS)  # type: ignore[arg-type]
    return {r.requirement.id: r.verdict for r in result.requirements}


def test_requirement_verdicts() -> None:
    found = _verdicts()
    assert found["8.1.4.2 b)"] is Verdict.FAIL  # ssh_root_login failed
    assert found["8.1.4.1 a)"] is Verdict.FAIL  # accounts_empty_password failed
    assert found["8.1.4.1 b)"] is Verdict.ERROR  # account_lockout could not decide
    assert found["8.1.4.3 a)"] is Verdict.PASS  # auditd_enabled passed
    assert found["8.1.2.2 b)"] is Verdict.NOT_ASSESSED  # the web check did not run on a host
    assert found["8.1.5.4 d)"] is Verdict.MANUAL  # no check covers it


def test_verdict_rules() -> None:
    ran = {"a"}
    assert verdict((), ran, []) is Verdict.MANUAL
    assert verdict(("b",), ran, []) is Verdict.NOT_ASSESSED
    na = finding("auditd_enabled", Status.NOT_APPLICABLE)
    ok = finding("auditd_enabled", Status.PASS)
    manual = finding("auditd_enabled", Status.MANUAL)
    assert verdict(("a",), ran, [na]) is Verdict.NOT_ASSESSED
    assert verdict(("a",), ran, [na, ok]) is Verdict.PASS
    assert verdict(("a",), ran, [manual]) is Verdict.MANUAL
    assert verdict(("a",), ran, [ok, finding("auditd_enabled", Status.ERROR)]) is Verdict.ERROR
    assert verdict(("a",), ran, [ok, finding("auditd_enabled", Status.FAIL)]) is Verdict.FAIL


def test_framework_and_family_scores() -> None:
    result = score(host_scan(), framework("dengbao"), CHECKS)
    tally = result.tally
    # 8.1.4.1 a), 8.1.4.2 b), 8.1.4.2 d) fail; 8.1.4.3 a) passes; 8.1.4.1 b) undecided.
    assert (tally.passed, tally.failed, tally.errors) == (1, 3, 1)
    assert result.score == 25.0
    assert tally.total == len(framework("dengbao").requirements)
    assert tally.automated == 8  # requirements some sample check covers
    families = {f.id: f for f in result.families}
    assert list(families) == ["8.1.2", "8.1.3", "8.1.4", "8.1.5"]
    assert families["8.1.4"].score == 25.0
    assert families["8.1.2"].score is None  # nothing assessed there
    subs = {s.id: s for s in families["8.1.4"].subfamilies}
    assert subs["8.1.4.3"].score == 100.0
    assert subs["8.1.4.1"].tally.errors == 1
    assert [r.requirement.id for r in result.by_verdict(Verdict.FAIL)] == [
        "8.1.4.1 a)",
        "8.1.4.2 b)",
        "8.1.4.2 d)",
    ]


def test_fixing_raises_the_score() -> None:
    before = score(host_scan(), framework("dengbao"), CHECKS).score
    after = score(host_scan(fixed=True), framework("dengbao"), CHECKS).score
    assert before is not None and after is not None and after > before


def test_nothing_assessed_gives_no_score() -> None:
    empty = scan([], check_ids=())
    result = score(empty, framework("cis_docker"), CHECKS)
    assert result.score is None
    assert result.tally.passed == result.tally.failed == 0


def test_summary_is_the_stored_json_shape() -> None:
    stored = summaries(host_scan(), [framework("dengbao"), framework("cis_linux")], CHECKS)
    assert list(stored) == ["dengbao", "cis_linux"]
    dengbao = stored["dengbao"]
    assert dengbao["title"]["zh-CN"].startswith("网络安全等级保护基本要求")
    assert dengbao["score"] == 25.0
    assert dengbao["failed"] == 3 and dengbao["errors"] == 1 and dengbao["passed"] == 1
    assert dengbao["requirements"] == 74
    assert dengbao["families"]["8.1.4"]["title"] == {
        "zh-CN": "安全计算环境",
        "en": "Secure computing environment",
    }
    assert stored["cis_linux"]["score"] == 0.0  # Linux 5.2.7 and 6.2.2 fail, nothing passes


def test_score_all_keeps_framework_order() -> None:
    found = score_all(host_scan(), [framework("iso27001"), framework("dengbao")], CHECKS)
    assert list(found) == ["iso27001", "dengbao"]
    assert found["iso27001"].tally.total == 93


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 50), st.integers(0, 50))
def test_tally_score_is_a_percentage(passed: int, failed: int, errors: int, manual: int) -> None:
    value = Tally(passed=passed, failed=failed, errors=errors, manual=manual).score
    if passed + failed == 0:
        assert value is None
    else:
        assert value is not None and 0.0 <= value <= 100.0
        if failed == 0:
            assert value == 100.0
        if passed == 0:
            assert value == 0.0
