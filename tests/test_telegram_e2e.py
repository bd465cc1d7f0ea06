"""End to end: ``wegweiser run`` as a process, young people on a local Bot API server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.db.models import User
from tests.fake_telegram import FakeTelegram
from tests.support.bot_process import bot_log, running_bot
from tests.support.telegram import onboard, press, rows

pytestmark = pytest.mark.e2e


async def test_journeys_in_several_languages_with_faults(fake: FakeTelegram, tmp_path: Path) -> None:
    advisors = fake.add_forum_group("Beratung")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    amina = fake.add_user("Amina", language_code="ar")
    olena = fake.add_user("Olena", language_code="uk")
    jonas = fake.add_user("Jonas", language_code="de")
    async with running_bot(fake, url, advisors.id, tmp_path):
        # Commands and descriptions are published per language at start-up.
        await fake.wait_for_call("setMyCommands", lambda p: p.get("language_code") == "ar", timeout=30)
        await fake.wait_for_call("setMyDescription", lambda p: p.get("language_code") == "cs", timeout=30)

        # Arabic: start, language preselected from Telegram, consent, free text with a typo.
        await fake.send_command(amina, "/start", payload="poster-pirna")
        choose = await fake.wait_for_message(amina, timeout=30)
        assert "✓ العربية" in choose.button_texts
        await press(fake, amina, choose, "العربية")
        notice = await fake.wait_for_message(amina, contains="🔒", timeout=30)
        await press(fake, amina, notice, "✅")
        menu = await fake.wait_for_message(amina, timeout=30)
        assert len(menu.button_texts) == 10  # with the interest check and the offers
        assert fake.calls_to("answerCallbackQuery")

        fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=amina.id)
        await fake.send_text(amina, "كم راتب الاوسبيلدونغ")
        answer = await fake.wait_for_message(amina, timeout=30)
        assert answer.is_html
        assert "<a href=" in (answer.text or "")
        assert fake.stats.served_429 >= 1
        assert any(c.method == "sendChatAction" for c in fake.calls)
        await press(fake, amina, answer, "👍")
        # Thanked with a toast; the answer stays and loses its rating buttons.
        await fake.wait_for_edit(answer, timeout=30)
        assert "👍" not in " ".join(answer.button_texts)
        assert answer.button_texts

        # Ukrainian: a 5xx on the way is retried; "not helpful" offers an advisor.
        await onboard(fake, olena, "Українська")
        fake.fail_next("sendMessage", status=502, chat_id=olena.id)
        await fake.send_text(olena, "скільки платять під час навчання ausbildung")
        answer = await fake.wait_for_message(olena, timeout=30)
        await press(fake, olena, answer, "👎")
        offer = await fake.wait_for_message(olena, timeout=30)
        await press(fake, olena, offer, "🙋")
        await fake.wait_for_message(advisors, contains="#1", timeout=30)

        # German: the menu's message turns into a topic's list and back, in place; where
        # Telegram refuses the edit (a message too old), the step comes as a new message.
        await onboard(fake, jonas, "Deutsch")
        await fake.send_command(jonas, "/menu")
        menu = await fake.wait_for_message(jonas, contains="Hauptmenü", timeout=30)
        await press(fake, jonas, menu, "Ausbildung")
        await fake.wait_for_edit(menu, contains="Frage", timeout=30)
        fake.fail_next("editMessageText", status=400, description="Bad Request: message can't be edited")
        await press(fake, jonas, menu, "Hauptmenü")
        await fake.wait_for_message(jonas, contains="Hauptmenü", timeout=30)

        # German: privacy and deletion.
        await fake.send_command(jonas, "/privacy")
        privacy = await fake.wait_for_message(jonas, contains="Pseudonym", timeout=30)
        await press(fake, jonas, privacy, "🗑")
        confirm = await fake.wait_for_message(jonas, timeout=30)
        await press(fake, jonas, confirm, "Ja")
        await fake.wait_for_message(jonas, contains="gelöscht", timeout=30)

        # A forged button and a blocked user: polite answer, then no endless retries.
        await fake.press_data(jonas, confirm, "priv:" + "x" * 58)
        await fake.wait_for_message(jonas, timeout=30)
        # Olena blocks the bot: Telegram tells the bot, which marks her instead of writing on.
        await fake.block(olena)
        for _ in range(100):
            if any(u.external_id == olena.id and u.blocked_at for u in await rows(url, User)):
                break
            await asyncio.sleep(0.1)
    assert not fake.internal_errors
    users = {u.external_id: u for u in await rows(url, User)}
    assert jonas.id not in users, "deleting one's data removes the user"
    assert users[olena.id].blocked_at is not None, bot_log(tmp_path)
    assert users[amina.id].language == "ar"
    log = bot_log(tmp_path)
    assert "كم راتب" not in log, "message texts never reach the log"
    assert "скільки" not in log, "message texts never reach the log"
