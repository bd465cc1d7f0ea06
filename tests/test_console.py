"""``wegweiser chat``: the console runs the same conversations, buttons as numbers."""

from __future__ import annotations

from pathlib import Path

from tests.test_config import wegweiser


def test_console_chat_answers_a_question_about_training(tmp_path: Path) -> None:
    script = "1\n1\nWie finde ich einen Ausbildungsplatz?\n/quit\n"
    result = wegweiser("chat", cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Deutsch" in out
    assert "[1] ✅ Ich stimme zu" in out
    assert "Ausbildungsplatz" in out
    assert "Quelle:" in out
    assert "INFO" not in out + result.stderr, "start-up chatter stays out of the conversation"
    assert (tmp_path / "data" / "wegweiser.db").exists(), "the default SQLite database under ./data"
