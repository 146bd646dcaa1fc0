"""The audit trail page: who may see it, filters, paging, chain verification, exports."""

from __future__ import annotations

import html
import re
from typing import Any

from garrison.platform import Platform
from garrison.storage.sql import tables as t
from tests.web.conftest import Browser


def seqs(page: Any) -> list[int]:
    """Sequence numbers of the rows on an audit page, in page order."""
    return [int(s) for s in re.findall(r'data-testid="audit-row" data-seq="(\d+)"', page.text)]


def switch(platform: Platform, count: int) -> None:
    """Append ``count`` cheap audit entries (rule switches; the rule need not exist here)."""
    for n in range(count):
        platform.rule_settings.set_enabled(
            f"rule-{n}", n % 2 == 0, actor="user:li.na", reason=f"tuning {n}"
        )


def test_admins_and_auditors_see_the_trail_analysts_do_not(
    platform: Platform, people: dict[str, Browser]
) -> None:
    newest = platform.audit_entries(limit=1)[0].seq
    for role in ("admin", "auditor"):
        page: Any = people[role].get("/audit")
        assert page.status_code == 200, role
        assert seqs(page)[0] >= newest and seqs(page) == sorted(seqs(page), reverse=True)
        assert 'href="/audit"' in page.text  # the navigation entry
    analyst = people["analyst"]
    for url in ("/audit", "/audit/verify"):
        refused: Any = analyst.get(url)
        assert refused.status_code == 403 and "You do not have permission" in refused.text
    overview: Any = analyst.get("/overview")
    assert 'href="/audit"' not in overview.text
    # Logged out: to the login page, coming back afterwards.
    people["auditor"].client.cookies.clear()
    away: Any = people["auditor"].get("/audit?action=rule.")
    assert away.status_code == 303 and away.headers["location"].startswith("/login?next=/audit")


def test_rows_show_who_did_what_to_what(platform: Platform, people: dict[str, Browser]) -> None:
    # Times show in the viewer's own zone.
    platform.users.set_preferences(
        "zhao.min", language="en", timezone="Asia/Shanghai", actor="user:zhao.min"
    )
    platform.rule_settings.set_enabled(
        "6f2c1b7e-3a41-4d0e-9a55-1b7f0c2d9e02", False, actor="user:li.na", reason="pentest"
    )
    page: Any = people["auditor"].get("/audit")
    row = page.text[page.text.index('data-testid="audit-row"') :].split("</tr>")[0]
    assert "user:li.na" in row and "<code>rule.disable</code>" in row and "Rule disabled" in row
    assert 'href="/rules/6f2c1b7e-3a41-4d0e-9a55-1b7f0c2d9e02"' in row
    assert "reason=</span>pentest" in row
    assert "2026-11-23 20:00:00" in row and "Time (Asia/Shanghai)" in page.text
    # Long single words (hashes) are cut in the table, whole in the tooltip.
    platform.rule_settings.record_upload("a.yml", "ab" * 32, ["A"], actor="user:li.na")
    upload: Any = people["auditor"].get("/audit?action=rule.upload")
    assert f'title="{"ab" * 32}"' in upload.text and f"{'ab' * 12}…" in upload.text


def test_filters_by_action_actor_and_target(platform: Platform, people: dict[str, Browser]) -> None:
    switch(platform, 3)
    auditor = people["auditor"]
    rules = auditor.get("/audit?action=rule.")
    actions = {e.seq: e.action for e in platform.audit_entries(limit=1000)}
    assert seqs(rules) and all(actions[s].startswith("rule.") for s in seqs(rules))
    logins = seqs(auditor.get("/audit?action=login."))
    assert len(logins) == 3 and all(actions[s] == "login.success" for s in logins)
    by_actor = seqs(auditor.get("/audit?actor=cli%3Aroot"))
    assert [actions[s] for s in by_actor] == ["user.create"] * 3
    by_target = seqs(auditor.get("/audit?target=rule%3Arule-1"))
    assert [actions[s] for s in by_target] == ["rule.disable"]
    empty: Any = auditor.get("/audit?actor=nobody")
    assert seqs(empty) == [] and 'data-testid="audit-empty"' in empty.text
    # The filters stay in the form.
    kept: Any = auditor.get("/audit?action=rule.&actor=user%3Ali.na")
    assert '<option value="rule." selected>' in kept.text and 'value="user:li.na"' in kept.text
    bad_page: Any = auditor.get("/audit?before=0")
    assert bad_page.status_code == 422


