"""The incident board and an incident's page: countdowns, actions, roles, escaping, reports."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from garrison.alerts.query import AlertFilter
from garrison.core.clock import FrozenClock
from garrison.incidents.grading import Grade
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Milestone
from garrison.platform import Platform
from garrison.web.views.incidents import clock_text, countdown_texts
from tests.web.conftest import Browser


def _open(platform: Platform, title: str = "SSH brute force on web01", **kwargs: Any) -> int:
    return platform.incidents.open(title, actor="user:admin.wang", **kwargs).id


def _text(response: object) -> str:
    return response.text  # type: ignore[attr-defined,no-any-return]


def _status(response: object) -> int:
    return response.status_code  # type: ignore[attr-defined,no-any-return]


def _actions(platform: Platform, incident_id: int) -> list[str]:
    return [e.action for e in platform.audit_entries(target=f"incident:{incident_id}")]


# -- the board -------------------------------------------------------------------------------


def test_board_lists_open_incidents_by_grade_with_live_clocks(
    platform: Platform, people: dict[str, Browser]
) -> None:
    low = _open(platform, "Port scan from a neighbour", loss="minor")
    high = _open(platform, "Ransomware on the file server", grade=Grade.I, grade_reason="HQ data")
    page = _text(people["auditor"].get("/incidents"))
    assert page.count('data-testid="incident-card"') == 2
    # Most severe first, each with its grade colour band and badge.
    assert page.index(f'data-incident-id="{high}"') < page.index(f'data-incident-id="{low}"')
    assert "grade-band-red" in page and "grade-band-blue" in page
    assert 'class="badge grade grade-red"' in page and "特别重大" in page  # auditor: zh-CN
    # The next clock (confirm, 15 minutes) counts down from the server's time.
    assert 'data-due="2026-11-23T12:15:00Z"' in page
    assert 'data-warn="2026-11-23T12:12:00Z"' in page
    assert 'data-server-now="2026-11-23T12:00:00Z"' in page
    assert "15:00" in page
    assert '<script src="/static/js/incidents.js' in page
    assert 'id="countdown-text"' in page
    # Readers do not get the button that opens incidents.
    assert 'data-testid="new-incident"' not in page
    assert 'data-testid="new-incident"' in _text(people["analyst"].get("/incidents"))


def test_board_shows_warning_and_breach_as_time_passes(
    platform: Platform, people: dict[str, Browser], clock: FrozenClock
) -> None:
    _open(platform)
    analyst = people["analyst"]  # English
    clock.advance(timedelta(minutes=12, seconds=30))
    page = _text(analyst.get("/incidents"))
    assert 'data-state="warning"' in page and "in 02:30" in page
    clock.advance(timedelta(minutes=5, seconds=40))
    page = _text(analyst.get("/incidents"))
    assert 'data-state="breached"' in page and "overdue 03:10" in page
    assert re.search(r'data-testid="kpi-breached">\s*1<', page)


def test_board_hides_closed_incidents_unless_asked(
    platform: Platform, people: dict[str, Browser]
) -> None:
    shut = _open(platform, "False alarm")
    platform.incidents.transition(shut, Phase.CLOSED, actor="user:li.na", reason="a test")
    browser = people["analyst"]
    assert 'data-testid="no-incidents"' in _text(browser.get("/incidents"))
    everything = _text(browser.get("/incidents?closed=true"))
    assert f'data-incident-id="{shut}"' in everything and "is-closed" in everything


def test_open_an_incident_from_alerts_with_the_form(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    alerts = seeded.alerts.search(AlertFilter(statuses=("new",), limit=2))
    ids = ", ".join(str(a.id) for a in alerts)
    response = people["analyst"].post(
        "/incidents",
        {
            "title": "Brute force then login",
            "incident_type": "brute_force",
            "loss": "serious",
            "impact": "general",
            "alerts": ids,
            "summary": "Seen by the night shift",
        },
    )
    assert _status(response) == 303
    location = response.headers["location"]  # type: ignore[attr-defined]
    incident_id = int(re.findall(r"/incidents/(\d+)", location)[0])
    incident = seeded.incidents.get(incident_id)
    assert (incident.title, incident.type, incident.loss) == (
        "Brute force then login",
        "brute_force",
        "serious",
    )
    assert set(incident.alert_ids) == {a.id for a in alerts}
    assert _actions(seeded, incident_id) == ["incident.open"]
    page = _text(people["analyst"].get(location))
    assert "Incident opened" in page  # the ?done= notice
    for alert in alerts:
        assert f'href="/alerts/{alert.id}"' in page


def test_a_refused_new_incident_is_shown_again_with_its_values(
    platform: Platform, people: dict[str, Browser]
) -> None:
    browser = people["analyst"]
    response = browser.post(
        "/incidents", {"title": "Data leak <b>suspected</b>", "grade": "I", "grade_reason": ""}
    )
    assert _status(response) == 400
    page = _text(response)
    assert 'data-testid="form-error"' in page and "give a reason" in page
    assert 'value="Data leak &lt;b&gt;suspected&lt;/b&gt;"' in page
    assert platform.incidents.list(open_only=False) == []
    unknown = browser.post("/incidents", {"title": "From alerts", "alerts": "99999"})
    assert _status(unknown) == 400 and "no alert 99999" in _text(unknown)
    garbage = browser.post("/incidents", {"title": "From alerts", "alerts": "12, abc"})
    assert _status(garbage) == 400 and "is not an alert number" in _text(garbage)
    assert platform.incidents.list(open_only=False) == []


def test_board_prefills_alerts_from_the_query(
    platform: Platform, people: dict[str, Browser]
) -> None:
    page = _text(people["analyst"].get("/incidents?alerts=14,15"))
    assert 'data-testid="new-incident-card"' in page and 'value="14,15"' in page


# -- one incident ----------------------------------------------------------------------------


def test_detail_shows_grade_clocks_tasks_timeline_and_reports(
    platform: Platform, people: dict[str, Browser]
) -> None:
    incident_id = _open(platform, incident_type="brute_force", grade=Grade.II, grade_reason="VIP")
    platform.incidents.note(incident_id, "Called the duty officer", actor="user:li.na")
    page = _text(people["admin"].get(f"/incidents/{incident_id}"))  # zh-CN
    assert "grade-top-orange" in page and "重大" in page
    assert 'data-testid="grade-override"' in page and "VIP" in page
    for kind in ("confirm", "report", "escalate", "recover"):
        assert f'data-testid="clock-{kind}"' in page
    assert "网络攻击" in page  # category, translated by the domain's own names
    assert "封禁攻击源地址" in page and "技术处置组" in page  # task and role in Chinese
    assert page.count('data-testid="task-row"') == len(platform.incidents.get(incident_id).tasks)
    assert "Called the duty officer" in page
    # Newest first: the note comes before the opening.
    entries = re.findall(r'data-testid="timeline-entry"', page)
    assert len(entries) == 2
    assert page.index("Called the duty officer") < page.rindex('class="tl-action')
    for lang in ("zh-CN", "en"):
        for fmt in ("pdf", "html"):
            assert f"/incidents/{incident_id}/report?lang={lang}&amp;format={fmt}" in page
    # Triage may move to contain or close as a false alarm.
    assert 'data-testid="phase-contain"' in page and 'data-testid="phase-closed"' in page
    english = _text(people["analyst"].get(f"/incidents/{incident_id}"))
    assert "Block the attacking addresses" in english and "Technical team" in english


def test_phase_change_in_place_and_plain_is_audited(
    platform: Platform, people: dict[str, Browser]
) -> None:
    incident_id = _open(platform)
    analyst = people["analyst"]
    response = analyst.post(
        f"/incidents/{incident_id}/transition",
        {"phase": "contain", "reason": "confirmed: a login succeeded"},
        htmx=True,
    )
    assert _status(response) == 200
    assert _text(response).startswith('<div id="incident-body"')
    assert "x-garrison-message" in response.headers  # type: ignore[attr-defined]
    incident = platform.incidents.get(incident_id)
    assert incident.phase is Phase.CONTAIN and Milestone.CONFIRMED in incident.milestones
    # The confirm clock stopped in time.
    assert 'data-testid="clock-confirm"' in _text(response)
    assert 'data-state="met"' in _text(response)
    plain = analyst.post(
        f"/incidents/{incident_id}/transition", {"phase": "eradicate", "reason": "blocked"}
    )
    assert _status(plain) == 303
    assert plain.headers["location"] == f"/incidents/{incident_id}?done=transition"  # type: ignore[attr-defined]
    assert platform.incidents.get(incident_id).phase is Phase.ERADICATE
    entries = platform.audit_entries(target=f"incident:{incident_id}")
    assert [e.action for e in entries][:2] == ["incident.transition", "incident.transition"]
    assert entries[1].details["reason"] == "confirmed: a login succeeded"
    assert entries[0].actor == "user:li.na"


def test_an_invalid_transition_shows_the_error_and_changes_nothing(
    platform: Platform, people: dict[str, Browser]
) -> None:
    incident_id = _open(platform)
    analyst = people["analyst"]
    plain = analyst.post(
        f"/incidents/{incident_id}/transition", {"phase": "recover", "reason": "skip ahead"}
    )
    assert _status(plain) == 400
    assert 'data-testid="notice"' in _text(plain) and "cannot move to recover" in _text(plain)
    assert "allowed: contain, closed" in _text(plain)
    toast = analyst.post(
        f"/incidents/{incident_id}/transition", {"phase": "recover", "reason": "x"}, htmx=True
    )
    assert _status(toast) == 400 and "cannot move to recover" in _text(toast)
    assert "<html" not in _text(toast)
    no_reason = analyst.post(
        f"/incidents/{incident_id}/transition", {"phase": "contain", "reason": "  "}
    )
    assert _status(no_reason) == 400 and "needs a reason" in _text(no_reason)
    unknown = analyst.post(f"/incidents/{incident_id}/transition", {"phase": "x", "reason": "y"})
    assert _status(unknown) == 400
    assert platform.incidents.get(incident_id).phase is Phase.TRIAGE
    assert _actions(platform, incident_id) == ["incident.open"]


def test_marks_regrade_attach_note_and_task_are_audited(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    incident_id = _open(seeded)
    admin = people["admin"]
    assert (
        _status(
            admin.post(
                f"/incidents/{incident_id}/mark",
                {"milestone": "reported", "note": "to the CISO by phone"},
                htmx=True,
            )
        )
        == 200
    )
    again = admin.post(f"/incidents/{incident_id}/mark", {"milestone": "reported"}, htmx=True)
    assert _status(again) == 400 and "already recorded" in _text(again)
    assert _status(admin.post(f"/incidents/{incident_id}/mark", {"milestone": "closed"})) == 400
    regraded = admin.post(
        f"/incidents/{incident_id}/regrade", {"grade": "II", "reason": "payroll data"}, htmx=True
    )
    assert _status(regraded) == 200 and "clock-escalate" in _text(regraded)
    alert = seeded.alerts.search(AlertFilter(statuses=("new",), limit=1))[0]
    attached = admin.post(f"/incidents/{incident_id}/alerts", {"alert_ids": f"#{alert.id}"})
    assert _status(attached) == 303
    noted = admin.post(
        f"/incidents/{incident_id}/notes", {"text": "Blocked 203.0.113.45"}, htmx=True
    )
    assert _status(noted) == 200 and "Blocked 203.0.113.45" in _text(noted)
    task = seeded.incidents.get(incident_id).tasks[0]
    done = admin.post(f"/incidents/{incident_id}/tasks/{task.id}/done", htmx=True)
    assert _status(done) == 200
    twice = admin.post(f"/incidents/{incident_id}/tasks/{task.id}/done", htmx=True)
    assert _status(twice) == 400

    incident = seeded.incidents.get(incident_id)
    assert Milestone.REPORTED in incident.milestones
    assert (incident.grade, incident.grade_reason) == (Grade.II, "payroll data")
    assert alert.id in incident.alert_ids
    assert next(t for t in incident.tasks if t.id == task.id).done_by == "user:admin.wang"
    assert _actions(seeded, incident_id) == [
        "incident.task_done",
        "incident.attach",
        "incident.regrade",
        "incident.mark",
        "incident.open",
    ]
    assert [e.kind for e in seeded.incidents.timeline(incident_id)].count("note") == 1
    page = _text(admin.get(f"/incidents/{incident_id}"))
    assert "to the CISO by phone" in page and f"/alerts/{alert.id}" in page


def test_bad_input_to_actions_is_refused_clearly(
    platform: Platform, people: dict[str, Browser]
) -> None:
    incident_id = _open(platform)
    other = _open(platform, "Another")
    analyst = people["analyst"]
    empty_note = analyst.post(f"/incidents/{incident_id}/notes", {"text": " "})
    assert _status(empty_note) == 400 and "a note holds" in _text(empty_note)
    no_reason = analyst.post(f"/incidents/{incident_id}/regrade", {"grade": "I", "reason": ""})
    assert _status(no_reason) == 400 and "needs a reason" in _text(no_reason)
    unknown_alert = analyst.post(f"/incidents/{incident_id}/alerts", {"alert_ids": "424242"})
    assert _status(unknown_alert) == 400 and "no alert 424242" in _text(unknown_alert)
    foreign = platform.incidents.get(other).tasks[0].id
    assert _status(analyst.post(f"/incidents/{incident_id}/tasks/{foreign}/done")) == 404
    assert _status(analyst.get("/incidents/999")) == 404
    assert platform.incidents.get(incident_id).grade is Grade.IV
    assert _actions(platform, incident_id) == ["incident.open"]


def test_auditors_read_but_cannot_act_and_csrf_is_required(
    platform: Platform, people: dict[str, Browser]
) -> None:
    incident_id = _open(platform)
    auditor = people["auditor"]
    page = _text(auditor.get(f"/incidents/{incident_id}"))
    assert _status(auditor.get(f"/incidents/{incident_id}")) == 200
    assert 'data-testid="phase-contain"' not in page and 'data-testid="note-text"' not in page
    for url, data in (
        (f"/incidents/{incident_id}/transition", {"phase": "contain", "reason": "x"}),
        (f"/incidents/{incident_id}/notes", {"text": "x"}),
        (f"/incidents/{incident_id}/regrade", {"grade": "I", "reason": "x"}),
        ("/incidents", {"title": "x"}),
    ):
        assert _status(auditor.post(url, data)) == 403
        assert _status(auditor.post(url, data, htmx=True)) == 403
    forged = people["analyst"].client.post(
        f"/incidents/{incident_id}/transition",
        data={"phase": "contain", "reason": "x"},
        headers={"HX-Request": "true"},
    )
    assert forged.status_code == 403
    forged_form = people["analyst"].client.post("/incidents", data={"title": "x"})
    assert forged_form.status_code == 403
    assert platform.incidents.get(incident_id).phase is Phase.TRIAGE
    assert len(platform.incidents.list()) == 1


def test_hostile_values_are_escaped(platform: Platform, people: dict[str, Browser]) -> None:
    incident_id = _open(platform, "<script>alert(1)</script>", summary="<img src=x onerror=1>")
    platform.incidents.note(incident_id, "<script>steal()</script>", actor="user:li.na")
    for url in ("/incidents", f"/incidents/{incident_id}"):
        page = _text(people["analyst"].get(url))
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    detail = _text(people["analyst"].get(f"/incidents/{incident_id}"))
    assert "&lt;img src=x onerror=1&gt;" in detail and "&lt;script&gt;steal()" in detail


def test_report_downloads_as_an_attachment(platform: Platform, people: dict[str, Browser]) -> None:
    incident_id = _open(platform)
    response = people["auditor"].get(f"/incidents/{incident_id}/report?lang=zh-CN&format=pdf")
    assert _status(response) == 200
    assert response.content.startswith(b"%PDF")  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/pdf"  # type: ignore[attr-defined]
    disposition = response.headers["content-disposition"]  # type: ignore[attr-defined]
    assert disposition == f'attachment; filename="incident-{incident_id}-zh-CN.pdf"'
    html = people["auditor"].get(f"/incidents/{incident_id}/report?lang=en&format=html")
    assert _status(html) == 200 and "text/html" in html.headers["content-type"]  # type: ignore[attr-defined]
    assert _status(people["auditor"].get(f"/incidents/{incident_id}/report?format=doc")) == 422


def test_sla_events_and_actions_read_well_in_the_timeline(
    platform: Platform, people: dict[str, Browser], clock: FrozenClock
) -> None:
    incident_id = _open(platform)
    clock.advance(timedelta(minutes=16))
    platform.incident_step()  # the worker's sweep records the breach of the confirm clock
    page = _text(people["analyst"].get(f"/incidents/{incident_id}"))
    assert "SLA breached: Confirm" in page and "tl-severe" in page
    assert "Incident opened as grade IV" in page


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (754, "12:34"),
        (-190, "03:10"),
        (3723, "1:02:03"),
        (2 * 86_400 + 3 * 3600 + 4 * 60 + 5, "2d 03:04:05"),
        (0.9, "00:00"),
    ],
)
def test_clock_text(seconds: float, text: str) -> None:
    assert clock_text(seconds, "{n}d") == text


def test_countdown_words_in_both_languages() -> None:
    assert countdown_texts("en")["left"] == "in {time}"
    assert countdown_texts("en")["over"] == "overdue {time}"
    assert "{time}" in countdown_texts("zh-CN")["left"]
