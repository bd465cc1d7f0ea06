"""Per-update plumbing: each update once, one database session per update."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.exc import IntegrityError

from bot.app import App
from bot.db.models import ProcessedUpdate

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UnitOfWork(BaseMiddleware):
    """Opens the update's session, skips an update seen before, commits when the handler is done."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self.app.sessions() as session:
            session.add(ProcessedUpdate(update_id=event.update_id))
            try:
                await session.flush()
            except IntegrityError:
                log.info("update %s was delivered twice; handled once", event.update_id)
                await session.rollback()
                return None
            data["session"] = session
            data["app"] = self.app
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            self.app.committed()
            return result
