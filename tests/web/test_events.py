"""Event search and entity timelines: results, inline query errors, order, escaping, roles."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from garrison.core.clock import FrozenClock
from garrison.events.model import Event
from garrison.normalize.base import ParseContext
from garrison.platform import Platform
from garrison.search.query import parse
from garrison.web.views.events import narrowed, term
from tests.web.conftest import PASSWORD, Browser

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ROW = re.compile(r'data-testid="(?:event-row|timeline-item)" data-event-id="([^"]+)"')


def _event(n: int, minutes_ago: int, original: str, **fields: Any) -> Event:
    ctx = ParseContext(stream="web-test", now=NOW)
    return ctx.make(
        timestamp=NOW - timedelta(minutes=minutes_ago),
        dataset=fields.pop("dataset", "linux.auth"),
        original=original,
        offset=n,
        fields=dict(fields),
    )


@pytest.fixture
def stored(platform: Platform) -> dict[str, Event]:
    """A few events: failed and successful logins, a web error, one two days ago."""
    events = {
        "fail": _event(
            1,
            30,
            "sshd[1]: Failed password for root from 203.0.113.7 port 52114 ssh2",
            **{
                "event.category": "authentication",
                "event.action": "ssh_login",
                "event.outcome": "failure",
                "source.ip": "203.0.113.7",
                "user.name": "root",
                "host.name": "web-01",
            },
        ),
        "ok": _event(
            2,
            20,
            "sshd[2]: Accepted publickey for deploy from 10.0.0.5 port 40022 ssh2",
            **{
                "event.category": "authentication",
                "event.action": "ssh_login",
                "event.outcome": "success",
                "source.ip": "10.0.0.5",
                "user.name": "deploy",
                "host.name": "web-01",
            },
        ),
        "web": _event(
            3,
            10,
            'GET /search?q=<script>alert(1)</script> HTTP/1.1" 500',
            dataset="web.access",
            **{
                "event.category": "web",
                "source.ip": "203.0.113.7",
                "http.response.status_code": 500,
                "url.original": "/search?q=<script>alert(1)</script>",
            },
        ),
        "old": _event(
            4,
            2 * 24 * 60,
            "sshd[4]: Failed password for root from 203.0.113.7 port 1 ssh2",
            **{
                "event.category": "authentication",
                "event.outcome": "failure",
                "source.ip": "203.0.113.7",
                "user.name": "root",
            },
        ),
    }
    platform.store.append(list(events.values()), source="web-test")
    return events


@pytest.fixture
def analyst(platform: Platform, clock: FrozenClock) -> Browser:
    """One logged-in analyst (cheaper than ``people`` where roles do not matter)."""
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root", language="en")
    browser = Browser(platform, clock)
    browser.login("li.na")
    return browser


def _ids(page: str) -> list[str]:
    return ROW.findall(page)


def test_search_defaults_to_the_last_24_hours_newest_first(
    stored: dict[str, Event], analyst: Browser
) -> None:
    response = analyst.get("/events")
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert _ids(page) == [stored["web"].id, stored["ok"].id, stored["fail"].id]
    assert 'data-testid="result-count">3<' in page
    assert "Search took" in page
    # Entities link to their timelines; the details hold every normalised field.
    assert 'href="/events/timeline?kind=ip&amp;value=203.0.113.7"' in page
    assert 'href="/events/timeline?kind=user&amp;value=deploy"' in page
    assert 'href="/events/timeline?kind=host&amp;value=web-01"' in page
    assert ">http.response.status_code</td>" in page


def test_search_with_the_query_language_and_time_range(
    stored: dict[str, Event], analyst: Browser
) -> None:
    failed = analyst.get("/events", params={"q": "event.outcome:failure", "since": "7d"})
    assert _ids(failed.text) == [stored["fail"].id, stored["old"].id]  # type: ignore[attr-defined]
    outside = analyst.get(
        "/events",
        params={"q": "event.category:authentication AND NOT source.ip:10.*", "since": "30d"},
    )
    assert _ids(outside.text) == [stored["fail"].id, stored["old"].id]  # type: ignore[attr-defined]
    errors = analyst.get("/events", params={"q": "http.response.status_code:[500 TO 599]"})
    assert _ids(errors.text) == [stored["web"].id]  # type: ignore[attr-defined]
    phrase = analyst.get("/events", params={"q": '"Accepted publickey"'})
    assert _ids(phrase.text) == [stored["ok"].id]  # type: ignore[attr-defined]
    # A zone-less date is a day in the viewer's zone (UTC here): only the old event.
    day = analyst.get("/events", params={"since": "2026-11-21", "until": "2026-11-22"})
    assert _ids(day.text) == [stored["old"].id]  # type: ignore[attr-defined]
    capped = analyst.get("/events", params={"limit": "2"})
    assert len(_ids(capped.text)) == 2  # type: ignore[attr-defined]
    assert "Showing the newest 2 events only" in capped.text  # type: ignore[attr-defined]
    # A hand-edited limit above the maximum is capped rather than refused.
    assert analyst.get("/events", params={"limit": "99999"}).status_code == 200  # type: ignore[attr-defined]


def test_no_results_has_a_helpful_empty_state(stored: dict[str, Event], analyst: Browser) -> None:
    page = analyst.get("/events", params={"q": "user.name:nobody"}).text  # type: ignore[attr-defined]
    assert 'data-testid="no-results"' in page and "Try a longer range" in page


def test_examples_fill_the_query(analyst: Browser) -> None:
    page = analyst.get("/events").text  # type: ignore[attr-defined]
    examples = page.split('data-testid="examples"')[1].split("</div>")[0]
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', examples)]
    queries = [parse_qs(urlsplit(h).query)["q"][0] for h in hrefs]
    assert "event.outcome:failure" in queries and len(queries) >= 3
    for query in queries:
        parse(query)  # every example is valid


def test_a_query_syntax_error_is_shown_inline_with_the_query_kept(
    stored: dict[str, Event], analyst: Browser
) -> None:
    """A query the user must fix re-renders the page with status 400 and the error inline."""
    response = analyst.get("/events", params={"q": "user.name:(root OR", "since": "7d"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert 'data-testid="search-error"' in page and "The query has a syntax error." in page
    assert "at character" in page
    assert 'value="user.name:(root OR"' in page and 'value="7d"' in page
    assert 'data-testid="error-position"' in page
    assert 'data-testid="event-table"' not in page
    assert "<title>Events" in page  # the search page, not the error page

    bad_time = analyst.get("/events", params={"since": "yesterday"})
    assert bad_time.status_code == 400  # type: ignore[attr-defined]
    assert "The start time is not valid." in bad_time.text  # type: ignore[attr-defined]
    assert 'value="yesterday"' in bad_time.text  # type: ignore[attr-defined]


def test_attacker_controlled_values_are_escaped(stored: dict[str, Event], analyst: Browser) -> None:
    for url in ("/events", "/events/timeline?kind=ip&value=203.0.113.7"):
        page = analyst.get(url).text  # type: ignore[attr-defined]
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    hostile = analyst.get(
        "/events/timeline", params={"kind": "user", "value": '"><script>x()</script>'}
    )
    assert "<script>x()" not in hostile.text  # type: ignore[attr-defined]
    query = analyst.get("/events", params={"q": '"><script>y()</script>'})
    assert "<script>y()" not in query.text  # type: ignore[attr-defined]


def test_timeline_is_in_time_order_grouped_by_day(
    stored: dict[str, Event], analyst: Browser
) -> None:
    response = analyst.get("/events/timeline?kind=ip&value=203.0.113.7")
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert _ids(page) == [stored["old"].id, stored["fail"].id, stored["web"].id]
    assert page.count('data-testid="timeline-day"') == 2
    assert "2026-11-21 · Saturday" in page and "2026-11-23 · Monday" in page
    assert page.index("2026-11-21") < page.index("2026-11-23 · Monday")
    assert 'data-testid="timeline-count">3<' in page
    # The other entities of each item link to their own timelines.
    assert 'href="/events/timeline?kind=user&amp;value=root"' in page
    since = analyst.get("/events/timeline?kind=ip&value=203.0.113.7&since=24h")
    assert _ids(since.text) == [stored["fail"].id, stored["web"].id]  # type: ignore[attr-defined]
    user = analyst.get("/events/timeline?kind=user&value=deploy").text  # type: ignore[attr-defined]
    assert _ids(user) == [stored["ok"].id]


def test_timeline_days_follow_the_viewer_zone(
    platform: Platform, stored: dict[str, Event], analyst: Browser
) -> None:
    # 2026-11-22 20:00 UTC is already 11-23 04:00 in Shanghai: three days in UTC, two there.
    platform.store.append(
        [_event(9, 16 * 60, "late evening", **{"source.ip": "203.0.113.7"})], source="tz"
    )
    page = analyst.get("/events/timeline?kind=ip&value=203.0.113.7").text  # type: ignore[attr-defined]
    assert page.count('data-testid="timeline-day"') == 3
    platform.users.set_preferences(
        "li.na", language="en", timezone="Asia/Shanghai", actor="cli:root"
    )
    shanghai_viewer = Browser(platform, analyst.clock)
    shanghai_viewer.login("li.na")
    shanghai = shanghai_viewer.get("/events/timeline?kind=ip&value=203.0.113.7").text  # type: ignore[attr-defined]
    assert shanghai.count('data-testid="timeline-day"') == 2
    assert "2026-11-21 · Saturday" in shanghai and "2026-11-23 · Monday" in shanghai
    assert "2026-11-22 ·" not in shanghai


def test_timeline_without_a_value_invites_one_and_empty_ranges_say_so(
    stored: dict[str, Event], analyst: Browser
) -> None:
    start = analyst.get("/events/timeline").text  # type: ignore[attr-defined]
    assert 'data-testid="timeline-start"' in start
    empty = analyst.get("/events/timeline?kind=host&value=db-09").text  # type: ignore[attr-defined]
    assert 'data-testid="timeline-empty"' in empty
    bad = analyst.get("/events/timeline?kind=host&value=web-01&since=soon")
    assert bad.status_code == 400 and "The start time is not valid." in bad.text  # type: ignore[attr-defined]


def test_timeline_lists_the_alerts_that_involve_the_entity(
    seeded: Platform, analyst: Browser
) -> None:
    page = analyst.get(  # type: ignore[attr-defined]
        "/events/timeline?kind=ip&value=203.0.113.45&since=30d"
    ).text
    assert 'data-testid="timeline-alerts"' in page
    assert re.search(r'href="/alerts/\d+"', page)


def test_every_role_reads_and_anonymous_is_sent_to_login(
    stored: dict[str, Event], people: dict[str, Browser]
) -> None:
    for role in ("admin", "analyst", "auditor"):
        search = people[role].get("/events")
        assert search.status_code == 200  # type: ignore[attr-defined]
        assert len(_ids(search.text)) == 3  # type: ignore[attr-defined]
        timeline = people[role].get("/events/timeline?kind=host&value=web-01")
        assert timeline.status_code == 200  # type: ignore[attr-defined]
        assert len(_ids(timeline.text)) == 2  # type: ignore[attr-defined]
    # The auditor works in Chinese: the inline error is there all the same.
    mistake = people["auditor"].get("/events", params={"q": "user.name:"})
    assert mistake.status_code == 400  # type: ignore[attr-defined]
    assert 'data-testid="search-error"' in mistake.text  # type: ignore[attr-defined]
    anonymous = people["analyst"].client.__class__(
        people["analyst"].client.app, follow_redirects=False
    )
    for url in ("/events?q=root", "/events/timeline?kind=ip&value=1.2.3.4"):
        response = anonymous.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/events")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("user.name", "root", 'user.name:"root"'),
        ("user.name", 'a "quoted" \\ name', r'user.name:"a \"quoted\" \\ name"'),
        ("source.port", 22, "source.port:22"),
        ("app.debug", True, "app.debug:true"),
        ("cs(User-Agent)", "curl/8", 'cs(User-Agent):"curl/8"'),
        ("tags", ["a"], None),
        ("@timestamp", "2026-11-23T12:00:00Z", None),
        ("odd name", "x", None),
        ("user.name", "", None),
    ],
)
def test_filter_terms_are_valid_queries(name: str, value: Any, expected: str | None) -> None:
    made = term(name, value)
    assert made == expected
    if made is not None:
        tree = parse(narrowed("a OR b", made))
        assert made.split(":")[0] in tree.fields()


def test_filter_links_narrow_the_search(stored: dict[str, Event], analyst: Browser) -> None:
    page = analyst.get("/events", params={"q": "source.ip:203.0.113.7"}).text  # type: ignore[attr-defined]
    links = [html.unescape(h) for h in re.findall(r'href="(/events\?q=[^"]+)"', page)]
    narrowed_link = next(h for h in links if "user.name" in h and "source.ip" in h)
    assert parse_qs(urlsplit(narrowed_link).query)["q"] == [
        '(source.ip:203.0.113.7) AND user.name:"root"'
    ]
    assert _ids(analyst.get(narrowed_link).text) == [stored["fail"].id]  # type: ignore[attr-defined]
