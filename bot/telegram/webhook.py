"""Webhook mode: aiogram's aiohttp handler, with Telegram's secret token checked."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


async def serve_webhook(settings: Settings, bot: Bot, dispatcher: Dispatcher) -> None:
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_URL and WEBHOOK_SECRET are needed for --webhook: the public https:// address "
            "and a secret of 1-256 letters, digits, _ or -."
        )
    secret = settings.webhook_secret.get_secret_value()
    web_app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(
        web_app, path=WEBHOOK_PATH
    )
    setup_application(web_app, dispatcher, bot=bot)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await bot.set_webhook(settings.webhook_url + WEBHOOK_PATH, secret_token=secret)
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
