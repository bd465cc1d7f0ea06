"""Handoff under real group traffic: a fresh advisors' group, and topics that are gone.

The bot runs in the test's process (``tests.support.in_process``) against the local Bot
API server; each ``serving`` block is one start of the bot with its settings.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.app import App
from bot.db.models import Case
from tests.fake_telegram import FakeTelegram, SentMessage, SimChat, SimUser
from tests.support.in_process import serving
from tests.support.telegram import add_advisor, open_case, press, rows


async def test_new_cases_open_in_a_fresh_group_while_open_ones_finish_in_the_old(
    app: App, fake: FakeTelegram
) -> None:
    anna = fake.add_user("Anna")
    old = fake.add_forum_group("Beratung 2025", members=[anna])
    new = fake.add_forum_group("Beratung 2026", members=[anna])
    await add_advisor(app, anna, "uk,de")
    olena = fake.add_user("Olena", language_code="uk")
    jonas = fake.add_user("Jonas", language_code="de")
    async with serving(app, fake, advisor_chat_id=old.id):
        old_card = await open_case(fake, olena, "Українська", old)

    async with serving(app, fake, advisor_chat_id=new.id, advisor_old_chat_ids=f"{old.id}"):
        new_card = await open_case(fake, jonas, "Deutsch", new)
        # Both topics may carry the same thread id: each group counts its own messages.
        await fake.send_text(olena, "Ще одне питання про практику")
        await fake.wait_for_message(old, contains="Ще одне", thread_id=old_card.thread_id)
        await fake.send_text(anna, "Hallo Olena, ich bin da.", chat=old, thread_id=old_card.thread_id)
        await fake.wait_for_message(olena, contains="Hallo Olena")
        await fake.send_text(anna, "Hallo Jonas!", chat=new, thread_id=new_card.thread_id)
        await fake.wait_for_message(jonas, contains="Hallo Jonas")
        await fake.send_command(anna, "/close", chat=old, thread_id=old_card.thread_id)
        await fake.wait_for_message(olena, contains="✅")

    cases = sorted(await rows(app.settings.database_url, Case), key=lambda c: c.id)  # PostgreSQL: any order
    assert [(c.chat_id, c.state) for c in cases] == [(old.id, "closed"), (new.id, "taken")]
    assert not any("Olena" in m.plain or "Ще одне" in m.plain for m in fake.messages_to(new))
    assert not any("Olena" in m.plain for m in fake.messages_to(jonas))
    assert len(fake.calls_to("createForumTopic")) == 2


async def a_case_in_the_old_group(
    app: App, fake: FakeTelegram
) -> tuple[SimChat, SimChat, SimUser, SentMessage]:
    """Lea's case, opened while the old group was the advisors' group; the new group exists."""
    old = fake.add_forum_group("Beratung 2025")
    new = fake.add_forum_group("Beratung 2026")
    lea = fake.add_user("Lea", language_code="de")
    async with serving(app, fake, advisor_chat_id=old.id):
        card = await open_case(fake, lea, "Deutsch", old)
    return old, new, lea, card


async def test_a_case_of_a_group_no_longer_served_moves_to_the_new_group(
    app: App, fake: FakeTelegram
) -> None:
    _old, new, lea, _card = await a_case_in_the_old_group(app, fake)
    async with serving(app, fake, advisor_chat_id=new.id):
        await fake.send_text(lea, "Ich habe noch eine Frage zum Praktikum")
        card = await fake.wait_for_message(new, contains="#1")
        relayed = await fake.wait_for_message(new, contains="noch eine Frage")
    assert relayed.thread_id == card.thread_id
    assert [c.chat_id for c in await rows(app.settings.database_url, Case)] == [new.id]


async def test_cases_from_before_the_groups_were_stored_stay_in_the_earlier_group(
    app: App, fake: FakeTelegram
) -> None:
    old, new, lea, card = await a_case_in_the_old_group(app, fake)
    async with app.sessions.begin() as session:  # as a case opened before migration 0008
        await session.execute(update(Case).values(chat_id=None))
    async with serving(app, fake, advisor_chat_id=new.id, advisor_old_chat_ids=f"{old.id}"):
        await fake.send_text(lea, "Ich habe noch eine Frage zum Praktikum")
        relayed = await fake.wait_for_message(old, contains="noch eine Frage")
    assert relayed.thread_id == card.thread_id
    assert [c.chat_id for c in await rows(app.settings.database_url, Case)] == [old.id]
    assert len(fake.calls_to("createForumTopic")) == 1


@pytest.mark.parametrize("answer", ["Bad Request: message thread not found", "Bad Request: TOPIC_CLOSED"])
async def test_a_topic_telegram_no_longer_takes_messages_in_is_made_anew(
    app: App, fake: FakeTelegram, answer: str
) -> None:
    group = fake.add_forum_group("Beratung")
    olena = fake.add_user("Olena", language_code="uk")
    async with serving(app, fake, advisor_chat_id=group.id):
        first = await open_case(fake, olena, "Українська", group)
        fake.fail_next("copyMessage", status=400, description=answer, chat_id=group)
        await fake.send_text(olena, "Ще одне питання про практику")
        second = await fake.wait_for_message(group, contains="#1")
        relayed = await fake.wait_for_message(group, contains="Ще одне")
    assert second.thread_id != first.thread_id
    assert relayed.thread_id == second.thread_id
    assert sum("Ще одне" in m.plain for m in fake.messages_to(group)) == 1
    assert len(fake.calls_to("createForumTopic")) == 2


async def test_a_card_shows_a_name_shared_later_though_the_topic_title_stays(
    app: App, fake: FakeTelegram
) -> None:
    # The title has no name in it: Telegram refuses the same title (TOPIC_NOT_MODIFIED),
    # and that refusal once kept the card from being edited too.
    group = fake.add_forum_group("Beratung")
    amina = fake.add_user("Amina", language_code="en")
    async with serving(app, fake, advisor_chat_id=group.id):
        card = await open_case(fake, amina, "English", group)
        assert "Amina" not in card.plain
        await fake.send_command(amina, "/privacy")
        privacy = await fake.wait_for_message(amina, contains="not shared", timeout=30)
        await press(fake, amina, privacy, "Show my first name")
        edited = await fake.wait_for_edit(card, contains="Amina", timeout=30)
    assert "Name (mit Zustimmung geteilt): Amina" in edited.plain  # the advisors read German
    refused = [r.description for r in fake.call_log if r.method == "editForumTopic" and r.status == 400]
    assert refused == ["Bad Request: TOPIC_NOT_MODIFIED"]
