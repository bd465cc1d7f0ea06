"""Per-update plumbing: each update once, one database session per update."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.models import ProcessedUpdate
from bot.db.repositories import SqlStats, SqlUsers
from bot.telegram import metrics
from dialogs.i18n import N_

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

SEND_AGAIN = N_("Sorry, your last message got lost on our side. Please send it again.")


def record_update(session: AsyncSession) -> None:
    """Mark the update handled in the same commit as its effects (so it is handled once).

    Written at the end, not the start: a write takes SQLite's lock until the commit.
    """
    update_id = session.info.pop("update_id", None)
    if update_id is not None:
        session.add(ProcessedUpdate(update_id=update_id))


class UnitOfWork(BaseMiddleware):
    """Opens the update's session, skips an update seen before, commits when the handler is done.

    One chat's updates are handled one after another: a button press and the message right
    behind it must not race (the message would miss the case the press just opened).
    """

    def __init__(self, app: App) -> None:
        self.app = app
        # chat id → (lock, how many updates hold or wait for it); dropped when none do.
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}
        # The updates being handled now, so a shutdown can let them finish.
        self._in_hand: set[asyncio.Task[Any]] = set()

    async def drain(self, grace: float) -> int:
        """Wait up to ``grace`` seconds for the updates in hand; returns how many did not
        finish in time (they are then cut off, and Telegram delivers them again)."""
        pending = {task for task in self._in_hand if task is not asyncio.current_task()}
        if not pending:
            return 0
        log.info("waiting for %d update(s) in hand before stopping", len(pending))
        _done, late = await asyncio.wait(pending, timeout=grace)
        return len(late)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        task = asyncio.current_task()
        if task is not None:
            self._in_hand.add(task)
        try:
            return await self._in_order(handler, event, data)
        finally:
            if task is not None:
                self._in_hand.discard(task)

    async def _in_order(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if chat is None:
            return await self._handle(handler, event, data)
        lock, users = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                return await self._handle(handler, event, data)
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def _handle(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        timer = metrics.Timer(event.event_type)
        async with self.app.sessions() as session:
            if await session.get(ProcessedUpdate, event.update_id) is not None:
                log.info("update %s was delivered twice; handled once", event.update_id)
                timer.done("duplicate")
                return None
            session.info["update_id"] = event.update_id
            data["session"] = session
            data["app"] = self.app
            try:
                result = await handler(event, data)
            except Exception as exc:
                await session.rollback()
                timer.done("failed")
                await self._failed(event, data, exc)
                return None
            except BaseException:
                await session.rollback()
                raise
            record_update(session)
            await session.commit()
            self.app.committed(session)
            timer.done("ok")
            return result

    async def _failed(self, event: Update, data: dict[str, Any], exc: Exception) -> None:
        """An update that failed after every retry: logged without its text, counted, and
        the person asked to send it again, so nobody meets silence."""
        log.error(
            "update %s failed (%s); the person is asked to send it again",
            event.update_id,
            type(exc).__name__,
            exc_info=exc,
        )
        chat = data.get("event_chat")
        bot = data.get("bot")
        if chat is None or bot is None or chat.type != "private":
            return
        try:
            async with self.app.sessions.begin() as session:
                user = await SqlUsers(session).get(chat.id)
                await SqlStats(session).count("failed", event.event_type)
            lang = user.language if user is not None and user.language else self.app.settings.default_language
            text = self.app.catalogs.translate(lang, SEND_AGAIN)
            await bot.send_message(chat.id, text)
        except Exception:  # the database or Telegram is down as well: the log says so
            log.exception("could not ask the person of update %s to send it again", event.update_id)
