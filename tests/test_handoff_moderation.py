"""The person behind a case: blocked the bot (shown in the topic's title), or muted by an
advisor for abuse (their messages stay out of the topic, emergencies excepted).

The bot runs in the test's process against the local Bot API server (``serving``).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App
from bot.db.models import AuditEntry, Case
from tests.fake_telegram import FakeTelegram, SimChat, SimUser
from tests.support.in_process import serving
from tests.support.telegram import add_advisor, open_case, rows


@pytest.fixture
async def anna(app: App, fake: FakeTelegram) -> SimUser:
    advisor = fake.add_user("Anna")
    await add_advisor(app, advisor, "de")
    return advisor


@pytest.fixture
def group(fake: FakeTelegram, anna: SimUser) -> SimChat:
    return fake.add_forum_group("Beratung", members=[anna])


async def titled_with(group: SimChat, thread_id: int | None, mark: str, shown: bool = True) -> str:
    """The topic's name once it starts with ``mark`` (⛔ blocked, 🔇 muted), or no longer does."""
    topic = group.topic(thread_id or 0)
    assert topic is not None
    for _ in range(300):
        if topic.name.startswith(mark) == shown:
            return topic.name
        await asyncio.sleep(0.05)
    raise AssertionError(f"the topic is still named {topic.name!r}")


async def test_the_topic_title_shows_a_person_who_blocked_the_bot_until_they_write_again(
    app: App, fake: FakeTelegram, anna: SimUser, group: SimChat
) -> None:
    jonas = fake.add_user("Jonas", language_code="de")
    async with serving(app, fake, advisor_chat_id=group.id):
        card = await open_case(fake, jonas, "Deutsch", group)
        await fake.wait_for_message(jonas)  # the bot's confirmation came before the block
        jonas.blocked = True  # blocked, and Telegram's update saying so has not come (yet)
        await fake.send_text(anna, "Hallo Jonas!", chat=group, thread_id=card.thread_id)
        assert "#1" in await titled_with(group, card.thread_id, "⛔ ")
        assert (await rows(app.settings.database_url, Case))[0].unreachable_at is not None

        jonas.blocked = False  # he unblocked the bot and writes
        await fake.send_text(jonas, "Bin wieder da")
        await titled_with(group, card.thread_id, "⛔ ", shown=False)
    assert (await rows(app.settings.database_url, Case))[0].unreachable_at is None


async def test_blocking_and_unblocking_show_in_the_title_at_once(
    app: App, fake: FakeTelegram, group: SimChat
) -> None:
    lea = fake.add_user("Lea", language_code="de")
    async with serving(app, fake, advisor_chat_id=group.id):
        card = await open_case(fake, lea, "Deutsch", group)
        await fake.block(lea)
        await titled_with(group, card.thread_id, "⛔ ")
        await fake.unblock(lea)
        await titled_with(group, card.thread_id, "⛔ ", shown=False)


async def test_a_muted_persons_messages_stay_out_of_the_topic_but_a_crisis_still_raises_the_alarm(
    app: App, fake: FakeTelegram, anna: SimUser, group: SimChat
) -> None:
    jonas = fake.add_user("Jonas", language_code="de")
    max_ = fake.add_user("Max")
    fake.add_member(group, max_)
    async with serving(app, fake, advisor_chat_id=group.id):
        card = await open_case(fake, jonas, "Deutsch", group)
        thread = card.thread_id
        await fake.send_command(max_, "/mute", chat=group, thread_id=thread)  # not an advisor
        await fake.send_command(anna, "/mute", chat=group, thread_id=thread)
        await fake.wait_for_message(group, contains="🔇", thread_id=thread)
        await titled_with(group, thread, "🔇 ")

        await fake.send_text(jonas, "Warum antwortet keiner, ihr seid alle unfähig")
        notice = await fake.wait_for_message(jonas, contains="112")
        await fake.send_photo(jonas, caption="schaut euch das an")
        await fake.wait_for_message(jonas, contains="112")
        await fake.send_command(jonas, "/advisor")
        await fake.wait_for_message(jonas, contains="112")

        # Safety first: a crisis comes through, with the alarm.
        await fake.send_text(jonas, "ich will nicht mehr leben")
        await fake.wait_for_message(jonas, contains="🆘")
        await fake.wait_for_message(group, contains="🚨", thread_id=thread)
        await fake.wait_for_message(group, contains="nicht mehr leben", thread_id=thread)
        # ...and so does what the person writes in the hours after it, though still muted.
        await fake.send_text(jonas, "bitte meldet euch")
        await fake.wait_for_message(group, contains="bitte meldet euch", thread_id=thread)

        await fake.send_command(anna, "/unmute", chat=group, thread_id=thread)
        await fake.wait_for_message(group, contains="🔊", thread_id=thread)
        await fake.send_text(jonas, "Danke, dass ihr euch meldet")
        await fake.wait_for_message(group, contains="Danke, dass", thread_id=thread)
    in_topic = [m.plain for m in fake.messages_to(group, thread_id=thread)]
    assert not any("unfähig" in text or "schaut euch" in text for text in in_topic)
    assert not [m for m in fake.messages_to(group) if m.kind == "photo"]
    assert notice.plain.startswith(
        "Deine Nachrichten können gerade nicht an unser Team weitergegeben werden."
    )
    entries = await rows(app.settings.database_url, AuditEntry)
    assert [(e.action, e.target) for e in entries] == [("mute", "case:1"), ("unmute", "case:1")]
    assert all(str(anna.id) in e.actor for e in entries)
    assert all("unfähig" not in str(e.before) + str(e.after) for e in entries)


async def test_a_case_command_outside_a_cases_topic_is_answered_not_ignored(
    app: App, fake: FakeTelegram, anna: SimUser, group: SimChat
) -> None:
    """/take in the group's General topic: the advisor learns where it works; someone who
    is no advisor still gets nothing."""
    max_ = fake.add_user("Max")
    fake.add_member(group, max_)
    async with serving(app, fake, advisor_chat_id=group.id):
        await fake.send_command(max_, "/take", chat=group)
        await fake.send_command(anna, "/take", chat=group)
        reply = await fake.wait_for_message(group, contains="Thema eines Falls")
    assert reply.plain == "Dieser Befehl funktioniert nur im Thema eines Falls."
    assert len(fake.messages_to(group)) == 1
