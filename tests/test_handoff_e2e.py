"""Handoff end to end: ``wegweiser run`` against the local Bot API server with a forum group."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.db.models import Case, CaseMessage
from tests.fake_telegram import FakeTelegram, SimChat, SimUser
from tests.support.bot_process import ROOT, bot_log, running_bot
from tests.support.telegram import onboard, open_case, press, rows

pytestmark = pytest.mark.e2e


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


async def advisors_group(fake: FakeTelegram, workdir: Path, languages: str) -> tuple[SimUser, SimChat, str]:
    """A forum group with Anna, registered as an advisor for ``languages``, and the database URL."""
    anna = fake.add_user("Anna")
    group = fake.add_forum_group("Beratung", members=[anna])
    url = f"sqlite+aiosqlite:///{workdir / 'bot.db'}"
    await add_advisor(url, workdir, anna, "Anna", languages)
    return anna, group, url


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
        relayed = await fake.wait_for_message(amina, contains="Hallo Amina", timeout=30)
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
        while not any("🗑" in label for label in privacy.button_texts):  # past the acknowledgements
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
    anna, group, url = await advisors_group(fake, tmp_path, "de")
    jonas = fake.add_user("Jonas", language_code="de")
    async with running_bot(fake, url, group.id, tmp_path):
        card = await open_case(fake, jonas, "Deutsch", group)
        # The bot's own confirmation reaches Jonas first; under load it could otherwise be
        # the message that meets the block, and the advisor's reply would never be tried.
        await fake.wait_for_message(jonas, timeout=30)
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


async def test_replies_to_people_do_not_wait_for_a_busy_group(fake: FakeTelegram, tmp_path: Path) -> None:
    """The group may take 2 posts a minute here: a third card waits, Anna's reply does not."""
    anna, group, url = await advisors_group(fake, tmp_path, "de")
    people = [fake.add_user(name, language_code="de") for name in ("Jonas", "Lea", "Mehmet")]
    always_open = {"OFFICE_HOURS": "mon-sun 00:00-23:59", "PUBLIC_HOLIDAYS": "false"}
    async with running_bot(fake, url, group.id, tmp_path, SEND_PER_GROUP_PER_MINUTE="2", **always_open):
        card = await open_case(fake, people[0], "Deutsch", group)
        for person in people[1:]:
            await onboard(fake, person, "Deutsch")
            await fake.send_command(person, "/advisor")
        await fake.wait_for_call("createForumTopic", lambda p: "#3" in str(p.get("name")), timeout=30)

        await fake.send_text(anna, "Hallo Jonas, ich bin für dich da.", chat=group, thread_id=card.thread_id)
        reply = await fake.wait_for_message(people[0], contains="Hallo Jonas", timeout=15)
        cards = [m for m in fake.messages_to(group) if m.reply_markup and "#" in m.plain]
    assert reply.method == "copyMessage"
    # The third card was still waiting for the group's minute when the reply arrived.
    assert len(cards) == 2, [m.plain[:40] for m in cards]
    assert sum("Hallo Jonas" in m.plain for m in fake.messages_to(people[0])) == 1


