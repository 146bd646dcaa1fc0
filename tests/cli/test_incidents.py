"""``garrison incidents`` and ``garrison assets`` end to end on the embedded database."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from garrison.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "logs"


def run(home: Path, *args: str) -> int:
    return main(["--data-dir", str(home), "--timezone", "UTC", *args])


def test_assets_open_show_move_and_regrade(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assets = tmp_path / "assets.csv"
    assets.write_text("name,importance,owner,addresses\nweb01,特别重要,web team,web01\n")
    assert run(home, "assets", "import", str(assets)) == 0
    assert run(home, "ingest", str(EXAMPLES / "auth.log"), "--year", "2026") == 0
    capsys.readouterr()
    assert run(home, "alerts", "list", "--json") == 0
    alerts = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    brute = [a["id"] for a in alerts if "brute force" in a["title"]]
    assert brute
    code = run(
        home,
        "incidents",
        "open",
        "--title",
        "SSH brute force on web01",
        *[arg for i in brute for arg in ("--alert", str(i))],
        "--loss",
        "serious",
        "--json",
    )
    assert code == 0
    incident = orjson.loads(capsys.readouterr().out)
    # web01 is a critical system with a serious loss: grade II (orange), escalation clock on.
    assert (incident["grade"], incident["colour"], incident["assets"]) == (
        "II",
        "orange",
        ["web01"],
    )
    assert {d["kind"] for d in incident["deadlines"]} == {
        "confirm",
        "report",
        "escalate",
        "recover",
    }
    assert all(d["state"] == "running" for d in incident["deadlines"])
    number = str(incident["id"])
    assert run(home, "incidents", "transition", number, "recover", "--reason", "skip") == 3
    assert "cannot move" in capsys.readouterr().err
    assert run(home, "incidents", "transition", number, "contain", "--reason", "real") == 0
    assert run(home, "incidents", "mark", number, "escalated", "--note", "CISO informed") == 0
    assert run(home, "incidents", "regrade", number, "I", "--reason", "payroll data") == 0
    capsys.readouterr()
    assert run(home, "incidents", "show", number, "--json") == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert shown["grade"] == "I" and shown["grade_reason"] == "payroll data"
    clocks = {d["kind"]: d for d in shown["deadlines"]}
    assert clocks["confirm"]["state"] == "met" and clocks["escalate"]["state"] == "met"
    assert [e["kind"] for e in shown["timeline"]].count("phase") == 1
    assert run(home, "incidents", "list") == 0
    assert "SSH brute force on web01" in capsys.readouterr().out


def test_bad_asset_files_are_refused_with_their_lines(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "assets.yml"
    bad.write_text("- {name: db, importance: vital}\n")
    assert run(home, "assets", "import", str(bad)) != 0
    err = capsys.readouterr().err
    assert "assets.yml" in err and "nothing was imported" in err


def test_evidence_tasks_merge_split_and_report(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "ingest", str(EXAMPLES / "auth.log"), "--year", "2026") == 0
    capsys.readouterr()
    assert run(home, "alerts", "list", "--json") == 0
    alerts = [orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    # ingest opened an incident by policy (a login after a brute force is critical).
    assert run(home, "incidents", "list", "--json") == 0
    automatic = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(automatic) == 1 and automatic[0]["opened_by"] == "system:incidents"
    taken = set(automatic[0]["alert_ids"])
    alerts = [a for a in alerts if a not in taken]
    assert len(alerts) >= 3
    opened = []
    for title, ids in (("first", alerts[:2]), ("second", alerts[2:3])):
        args = [arg for i in ids for arg in ("--alert", str(i))]
        assert run(home, "incidents", "open", "--title", title, *args, "--json") == 0
        opened.append(orjson.loads(capsys.readouterr().out))
    one, two = (str(i["id"]) for i in opened)
    capture = tmp_path / "capture.pcap"
    capture.write_bytes(b"\xd4\xc3\xb2\xa1" + b"\x00" * 100)
    assert run(home, "incidents", "evidence", one, "--add", str(capture), "--json") == 0
    item = orjson.loads(capsys.readouterr().out.splitlines()[0])
    out = tmp_path / "copy.pcap"
    assert run(home, "incidents", "evidence", one, "--export", item["id"], "-o", str(out)) == 0
    assert out.read_bytes() == capture.read_bytes()
    task = str(opened[0]["tasks"][0]["id"])
    assert run(home, "incidents", "done", task) == 0
    assert run(home, "incidents", "merge", one, two, "--reason", "same attacker") == 0
    assert (
        run(
            home,
            "incidents",
            "split",
            one,
            "--alert",
            str(alerts[0]),
            "--title",
            "t",
            "--reason",
            "different host",
        )
        == 0
    )
    report = tmp_path / "r.html"
    assert (
        run(home, "incidents", "report", one, "--format", "html", "--lang", "en", "-o", str(report))
        == 0
    )
    text = report.read_text(encoding="utf-8")
    assert "Security Incident Handling Report" in text and "capture.pcap" in text
