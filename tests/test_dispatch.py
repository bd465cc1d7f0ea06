"""The real dispatcher against the local Bot API server: duplicates, urgency, office hours."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
from dataclasses import replace

import pytest
from aiogram.types import Update
from sqlalchemy import select, text

from bot.app import App, build_app
from bot.db.models import Case, OutboxItem, ProcessedUpdate, UsageCounter, User
from bot.handoff import scheduler
from bot.handoff.service import HandoffService
from bot.telegram.runner import create_bot, create_dispatcher
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.support.chat import ChatClient
from tests.support.telegram import start_update, text_update


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


async def _feed(app: App, fake: FakeTelegram, database_url: str, *updates: dict[str, object]) -> None:
    settings = make_settings(database_url, bot_token=fake.token, telegram_api_url=fake.url)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(replace(app, settings=settings), None)
    try:
        for update in updates:
            await dispatcher.feed_update(bot, Update.model_validate(update))
    finally:
        await bot.session.close()


async def test_a_flood_limit_on_typing_never_costs_the_answer(
    app: App, fake: FakeTelegram, database_url: str
) -> None:
    """'typing…' is optional: a 429 (or any error) on it must not end the update."""
    olena = fake.add_user("Olena", language_code="uk")
    fake.fail_next("sendChatAction", status=429, retry_after=5, chat_id=olena.id)
    fake.fail_next("setMessageReaction", status=500, chat_id=olena.id)
    await _feed(app, fake, database_url, text_update(olena, 501, "Привіт, шукаю практику"))
    assert fake.stats.served_429 >= 1
    assert len(fake.messages_to(olena)) >= 1  # the answer (here: choose a language) came
    async with app.sessions() as session:
        assert await session.get(ProcessedUpdate, 501) is not None


async def test_an_update_that_fails_asks_the_person_to_send_it_again(
    app: App, fake: FakeTelegram, database_url: str
) -> None:
    """A real fault (the conversation table is gone): no silence, and nothing of the text in
    the log."""
    jonas = fake.add_user("Jonas", language_code="de")
    async with app.sessions.begin() as session:
        await session.execute(text("DROP TABLE conversation_state"))
    await _feed(app, fake, database_url, text_update(jonas, 502, "Mein geheimer Text"))
    messages = fake.messages_to(jonas)
    assert [m.plain for m in messages] == [
        "Entschuldigung, deine letzte Nachricht ist bei uns verloren gegangen. Bitte schick sie noch einmal."
    ]
    async with app.sessions() as session:
        failed = await session.scalar(select(UsageCounter).where(UsageCounter.kind == "failed"))
    assert failed is not None
    assert (failed.key, failed.count) == ("message", 1)


async def test_a_turn_that_meets_a_locked_database_is_run_again(
    fake: FakeTelegram, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another writer holds SQLite's lock past the busy timeout (5 s): the turn is rolled
    back, waits and runs again; the person gets the answer. The lock is let go once the
    turn has met it (not after a fixed time, which a busy machine could outrun), or after
    a minute, when the assertion below says it never did."""
    ana = fake.add_user("Ana", language_code="ar")
    app = await build_app(make_settings(sqlite_url))
    holder = sqlite3.connect(sqlite_url.split(":///", 1)[1], isolation_level=None)
    retried = "database locked; running the turn again"
    met = asyncio.Event()
    loop = asyncio.get_running_loop()

    class _Met(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if retried in record.getMessage():
                loop.call_soon_threadsafe(met.set)

    async def release_once_met() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(met.wait(), 60)
        holder.execute("COMMIT")

    watcher = _Met()
    people = logging.getLogger("bot.telegram.people")
    people.addHandler(watcher)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with caplog.at_level(logging.WARNING, logger="bot.telegram.people"):
            release = asyncio.create_task(release_once_met())
            await _feed(app, fake, sqlite_url, text_update(ana, 503, "مرحبا"))
            await release
        async with app.sessions() as session:
            handled = await session.get(ProcessedUpdate, 503)
    finally:
        people.removeHandler(watcher)
        holder.close()
        await app.close()
    assert retried in caplog.text
    assert len(fake.messages_to(ana)) >= 1
    assert handled is not None


async def test_a_stopping_bot_finishes_the_updates_in_hand(
    app: App, fake: FakeTelegram, database_url: str
) -> None:
    """Telegram answers slowly; the stop comes while a message is being handled: the
    person still gets the reply before the process may close."""
    lea = fake.add_user("Lea", language_code="de")
    settings = make_settings(database_url, bot_token=fake.token, telegram_api_url=fake.url)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(replace(app, settings=settings), None)
    fake.latency = 0.4
    try:
        handling = asyncio.create_task(
            dispatcher.feed_update(bot, Update.model_validate(text_update(lea, 601, "Hallo")))
        )
        for _ in range(200):
            if fake.calls:
                break
            await asyncio.sleep(0.01)
        assert not handling.done()
        late = await dispatcher["unit_of_work"].drain(grace=20)
        assert late == 0
        assert handling.done()
        assert len(fake.messages_to(lea)) >= 1
    finally:
        fake.latency = 0.0
        await bot.session.close()
