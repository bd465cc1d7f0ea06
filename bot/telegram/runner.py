"""Starting the Telegram bot: long polling or webhook, on the same assembly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import partial
from gettext import GNUTranslations
from typing import NamedTuple

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis

from bot.announcements import announce_events, announce_offers
from bot.app import App, build_app
from bot.config import Settings
from bot.db.repositories import StatsBuffer
from bot.handoff import scheduler
from bot.handoff.outbox import OutboxWorker
from bot.handoff.service import HandoffService
from bot.telegram.advisors import advisors_router
from bot.telegram.fsm_storage import KEY_BUILDER
from bot.telegram.limits import FloodControl, SharedWindow
from bot.telegram.metrics import ApiMetrics, observe_count, sample_forever
from bot.telegram.middlewares import UnitOfWork
from bot.telegram.people import people_router
from dialogs.i18n import DOMAIN, N_, TRANSLATIONS_DIR, Catalogs
from knowledge.model import LANGUAGES

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", N_("Start and main menu")),
    ("help", N_("How Wegweiser helps")),
    ("language", N_("Change the language")),
    ("privacy", N_("What is stored, delete my data")),
    ("status", N_("Your conversation with our team")),
    ("interests", N_("Interest check: which jobs suit you?")),
    ("offers", N_("Internships and training places")),
    ("cancel", N_("Stop and go back to the menu")),
)
DESCRIPTION = N_(
    "Wegweiser answers your questions about training, internships, recognition and learning German "
    "in the district Sächsische Schweiz-Osterzgebirge, in your language, and connects you with an advisor."
)
SHORT_DESCRIPTION = N_("Your way into training and work: answers in your language and a personal advisor.")


def create_bot(settings: Settings, redis: Redis | None = None) -> Bot:
    """The Bot API client; with ``redis`` (several workers) they share Telegram's overall
    limit on messages a second."""
    assert settings.bot_token is not None
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(
        FloodControl(
            overall=settings.send_per_second,
            private=settings.send_per_chat_per_second,
            group_per_minute=settings.send_per_group_per_minute,
            shared=shared_window(settings, redis) if redis is not None else None,
        )
    )
    # Innermost (registered last): counts each answer of Telegram, the 429s that flood
    # control then waits out included.
    session.middleware(ApiMetrics())
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def shared_window(settings: Settings, redis: Redis) -> SharedWindow:
    """Telegram's overall limit, counted in Redis for all workers of this bot (named by the
    token's bot id: two bots on one Redis have a limit each)."""
    assert settings.bot_token is not None
    bot_id = settings.bot_token.get_secret_value().split(":", 1)[0]
    return SharedWindow(redis, settings.send_per_second, key=f"wegweiser:flood:{bot_id}")


# A chat's Redis lock expires after this many seconds even if its worker died holding it.
LOCK_SECONDS = 30


def create_storage(settings: Settings) -> BaseStorage | None:
    """aiogram's Redis storage when several processes share conversations. Without Redis, None:
    the state then lives in the database, written in each update's own unit of work."""
    if settings.redis_url:
        return RedisStorage.from_url(settings.redis_url, key_builder=KEY_BUILDER)
    return None


def create_dispatcher(
    app: App,
    storage: BaseStorage | None,
    handoff: HandoffService | None = None,
    *,
    redelivered: bool = False,
) -> Dispatcher:
    """Handlers get ``app``, ``session`` and ``handoff`` by parameter name.

    With Redis, aiogram's event isolation locks each chat in Redis while its update is
    handled, so several processes handle one chat's updates one after another.
    ``redelivered``: Telegram sends an update again when it was not answered with 2xx
    (webhooks), so an update that failed for a passing cause (the database restarting) is
    left to that instead of asking the person to send it again.
    """
    if storage is None:
        dispatcher = Dispatcher(disable_fsm=True, handoff=handoff)
    elif isinstance(storage, RedisStorage):
        isolation = storage.create_isolation(lock_kwargs={"timeout": LOCK_SECONDS})
        dispatcher = Dispatcher(storage=storage, events_isolation=isolation, handoff=handoff)
    else:
        dispatcher = Dispatcher(storage=storage, handoff=handoff)
    unit_of_work = UnitOfWork(app, redelivered=redelivered)
    dispatcher.update.outer_middleware(unit_of_work)
    dispatcher["unit_of_work"] = unit_of_work
    if handoff is not None:
        dispatcher.include_router(advisors_router(handoff.groups))
    dispatcher.include_router(people_router())
    return dispatcher