async def test_a_canned_reply_reaches_the_person_and_shows_in_the_topic(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    anna, group, url = await advisors_group(fake, tmp_path, "uk")
    olena = fake.add_user("Olena", language_code="uk")
    async with running_bot(fake, url, group.id, tmp_path):
        card = await open_case(fake, olena, "Українська", group)
        await fake.send_command(anna, "/canned", chat=group, thread_id=card.thread_id)
        choices = await fake.wait_for_message(group, thread_id=card.thread_id, timeout=30)
        assert len(choices.button_texts) == 5
        before = len(fake.messages_to(olena))
        await fake.press(anna, choices, choices.button_texts[0])
        echo = await fake.wait_for_message(group, contains="↪️", thread_id=card.thread_id, timeout=30)
        canned = echo.plain.removeprefix("↪️ ")
        await fake.wait_for_message(olena, contains=canned, timeout=30)
    sent = [m.plain for m in fake.messages_to(olena)[before:]]
    # Pressing it took the case (Olena is told who answers) and sent the text once, in
    # her language; the advisors see the same text in the topic.
    assert sent.count(canned) == 1
    assert any(text.startswith("💬") and "Anna" in text for text in sent)
    assert any("\u0400" <= ch <= "\u04ff" for ch in canned)


async def test_a_refused_card_is_posted_later_in_the_same_topic(fake: FakeTelegram, tmp_path: Path) -> None:
    """Telegram answers the card with a 429: no second topic, the card follows."""
    group = fake.add_forum_group("Beratung")
    olena = fake.add_user("Olena", language_code="uk")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(fake, url, group.id, tmp_path):
        fake.fail_next("sendMessage", status=429, retry_after=5, chat_id=group)
        card = await open_case(fake, olena, "Українська", group)
        await fake.send_text(olena, "Допоможіть, будь ласка")
        await fake.wait_for_message(group, contains="Допоможіть", thread_id=card.thread_id, timeout=30)
    assert len(fake.calls_to("createForumTopic")) == 1
    assert sum(1 for m in fake.messages_to(group) if m.reply_markup and "#" in m.plain) == 1
    assert "card refused (429)" in bot_log(tmp_path)


def closed_today_office_hours() -> dict[str, str]:
    """Office hours on the day after tomorrow only: whenever the test runs, nobody is in now."""
    later = dt.datetime.now(ZoneInfo("Europe/Berlin")) + dt.timedelta(days=2)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[later.weekday()]
    return {"OFFICE_HOURS": f"{day} 09:00-16:00", "PUBLIC_HOLIDAYS": "false"}


async def test_a_crisis_outside_office_hours_is_honest_and_never_met_with_silence(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    _anna, group, url = await advisors_group(fake, tmp_path, "de")
    lena = fake.add_user("Lena", language_code="de")
    async with running_bot(fake, url, group.id, tmp_path, **closed_today_office_hours()):
        await onboard(fake, lena, "Deutsch")
        await fake.send_text(lena, "ich weiß nicht weiter. ich will nicht mehr leben")
        reply = await fake.wait_for_message(lena, contains="🆘", timeout=30)
        for number in ("112", "110", "0800 111 0 111", "116 111"):
            assert number in reply.plain
        assert "ab " in reply.plain, "says when a person reads it"
        assert "09:00" in reply.plain
        card = await fake.wait_for_message(group, contains="#", timeout=30)
        assert "🚨" in card.plain, "the urgent case reaches the advisors at once, also at night"

        # "hallo? ist jemand da?" an hour later: an answer that the team has it, and the numbers.
        follow_up = await fake.send_text(lena, "hallo? ist jemand da?")
        answer = await fake.wait_for_message(lena, contains="✓", timeout=30)
        assert "112" in answer.plain
        assert "0800 111 0 111" in answer.plain
        await fake.wait_for_message(group, contains="ist jemand da", thread_id=card.thread_id, timeout=30)
        await fake.wait_for_call(
            "setMessageReaction", lambda p: p.get("message_id") == follow_up.message_id, timeout=30
        )
    cases = await rows(url, Case)
    assert len(cases) == 1
    assert cases[0].urgent
    assert "nicht mehr leben" not in bot_log(tmp_path)


async def test_messages_during_an_open_case_are_acknowledged_and_answered(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    _anna, group, url = await advisors_group(fake, tmp_path, "en")
    sam = fake.add_user("Sam", language_code="en")
    always_open = {"OFFICE_HOURS": "mon-sun 00:00-23:59", "PUBLIC_HOLIDAYS": "false"}
    async with running_bot(fake, url, group.id, tmp_path, **always_open):
        card = await open_case(fake, sam, "English", group)
        await fake.wait_for_message(sam, timeout=30)
        before = len(fake.messages_to(sam))
        first = await fake.send_text(sam, "thanks, I am waiting")
        await fake.wait_for_message(group, contains="I am waiting", thread_id=card.thread_id, timeout=30)
        await fake.wait_for_call(
            "setMessageReaction", lambda p: p.get("message_id") == first.message_id, timeout=30
        )
        assert fake.reactions_on(sam, first.message_id) == ["👀"]
        # A question the knowledge base answers: relayed, and the bot's answer marked as automatic.
        second = await fake.send_text(sam, "How long does an Ausbildung take?")
        automatic = await fake.wait_for_message(sam, contains="🤖", timeout=30)
        assert "Automatic answer" in automatic.plain
        await fake.wait_for_message(group, contains="How long does", thread_id=card.thread_id, timeout=30)
        assert fake.reactions_on(sam, second.message_id) == ["👀"]
        assert len(fake.messages_to(sam)) > before, "never silence"
        # /status shows the case and closes it.
        await fake.send_command(sam, "/status")
        status = await fake.wait_for_message(sam, contains="#", timeout=30)
        assert "waiting" in status.plain
        await press(fake, sam, status, "Close")
        await fake.wait_for_message(sam, contains="closed", timeout=30)
        await fake.wait_for_message(
            group, contains="hat den Fall geschlossen", thread_id=card.thread_id, timeout=30
        )
    cases = await rows(url, Case)
    assert [c.state for c in cases] == ["closed"]
