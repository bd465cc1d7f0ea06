"""The advisors' group: a card for each new or newly urgent case."""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.app import App
from bot.db.models import Case, User
from dialogs.i18n import LANGUAGE_NAMES

log = logging.getLogger(__name__)


async def case_card(app: App, case_id: int) -> str | None:
    async with app.sessions() as session:
        case = await session.get(Case, case_id)
        if case is None:
            return None
        user = await session.get_one(User, case.user_id)
        lines = [
            ("🚨 <b>URGENT</b> " if case.urgent else "")
            + f"<b>Case #{case.id}</b> · {escape(user.pseudonym)}",
            f"Language: {escape(LANGUAGE_NAMES.get(case.language, case.language))}",
            f"Topic: {escape(case.topic or '-')} · Reason: {escape(case.reason)}",
        ]
        if case.question:
            lines.append(f"Asked: {escape(case.question[:500])}")
        if case.bot_answer:
            lines.append(f"Bot answered with: {escape(case.bot_answer)}")
        return "\n".join(lines)


async def announce_case(bot: Bot, app: App, case_id: int) -> None:
    chat_id = app.settings.advisor_chat_id
    card = await case_card(app, case_id)
    if chat_id is None or card is None:
        return
    try:
        await bot.send_message(chat_id, card)
    except TelegramAPIError:
        log.exception("could not announce case %s to the advisors' group", case_id)