class CatalogI18n(I18n):
    """aiogram's Babel i18n over our catalogs, which also work before ``make`` compiled them."""

    def find_locales(self) -> dict[str, GNUTranslations]:
        return Catalogs(self.path).by_language()


async def publish_profile(bot: Bot) -> None:
    """Command lists and descriptions in every language (aiogram's Babel catalogs)."""
    i18n = CatalogI18n(path=TRANSLATIONS_DIR, default_locale="en", domain=DOMAIN)
    for lang in LANGUAGES:
        commands = [
            BotCommand(command=name, description=i18n.gettext(text, locale=lang)) for name, text in COMMANDS
        ]
        await bot.set_my_commands(commands, language_code=lang)
        await bot.set_my_description(i18n.gettext(DESCRIPTION, locale=lang), language_code=lang)
        await bot.set_my_short_description(i18n.gettext(SHORT_DESCRIPTION, locale=lang), language_code=lang)
    commands = [
        BotCommand(command=name, description=i18n.gettext(text, locale="en")) for name, text in COMMANDS
    ]
    await bot.set_my_commands(commands)


async def flush_stats(app: App, every: float = 10.0) -> None:
    while True:
        await asyncio.sleep(every)
        if app.stats_buffer is not None:
            try:
                await app.stats_buffer.flush(app.sessions)
            except Exception:
                log.exception("could not write usage counters; they are kept for the next round")


# Seconds a stopping process gives the updates in hand, and then the sends in flight.
SHUTDOWN_GRACE = 20.0


class Transport(NamedTuple):
    """The Telegram side of one assembled application."""

    bot: Bot
    handoff: HandoffService
    dispatcher: Dispatcher
    worker: OutboxWorker


async def assemble(app: App, storage: BaseStorage | None, *, redelivered: bool = False) -> Transport:
    """The bot, the handoff, the dispatcher and the outbox worker (woken by each commit).
    ``redelivered``: webhook mode, where Telegram sends an unanswered update again."""
    bot = create_bot(app.settings, storage.redis if isinstance(storage, RedisStorage) else None)
    handoff = HandoffService(app, bot)
    # Before the outbox sends anything: the cases of before learn their advisors' group.
    await handoff.settle_earlier_cases()
    dispatcher = create_dispatcher(app, storage, handoff, redelivered=redelivered)
    worker = OutboxWorker(app.sessions, handoff.perform)
    app.on_commit.append(worker.wake_up)
    return Transport(bot, handoff, dispatcher, worker)


async def _serve(settings: Settings, webhook: bool) -> int:
    app = await build_app(settings)
    storage = create_storage(settings)
    bot, handoff, dispatcher, worker = await assemble(app, storage, redelivered=webhook)
    app.stats_buffer = StatsBuffer(observe=observe_count)
    app.content.on_new_events = partial(announce_events, app)
    app.content.on_new_offers = partial(announce_offers, app)
    sending = asyncio.create_task(worker.run())
    tasks = [
        asyncio.create_task(sample_forever(app.sessions)),
        asyncio.create_task(app.content.watch(settings.content_poll_seconds)),
        asyncio.create_task(scheduler.run(handoff)),
        asyncio.create_task(flush_stats(app)),
    ]
    try:
        if settings.worker_index == 0:
            await publish_profile(bot)
        if webhook:
            from bot.telegram.webhook import serve_webhook

            await serve_webhook(settings, bot, dispatcher, app)
        else:
            from bot.telegram.webhook import serve_health

            health = await serve_health(settings, app) if settings.metrics_port else None
            await bot.delete_webhook(drop_pending_updates=False)
            log.info("polling %s", settings.telegram_api_url)
            try:
                await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
            finally:
                if health is not None:
                    await health.cleanup()
    finally:
        # Stopped (SIGTERM, SIGINT): no new updates come in. The updates in hand finish,
        # then the outbox finishes the sends in flight; only then does the process close.
        late = await dispatcher["unit_of_work"].drain(SHUTDOWN_GRACE)
        if late:
            log.warning("%d update(s) were cut off at shutdown; Telegram delivers them again", late)
        worker.stop()
        try:
            await asyncio.wait_for(sending, timeout=SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning(
                "outbox sends still in flight after %ss; they are retried at the next start", SHUTDOWN_GRACE
            )
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if storage is not None:
            await storage.close()
        await app.stats_buffer.flush(app.sessions)
        await bot.session.close()
        await app.close()
    return 0


async def run_polling(settings: Settings) -> int:
    return await _serve(settings, webhook=False)


async def run_webhook(settings: Settings) -> int:
    return await _serve(settings, webhook=True)
