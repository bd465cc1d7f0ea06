"""Our pacing below Telegram's flood limits (``bot.telegram.limits``): a reply of a few
messages goes to a person at once, as Telegram tolerates, and a longer run is paced to about
one a second so that Telegram never has to refuse one."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from redis.asyncio import Redis

from bot.telegram.limits import PRIVATE_BURST, Bucket, FloodControl, SharedWindow
from tests.fake_telegram import FakeTelegram
from tests.support.bot_process import free_port
from tests.support.databases import server_url


def test_a_bucket_lets_a_burst_through_then_one_a_second() -> None:
    bucket = Bucket(rate=1.0, burst=3, now=100.0)
    for _ in range(3):
        assert bucket.delay(100.0) == 0.0
        bucket.take(100.0)
    assert bucket.delay(100.0) == pytest.approx(1.05)
    assert bucket.delay(100.25) == pytest.approx(0.8)
    assert bucket.delay(101.0) == 0.0
    bucket.take(101.0)
    assert bucket.delay(101.0) == pytest.approx(1.05)
    # Rested long enough, the full burst is back, never more.
    assert bucket.delay(200.0) == 0.0
    assert bucket.tokens == 3.0


async def test_a_reply_of_several_messages_is_sent_without_a_refusal(fake: FakeTelegram) -> None:
    """Telegram's limits on at the server (one a second per person, a short burst of three
    tolerated): seven messages to one person all arrive, in order, and none is refused."""
    fake.set_flood_limits(private_burst=PRIVATE_BURST)
    assert await send_parts(fake, FloodControl(), 7) == [f"Teil {n}" for n in range(7)]
    assert fake.stats.flood_429 == 0


async def send_parts(fake: FakeTelegram, control: FloodControl, parts: int) -> list[str]:
    """``parts`` messages to one person through a real Bot paced by ``control``: the texts
    that arrived, in order."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
    session.middleware(control)
    bot = Bot(fake.token, session=session)
    person = fake.add_user("Amina", language_code="ar")
    try:
        for n in range(parts):
            await bot.send_message(person.id, f"Teil {n}")
    finally:
        await bot.session.close()
    return [m.text or "" for m in fake.messages_to(person.id)]


@pytest.mark.redis
async def test_workers_share_telegrams_overall_limit_in_redis() -> None:
    """Two workers, one limit: what one has sent counts for the other too, and a second
    later both may send again."""
    client = Redis.from_url(server_url("TEST_REDIS_URL", "Redis").rsplit("/", 1)[0] + "/5")
    key = f"test:flood:{uuid.uuid4().hex}"
    try:
        first, second = SharedWindow(client, 3, key=key), SharedWindow(client, 3, key=key)
        assert [await first.acquire(), await second.acquire(), await first.acquire()] == [0.0, 0.0, 0.0]
        waits = [await second.acquire(), await first.acquire()]
        assert all(0.0 < wait <= 1.0 for wait in waits), waits
        await asyncio.sleep(max(waits))
        assert await second.acquire() == 0.0
    finally:
        await client.delete(key)
        await client.aclose()


async def test_without_redis_a_worker_paces_itself_and_sends(
    fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis cannot be reached: the messages still go, paced by the worker's own window,
    and the log says so once."""
    unreachable = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    try:
        sent = await send_parts(
            fake, FloodControl(shared=SharedWindow(unreachable, 30, key="wegweiser:flood:test")), 3
        )
    finally:
        await unreachable.aclose()
    assert sent == ["Teil 0", "Teil 1", "Teil 2"]
    assert sum("Redis unreachable" in r.getMessage() for r in caplog.records) == 1
