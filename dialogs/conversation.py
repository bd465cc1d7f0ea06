"""One entry point: an incoming event becomes replies with buttons.

The same function serves Telegram, the console chat, the tests and the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from html import escape
from typing import Any

from dialogs import (
    answers,
    browse,
    callbacks,
    crisis,
    interests,
    keyboards,
    menus,
    offers,
    privacy,
    questions,
    start,
    status,
    waiting,
)
from dialogs.advisor import rate_case, relay_to_case, request_advisor
from dialogs.context import Environment, Turn
from dialogs.ports import Storage
from dialogs.render import finish
from dialogs.replies import Incoming, Kind, Outcome
from knowledge.understanding import clean

log = logging.getLogger(__name__)


async def handle(
    incoming: Incoming,
    env: Environment,
    storage: Storage,
    state: dict[str, Any],
    now: dt.datetime | None = None,
) -> Outcome:
    """Run one turn. ``state`` is changed in place; the caller saves it afterwards."""
    user = await storage.users.get(incoming.chat_id)
    turn = Turn(incoming, env, storage, user, state, now or dt.datetime.now(dt.UTC))
    crisis.forget_stale(turn)
    menu = menus.take(turn)  # the question asked last; a typed message may answer it
    if incoming.kind is Kind.COMMAND:
        await _command(turn)
    elif incoming.kind is Kind.BUTTON:
        await _button(turn)
    elif incoming.kind is Kind.MEDIA:
        await _media(turn)
    else:
        await answers.free_text(turn, menu)
    await crisis.add_concern(turn)
    lang = turn.lang
    turn.out.replies = [replace(r, text=finish(r.text, lang)) if r.text else r for r in turn.out.replies]
    return turn.out


async def _media(turn: Turn) -> None:
    caption = clean(turn.incoming.text)
    if any(ch.isalnum() for ch in caption) and await crisis.check(turn, caption):
        return
    relayed = await relay_to_case(turn)
    if relayed is not None:
        await waiting.acknowledge(turn, relayed)
    else:
        await answers.media(turn)


async def _command(turn: Turn) -> None:
    command = turn.incoming.command
    if command == "start":
        await start.start(turn)
    elif command == "help":
        start.help_text(turn)
    elif command == "language":
        start.language_menu(turn)
    elif command == "privacy":
        await privacy.show(turn)
    elif command in ("cancel", "menu"):
        for key in ("after_consent", "pending_media", "last_question"):
            turn.state.pop(key, None)
        start.main_menu(turn)
    elif command in ("advisor", "berater"):
        await request_advisor(turn, "menu")
    elif command == "status":
        await status.show(turn)
    elif command == "interests":
        await interests.open_check(turn)
    elif command == "offers":
        await offers.start(turn)
    else:
        _ = turn._
        turn.out.add(escape(_("I do not know this command. Here is the menu.")), keyboards.main_menu(turn))


async def _button(turn: Turn) -> None:
    action = callbacks.parse(turn.incoming.data)
    if action is None:
        log.info("refused button data of %d bytes", len(turn.incoming.data.encode("utf-8", "replace")))
        start.stale(turn)
        return
    name, arg = action.name, action.arg
    if name == "lang" or name == "sw":
        await start.choose_language(turn, arg)
    elif name == "consent":
        await start.consent(turn, arg)
    elif name == "menu":
        start.main_menu(turn, pressed_on=turn.incoming.pressed_on if arg == "l" else None)
    elif name == "topic":
        topic, _sep, where = arg.partition(":")
        await browse.topic(turn, topic, turn.incoming.pressed_on if where == "m" else None)
    elif name == "a":
        await browse.answer(turn, arg)
    elif name == "rate":
        await answers.rate(turn, arg)
    elif name == "adv" and arg == questions.NONE_OF_THESE:
        await questions.none_of_these(turn)
    elif name == "adv":
        await request_advisor(turn, arg or "menu")
    elif name == "ask":
        _ = turn._
        turn.out.add(escape(_("Write your question in your own words, in any language.")))
    elif name == "ct":
        await browse.contacts(turn, arg)
    elif name == "ev":
        await browse.events(turn)
    elif name == "of":
        await offers.button(turn, arg)
    elif name in ("sub", "uns"):
        await browse.subscription(turn, arg, follow=name == "sub")
    elif name == "priv":
        await _privacy_button(turn, arg)
    elif name == "cr":
        await rate_case(turn, arg)
    elif name == "st":
        await status.close(turn, arg)
    elif name in ("ic", "ick", "ica", "icf", "ico"):
        await interests.button(turn, name, arg)
    else:
        start.stale(turn)


async def _privacy_button(turn: Turn, arg: str) -> None:
    if arg == "show":
        await privacy.show(turn)
    elif arg == "delete":
        privacy.ask_delete(turn)
    elif arg == "yes":
        await privacy.delete(turn)
    elif arg in ("share", "unshare"):
        await privacy.share_name(turn, arg == "share")
    else:
        start.main_menu(turn)
