"""Acting as people on the local Bot API server: press buttons by part of their label."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Advisor
from tests.fake_telegram import FakeTelegram, SentMessage, SimChat, SimUser
from tests.fake_telegram.state import private_chat_json


def label_with(message: SentMessage, part: str) -> str:
    for label in message.button_texts:
        if part in label:
            return str(label)
    raise AssertionError(f"no button containing {part!r}: {message.button_texts}")


async def press(fake: FakeTelegram, user: SimUser, message: SentMessage, part: str) -> None:
    await fake.press(user, message, label_with(message, part))


async def onboard(fake: FakeTelegram, user: SimUser, language: str) -> SentMessage:
    """/start, choose the language, agree to the privacy notice; returns the main menu."""
    await fake.send_command(user, "/start")
    choose = await fake.wait_for_message(user, timeout=30)
    await press(fake, user, choose, language)
    notice = await fake.wait_for_message(user, contains="🔒", timeout=30)
    await press(fake, user, notice, "✅")
    return await fake.wait_for_message(user, timeout=30)


async def rows(database_url: str, model: type[Any]) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            return list((await session.scalars(select(model))).all())
    finally:
        await engine.dispose()


async def open_case(fake: FakeTelegram, person: SimUser, language: str, group: SimChat) -> SentMessage:
    """Onboard, ask for an advisor with /advisor; returns the case card in the advisors' group."""
    await onboard(fake, person, language)
    await fake.send_command(person, "/advisor")
    return await fake.wait_for_message(group, contains="#", timeout=30)


def start_update(user: SimUser, update_id: int) -> dict[str, Any]:
    """``/start`` from ``user`` as Telegram delivers it, for a dispatcher or webhook fed directly."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1795789264,
            "text": "/start",
            "chat": private_chat_json(user),
            "from": user.to_json(),
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def text_update(user: SimUser, update_id: int, text: str) -> dict[str, Any]:
    """A plain text message from ``user``, for a dispatcher fed directly."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1795789264,
            "text": text,
            "chat": private_chat_json(user),
            "from": user.to_json(),
        },
    }


async def add_advisor(app: App, person: SimUser, languages: str) -> None:
    """``person`` is a configured advisor (a row in ``advisors``, as ``wegweiser advisors add`` writes)."""
    async with app.sessions.begin() as session:
        session.add(Advisor(telegram_id=person.id, display_name=person.first_name, languages=languages))
