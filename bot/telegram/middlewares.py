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

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


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

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
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
        async with self.app.sessions() as session:
            if await session.get(ProcessedUpdate, event.update_id) is not None:
                log.info("update %s was delivered twice; handled once", event.update_id)
                return None
            session.info["update_id"] = event.update_id
            data["session"] = session
            data["app"] = self.app
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            record_update(session)
            await session.commit()
            self.app.committed(session)
            return result
