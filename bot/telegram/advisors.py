"""The advisors' group: answering in case topics, take and close, canned replies, /me.

Only configured advisors (a row in the ``advisors`` table) may act; anything from anyone
else is ignored and logged without its text.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Advisor, Case
from bot.handoff import albums
from bot.handoff.albums import album_part
from bot.handoff.outbox import enqueue
from bot.handoff.service import HandoffService
from dialogs import callbacks
from dialogs.handoff import CANNED_REPLIES, CaseEvent, CaseState, canned_text, is_internal_note
from dialogs.i18n import N_
from knowledge.model import LANGUAGES, TOPICS

log = logging.getLogger(__name__)


async def _advisor_or_log(
    session: AsyncSession, handoff: HandoffService, user_id: int | None, what: str
) -> Advisor | None:
    advisor = await handoff.advisor(session, user_id) if user_id is not None else None
    if advisor is None:
        log.info("ignored %s from %s: not a configured advisor", what, user_id)
    return advisor


async def _advisor_and_case(
    message: Message, session: AsyncSession, handoff: HandoffService, what: str
) -> tuple[Advisor, Case] | None:
    """The advisor who sent a command in a case's topic, and that case; None otherwise."""
    user_id = message.from_user.id if message.from_user else None
    advisor = await _advisor_or_log(session, handoff, user_id, what)
    if advisor is None:
        return None
    case = await handoff.case_for_thread(session, message.chat.id, message.message_thread_id or 0)
    if case is None:
        # In the General topic or a topic of no case: say so, rather than nothing at all.
        await message.reply(escape(handoff._(OUTSIDE_A_CASE)))
        return None
    return advisor, case


NOT_POSSIBLE = N_("That is not possible in the case's current state.")
OUTSIDE_A_CASE = N_("This command works only in the topic of a case.")


async def _mute(
    message: Message,
    session: AsyncSession,
    handoff: HandoffService,
    case: Case,
    advisor: Advisor,
    muted: bool,
) -> None:
    """/mute and /unmute: the person's messages stop (or start again) coming into the topic."""
    if not await handoff.mute(session, case, advisor, muted):
        await message.reply(escape(handoff._(NOT_POSSIBLE)))
    elif muted:
        line = N_("The person is muted: their messages are no longer passed on, except emergencies.")
        await message.reply("🔇 " + escape(handoff._(line)) + " /unmute")
    else:
        line = N_("The person is no longer muted: their messages are passed on again.")
        await message.reply("🔊 " + escape(handoff._(line)))


