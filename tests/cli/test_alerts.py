"""``garrison alerts`` and ``garrison audit`` end to end, on the embedded database."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from garrison.cli.main import main

REGRESSION = Path(__file__).parents[1] / "regression"
BRUTE = REGRESSION / "ssh_brute_force" / "auth.log"


def run(home: Path, *args: str) -> int:
    return main(["--data-dir", str(home), "--timezone", "UTC", *args])


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_ingest_detects_and_alerts_list_shows_it(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "ingest", str(BRUTE), "--year", "2026", "--json") == 0
    (summary,) = lines(capsys)
    detection = summary["detection"]
    assert isinstance(detection, dict) and detection["new_alerts"] >= 1
    assert run(home, "alerts", "list", "--json", "--level", "high") == 0
    alerts = lines(capsys)
    brute = [a for a in alerts if a["title"] == "SSH brute force from one source"]
    assert len(brute) == 1 and brute[0]["status"] == "new"
    assert set(brute[0]) >= {
        "id",
        "rule_id",
        "title",
        "level",
        "tags",
        "group",
        "count",
        "first_seen",
        "last_seen",
        "event_ids",
        "status",
        "kind",
    }
    assert run(home, "alerts", "show", str(brute[0]["id"]), "--json") == 0
    (shown,) = lines(capsys)
    assert shown == brute[0]
    # Stored again: nothing new is detected.
    assert run(home, "alerts", "detect", "--json") == 0
    assert lines(capsys) == [
        {"events": 0, "matches": 0, "new_alerts": 0, "updated_alerts": 0, "suppressed": 0}
    ]


def test_no_detect_defers_detection(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "ingest", str(BRUTE), "--year", "2026", "--no-detect", "--json") == 0
    (summary,) = lines(capsys)
    assert "detection" not in summary
    assert run(home, "alerts", "list", "--json") == 0
    assert lines(capsys) == []
    assert run(home, "alerts", "detect") == 0
    assert "new alert" in capsys.readouterr().err
    assert run(home, "alerts", "list") == 0
    assert "SSH brute force from one source" in capsys.readouterr().out


def test_snooze_suppressions_and_the_audit_trail(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(home, "ingest", str(BRUTE), "--year", "2026", "--json")
    capsys.readouterr()
    run(home, "alerts", "list", "--json")
    alert = next(a for a in lines(capsys) if a["group"])
    assert (
        run(
            home,
            "alerts",
            "snooze",
            str(alert["id"]),
            "--for",
            "4h",
            "--reason",
            "patching",
            "--json",
        )
        == 0
    )
    (made,) = lines(capsys)
    assert made["until"] is not None
    assert (
        run(
            home, "alerts", "suppress", "--where", "user.name=svc-*", "--reason", "service accounts"
        )
        == 0
    )
    capsys.readouterr()
    assert run(home, "alerts", "suppressions", "--json") == 0
    rows = lines(capsys)
    assert [r["conditions"] for r in rows] == [{"user.name": "svc-*"}, alert["group"]]
    assert run(home, "alerts", "unsuppress", str(rows[0]["id"]), "--reason", "gone") == 0
    assert run(home, "audit", "list", "--json") == 0
    actions = [e["action"] for e in lines(capsys)]
    assert actions == ["suppression.remove", "suppression.create", "suppression.create"]
    assert run(home, "audit", "verify") == 0
    assert "3 entries" in capsys.readouterr().err


def test_bad_input_is_refused_clearly(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "alerts", "suppress", "--reason", "x") != 0
    assert "needs a rule or at least one field condition" in capsys.readouterr().err
    assert run(home, "alerts", "suppress", "--where", "nonsense", "--reason", "x") != 0
    assert "invalid condition" in capsys.readouterr().err
    assert run(home, "alerts", "list", "--status", "open") != 0
    assert "unknown status" in capsys.readouterr().err
    assert run(home, "alerts", "show", "999") != 0
    assert "no alert 999" in capsys.readouterr().err


def test_rules_test_passes_the_built_in_cases_and_fails_a_wrong_one(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "rules", "test", str(REGRESSION / "ssh_brute_force"), "--json") == 0
    (result,) = lines(capsys)
    assert result["ok"] is True and result["positive_alerts"] == 1
    case = tmp_path / "wrong"
    case.mkdir()
    (case / "case.json").write_text(
        '{"rule": "SSH brute force from one source", "positive": "auth.log", "negative": "auth.log", "alerts": 2}'
    )
    (case / "auth.log").write_bytes(BRUTE.read_bytes())
    assert run(home, "rules", "test", str(case)) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "expected 2" in captured.out


def test_ack_close_reopen_and_verdicts(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(home, "ingest", str(BRUTE), "--year", "2026", "--json")
    capsys.readouterr()
    run(home, "alerts", "list", "--json")
    ident = str(lines(capsys)[0]["id"])
    assert run(home, "alerts", "ack", ident, "--reason", "on it") == 0
    assert (
        run(
            home,
            "alerts",
            "close",
            ident,
            "--resolution",
            "true_positive",
            "--reason",
            "blocked the IP",
            "--json",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert orjson.loads(out.splitlines()[-1])["status"] == "closed"
    assert run(home, "alerts", "close", ident, "--resolution", "benign", "--reason", "x") != 0
    assert "cannot close an alert that is closed" in capsys.readouterr().err
    assert run(home, "alerts", "verdicts", "--json") == 0
    (row,) = lines(capsys)
    assert row["true_positive"] == 1 and row["false_positive_rate"] == 0.0
    assert run(home, "alerts", "reopen", ident, "--reason", "came back") == 0


def test_audit_export_to_a_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(home, "alerts", "suppress", "--where", "user.name=svc-*", "--reason", "batch jobs")
    target = tmp_path / "audit.ndjson"
    assert run(home, "audit", "export", "--format", "ndjson", "--output", str(target)) == 0
    (entry,) = [orjson.loads(line) for line in target.read_bytes().splitlines()]
    assert entry["action"] == "suppression.create"
    assert run(home, "audit", "export", "--format", "xml") != 0
    assert "unknown export format" in capsys.readouterr().err
