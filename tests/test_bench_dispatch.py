"""The throughput benchmark (``python -m benchmarks.dispatch``): its fake Telegram, its
bookkeeping, a tiny run.

No timing is asserted here: speed targets are met in the benchmark, never in timed tests.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from benchmarks import dispatch as bench

ROOT = Path(__file__).resolve().parent.parent
UPDATES = 40


def person(chat_id: int = 501) -> bench.Person:
    return bench.Person(chat_id, "de", "Jonas", "de")


def markup(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Menu", callback_data=data)]])


async def test_fake_session_answers_in_telegrams_shapes() -> None:
    session = bench.FakeSession()
    bot = bench.make_bot(session, flood_control=False)

    sent = await bot.send_message(42, "<b>Hallo</b> &amp; willkommen", reply_markup=markup("menu"))

    assert isinstance(sent, Message)
    assert sent.chat.id == 42
    assert sent.text == "Hallo & willkommen"  # Telegram sends back the text without the markup
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "menu"
    assert bench.buttons(session.last_keyboard[42]) == ["menu"]
    assert session.last_keyboard[42]["message_id"] == sent.message_id
    assert await bot.send_chat_action(42, ChatAction.TYPING) is True
    assert await bot.answer_callback_query("query-1", text="Gespeichert") is True
    assert session.calls == {"sendMessage": 1, "sendChatAction": 1, "answerCallbackQuery": 1}
    assert (await bot.send_message(42, "noch eine")).message_id == sent.message_id + 1


async def test_fake_session_refuses_what_telegram_refuses() -> None:
    session = bench.FakeSession()
    bot = bench.make_bot(session, flood_control=False)

    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(42, "<b></b>")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(42, "Menü", reply_markup=markup("a:" + "x" * 70))
    with pytest.raises(bench.UnsupportedMethodError, match="getChat"):
        await bot.get_chat(42)
    assert session.failures == {"sendMessage": 3}


async def test_a_raising_handler_is_counted_not_swallowed() -> None:
    router = Router()

    @router.message()
    async def broken(message: Message) -> None:
        raise RuntimeError("boom")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    session = bench.FakeSession()
    bot = bench.make_bot(session, flood_control=False)
    feed = bench.Feed(session, next_update_id=1000)
    script = [[feed.text(person(), "/start"), feed.text(person(), "wie geht ausbildung")]]

    run, replayed = await bench.drive(dispatcher, bot, 1, bench.replay(script), concurrency=2)

    assert replayed == script
    assert run.errors == 2
    assert run.error_kinds == {"RuntimeError: boom": 2}
    assert "RuntimeError: boom" in run.tracebacks[0]
    row = bench.summary(run, session)
    assert row["silent"] == 2
    assert bench.problems(row) == 4


async def test_the_echo_floor_answers_every_update() -> None:
    session = bench.FakeSession()
    bot = bench.make_bot(session, flood_control=False)
    feed = bench.Feed(session, next_update_id=2000)
    jonas = person()
    start = feed.text(jonas, "/start")
    shown = await bot.send_message(jonas.chat_id, "Menü", reply_markup=markup("menu"))
    press = feed.press(jonas, session.last_keyboard[jonas.chat_id], "menu")
    assert press["callback_query"]["message"]["message_id"] == shown.message_id
    session.calls.clear()

    run, _ = await bench.drive(bench.echo_dispatcher(), bot, 1, bench.replay([[start, press]]), 1)

    row = bench.summary(run, session)
    assert (row["errors"], row["unhandled"], row["silent"]) == (0, 0, 0)
    assert row["telegram_calls"] == {"sendMessage": 1, "answerCallbackQuery": 1}
    assert set(row["by_kind"]) == {"command", "button:menu"}


def test_questions_come_from_every_language_and_typos_stay_light() -> None:
    questions = bench.load_questions(ROOT / "knowledge" / "content")
    assert set(questions) == {"de", "en", "ar", "uk", "ru", "fa", "tr", "cs"}
    rng = random.Random(3)
    text = "Wie funktioniert eine duale Ausbildung?"
    for _ in range(50):
        changed = bench.perturb(text, rng)
        assert abs(len(changed) - len(text)) <= 2


def run_bench(*args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.dispatch", "--json", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=900,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    report: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return result, report


def test_a_tiny_run_feeds_every_update_through_both_dispatchers(database_url: str) -> None:
    result, report = run_bench(
        "--updates", str(UPDATES), "--users", "5", "--concurrency", "4", "--database-url", database_url
    )

    assert result.returncode == 0, f"the benchmark failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    assert set(report) >= {
        "ours",
        "echo",
        "echo_unit_of_work",
        "ratio",
        "ratio_to_unit_of_work",
        "startup_seconds",
        "warmup_seconds",
        "config",
    }
    assert report["config"]["updates"] == UPDATES
    for side in ("ours", "echo", "echo_unit_of_work"):
        row = report[side]
        assert row["updates"] == UPDATES
        assert (row["errors"], row["unhandled"], row["silent"]) == (0, 0, 0), side
        assert row["updates_per_second"] > 0
        assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert sum(kind["updates"] for kind in row["by_kind"].values()) == UPDATES
    ours, echo = report["ours"], report["echo"]
    # Every person went through onboarding with the buttons the bot sent, then browsed and asked.
    assert ours["by_kind"]["command"]["updates"] == 5
    assert ours["by_kind"]["button:lang"]["updates"] == 5
    assert ours["by_kind"]["button:consent"]["updates"] == 5
    assert "text" in ours["by_kind"]
    assert echo["by_kind"].keys() == ours["by_kind"].keys()
    assert report["echo_unit_of_work"]["telegram_calls"] == echo["telegram_calls"]
    assert ours["telegram_calls"]["sendMessage"] >= UPDATES - ours["telegram_calls"]["answerCallbackQuery"]
    assert ours["telegram_errors"] == {}
    assert ours["database"]["statements_per_update"] > 0
    assert ours["outbox"].get("failed", 0) == 0
    assert ours["outbox"].get("pending", 0) == 0
    ratio = ours["updates_per_second"] / echo["updates_per_second"]
    assert report["ratio"] == pytest.approx(ratio, abs=0.001)
    assert report["meets_target"] == (report["ratio"] >= report["target_ratio"])
