"""Typed answers to the bot's menus, and the menu again when the person wrote something else.

At the language menu a language named in any script picks it ("عربي", "arapça", "по-русски"),
and before anything is picked a message clearly written in one of the languages ("مرحبا",
"wie finde ich ein Praktikum") makes that one the preselected language;
at the privacy notice and the consent question "ok", "ja", "yes", "да", "نعم", "تمام",
"evet", "ano" (every yes and no the intents know, typos included) answer it. Anything
else is answered as usual, and then the menu's buttons are shown again, so they stay at
hand (``dialogs.menus`` remembers which menu was shown last).
"""

from __future__ import annotations

from dialogs import crisis, offers, start
from dialogs.advisor import ask_consent
from dialogs.context import Turn
from dialogs.language_names import typed_language
from dialogs.menus import Menu
from dialogs.reading import intents
from knowledge.intents import Intent
from knowledge.language import detect_language
from knowledge.model import SCRIPT_OF_LANGUAGE
from knowledge.safety_text import script_of


async def answer(turn: Turn, menu: Menu, text: str) -> bool:
    """True when ``text`` answered the menu (and the answer was carried out)."""
    if menu == "town":
        return await offers.typed_town(turn, text)
    if menu in ("language", "privacy"):
        # At the privacy notice a language name switches the notice to that language.
        code = typed_language(text)
        if code is not None:
            await start.choose_language(turn, code)
            return True
    if menu in ("privacy", "consent"):
        said = intents().detect(text)
        if said is not None and said.intent in (Intent.YES, Intent.NO):
            await start.consent(turn, "yes" if said.intent is Intent.YES else "no")
            return True
    return False


def preselect(turn: Turn, menu: Menu, text: str) -> None:
    """Nobody has picked a language yet and the message is clearly in one of ours: the
    reply and the language menu shown after it come in that language, marked ✓, instead of
    the Telegram app's language. A greeting counts only when its word belongs to one
    language ("سلام" is Arabic and Persian alike). Once a message in Arabic, Persian,
    Russian or Ukrainian script chose the language, later messages in Latin letters keep it:
    they mix in German terms or are romanised ("ana 3ayez a3mel ausbildung")."""
    if menu != "language" or turn.user is not None:
        return
    said = intents().detect(text)
    written = said.lang if said is not None else detect_language(text)
    if written is None or written == turn.state.get("lang"):
        return
    if turn.state.get(_TYPED) and _latin(text) and not _latin_language(str(turn.state.get("lang"))):
        # A message already chose Arabic, Persian, Russian or Ukrainian: Latin letters
        # ("praktikum pls", "ok") are German terms or romanised text, not a new choice.
        return
    turn.state["lang"] = written
    turn.state[_TYPED] = True


# State key: the preselected language comes from what the person wrote, not from the app.
_TYPED = "lang_typed"


def _latin(text: str) -> bool:
    return all(script_of(ch) == "latin" for ch in text if ch.isalpha())


def _latin_language(code: str) -> bool:
    return SCRIPT_OF_LANGUAGE.get(code, "latin") == "latin"


def ask_again(turn: Turn, menu: Menu) -> None:
    """The menu's buttons once more, after the reply to what was written instead."""
    if menu == "language":
        start.language_menu(turn, first=turn.user is None)
    elif menu == "town":
        offers.ask_town(turn, unknown=True)
    elif menu == "privacy":
        if turn.user is None:
            start.privacy_reminder(turn)
    elif turn.user is None:
        if turn.state.get("after_consent") == "urgent":
            crisis.ask_consent(turn)
        elif turn.state.get("after_consent"):
            ask_consent(turn)
