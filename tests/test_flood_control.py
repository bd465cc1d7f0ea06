"""Our pacing below Telegram's flood limits (``bot.telegram.limits``): a reply of a few
messages goes to a person at once, as Telegram tolerates, and a longer run is paced to about
one a second so that Telegram never has to refuse one."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.telegram.limits import PRIVATE_BURST, Bucket, FloodControl
from tests.fake_telegram import FakeTelegram


def test_a_bucket_lets_a_burst_through_then_one_a_second() -> None:
    bucket = Bucket(rate=1.0, burst=3, now=100.0)
    for _ in range(3):
        assert bucket.delay(100.0) == 0.0
        bucket.take(100.0)
    assert bucket.delay(100.0) == 1.0
    assert bucket.delay(100.25) == 0.75
    assert bucket.delay(101.0) == 0.0
    bucket.take(101.0)
    assert bucket.delay(101.0) == 1.0
    # Rested long enough, the full burst is back, never more.
    assert bucket.delay(200.0) == 0.0
    assert bucket.tokens == 3.0


async def test_a_reply_of_several_messages_is_sent_without_a_refusal(fake: FakeTelegram) -> None:
    """Telegram's limits on at the server (one a second per person, a short burst of three
    tolerated): seven messages to one person all arrive, in order, and none is refused."""
    fake.set_flood_limits(private_burst=PRIVATE_BURST)
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
    session.middleware(FloodControl())
    bot = Bot(fake.token, session=session)
    person = fake.add_user("Amina", language_code="ar")
    try:
        for n in range(7):
            await bot.send_message(person.id, f"Teil {n}")
    finally:
        await bot.session.close()
    assert [m.text for m in fake.messages_to(person.id)] == [f"Teil {n}" for n in range(7)]
    assert fake.stats.flood_429 == 0
