from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_office_hours

ROOT = Path(__file__).resolve().parent.parent


def wegweiser(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "ADVISOR_CHAT_ID", "DATABASE_URL")
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environment | {"PYTHONPATH": str(ROOT)},
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_use_sqlite_under_data() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./data/wegweiser.db"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.timezone == "Europe/Berlin"
    assert settings.office_hours[0] == (dt.time(9), dt.time(16))
    assert 5 not in settings.office_hours  # Saturday closed


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/wegweiser", "postgresql+asyncpg://u:p@db/wegweiser"),
        ("postgresql://u:p@db/wegweiser", "postgresql+asyncpg://u:p@db/wegweiser"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_urls_get_async_drivers(given: str, expected: str) -> None:
    assert load_settings(database_url=given).database_url == expected


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("database_url", "nonsense://", "DATABASE_URL"),
        ("bot_token", "not-a-token", "BOT_TOKEN"),
        ("office_hours", "monday 9-16", "OFFICE_HOURS"),
        ("timezone", "Mars/Olympus", "TIMEZONE"),
        ("default_language", "xx", "DEFAULT_LANGUAGE"),
        ("advisor_chat_id", "advisors", "ADVISOR_CHAT_ID"),
        ("advisor_old_chat_ids", "-1001,group", "ADVISOR_OLD_CHAT_IDS"),
        ("redis_url", "localhost:6379", "REDIS_URL"),
        ("content_dir", "/no/such/folder", "CONTENT_DIR"),
        ("send_per_group_per_minute", "0", "SEND_PER_GROUP_PER_MINUTE"),
        ("send_per_second", "fast", "SEND_PER_SECOND"),
    ],
)
def test_a_bad_value_is_named_in_one_sentence(field: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**{field: value})
    message = str(caught.value)
    assert message.startswith(named)
    assert "expects" in message
    assert "\n" not in message
    assert "Traceback" not in message


def test_the_token_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(bot_token="123:short")
    assert "123:short" not in str(caught.value)


def test_office_hours_ranges_and_lists() -> None:
    hours = parse_office_hours("mon-wed 08:30-12:00; thu,fri 10:00-14:00")
    assert sorted(hours) == [0, 1, 2, 3, 4]
    assert hours[0] == (dt.time(8, 30), dt.time(12))
    assert hours[4] == (dt.time(10), dt.time(14))


def test_nonsense_database_url_stops_start_up_with_one_sentence(tmp_path: Path) -> None:
    result = wegweiser("chat", env={"DATABASE_URL": "nonsense://"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_running_the_bot_without_advisor_chat_says_so(tmp_path: Path) -> None:
    result = wegweiser("run", env={"BOT_TOKEN": "123456:" + "A" * 35}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ADVISOR_CHAT_ID" in lines[0]


def test_running_the_bot_without_token_says_so(tmp_path: Path) -> None:
    result = wegweiser("run", env={"ADVISOR_CHAT_ID": "-100123"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=uk\nADVISOR_CHAT_ID=-1001\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.default_language == "uk"
    assert settings.advisor_chat_id == -1001


def test_earlier_advisors_groups_are_served_after_the_one_for_new_cases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADVISOR_OLD_CHAT_IDS", "-1002, -1003,-1001")
    settings = load_settings(advisor_chat_id=-1001)
    assert settings.advisor_old_chat_ids == (-1002, -1003, -1001)
    assert settings.advisor_chat_ids == (-1001, -1002, -1003)
    assert load_settings().advisor_chat_ids == ()
