"""Handoff end to end: ``wegweiser run`` against the local Bot API server with a forum group."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.db.models import Case, CaseMessage
from tests.fake_telegram import FakeTelegram, SimUser
from tests.support.bot_process import ROOT, bot_log, running_bot
from tests.support.telegram import onboard, open_case, press, rows

pytestmark = pytest.mark.e2e


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token="123456:TESTTOKEN-abcdefghij") as server:
        yield server


async def add_advisor(url: str, workdir: Path, advisor: SimUser, name: str, languages: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "advisors",
        "add",
        str(advisor.id),
        "--name",
        name,
        "--languages",
        languages,
        cwd=workdir,
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


async def test_a_case_from_question_to_rating_and_reopening(fake: FakeTelegram, tmp_path: Path) -> None:
    anna = fake.add_user("Anna", username="anna_berat")
    max_ = fake.add_user("Max")
    group = fake.add_forum_group("Beratung", members=[anna, max_])
    amina = fake.add_user("Amina", language_code="ar")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await add_advisor(url, tmp_path, anna, "Anna", "ar,fa")

    always_open = {"OFFICE_HOURS": "mon-sun 00:00-23:59", "PUBLIC_HOLIDAYS": "false"}
    async with running_bot(fake, url, group.id, tmp_path, **always_open):
        menu = await onboard(fake, amina, "العربية")
        await press(fake, amina, menu, "🙋")
        await fake.wait_for_message(amina, timeout=30)

        # One topic with the card: pseudonym, language, no Telegram name; Anna is mentioned.
        topic = await fake.wait_for_call("createForumTopic", timeout=30)
        card = await fake.wait_for_message(group, contains="#", timeout=30)
        thread = card.thread_id
        assert thread is not None
        assert "العربية" in card.plain
        assert "Amina" not in card.plain
        assert "Amina" not in topic["name"]
        assert "Anna" in card.plain

        # The person's text and photo reach the topic.
        await fake.send_text(amina, "مرحبا، عندي سؤال عن الاعتراف")
        await fake.wait_for_message(group, contains="مرحبا", thread_id=thread, timeout=30)
        await fake.send_photo(amina, caption="الرسالة")
        photo = await fake.wait_for_message(group, thread_id=thread, kind="photo", timeout=30)
        assert photo.method == "copyMessage"

        # A non-advisor cannot take the case; Anna can, and Amina learns who answers.
        await press(fake, max_, card, "✋")
        refusal = await fake.wait_for_call(
            "answerCallbackQuery", lambda p: bool(p.get("show_alert")), timeout=30
        )
        assert refusal["text"]
        await press(fake, anna, card, "✋")
        taken = await fake.wait_for_message(amina, contains="Anna", timeout=30)
        assert taken.plain.startswith("💬")

        # Anna answers in the topic: text and a photo are relayed, an internal note is not.
        await fake.send_text(anna, "!Notiz: Zeugnis fehlt noch", chat=group, thread_id=thread)
        await fake.send_text(anna, "Hallo Amina, ich helfe dir gern.", chat=group, thread_id=thread)
        relayed = await fake.wait_for_message(amina, timeout=30)
        assert relayed.plain == "Hallo Amina, ich helfe dir gern."
        await fake.send_photo(anna, caption="Formular", chat=group, thread_id=thread)
        await fake.wait_for_message(amina, kind="photo", timeout=30)
        assert not any("Notiz" in m.plain for m in fake.messages_to(amina))

        # Max writing in the topic is ignored.
        await fake.send_text(max_, "Ich bin kein Berater", chat=group, thread_id=thread)

        # Close: Amina is told and asked for a rating.
        await fake.send_command(anna, "/close", chat=group, thread_id=thread)
        closed = await fake.wait_for_message(amina, contains="✅", timeout=30)
        await press(fake, amina, closed, "👍")
        await fake.wait_for_message(amina, timeout=30)

        # A new message soon after reopens the case in the same topic.
        await fake.send_text(amina, "سؤال آخر من فضلك")
        await fake.wait_for_message(group, contains="سؤال آخر", thread_id=thread, timeout=30)
        await fake.wait_for_message(group, contains="🔄", thread_id=thread, timeout=30)
        cases = await rows(url, Case)
        pairs = await rows(url, CaseMessage)

        # Deleting her data deletes the case, its message pairs and the topic with its copies.
        await fake.send_command(amina, "/privacy")
        privacy = await fake.wait_for_message(amina, timeout=30)
        await press(fake, amina, privacy, "🗑")
        confirm = await fake.wait_for_message(amina, timeout=30)
        await fake.press(amina, confirm, confirm.button_texts[0])
        await fake.wait_for_call(
            "deleteForumTopic", lambda p: p.get("message_thread_id") == thread, timeout=30
        )
    assert not any("Ich bin kein Berater" in m.plain for m in fake.messages_to(amina))
    assert len(fake.calls_to("createForumTopic")) == 1
    assert len(cases) == 1
    assert cases[0].rating == 1
    assert cases[0].state == "waiting"
    assert {p.direction for p in pairs} == {"in", "out"}
    assert await rows(url, Case) == []
    assert await rows(url, CaseMessage) == []
    log = bot_log(tmp_path)
    assert "مرحبا" not in log
    assert "Hallo Amina" not in log


async def test_a_queued_relay_survives_a_restart(fake: FakeTelegram, tmp_path: Path) -> None:
    group = fake.add_forum_group("Beratung")
    olena = fake.add_user("Olena", language_code="uk")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(fake, url, group.id, tmp_path):
        await open_case(fake, olena, "Українська", group)
        # Telegram asks us to wait longer than the bot will live.
        fake.fail_next("copyMessage", status=429, retry_after=6)
        await fake.send_text(olena, "Чи можу я отримати допомогу з резюме?")
        await fake.wait_for_call("copyMessage", timeout=30, include_failed=True)
    async with running_bot(fake, url, group.id, tmp_path):
        delivered = await fake.wait_for_message(group, contains="резюме", timeout=60)
    assert delivered.method == "copyMessage"
    assert sum("резюме" in m.plain for m in fake.messages_to(group)) == 1, "delivered exactly once"


async def test_blocked_person_marks_the_case_instead_of_retrying(fake: FakeTelegram, tmp_path: Path) -> None:
    anna = fake.add_user("Anna")
    group = fake.add_forum_group("Beratung", members=[anna])
    jonas = fake.add_user("Jonas", language_code="de")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await add_advisor(url, tmp_path, anna, "Anna", "de")
    async with running_bot(fake, url, group.id, tmp_path):
        card = await open_case(fake, jonas, "Deutsch", group)
        await fake.block(jonas)
        await fake.send_text(anna, "Hallo Jonas!", chat=group, thread_id=card.thread_id)
        await fake.wait_for_call(
            "copyMessage", lambda p: p.get("chat_id") == jonas.id, timeout=30, include_failed=True
        )
        for _ in range(100):
            cases = await rows(url, Case)
            if cases and cases[0].unreachable_at is not None:
                break
            await asyncio.sleep(0.1)
    assert cases[0].unreachable_at is not None, bot_log(tmp_path)
    assert (
        len([c for c in fake.calls if c.method == "copyMessage" and c.params.get("chat_id") == jonas.id]) == 1
    )


async def test_a_deleted_topic_is_recreated_with_its_card(fake: FakeTelegram, tmp_path: Path) -> None:
    group = fake.add_forum_group("Beratung")
    olena = fake.add_user("Olena", language_code="uk")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(fake, url, group.id, tmp_path):
        first_card = await open_case(fake, olena, "Українська", group)
        # Someone in the group deletes the topic, with everything in it.
        admin = Bot(fake.token, session=AiohttpSession(api=fake.api_server))
        try:
            await admin.delete_forum_topic(group.id, first_card.thread_id or 0)
        finally:
            await admin.session.close()
        await fake.send_text(olena, "Ще одне питання про практику")
        second_card = await fake.wait_for_message(group, contains="#1", timeout=30)
        relayed = await fake.wait_for_message(group, contains="практику", timeout=30)
    assert second_card.thread_id != first_card.thread_id
    assert relayed.thread_id == second_card.thread_id
    assert len(fake.calls_to("createForumTopic")) == 2
