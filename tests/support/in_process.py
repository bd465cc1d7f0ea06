"""The Telegram bot in the test's own process: the real assembly (dispatcher, handoff, outbox
worker) polling the local Bot API server, on the test's application and database.

Quicker than ``running_bot`` (no new process loading the knowledge base), so a test can
start it several times, with other settings, on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from bot.app import App
from bot.telegram.runner import Transport, assemble
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram


@asynccontextmanager
async def serving(app: App, fake: FakeTelegram, **settings: object) -> AsyncIterator[Transport]:
    """Poll ``fake`` with ``settings`` (ADVISOR_CHAT_ID and so on) until the block ends; the
    outbox's sends in flight finish before it returns."""
    configured = make_settings(
        app.settings.database_url, bot_token=fake.token, telegram_api_url=fake.url, **settings
    )
    here = replace(app, settings=configured, on_commit=[])
    transport = await assemble(here, None)
    sending = asyncio.create_task(transport.worker.run(idle=0.1))
    polling = asyncio.create_task(
        transport.dispatcher.start_polling(
            transport.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    try:
        await fake.wait_for_call("getUpdates", timeout=30, in_flight=True)
        yield transport
    finally:
        with contextlib.suppress(RuntimeError):  # "Polling is not started": it ended already
            await transport.dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=20)
        await transport.dispatcher["unit_of_work"].drain(20)
        transport.worker.stop()
        await asyncio.wait_for(sending, timeout=30)
        await transport.bot.session.close()
