"""The alert queue and detail page: filters, acknowledge/close/suppress in place, roles."""

from __future__ import annotations

from garrison.alerts.query import AlertFilter
from garrison.platform import Platform
from tests.web.conftest import Browser


def _first_open(platform: Platform) -> int:
    return platform.alerts.search(AlertFilter(statuses=("new",), limit=1))[0].id


def test_queue_lists_open_alerts_and_filters_by_level(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    page = people["analyst"].get("/alerts").text  # type: ignore[attr-defined]
    stored = seeded.alerts.search(AlertFilter(statuses=("new", "acknowledged")))
    assert page.count('data-testid="alert-row"') == len(stored) > 0
    high = people["analyst"].get("/alerts?level=high&status=new").text  # type: ignore[attr-defined]
    expected = seeded.alerts.search(AlertFilter(statuses=("new",), min_level="high"))
    assert high.count('data-testid="alert-row"') == len(expected)


def test_acknowledge_and_close_in_place_are_audited(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    alert_id = _first_open(seeded)
    row = analyst.post(f"/alerts/{alert_id}/acknowledge", htmx=True)
    assert row.status_code == 200 and row.text.startswith("<tr")  # type: ignore[attr-defined]
    assert "X-Garrison-Message".lower() in row.headers  # type: ignore[attr-defined]
    assert seeded.alerts.get(alert_id).status == "acknowledged"
    closed = analyst.post(
        f"/alerts/{alert_id}/close",
        {"resolution": "false_positive", "reason": "admin's scheduled scan"},
        htmx=True,
    )
    assert closed.status_code == 200  # type: ignore[attr-defined]
    stored = seeded.alerts.get(alert_id)
    assert (stored.status, stored.resolution, stored.status_by) == (
        "closed",
        "false_positive",
        "user:li.na",
    )
    history = seeded.audit_entries(target=f"alert:{alert_id}")
    assert [e.action for e in history][:2] == ["alert.close", "alert.acknowledge"]
    detail = analyst.get(f"/alerts/{alert_id}").text  # type: ignore[attr-defined]
    assert "admin&#39;s scheduled scan" in detail


def test_suppress_from_the_queue_mutes_the_group(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    alert_id = _first_open(seeded)
    response = people["admin"].post(
        f"/alerts/{alert_id}/suppress", {"reason": "known scanner", "minutes": "60"}, htmx=True
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    made = seeded.alerts.suppressions()[0]
    assert (
        made["reason"] == "known scanner"
        and made["rule_id"] == seeded.alerts.get(alert_id).alert.rule_id
    )


def test_auditors_read_but_cannot_triage_and_csrf_is_required(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    alert_id = _first_open(seeded)
    auditor = people["auditor"]
    assert auditor.get(f"/alerts/{alert_id}").status_code == 200  # type: ignore[attr-defined]
    refused = auditor.post(f"/alerts/{alert_id}/acknowledge", htmx=True)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    analyst = people["analyst"].client
    forged = analyst.post(f"/alerts/{alert_id}/acknowledge", headers={"HX-Request": "true"})
    assert forged.status_code == 403
    assert seeded.alerts.get(alert_id).status == "new"


def test_detail_shows_events_rule_text_and_attack_links(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    brute = next(
        a
        for a in seeded.alerts.search(AlertFilter(statuses=("new",), limit=100))
        if "attack.t1110.001" in a.alert.tags and a.alert.event_ids
    )
    page = people["analyst"].get(f"/alerts/{brute.id}").text  # type: ignore[attr-defined]
    assert 'href="https://attack.mitre.org/techniques/T1110/001/"' in page
    assert 'data-testid="rule-text"' in page and f"id: {brute.alert.rule_id}" in page
    assert page.count("<tr>") >= min(len(brute.alert.event_ids), 2)


def test_unknown_alert_is_a_404_page(people: dict[str, Browser]) -> None:
    response = people["analyst"].get("/alerts/424242")
    assert response.status_code == 404 and "Not found." in response.text  # type: ignore[attr-defined]
