"""The person behind a case: blocked the bot (shown in the topic's title), or muted by an
advisor for abuse (their messages stay out of the topic, emergencies excepted).

The bot runs in the test's process against the local Bot API server (``serving``).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App
from bot.db.models import Case
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


async def titled(group: SimChat, thread_id: int | None, blocked: bool) -> str:
    """The topic's name once it shows the person blocked (⛔) or not, as ``blocked`` says."""
    topic = group.topic(thread_id or 0)
    assert topic is not None
    for _ in range(300):
        if topic.name.startswith("⛔ ") == blocked:
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
        assert "#1" in await titled(group, card.thread_id, blocked=True)
        assert (await rows(app.settings.database_url, Case))[0].unreachable_at is not None

        jonas.blocked = False  # he unblocked the bot and writes
        await fake.send_text(jonas, "Bin wieder da")
        await titled(group, card.thread_id, blocked=False)
    assert (await rows(app.settings.database_url, Case))[0].unreachable_at is None


async def test_blocking_and_unblocking_show_in_the_title_at_once(
    app: App, fake: FakeTelegram, group: SimChat
) -> None:
    lea = fake.add_user("Lea", language_code="de")
    async with serving(app, fake, advisor_chat_id=group.id):
        card = await open_case(fake, lea, "Deutsch", group)
        await fake.block(lea)
        await titled(group, card.thread_id, blocked=True)
        await fake.unblock(lea)
        await titled(group, card.thread_id, blocked=False)
