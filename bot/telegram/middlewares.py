"""Per-update plumbing: each update once, one database session per update."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update
from redis.exceptions import RedisError
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.models import ProcessedUpdate
from bot.db.repositories import SqlStats, SqlUsers
from bot.telegram import metrics
from bot.telegram.sending import RepliesCutOff, send_replies
from dialogs.i18n import N_
from dialogs.replies import Button, Reply

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

SEND_AGAIN = N_("Sorry, your last message got lost on our side. Please send it again.")


def record_update(session: AsyncSession, chat_id: int | None = None, replies: Sequence[Reply] = ()) -> None:
    """Mark the update handled in the same commit as its effects (so it is handled once),
    with the replies still to be sent (sent again if the update comes again).

    Written at the end, not the start: a write takes SQLite's lock until the commit.
    """
    update_id = session.info.pop("update_id", None)
    if update_id is not None:
        kept = [reply_to_json(reply) for reply in replies] or None
        session.add(ProcessedUpdate(update_id=update_id, chat_id=chat_id if kept else None, replies=kept))
        if kept:
            session.info["kept_replies"] = update_id


async def replies_sent(session: AsyncSession) -> None:
    """The kept replies went out: forget them (committed with the update's unit of work)."""
    update_id = session.info.pop("kept_replies", None)
    if update_id is not None:
        await session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id).values(replies=None)
        )


async def send_kept(
    bot: Bot, session: AsyncSession, update_id: int, chat_id: int, replies: Sequence[Reply]
) -> bool:
    """Send an update's replies. When Telegram fails on the way, only the ones not yet sent
    stay kept (committed at once) and RepliesCutOff goes on: the webhook then answers with
    an error, Telegram sends the update again, and those replies go out then."""
    try:
        return await send_replies(bot, chat_id, list(replies))
    except RepliesCutOff as exc:
        rest = [reply_to_json(reply) for reply in replies[exc.sent :]]
        session.info.pop("kept_replies", None)
        await session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id).values(replies=rest)
        )
        await session.commit()
        raise


def reply_to_json(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "buttons": [[[b.label, b.data, b.url] for b in row] for row in reply.buttons],
        "rtl": reply.rtl,
        "edit": reply.edit,
    }


def reply_from_json(raw: dict[str, Any]) -> Reply:
    buttons = tuple(tuple(Button(label, data, url) for label, data, url in row) for row in raw["buttons"])
    edit = raw.get("edit")
    return Reply(raw["text"], buttons, rtl=bool(raw.get("rtl")), edit=edit if isinstance(edit, int) else None)


# SQLSTATE classes of a database that is restarting or unreachable: connection exceptions,
# an operator's shutdown or a start in progress, "not accepting connections".
PASSING_SQLSTATES = ("08", "57P", "55000")


def _sqlstate(exc: BaseException | None) -> str:
    while exc is not None:
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if isinstance(state, str):
            return state
        exc = exc.__cause__ or exc.__context__
    return ""


def passing(exc: BaseException) -> bool:
    """A failure that goes away by itself: the database or Redis unreachable or restarting,
    Telegram failing to take the replies."""
    if isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or _sqlstate(exc.orig).startswith(PASSING_SQLSTATES)
    ):
        return True
    return isinstance(
        exc, OperationalError | InterfaceError | ConnectionError | TimeoutError | RedisError | RepliesCutOff
    )


async def _rollback(session: AsyncSession) -> None:
    try:
        await session.rollback()
    except Exception:  # the connection is gone already: nothing was committed
        log.debug("rollback after a failed update failed too", exc_info=True)


class UnitOfWork(BaseMiddleware):
    """Opens the update's session, skips an update seen before, commits when the handler is done.

    One chat's updates are handled one after another: a button press and the message right
    behind it must not race (the message would miss the case the press just opened).
    """

    def __init__(self, app: App, *, redelivered: bool = False) -> None:
        self.app = app
        self.redelivered = redelivered
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
        try:
            async with self.app.sessions() as session:
                processed = await session.get(ProcessedUpdate, event.update_id)
                if processed is not None:
                    log.info("update %s was delivered twice; handled once", event.update_id)
                    await self._send_kept(session, processed, data)
                    timer.done("duplicate")
                    return None
                session.info["update_id"] = event.update_id
                data["session"] = session
                data["app"] = self.app
                try:
                    result = await handler(event, data)
                except BaseException:
                    await _rollback(session)
                    raise
                record_update(session)
                await session.commit()
        except Exception as exc:
            if self.redelivered and passing(exc):
                # Not answered with 2xx: Telegram sends the update again in a moment.
                log.warning(
                    "update %s left for Telegram to send again (%s)", event.update_id, type(exc).__name__
                )
                timer.done("redelivered")
                raise
            timer.done("failed")
            await self._failed(event, data, exc)
            return None
        self.app.committed(session)
        timer.done("ok")
        return result

    async def _send_kept(
        self, session: AsyncSession, processed: ProcessedUpdate, data: dict[str, Any]
    ) -> None:
        """The first delivery committed but its process died before its replies all went out
        (they are forgotten once sent): they go out now. A person may then see a reply
        twice (the process died between the send and forgetting it), never none."""
        bot = data.get("bot")
        if not processed.replies or processed.chat_id is None or bot is None:
            return
        log.warning("update %s: sending its kept replies again", processed.update_id)
        metrics.UPDATES.labels("kept_replies", "resent").inc()
        replies = [reply_from_json(raw) for raw in processed.replies]
        await send_kept(bot, session, processed.update_id, processed.chat_id, replies)
        processed.replies = None
        await session.commit()

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
