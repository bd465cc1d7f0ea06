"""The real dispatcher against the local Bot API server: duplicates, urgency, office hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiogram.types import Update
from sqlalchemy import select

from bot.app import App
from bot.db.models import Case, OutboxItem, User
from bot.handoff import scheduler
from bot.handoff.service import HandoffService
from bot.telegram.runner import create_bot, create_dispatcher
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.support.chat import ChatClient
from tests.support.telegram import start_update


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token="123456:TESTTOKEN-abcdefghij") as server:
        yield server


async def test_an_update_delivered_twice_is_handled_once(
    app: App, fake: FakeTelegram, database_url: str
) -> None:
    jonas = fake.add_user("Jonas", language_code="de")
    settings = make_settings(database_url, bot_token=fake.token, telegram_api_url=fake.url)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(replace(app, settings=settings), None)
    update = Update.model_validate(start_update(jonas, update_id=77))
    try:
        await dispatcher.feed_update(bot, update)
        await dispatcher.feed_update(bot, update)
    finally:
        await bot.session.close()
    assert len(fake.messages_to(jonas)) == 1


async def test_a_crisis_message_opens_an_urgent_case_at_once(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("I want to kill myself")
    assert "112" in chat.text
    assert "116 111" in chat.text
    async with chat.app.sessions() as session:
        case = await session.scalar(select(Case))
        user = await session.scalar(select(User))
        announce = await session.scalar(select(OutboxItem).where(OutboxItem.action == "announce"))
    assert case is not None
    assert case.urgent
    assert case.reason == "urgent"
    assert user is not None
    assert user.urgent_at is not None
    assert announce is not None
    assert announce.payload == {"reason": "new"}


async def test_waiting_cases_are_announced_in_office_hours_and_reminded(
    app: App, fake: FakeTelegram, database_url: str
) -> None:
    group = fake.add_forum_group("Beratung")
    settings = make_settings(
        database_url,
        bot_token=fake.token,
        telegram_api_url=fake.url,
        advisor_chat_id=group.id,
        remind_minutes=30,
    )
    chat = ChatClient(app)
    await chat.onboard("English")
    await chat.send("/advisor")
    async with app.sessions.begin() as session:
        case = await session.scalar(select(Case))
        assert case is not None
        case.thread_id = 42  # its topic exists; the card came outside office hours
    bot = create_bot(settings)
    handoff = HandoffService(replace(app, settings=settings), bot)
    tuesday_morning = dt.datetime(2026, 12, 1, 9, 30, tzinfo=settings.zone)
    sunday = dt.datetime(2026, 11, 29, 12, 0, tzinfo=settings.zone)
    try:
        assert await scheduler.tick(handoff, sunday) == 0, "nothing is announced outside office hours"
        assert await scheduler.tick(handoff, tuesday_morning) == 1
        assert await scheduler.tick(handoff, tuesday_morning + dt.timedelta(minutes=10)) == 0
        assert await scheduler.tick(handoff, tuesday_morning + dt.timedelta(minutes=45)) == 1
    finally:
        await bot.session.close()
    async with app.sessions() as session:
        texts = [
            i.payload["text"]
            for i in await session.scalars(select(OutboxItem).where(OutboxItem.action == "to_topic"))
        ]
    assert texts[0].startswith("⏰")
    assert texts[1].startswith("🔔")
