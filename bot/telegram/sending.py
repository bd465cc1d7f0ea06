"""Sending a conversation's outcome: HTML, split at Telegram's length, buttons attached."""

from __future__ import annotations

import asyncio
import logging
import re

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions

from dialogs.content_checks import MAX_MESSAGE, telegram_length
from dialogs.replies import Button, Reply

log = logging.getLogger(__name__)

_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def split_html(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no part exceeds ``limit``.

    Tags are closed at the end of a part and reopened at the start of the next.
    """
    if telegram_length(html) <= limit:
        return [html]
    parts: list[str] = []
    current = ""
    for piece in re.split(r"(\n\n|\n| )", html):
        if telegram_length(current + piece) > limit and current:
            parts.append(current)
            current = ""
        while telegram_length(piece) > limit:  # one unbroken run longer than a message
            cut = _cut(piece, limit)
            parts.append(piece[:cut])
            piece = piece[cut:]
        current += piece
    if current.strip():
        parts.append(current)
    return [_balance(p) for p in _carry_tags(parts)]


_UNIT = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|.", re.DOTALL)


def _cut(run: str, limit: int) -> int:
    """Where to cut an unbroken run so that its head shows ``limit`` characters at most,
    never inside a tag or an entity (Telegram refuses a message with half of one)."""
    shown = 0
    for unit in _UNIT.finditer(run):
        shown += 0 if unit.group().startswith("<") else 1
        if shown > limit:
            return unit.start()
    return len(run)


def _open_tags(text: str) -> list[str]:
    stack: list[str] = []
    for match in _TAG.finditer(text):
        if match.group(1):
            if stack and stack[-1].startswith(f"<{match.group(2)}"):
                stack.pop()
        else:
            stack.append(match.group(0))
    return stack


def _carry_tags(parts: list[str]) -> list[str]:
    out: list[str] = []
    carried: list[str] = []
    for part in parts:
        text = "".join(carried) + part
        carried = _open_tags(text)
        out.append(text)
    return out


def _closing(tag: str) -> str:
    match = _TAG.match(tag)
    return f"</{match.group(2)}>" if match else ""


def _balance(text: str) -> str:
    closing = "".join(_closing(tag) for tag in reversed(_open_tags(text)))
    return text.strip() + closing


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(text=b.label, callback_data=b.data)
                for b in row
            ]
            for row in rows
        ]
    )


async def send_reply(bot: Bot, chat_id: int, reply: Reply, thread_id: int | None = None) -> list[int]:
    """Send one reply; the buttons go with the last part. Returns the message ids."""
    parts = split_html(reply.text)
    ids: list[int] = []
    for index, part in enumerate(parts):
        markup = keyboard(reply.buttons) if index == len(parts) - 1 else None
        message = await bot.send_message(
            chat_id,
            part,
            message_thread_id=thread_id,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        ids.append(message.message_id)
    return ids


async def edit_reply(bot: Bot, chat_id: int, reply: Reply) -> bool:
    """Put the reply in place of the message ``reply.edit`` (only its buttons when the reply
    has no text). False when that message cannot be edited (gone, too old, not text, or the
    reply needs more than one message): a reply with text is then sent as a new message."""
    assert reply.edit is not None
    markup = keyboard(reply.buttons)
    try:
        if not reply.text:
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=reply.edit, reply_markup=markup)
            return True
        parts = split_html(reply.text)
        if len(parts) > 1:
            return False
        await bot.edit_message_text(
            parts[0],
            chat_id=chat_id,
            message_id=reply.edit,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except TelegramBadRequest as exc:
        # Already as wanted (a press sent twice, a redelivered update): done. Anything else
        # (deleted, older than Telegram lets edit): a new message instead.
        if "message is not modified" in exc.message:
            return True
        log.info("message not edited (%s); sending it anew", exc.message)
        return False
    return True


class RepliesCutOff(Exception):
    """Telegram could not take the replies now (a server error, the network, a long flood
    wait): ``sent`` of them went out, the rest did not."""

    def __init__(self, sent: int) -> None:
        super().__init__(f"{sent} replies sent before Telegram failed")
        self.sent = sent


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply], patience: int = 3) -> bool:
    """Send all replies, waiting out long flood limits; False when the person has blocked the bot.

    Raises RepliesCutOff when Telegram fails on the way (the caller keeps the rest)."""
    for index, reply in enumerate(replies):
        for attempt in range(patience + 1):
            try:
                edited = reply.edit is not None and await edit_reply(bot, chat_id, reply)
                if not edited and reply.text:
                    await send_reply(bot, chat_id, reply)
                break
            except TelegramForbiddenError:
                log.info("chat %s blocked the bot", chat_id)
                return False
            except TelegramRetryAfter as exc:
                if attempt == patience:
                    raise RepliesCutOff(index) from exc
                await asyncio.sleep(exc.retry_after)
            except (TelegramServerError, TelegramNetworkError) as exc:
                raise RepliesCutOff(index) from exc
    return True