def advisors_router(chat_ids: Collection[int]) -> Router:
    """The advisors' groups: the one new cases open in, and earlier ones whose cases go on."""
    router = Router(name="advisors")
    router.message.filter(F.chat.id.in_(chat_ids))
    router.edited_message.filter(F.chat.id.in_(chat_ids))
    router.callback_query.filter(F.message.chat.id.in_(chat_ids))

    @router.message(Command("me"))
    async def on_me(
        message: Message, command: CommandObject, session: AsyncSession, handoff: HandoffService
    ) -> None:
        user_id = message.from_user.id if message.from_user else None
        advisor = await _advisor_or_log(session, handoff, user_id, "/me")
        if advisor is None:
            return
        words = (command.args or "").split()
        for key, value in zip(words[::2], words[1::2], strict=False):
            if key == "name":
                advisor.display_name = value[:60]
            elif key == "languages":
                advisor.languages = ",".join(v for v in value.lower().split(",") if v in LANGUAGES)
            elif key == "topics":
                advisor.topics = ",".join(v for v in value.lower().split(",") if v in TOPICS)
        profile = f"{advisor.display_name} · {advisor.languages or '-'} · {advisor.topics or '-'}"
        await message.reply(escape(handoff._(N_("Your profile:"))) + " " + escape(profile))

    @router.message(Command("take", "close", "mute", "unmute"))
    async def on_case_command(
        message: Message, command: CommandObject, session: AsyncSession, handoff: HandoffService
    ) -> None:
        found = await _advisor_and_case(message, session, handoff, f"/{command.command}")
        if found is None:
            return
        advisor, case = found
        if command.command in ("mute", "unmute"):
            await _mute(message, session, handoff, case, advisor, command.command == "mute")
            return
        event = CaseEvent.TAKE if command.command == "take" else CaseEvent.CLOSE
        if not await handoff.transition(session, case, event, advisor):
            await message.reply(escape(handoff._(NOT_POSSIBLE)))

    @router.message(Command("canned"))
    async def on_canned(message: Message, session: AsyncSession, handoff: HandoffService) -> None:
        found = await _advisor_and_case(message, session, handoff, "/canned")
        if found is None:
            return
        _advisor, case = found
        rows = [
            [
                InlineKeyboardButton(
                    text=handoff._(label), callback_data=callbacks.make("cn", f"{case.id}:{key}")
                )
            ]
            for key, label, _text in CANNED_REPLIES
        ]
        await message.reply(
            escape(handoff._(N_("Choose a reply; it is sent in the person's language:"))),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )

    @router.message(F.message_thread_id)
    async def on_topic_message(message: Message, session: AsyncSession, handoff: HandoffService) -> None:
        user_id = message.from_user.id if message.from_user else None
        if message.from_user is not None and message.from_user.is_bot:
            return
        case = await handoff.case_for_thread(session, message.chat.id, message.message_thread_id or 0)
        if case is None:
            return
        advisor = await _advisor_or_log(session, handoff, user_id, "a topic message")
        if advisor is None or is_internal_note(message.text or message.caption):
            return
        if case.state == CaseState.WAITING:
            await handoff.transition(session, case, CaseEvent.TAKE, advisor)
        elif case.state == CaseState.CLOSED:
            await message.reply(escape(handoff._(N_("This case is closed; the message was not sent."))))
            return
        reply_to = message.reply_to_message.message_id if message.reply_to_message else None
        if reply_to == message.message_thread_id:
            reply_to = None  # Telegram marks every topic message as a reply to the topic's start
        payload = {"message_id": message.message_id, "reply_to": reply_to, "from_chat_id": message.chat.id}
        part = album_part(message)
        if part is not None:
            albums.enqueue_part(session, albums.ALBUM_OUT, {**payload, **part}, case.id)
        else:
            enqueue(session, "relay_out", payload, case.id)

    @router.edited_message(F.message_thread_id)
    async def on_topic_edit(message: Message, session: AsyncSession, handoff: HandoffService) -> None:
        user_id = message.from_user.id if message.from_user else None
        case = await handoff.case_for_thread(session, message.chat.id, message.message_thread_id or 0)
        if case is None or message.text is None or is_internal_note(message.text):
            return
        if await _advisor_or_log(session, handoff, user_id, "an edit") is None:
            return
        enqueue(
            session, "edit_person", {"group_message_id": message.message_id, "text": message.text}, case.id
        )

    @router.callback_query()
    async def on_button(
        query: CallbackQuery, bot: Bot, session: AsyncSession, handoff: HandoffService
    ) -> None:
        action = callbacks.parse(query.data or "")
        advisor = await _advisor_or_log(session, handoff, query.from_user.id, "a button")
        if action is None or advisor is None:
            await query.answer(handoff._(N_("Only advisors can do this.")), show_alert=True)
            return
        if action.name == "cs":
            verb, _sep, number = action.arg.partition(":")
            case = await session.get(Case, int(number))
            event = CaseEvent.TAKE if verb == "take" else CaseEvent.CLOSE
            done = case is not None and await handoff.transition(session, case, event, advisor)
            await query.answer(handoff._(N_("Done.")) if done else handoff._(N_("Not possible now.")))
        elif action.name == "cn":
            number, _sep, key = action.arg.partition(":")
            case = await session.get(Case, int(number))
            text = canned_text(key, handoff.app.catalogs, case.language) if case else None
            if case is None or text is None or case.state == CaseState.CLOSED:
                await query.answer(handoff._(N_("Not possible now.")))
                return
            if case.state == CaseState.WAITING:
                await handoff.transition(session, case, CaseEvent.TAKE, advisor)
            enqueue(session, "to_person", {"text": escape(text)}, case.id)
            # The other advisors see in the topic what was sent.
            enqueue(session, "to_topic", {"text": "↪️ " + escape(text)}, case.id)
            await query.answer(handoff._(N_("Done.")))
        else:
            await query.answer()

    return router
