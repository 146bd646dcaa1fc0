"""The ``garrison`` command line, called in-process through ``main(argv)``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import orjson
import pytest

from garrison.cli.main import app, main

DATA = Path(__file__).parents[1] / "data"
AUTH = DATA / "syslog" / "auth.log"
ACCESS = DATA / "access" / "nginx_access.log"


def run(home: Path, *args: str) -> int:
    return main(["--data-dir", str(home), "--timezone", "UTC", *args])


def json_out(capsys: pytest.CaptureFixture[str]) -> list[object]:
    out = capsys.readouterr().out
    return [orjson.loads(line) for line in out.splitlines()]


def test_ingest_json_prints_only_the_summary(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "ingest", str(AUTH), str(ACCESS), "--year", "2026", "--json") == 0
    (summary,) = json_out(capsys)
    assert isinstance(summary, dict)
    assert set(summary) >= {"files", "records", "events", "unparsed", "by_dataset"}
    assert summary["files"] == 2 and summary["unreadable"] == 0
    assert summary["by_dataset"]["web.access"] == sum(1 for _ in ACCESS.open())
    again = run(home, "ingest", str(AUTH), "--year", "2026", "--json")
    assert again == 0
    (second,) = json_out(capsys)
    assert isinstance(second, dict) and second["stored"] == 0


def test_ingest_missing_path_is_reported(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "ingest", str(home / "missing.log"), "--json") == 1
    (summary,) = json_out(capsys)
    assert isinstance(summary, dict)
    assert summary["errors"][0]["error"] == "no such file, folder or matching glob"


def test_ingest_from_stdin(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = io.TextIOWrapper(io.BufferedReader(io.BytesIO(AUTH.read_bytes())))  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "stdin", fake)
    assert run(home, "ingest", "-", "--json") == 0
    (summary,) = json_out(capsys)
    assert isinstance(summary, dict)
    assert summary["formats"] == {"<stdin>": "syslog"} and summary["events"] > 0


def test_search_json_is_one_event_per_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "ingest", str(AUTH), "--year", "2026", "--json")
    capsys.readouterr()
    assert (
        run(home, "search", "event.outcome:failure AND source.ip:*", "--json", "--limit", "3") == 0
    )
    events = json_out(capsys)
    assert len(events) == 3
    for event in events:
        assert isinstance(event, dict)
        assert event["event.outcome"] == "failure" and event["source.ip"]


def test_search_syntax_error_exits_with_position(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "search", "(user.name:root") == 3
    err = capsys.readouterr().err
    assert "error:" in err and "character" in err


def test_timeline_needs_exactly_one_entity(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "timeline") == 2
    assert "exactly one" in capsys.readouterr().err


def test_timeline_by_ip_is_in_time_order(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "ingest", str(AUTH), "--year", "2026", "--json")
    capsys.readouterr()
    assert run(home, "timeline", "--ip", "203.0.113.45", "--json") == 0
    events = [e for e in json_out(capsys) if isinstance(e, dict)]
    assert events and all(
        "203.0.113.45" in (e.get("source.ip"), e.get("destination.ip")) for e in events
    )
    stamps = [e["@timestamp"] for e in events]
    assert stamps == sorted(stamps)


def test_unknown_format_is_a_usage_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "ingest", str(AUTH), "--format", "nope") == 2
    err = capsys.readouterr().err
    assert "unknown format 'nope'" in err and "garrison formats" in err


def test_verify_and_tamper(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "ingest", str(AUTH), "--json")
    capsys.readouterr()
    assert run(home, "verify", "--json") == 0
    (report,) = json_out(capsys)
    assert isinstance(report, dict) and report["ok"] is True
    import sqlite3

    with sqlite3.connect(home / "garrison.db") as conn:
        conn.execute("UPDATE events SET original = 'forged' WHERE rowid = 3")
    assert run(home, "verify", "--json") == 5
    (bad,) = json_out(capsys)
    assert isinstance(bad, dict) and bad["problems"][0]["kind"] == "altered"


def test_retention_run_and_restore(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "ingest", str(AUTH), "--year", "2020", "--json")
    capsys.readouterr()
    assert run(home, "retention", "run", "--days", "180", "--json") == 0
    (report,) = json_out(capsys)
    assert isinstance(report, dict) and report["events"] > 0
    archive = home / "archive" / report["archives"][0]["file"]
    assert archive.is_file()
    assert run(home, "search", "", "--json") == 0
    assert json_out(capsys) == []
    assert run(home, "retention", "restore", str(archive), "--json") == 0
    (restored,) = json_out(capsys)
    assert isinstance(restored, list) and restored[0]["restored"] == report["events"]
    assert run(home, "verify", "--json") == 0


def test_sources_lifecycle(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "sources", "add", "web01", "--format", "access", "--json") == 0
    (created,) = json_out(capsys)
    assert isinstance(created, dict) and created["token"].startswith("gst_")
    assert run(home, "sources", "list", "--json") == 0
    (listed,) = json_out(capsys)
    assert isinstance(listed, list)
    assert listed[0]["name"] == "web01" and "token" not in listed[0]
    assert run(home, "sources", "revoke", "web01") == 0
    assert run(home, "sources", "revoke", "nobody") == 3


def test_config_file_errors_name_the_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "garrison.toml"
    bad.write_text('retention_days = "many"\n')
    assert run(home, "db", "status") == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "retention_days" in err


def test_db_status(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "db", "upgrade") == 0
    assert run(home, "db", "status", "--json") == 0
    (info,) = json_out(capsys)
    assert isinstance(info, dict) and info["revision"] == info["latest_revision"]


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(cmd: object, prefix: list[str]) -> None:
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, [*prefix, name])
        else:
            found.append(prefix)

    walk(group, [])
    return found


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    assert "Example" in capsys.readouterr().out
