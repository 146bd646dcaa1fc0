"""``garrison jobs``: list, add, run by hand, history, enable and disable, with --json."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from garrison.cli.main import main


def run(home: Path, *args: str) -> int:
    return main(["--data-dir", str(home), "--timezone", "UTC", *args])


def json_lines(text: str) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


def test_jobs_are_listed_added_run_and_their_history_kept(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "jobs", "list", "--json") == 0
    jobs = {j["name"]: j for j in json_lines(capsys.readouterr().out)}
    assert set(jobs) == {"scans", "housekeeping", "retention"}
    assert jobs["retention"]["enabled"] is False and jobs["retention"]["next_run"] is None

    code = run(
        home, "jobs", "add", "tidy", "--kind", "housekeeping", "--cron", "0 4 * * *",
        "--arg", "history_days=30", "--json",
    )  # fmt: skip
    assert code == 0
    added = orjson.loads(capsys.readouterr().out)
    assert added["args"] == {"history_days": 30} and added["next_run"].endswith("04:00:00+00:00")

    assert run(home, "jobs", "run", "tidy", "--json") == 0
    record = orjson.loads(capsys.readouterr().out)
    assert record["status"] == "ok" and record["holder"].startswith("cli:")
    assert record["summary"] == "forgot 0 job run(s) older than 30 days"

    assert run(home, "jobs", "history", "--job", "tidy") == 0
    assert "tidy" in capsys.readouterr().out

    assert run(home, "jobs", "enable", "retention") == 0
    assert run(home, "jobs", "disable", "scans") == 0
    assert run(home, "jobs", "remove", "tidy") == 0
    capsys.readouterr()
    assert run(home, "jobs", "list", "--json") == 0
    jobs = {j["name"]: j for j in json_lines(capsys.readouterr().out)}
    assert set(jobs) == {"scans", "housekeeping", "retention"}
    assert jobs["retention"]["enabled"] is True and jobs["scans"]["enabled"] is False


def test_a_failing_run_exits_1_and_says_why(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "jobs", "add", "monthly", "--kind", "report", "--cron", "0 8 1 * *") == 0
    assert run(home, "jobs", "run", "monthly") == 1
    assert "no stored scan to report on" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "nope", "--cron", "* * * * *"], "unknown job kind"),
        (["--kind", "report", "--cron", "* * * * *", "--arg", "lang=en"], "bad argument 'lang'"),
        (["--kind", "report", "--cron", "61 * * * *"], "cron"),
        (["--kind", "report", "--cron", "0 8 * * *", "--args", "[1]"], "JSON object"),
        (["--kind", "scans", "--cron", "* * * * *", "--missed", "never"], "missed-run policy"),
    ],
)
def test_bad_jobs_are_refused_with_a_reason(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(home, "jobs", "add", "bad", *args) != 0
    assert message in capsys.readouterr().err
    assert run(home, "jobs", "list", "--json") == 0
    assert "bad" not in {j["name"] for j in json_lines(capsys.readouterr().out)}
