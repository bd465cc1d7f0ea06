"""Webhook mode: aiogram's aiohttp handler with Telegram's secret token checked, and the
health and metrics endpoints a proxy, an orchestrator or Prometheus asks.

The webhook itself is set once, by ``wegweiser webhook set`` (bot/telegram/webhook_cli.py),
never by a worker at its start or stop: with several workers behind a proxy, one stopping
must not unset it for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy import text

from bot.app import App
from bot.config import ConfigError, Settings
from bot.telegram.metrics import exposition

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


async def healthz(_request: web.Request) -> web.Response:
    """Alive: the process answers."""
    return web.json_response({"status": "alive"})


def readiness(app: App) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def readyz(_request: web.Request) -> web.Response:
        """Ready: the database answers, the content and its matcher are loaded (and Redis
        answers, where it keeps the conversations)."""
        checks: dict[str, str] = {}
        try:
            async with app.sessions() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = type(exc).__name__
        try:
            checks["content"] = "ok" if app.content.knowledge is not None else "not loaded"
        except RuntimeError:
            checks["content"] = "not loaded"
        if app.settings.redis_url:
            from redis.asyncio import Redis

            client = Redis.from_url(app.settings.redis_url)
            try:
                await client.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = type(exc).__name__
            finally:
                await client.aclose()
        ready = all(value == "ok" for value in checks.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
        )

    return readyz


async def metrics_page(_request: web.Request) -> web.Response:
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})


def add_health_routes(web_app: web.Application, app: App) -> None:
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readiness(app))
    web_app.router.add_get("/metrics", metrics_page)


async def serve_health(settings: Settings, app: App) -> web.AppRunner:
    """Polling mode: /healthz, /readyz and /metrics on METRICS_PORT (loopback by default)."""
    web_app = web.Application()
    add_health_routes(web_app, app)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, settings.metrics_host, settings.metrics_port).start()
    log.info("health and metrics on %s:%s", settings.metrics_host, settings.metrics_port)
    return runner


def webhook_secret(settings: Settings) -> str:
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_URL and WEBHOOK_SECRET are needed for webhooks: the public https:// address "
            "and a secret of 1-256 letters, digits, _ or -."
        )
    return settings.webhook_secret.get_secret_value()


async def serve_webhook(settings: Settings, bot: Bot, dispatcher: Dispatcher, app: App) -> None:
    """Serve until SIGTERM or SIGINT; then stop taking requests and return (the caller
    lets the updates in hand finish)."""
    secret = webhook_secret(settings)
    web_app = web.Application()
    # Telegram gets its answer only when the update is handled and committed: an update
    # whose worker dies is then delivered again, and Telegram sends one chat's next update
    # only after that answer, which keeps a chat's updates in order across workers.
    SimpleRequestHandler(
        dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False
    ).register(web_app, path=WEBHOOK_PATH)
    setup_application(web_app, dispatcher, bot=bot)
    add_health_routes(web_app, app)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(
        runner, settings.webhook_host, settings.webhook_port, reuse_port=settings.webhook_reuse_port or None
    )
    await site.start()
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log.info("stopping: no new updates are taken")
    finally:
        await site.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        await runner.cleanup()
