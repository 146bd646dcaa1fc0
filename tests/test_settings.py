"""Settings precedence: defaults < garrison.toml < GARRISON_* < flags; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.settings import load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "GARRISON_HOME",
        "GARRISON_DATABASE_URL",
        "GARRISON_RETENTION_DAYS",
        "GARRISON_TIMEZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults(tmp_path: Path) -> None:
    s = load_settings()
    assert s.retention_days == 180 and s.syslog_port == 5514 and s.timezone == "local"
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'garrison-data' / 'garrison.db'}"


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "garrison.toml").write_text('retention_days = 30\ntimezone = "Asia/Shanghai"\n')
    assert load_settings().retention_days == 30
    monkeypatch.setenv("GARRISON_RETENTION_DAYS", "60")
    assert load_settings().retention_days == 60
    assert load_settings(retention_days=90).retention_days == 90
    assert load_settings().timezone == "Asia/Shanghai"


def test_config_in_the_data_dir_is_found(tmp_path: Path) -> None:
    home = tmp_path / "data"
    home.mkdir()
    (home / "garrison.toml").write_text("batch_size = 123\n")
    assert load_settings(home=home).batch_size == 123


def test_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARRISON_DATABASE_URL", "postgresql://u@h/db")
    assert load_settings().resolved_database_url == "postgresql://u@h/db"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("retention_days = 0\n", "retention_days"),
        ('timezone = "Mars/Olympus"\n', "Mars/Olympus"),
        ("no_such_setting = 1\n", "no_such_setting"),
        ('retention_days = "x\n', "line 1"),
    ],
)
def test_invalid_files_are_refused_with_file_and_reason(
    tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "garrison.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert needle in str(info.value)
    if needle != "Mars/Olympus":
        assert str(path) in str(info.value)


def test_missing_explicit_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(Path("nope.toml"))
