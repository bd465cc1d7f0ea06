"""The young people's side on Telegram: private chats, in and out of ``dialogs``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any

import aiohttp
from aiogram import Bot, F, Router
from aiogram.enums import ChatAction, ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, ReactionTypeEmoji
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.repositories import SqlHandoff, SqlUsers
from bot.handoff.albums import album_part
from bot.handoff.outbox import enqueue
from bot.telegram.fsm_storage import KEY_BUILDER
from bot.telegram.middlewares import record_update, replies_sent, send_kept
from bot.telegram.sending import send_replies
from dialogs.replies import Incoming, Kind, Outcome, Reply

log = logging.getLogger(__name__)

MEDIA_KINDS = ("voice", "audio", "photo", "document", "video", "video_note", "sticker", "animation")


def message_to_incoming(message: Message) -> Incoming:
    language = message.from_user.language_code if message.from_user else None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return Incoming(
                message.chat.id,
                Kind.MEDIA,
                media=kind,
                text=message.caption or "",
                language_code=language,
                message_id=message.message_id,
                reply_to=reply_to,
            )
    incoming = Incoming.message(message.chat.id, message.text or message.caption or "", language)
    first_name = message.from_user.first_name if message.from_user else None
    return replace(incoming, message_id=message.message_id, reply_to=reply_to, first_name=first_name)


# A turn that meets SQLite's lock (another writer past the busy timeout) is run again.
LOCK_RETRIES = 4


def _locked(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).lower()


async def _turn(session: AsyncSession, run: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Run the turn (``_turn_once``) and commit before anything is sent, so no database lock
    waits on Telegram.

    A turn that meets a locked database is rolled back and run again from the start, never
    dropped (nothing has been sent yet at that point).
    """
    for attempt in range(LOCK_RETRIES + 1):
        try:
            return await run()
        except OperationalError as exc:
            if not _locked(exc) or attempt == LOCK_RETRIES:
                raise
            await session.rollback()
            log.warning("database locked; running the turn again (attempt %d)", attempt + 2)
            await asyncio.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


async def _turn_once(
    app: App,
    session: AsyncSession,
    state: FSMContext | None,
    incoming: Incoming,
    bot_id: int,
    user_id: int,
    album: dict[str, Any] | None,
) -> Outcome:
    """Without Redis the conversation state lives in the database, in this same unit of work;
    with Redis it is aiogram's FSM data, shared by every bot process."""
    if state is None:
        key = KEY_BUILDER.build(StorageKey(bot_id=bot_id, chat_id=incoming.chat_id, user_id=user_id))
        outcome = await app.turn_in(session, incoming, key, album=album)
    else:
        data: dict[str, Any] = await state.get_data()
        outcome, _opened = await app.handle(incoming, data, session, album=album)
        await state.set_data(data)
    await SqlUsers(session).reachable_again(incoming.chat_id)
    record_update(session, incoming.chat_id, outcome.replies)
    await session.commit()
    app.committed(session)
    return outcome


async def _react(bot: Bot, chat_id: int, message_id: int, outcome: Outcome) -> bool:
    """Put the outcome's reaction on the person's message; where Telegram refuses it, the
    short line that says the same is sent instead. False when the person blocked the bot."""
    try:
        await bot.set_message_reaction(chat_id, message_id, [ReactionTypeEmoji(emoji=outcome.reaction)])
    except TelegramForbiddenError:
        return False
    except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as exc:
        # Optional: a refused, limited or failed reaction becomes the line that says the same.
        log.info("reaction not set (%s); sending the line instead", type(exc).__name__)
        if outcome.reaction_fallback:
            outcome.replies.insert(0, Reply(outcome.reaction_fallback))
    return True


async def _deliver(
    bot: Bot, session: AsyncSession, chat_id: int, outcome: Outcome, message_id: int | None = None
) -> None:
    reachable = True
    if outcome.reaction and message_id is not None:
        reachable = await _react(bot, chat_id, message_id, outcome)
    kept = session.info.get("kept_replies")
    if not reachable:
        delivered = False
    elif kept is None:
        delivered = await send_replies(bot, chat_id, outcome.replies)
    else:
        delivered = await send_kept(bot, session, kept, chat_id, outcome.replies)
    if not delivered:
        await SqlUsers(session).mark_blocked(chat_id)
    await replies_sent(session)


async def _typing(bot: Bot, chat_id: int) -> None:
    """ "typing…" is a courtesy: no error of it (a flood limit, a blocked bot, a broken
    connection) may keep the message from being handled and saved."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as exc:
        log.info("typing indicator not shown (%s)", type(exc).__name__)


def people_router() -> Router:
    router = Router(name="people")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)

    @router.message()
    async def on_message(
        message: Message, bot: Bot, app: App, session: AsyncSession, state: FSMContext | None = None
    ) -> None:
        incoming = message_to_incoming(message)
        if incoming.kind is Kind.TEXT:
            await _typing(bot, message.chat.id)
        user_id = message.from_user.id if message.from_user else message.chat.id
        album = album_part(message)
        outcome = await _turn(
            session, partial(_turn_once, app, session, state, incoming, bot.id, user_id, album)
        )
        await _deliver(bot, session, message.chat.id, outcome, message.message_id)

    @router.callback_query()
    async def on_button(
        query: CallbackQuery, bot: Bot, app: App, session: AsyncSession, state: FSMContext | None = None
    ) -> None:
        chat_id = query.message.chat.id if query.message else query.from_user.id
        incoming = Incoming(
            chat_id,
            Kind.BUTTON,
            data=query.data or "",
            language_code=query.from_user.language_code,
            first_name=query.from_user.first_name,
            pressed_on=query.message.message_id if query.message else None,
        )
        user_id = query.from_user.id
        outcome = await _turn(
            session, partial(_turn_once, app, session, state, incoming, bot.id, user_id, None)
        )
        try:
            await query.answer(outcome.notice[:200] or None)
        except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as exc:
            # Optional too: the button's spinner stops by itself; the replies still go out.
            log.info("callback query not answered (%s)", type(exc).__name__)
        await _deliver(bot, session, chat_id, outcome)

    @router.edited_message()
    async def on_edit(message: Message, session: AsyncSession) -> None:
        # An edited text is edited in the advisors' copy as well.
        user = await SqlUsers(session).get(message.chat.id)
        case = await SqlHandoff(session).open_case(user.id) if user else None
        if case is not None and message.text:
            enqueue(
                session, "edit_topic", {"user_message_id": message.message_id, "text": message.text}, case.id
            )

    @router.my_chat_member()
    async def on_membership(update: ChatMemberUpdated, session: AsyncSession) -> None:
        # The person blocked (kicked) or unblocked the bot.
        users = SqlUsers(session)
        if update.new_chat_member.status == ChatMemberStatus.KICKED:
            await users.mark_blocked(update.chat.id)
        elif update.new_chat_member.status == ChatMemberStatus.MEMBER:
            await users.mark_unblocked(update.chat.id)

    return router
