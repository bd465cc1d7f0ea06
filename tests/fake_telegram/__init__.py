"""A faithful local fake of the Telegram Bot API for end-to-end, load and benchmark tests.

async with FakeTelegram(token="123456:TEST") as fake:
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.url)))
    amina = fake.add_user("Amina", language_code="ar")
    await fake.send_command(amina, "/start")
    reply = await fake.wait_for_message(amina, contains="Willkommen")
"""

from .errors import ApiError
from .fake import ChatRef, FakeTelegram, WaitTimeout
from .faults import FaultRule, FloodLimits, Stats
from .limits import EntityParseError, ParsedText, html_to_plain, parse_html
from .methods import Upload
from .state import (
    ApiCall,
    CallRecord,
    ChatMessage,
    SentMessage,
    SimChat,
    SimGroup,
    SimUser,
    StoredFile,
    Topic,
)

__all__ = [
    "ApiCall",
    "ApiError",
    "CallRecord",
    "ChatMessage",
    "ChatRef",
    "EntityParseError",
    "FakeTelegram",
    "FaultRule",
    "FloodLimits",
    "ParsedText",
    "SentMessage",
    "SimChat",
    "SimGroup",
    "SimUser",
    "Stats",
    "StoredFile",
    "Topic",
    "Upload",
    "WaitTimeout",
    "html_to_plain",
    "parse_html",
]
