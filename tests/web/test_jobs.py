"""The scheduled jobs page: jobs, the leader, history with filters, switching jobs off and on."""

from __future__ import annotations

from datetime import timedelta

from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.scheduler.jobs import JobSpec
from garrison.storage.sql.jobs import LEADER
from garrison.web.i18n import translations

from .conftest import Browser

XSS = "<script>alert(1)</script>"


def _text(response: object) -> str:
    return response.text  # type: ignore[attr-defined,no-any-return]


def _status(response: object) -> int:
    return response.status_code  # type: ignore[attr-defined,no-any-return]


def _history(platform: Platform, clock: FrozenClock) -> None:
    jobs = platform.jobs
    jobs.upsert(JobSpec("scans", "scans", "* * * * *", missed="skip"), actor="system")
    jobs.upsert(JobSpec("monthly", "report", "0 8 1 * *", args={"language": "en"}), actor="x")
    assert jobs.acquire(LEADER, "node-1:42:abcd", timedelta(minutes=1))
    ok = jobs.start_run("scans", clock.now(), holder="node-1:42:abcd")
    jobs.finish_run(ok, True, summary="1 scheduled scan(s): web-01 (scan 3, 2 failed)")
    clock.advance(timedelta(minutes=1))
    bad = jobs.start_run("monthly", clock.now(), holder="cli:root")
    jobs.finish_run(bad, False, error=f"no stored scan to report on {XSS}")


def test_everyone_sees_jobs_leader_and_history_in_their_language(
    platform: Platform, clock: FrozenClock, people: dict[str, Browser]
) -> None:
    _history(platform, clock)
    for role, language in (("admin", "zh-CN"), ("analyst", "en"), ("auditor", "zh-CN")):
        gettext = translations(language).gettext
        page = _text(people[role].get("/jobs"))
        assert 'href="/jobs"' in page and gettext("Scheduled jobs") in page
        assert page.count('data-testid="job-row"') == 2
        assert "node-1:42:abcd" in page
        assert gettext("Scheduled scans") in page and gettext("Audit report") in page
        assert page.count('data-testid="history-row"') == 2
        assert "1 scheduled scan(s): web-01" in page
        assert XSS not in page and "&lt;script&gt;" in page  # errors are text
        assert ('data-testid="job-switch"' in page) == (role == "admin")


def test_history_filters_by_job_and_status(
    platform: Platform, clock: FrozenClock, people: dict[str, Browser]
) -> None:
    _history(platform, clock)
    page = _text(people["analyst"].get("/jobs?job=monthly"))
    assert page.count('data-testid="history-row"') == 1 and 'data-job="monthly"' in page
    page = _text(people["analyst"].get("/jobs?status=ok"))
    assert page.count('data-testid="history-row"') == 1 and 'data-status="ok"' in page
    page = _text(people["analyst"].get("/jobs?status=bogus"))  # ignored, not an error
    assert page.count('data-testid="history-row"') == 2


def test_only_admins_switch_jobs_and_it_is_audited(
    platform: Platform, clock: FrozenClock, people: dict[str, Browser]
) -> None:
    _history(platform, clock)
    assert _status(people["analyst"].post("/jobs/monthly/disable")) == 403
    assert platform.jobs.get("monthly").spec.enabled
    answer = people["admin"].post("/jobs/monthly/disable")
    assert _status(answer) == 303
    assert not platform.jobs.get("monthly").spec.enabled
    page = _text(people["admin"].get("/jobs?done=disable"))
    assert 'data-testid="job-disabled"' in page and 'data-testid="done"' in page
    assert _status(people["admin"].post("/jobs/monthly/enable")) == 303
    assert platform.jobs.get("monthly").spec.enabled
    assert _status(people["admin"].post("/jobs/nothing/enable")) == 404
    assert _status(people["admin"].post("/jobs/Bad%20Name/enable")) == 422
    actions = [e.action for e in platform.audit_entries(limit=10)]
    assert actions.count("job.update") >= 2


def test_empty_page_says_where_jobs_come_from(people: dict[str, Browser]) -> None:
    page = _text(people["auditor"].get("/jobs"))
    assert 'data-testid="no-jobs"' in page and 'data-testid="no-history"' in page
