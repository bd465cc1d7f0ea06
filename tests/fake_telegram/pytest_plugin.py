"""Optional pytest fixtures: enable with ``pytest_plugins = ["tests.fake_telegram.pytest_plugin"]``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from .fake import FakeTelegram

TEST_TOKEN = "123456:TEST"


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API on 127.0.0.1 (free port), stopped after the test."""
    async with FakeTelegram(token=TEST_TOKEN) as fake:
        yield fake


@pytest.fixture
async def telegram_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """An aiogram Bot whose requests go to ``fake_telegram``."""
    bot = Bot(fake_telegram.token, session=AiohttpSession(api=fake_telegram.api_server))
    try:
        yield bot
    finally:
        await bot.session.close()
