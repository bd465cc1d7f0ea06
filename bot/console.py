"""The interactive console chat: the same conversations as on Telegram, buttons as numbers."""

from __future__ import annotations

import asyncio
import html
import locale
import re
from collections.abc import Callable

from bot.app import App
from dialogs.replies import Button, Incoming, Kind, Outcome

CONSOLE_CHAT_ID = 1
STATE_KEY = f"console:{CONSOLE_CHAT_ID}:{CONSOLE_CHAT_ID}"
_TAG = re.compile(r"<[^>]+>")
_BIDI = re.compile("[\u2066-\u2069\u200e\u200f]")


def plain(text: str) -> str:
    """What a person sees of our HTML: tags dropped, entities and bidi marks resolved."""
    return _BIDI.sub("", html.unescape(_TAG.sub("", text)))


def render(outcome: Outcome) -> tuple[str, list[Button]]:
    lines: list[str] = []
    choices: list[Button] = []
    if outcome.notice:
        lines.append(f"({outcome.notice})")
    for reply in outcome.replies:
        lines.append(plain(reply.text))
        for row in reply.buttons:
            for button in row:
                choices.append(button)
                lines.append(f"  [{len(choices)}] {button.label}")
        lines.append("")
    return "\n".join(lines), choices


def system_language() -> str | None:
    code = (locale.getlocale()[0] or "").split("_")[0]
    return code or None


async def chat(
    app: App,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    language = system_language()
    write("Wegweiser console chat. Type your question, a number to press a button, /help, or /quit.\n")
    outcome = await app.turn(Incoming.message(CONSOLE_CHAT_ID, "/start", language), STATE_KEY)
    text, choices = render(outcome)
    write(text)
    while True:
        try:
            line = await asyncio.to_thread(read, "> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        line = line.strip()
        if line in ("/quit", "/exit"):
            return
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(choices):
            button = choices[int(line) - 1]
            incoming = Incoming(CONSOLE_CHAT_ID, Kind.BUTTON, data=button.data, language_code=language)
        else:
            incoming = Incoming.message(CONSOLE_CHAT_ID, line, language)
        outcome = await app.turn(incoming, STATE_KEY)
        text, new_choices = render(outcome)
        if new_choices or outcome.replies:
            choices = new_choices
        write(text)
