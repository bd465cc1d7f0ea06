"""The outbox: an item in flight stays with its worker, and a shutdown never strands it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiogram import Bot
from sqlalchemy import select

from bot.app import App
from bot.db.models import Case, OutboxItem, utcnow
from bot.handoff import outbox
from bot.handoff.outbox import OutboxWorker
from bot.handoff.service import CLAIM_EXPIRES as HANDOFF_CLAIM_EXPIRES
from bot.handoff.service import HandoffService
from bot.telegram.runner import create_bot
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram, SentMessage
from tests.fake_telegram.faults import FaultRule
from tests.support.chat import ChatClient


@pytest.fixture
async def bots(fake: FakeTelegram, app: App) -> AsyncIterator[tuple[App, list[Bot]]]:
    """The app wired to the local server, and two bots as two processes would have them."""
    group = fake.add_forum_group("Beratung")
    settings = make_settings(
        app.settings.database_url, bot_token=fake.token, telegram_api_url=fake.url, advisor_chat_id=group.id
    )
    made = [create_bot(settings), create_bot(settings)]
    try:
        yield replace(app, settings=settings), made
    finally:
        for bot in made:
            await bot.session.close()


async def queue_a_case(app: App) -> None:
    chat = ChatClient(app)
    await chat.onboard("English")
    await chat.send("/advisor")


async def in_flight(rule: FaultRule) -> None:
    for _ in range(200):
        if rule.served:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the worker never called Telegram")


def cards(fake: FakeTelegram, app: App) -> list[SentMessage]:
    assert app.settings.advisor_chat_id is not None
    return [m for m in fake.messages_to(app.settings.advisor_chat_id) if m.reply_markup and "#" in m.plain]


async def the_item(app: App) -> OutboxItem:
    async with app.sessions() as session:
        return (await session.scalars(select(OutboxItem).where(OutboxItem.action == "announce"))).one()


async def test_an_item_in_flight_is_not_taken_by_another_process(
    fake: FakeTelegram, bots: tuple[App, list[Bot]], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, (bot, other_bot) = bots
    monkeypatch.setattr(outbox, "LOCK", dt.timedelta(seconds=0.6))
    await queue_a_case(app)
    # Telegram takes far longer than the lock lasts to answer the topic's creation.
    slow = fake.fail_next("createForumTopic", status=502, delay=3.0)
    first = OutboxWorker(app.sessions, HandoffService(app, bot).perform)
    second = OutboxWorker(app.sessions, HandoffService(app, other_bot).perform)
    sending = asyncio.create_task(first.run_once())
    await in_flight(slow)
    for _ in range(4):  # four lock periods: the first worker keeps renewing its lock
        await asyncio.sleep(0.6)
        assert await asyncio.wait_for(second.run_once(), timeout=2) == 0
    # After the slow 502 the first worker tried again at once and delivered: one topic,
    # one card, nothing from the second worker.
    assert await sending == 1
    item = await the_item(app)
    assert (item.status, item.locked_until) == ("done", None)
    assert len(fake.calls_to("createForumTopic")) == 2  # the refused call and the one that worked
    assert len(cards(fake, app)) == 1


async def test_a_shutdown_mid_send_leaves_the_item_for_the_next_start(
    fake: FakeTelegram, bots: tuple[App, list[Bot]]
) -> None:
    app, (bot, _) = bots
    await queue_a_case(app)
    slow = fake.fail_next("createForumTopic", status=502, delay=5.0)
    worker = OutboxWorker(app.sessions, HandoffService(app, bot).perform)
    running = asyncio.create_task(worker.run())
    await in_flight(slow)
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    item = await the_item(app)
    assert (item.status, item.attempts, item.locked_until) == ("pending", 0, None)
    # The next start sends it at once.
    assert await worker.run_once() == 1
    assert len(cards(fake, app)) == 1


async def test_a_graceful_stop_lets_the_send_in_flight_finish_once(
    fake: FakeTelegram, bots: tuple[App, list[Bot]]
) -> None:
    """SIGTERM's path: the worker takes nothing new, finishes the send it is in (Telegram
    is slow here), and the next start has nothing left to send twice."""
    app, (bot, _) = bots
    await queue_a_case(app)
    fake.latency = 0.5
    worker = OutboxWorker(app.sessions, HandoffService(app, bot).perform)
    running = asyncio.create_task(worker.run())
    for _ in range(200):
        if fake.calls_to("createForumTopic"):
            break
        await asyncio.sleep(0.02)
    worker.stop()
    await asyncio.wait_for(running, timeout=20)
    item = await the_item(app)
    assert (item.status, item.locked_until) == ("done", None)
    fake.latency = 0.0
    assert await OutboxWorker(app.sessions, HandoffService(app, bot).perform).run_once() == 0
    assert len(cards(fake, app)) == 1


async def test_the_case_is_found_by_its_topic_while_the_card_is_on_its_way(
    fake: FakeTelegram, bots: tuple[App, list[Bot]]
) -> None:
    """An advisor may answer in the topic the moment the card shows: the topic is stored as
    soon as Telegram has made it. A card refused after that goes into the same topic."""
    app, (bot, _) = bots
    group = app.settings.advisor_chat_id
    assert group is not None
    await queue_a_case(app)
    slow = fake.fail_next("sendMessage", status=502, delay=2.0, chat_id=group)
    service = HandoffService(app, bot)
    sending = asyncio.create_task(OutboxWorker(app.sessions, service.perform).run_once())
    await in_flight(slow)
    (topic,) = fake.chat(group).live_topics()
    thread_id = topic.thread_id
    async with app.sessions() as session:
        case = await service.case_for_thread(session, group, thread_id)
        assert case is not None
        assert case.card_message_id is None
    assert await sending == 1
    (card,) = cards(fake, app)
    assert card.thread_id == thread_id
    assert len(fake.calls_to("createForumTopic")) == 1


async def test_a_topic_left_without_its_card_gets_it_once_the_claim_expires(
    fake: FakeTelegram, bots: tuple[App, list[Bot]]
) -> None:
    """A process died between making the topic and posting the card: the next one to need
    the topic posts the card there instead of opening a second topic."""
    app, (bot, other_bot) = bots
    group = app.settings.advisor_chat_id
    assert group is not None
    await queue_a_case(app)
    topic = await bot.create_forum_topic(group, name="#1")
    async with app.sessions.begin() as session:
        case = (await session.scalars(select(Case))).one()
        case.chat_id, case.thread_id = group, topic.message_thread_id
        case.topic_claimed_at = utcnow() - HANDOFF_CLAIM_EXPIRES - dt.timedelta(seconds=1)
    assert await OutboxWorker(app.sessions, HandoffService(app, other_bot).perform).run_once() == 1
    (card,) = cards(fake, app)
    assert card.thread_id == topic.message_thread_id
    assert len(fake.calls_to("createForumTopic")) == 1
    async with app.sessions() as session:
        case = (await session.scalars(select(Case))).one()
        assert (case.card_message_id, case.topic_claimed_at) == (card.message_id, None)
