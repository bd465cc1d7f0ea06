"""The young people's side on Telegram: private chats, in and out of ``dialogs``."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction, ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.repositories import SqlUsers
from bot.telegram.advisors import announce_case
from bot.telegram.sending import send_replies
from dialogs.replies import Incoming, Kind, Outcome

log = logging.getLogger(__name__)

MEDIA_KINDS = ("voice", "audio", "photo", "document", "video", "video_note", "sticker", "animation")


def message_to_incoming(message: Message) -> Incoming:
    language = message.from_user.language_code if message.from_user else None
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return Incoming(
                message.chat.id,
                Kind.MEDIA,
                media=kind,
                text=message.caption or "",
                language_code=language,
                message_id=message.message_id,
            )
    text = message.text or message.caption or ""
    incoming = Incoming.message(message.chat.id, text, language)
    return Incoming(
        incoming.chat_id,
        incoming.kind,
        incoming.text,
        incoming.command,
        incoming.payload,
        language_code=language,
        message_id=message.message_id,
    )


async def _turn(
    app: App, session: AsyncSession, state: FSMContext, incoming: Incoming
) -> tuple[Outcome, list[int]]:
    data: dict[str, Any] = await state.get_data()
    outcome, opened = await app.handle(incoming, data, session)
    await state.set_data(data)
    return outcome, opened


async def _deliver(
    bot: Bot, app: App, session: AsyncSession, chat_id: int, outcome: Outcome, opened: list[int]
) -> None:
    if not await send_replies(bot, chat_id, outcome.replies):
        await SqlUsers(session).mark_blocked(chat_id)
    if opened:
        await session.commit()
        for case_id in opened:
            await announce_case(bot, app, case_id)


def people_router() -> Router:
    router = Router(name="people")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)

    @router.message()
    async def on_message(
        message: Message, bot: Bot, app: App, session: AsyncSession, state: FSMContext
    ) -> None:
        incoming = message_to_incoming(message)
        if incoming.kind is Kind.TEXT:
            try:
                await bot.send_chat_action(message.chat.id, ChatAction.TYPING)
            except TelegramForbiddenError:
                await SqlUsers(session).mark_blocked(message.chat.id)
                return
        outcome, opened = await _turn(app, session, state, incoming)
        await _deliver(bot, app, session, message.chat.id, outcome, opened)

    @router.callback_query()
    async def on_button(
        query: CallbackQuery, bot: Bot, app: App, session: AsyncSession, state: FSMContext
    ) -> None:
        chat_id = query.message.chat.id if query.message else query.from_user.id
        incoming = Incoming(
            chat_id, Kind.BUTTON, data=query.data or "", language_code=query.from_user.language_code
        )
        outcome, opened = await _turn(app, session, state, incoming)
        try:
            await query.answer(outcome.notice[:200] or None)
        except TelegramBadRequest:
            log.info("callback query expired before it was answered")
        await _deliver(bot, app, session, chat_id, outcome, opened)

    @router.my_chat_member()
    async def on_membership(update: ChatMemberUpdated, session: AsyncSession) -> None:
        # The person blocked (kicked) or unblocked the bot.
        users = SqlUsers(session)
        if update.new_chat_member.status == ChatMemberStatus.KICKED:
            await users.mark_blocked(update.chat.id)
        elif update.new_chat_member.status == ChatMemberStatus.MEMBER:
            await users.mark_unblocked(update.chat.id)

    return router
