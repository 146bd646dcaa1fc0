"""The overview page: counts and chart data from the store, in the viewer's zone."""

from __future__ import annotations

import json
import re

from garrison.platform import Platform
from tests.web.conftest import Browser

CHART = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)


def test_overview_shows_the_stored_events_and_alerts(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    page = people["analyst"].get("/overview").text  # type: ignore[attr-defined]
    data = json.loads(CHART.search(page).group(1))  # type: ignore[union-attr]
    summary = seeded.overview("24h")
    assert sum(data["events"]) == summary.total_events > 0
    assert len(data["labels"]) == 24
    assert {s["level"] for s in data["alerts"]} == set(summary.levels)
    assert data["top_rules"][0]["value"] == summary.top_rules[0][2]
    assert f'data-testid="kpi-events">{summary.total_events:,}<' in page
    assert "203.0.113.45" in page  # the brute-forcing address is a top source


def test_span_changes_the_buckets_and_unknown_spans_are_refused(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    page = people["auditor"].get("/overview?span=7d").text  # type: ignore[attr-defined]
    data = json.loads(CHART.search(page).group(1))  # type: ignore[union-attr]
    assert len(data["labels"]) == 28
    assert people["auditor"].get("/overview?span=1y").status_code == 422  # type: ignore[attr-defined]


def test_labels_follow_the_viewer_language_and_zone(
    seeded: Platform, people: dict[str, Browser]
) -> None:
    english = people["analyst"].get("/overview").text  # type: ignore[attr-defined]
    chinese = people["auditor"].get("/overview").text  # type: ignore[attr-defined]
    assert "Events over time" in english and "事件趋势" in chinese
    seeded.users.set_preferences(
        "li.na", language="en", timezone="Asia/Shanghai", actor="user:li.na"
    )
    shanghai = people["analyst"].get("/overview").text  # type: ignore[attr-defined]
    labels = json.loads(CHART.search(shanghai).group(1))["labels"]  # type: ignore[union-attr]
    utc = json.loads(CHART.search(english).group(1))["labels"]  # type: ignore[union-attr]
    assert labels != utc and labels[0].endswith(":00")
    assert "Asia/Shanghai" in shanghai


def test_chart_data_cannot_break_out_of_its_script_block(
    platform: Platform, people: dict[str, Browser]
) -> None:
    from garrison.storage.sql import tables as t

    with platform.store.engine.begin() as conn:
        conn.execute(
            t.alerts.insert().values(
                fingerprint="x" * 64,
                rule_id="r",
                title="</script><script>alert(1)</script>",
                level="high",
                tags="[]",
                kind="rule",
                grouping="{}",
                count=1,
                first_seen=int(platform.clock.now().timestamp() * 1e6) - 10,
                last_seen=int(platform.clock.now().timestamp() * 1e6) - 10,
                event_ids="[]",
                status="new",
                created_at=0,
                updated_at=0,
            )
        )
    page = people["analyst"].get("/overview").text  # type: ignore[attr-defined]
    assert "</script><script>alert(1)" not in page
    data = json.loads(CHART.search(page).group(1))  # type: ignore[union-attr]
    assert data["top_rules"][0]["name"] == "</script><script>alert(1)</script>"