def test_older_pages_by_sequence_number(platform: Platform, people: dict[str, Browser]) -> None:
    switch(platform, 130)
    auditor = people["auditor"]
    total = platform.audit_entries(limit=1)[0].seq
    first: Any = auditor.get("/audit")
    assert seqs(first) == list(range(total, total - 100, -1))
    older = re.search(r'href="([^"]+)" data-testid="older"', first.text)
    assert older is not None
    second: Any = auditor.get(html.unescape(older.group(1)))
    assert seqs(second) == list(range(total - 100, 0, -1))
    assert 'data-testid="older"' not in second.text and 'data-testid="newest"' in second.text
    # Paging keeps the filter.
    filtered: Any = auditor.get("/audit?action=rule.")
    link = re.search(r'href="([^"]+)" data-testid="older"', filtered.text)
    assert link is not None and "action=rule." in html.unescape(link.group(1))
    rest = seqs(auditor.get(html.unescape(link.group(1))))
    assert rest and max(rest) < min(seqs(filtered)) and len(rest) == 30


def test_verify_shows_an_intact_chain_then_the_tampered_entry(
    platform: Platform, people: dict[str, Browser]
) -> None:
    auditor = people["auditor"]
    entries = platform.audit_entries(limit=1)[0].seq
    ok: Any = auditor.get("/audit/verify", headers={"HX-Request": "true"})
    assert ok.status_code == 200 and 'data-testid="verify-ok"' in ok.text
    assert f'data-entries="{entries}"' in ok.text and "<html" not in ok.text
    with platform.store.engine.begin() as conn:
        conn.execute(t.audit_log.update().where(t.audit_log.c.seq == 2).values(actor="cli:eve"))
    broken: Any = auditor.get("/audit/verify", headers={"HX-Request": "true"})
    assert broken.status_code == 200 and 'data-testid="verify-broken"' in broken.text
    assert 'data-broken-at="2"' in broken.text
    # Without htmx: the whole page, with the result at the top.
    page: Any = auditor.get("/audit/verify")
    assert "<html" in page.text and 'data-testid="verify-broken"' in page.text
    assert seqs(page)


def test_attacker_controlled_values_are_escaped(
    platform: Platform, people: dict[str, Browser]
) -> None:
    platform.users.authenticate(
        "<script>alert(1)</script>", "x", None, source='"><img src=x onerror=alert(2)>'
    )
    page: Any = people["auditor"].get("/audit?action=login.failure")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "user:&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text
    echoed: Any = people["auditor"].get("/audit?target=%22%3E%3Cb%3E")
    assert 'value="&#34;&gt;&lt;b&gt;"' in echoed.text


def test_exports_use_the_api_with_the_session(
    platform: Platform, people: dict[str, Browser]
) -> None:
    switch(platform, 2)
    auditor = people["auditor"]
    page: Any = auditor.get("/audit?action=rule.")
    assert 'action="/api/v1/audit/export"' in page.text
    link = re.search(
        r'href="(/api/v1/audit/export\?[^"]+)" data-testid="export-link-csv"', page.text
    )
    assert link is not None
    csv: Any = auditor.get(html.unescape(link.group(1)))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and all(",rule." in line for line in lines[1:])
    # What the export form sends when no date is picked.
    ndjson: Any = auditor.get("/api/v1/audit/export?action=&since=&until=&format=ndjson")
    assert ndjson.status_code == 200 and len(ndjson.text.splitlines()) == len(
        platform.audit_entries(limit=1000)
    )
    since: Any = auditor.get("/api/v1/audit/export?action=&since=2026-11-24&until=&format=ndjson")
    assert since.status_code == 200 and since.text == ""
