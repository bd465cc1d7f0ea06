"""First contact: /start with its campaign, the language choice and the privacy notice."""

from __future__ import annotations

import re
from html import escape

from dialogs import callbacks, crisis, keyboards, menus
from dialogs.advisor import request_advisor
from dialogs.context import Turn
from dialogs.i18n import LANGUAGE_NAMES, N_
from dialogs.replies import Button
from knowledge.model import LANGUAGES

# Start links on posters and in school talks: t.me/<bot>?start=<campaign>.
_CAMPAIGN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def preselected(turn: Turn) -> str:
    code = (turn.incoming.language_code or "").split("-")[0].lower()
    return code if code in LANGUAGES else turn.env.default_language


async def start(turn: Turn) -> None:
    payload = turn.incoming.payload
    if payload:
        # Counted per campaign and day, nothing about who came.
        key = payload if _CAMPAIGN.match(payload) else "invalid"
        await turn.storage.stats.count("campaign", key)
    await turn.storage.stats.count("start", "start")
    if turn.user is None:
        turn.state.setdefault("lang", preselected(turn))
        language_menu(turn, first=True)
        return
    welcome_back(turn)


def language_menu(turn: Turn, first: bool = False) -> None:
    _ = turn._
    current = turn.lang if not first else str(turn.state.get("lang") or preselected(turn))
    rows: list[tuple[Button, ...]] = []
    pair: list[Button] = []
    for code in LANGUAGES:
        mark = "✓ " if code == current else ""
        pair.append(Button(mark + LANGUAGE_NAMES[code], callbacks.make("lang", code)))
        if len(pair) == 2:
            rows.append(tuple(pair))
            pair = []
    # The prompt in the preselected language and in English, so everyone finds theirs.
    prompt = turn.env.catalogs.translate(current, N_("Please choose your language."))
    english = turn.env.catalogs.translate("en", N_("Please choose your language."))
    text = prompt if prompt == english else f"{prompt}\n{english}"
    turn.out.add("🌍 " + escape(text), tuple(rows))
    menus.expect(turn, "language")


async def choose_language(turn: Turn, code: str) -> None:
    if code not in LANGUAGES:
        stale(turn)
        return
    turn.state["lang"] = code
    await turn.storage.stats.count("language", code)
    if turn.user is not None:
        await turn.storage.users.set_language(turn.user.id, code)
        turn.user = await turn.storage.users.get(turn.user.external_id)
        main_menu(turn, greeting=True)
        return
    privacy_notice(turn)


def privacy_notice(turn: Turn) -> None:
    _ = turn._
    text = _(
        "Before we start: to answer you, Wegweiser stores only a pseudonym, your language and, "
        "when you ask for an advisor, your case. We never show your name to anyone without your "
        "consent. Message texts are deleted when your case is closed and a short time has passed. "
        "You can see and delete your data at any time with /privacy.\n\n"
        "If you are under 16, please ask a parent or guardian before you agree. You can also read "
        "all information without agreeing."
    )
    turn.out.add("🔒 " + escape(text), keyboards.consent_rows(turn))
    menus.expect(turn, "privacy")


def privacy_reminder(turn: Turn) -> None:
    """The notice's two buttons again, after a reply to something else written there."""
    _ = turn._
    text = _("Please answer the privacy notice: tap “I agree” or “Continue without saving”.")
    turn.out.add("🔒 " + escape(text), keyboards.consent_rows(turn))
    menus.expect(turn, "privacy")


async def consent(turn: Turn, answer: str) -> None:
    """The answer to the privacy notice or a consent question, pressed or typed. What
    waited for consent follows: an urgent case after a crisis, or an advisor request."""
    waiting = turn.state.pop("after_consent", None)
    # An interest check's result the person wanted an advisor to see (``dialogs.interests``).
    result = turn.state.pop("ic_pending", None)
    if answer == "yes" and turn.user is None:
        turn.user = await turn.storage.users.create(turn.incoming.chat_id, turn.lang)
        await turn.storage.stats.count("consent", "yes")
    elif answer == "no":
        await turn.storage.stats.count("consent", "no")
        turn.state["declined"] = True
    urgent = waiting == "urgent" or crisis.pending(turn)
    if urgent and turn.user is not None and answer == "yes":
        await crisis.after_consent(turn)
        return
    if urgent:
        crisis.declined(turn)
    elif waiting and turn.user is not None and answer == "yes":
        await request_advisor(
            turn, str(waiting), interest_result=result if isinstance(result, dict) else None
        )
        return
    main_menu(turn, greeting=True)


def welcome_back(turn: Turn) -> None:
    main_menu(turn, greeting=True)


def main_menu(turn: Turn, greeting: bool = False, pressed_on: int | None = None) -> None:
    """The greeting with the menu, or the menu alone: that one in its own message, which
    the menu's next step replaces, and which replaces the topic list it was chosen on
    (``pressed_on``)."""
    _ = turn._
    text = (
        _(
            "Hello! I am Wegweiser. I help you on your way into training and work in the district "
            "Sächsische Schweiz-Osterzgebirge. Choose a topic or just write your question."
        )
        if greeting
        else _("Main menu: choose a topic or write your question.")
    )
    if greeting:
        turn.out.add(escape(text), keyboards.main_menu(turn))
    else:
        turn.out.replace(pressed_on, escape(text), keyboards.main_menu(turn, in_place=True))


def help_text(turn: Turn) -> None:
    _ = turn._
    text = _(
        "How I can help:\n"
        "• Write your question in your own words, in any of my languages.\n"
        "• Or choose a topic in the menu.\n"
        "• /language changes the language.\n"
        "• /privacy shows what I store and deletes it.\n"
        "• /cancel stops what you are doing and goes back to the menu.\n"
        "If I cannot help, I connect you with a person from our team."
    )
    status = _("• /status shows your conversation with our team and lets you close it.")
    turn.out.add(escape(text + "\n" + status), keyboards.main_menu(turn))


def stale(turn: Turn) -> None:
    _ = turn._
    turn.out.notice = _("This button is no longer valid.")
    turn.out.add(escape(_("This button is out of date. Here is the menu again.")), keyboards.main_menu(turn))
