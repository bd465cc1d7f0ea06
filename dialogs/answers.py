"""Free text: safety first (``dialogs.crisis``), then a typed answer to the menu shown
last, then the open case (relayed and acknowledged, ``dialogs.waiting``), then the
knowledge base, with honest uncertainty."""

from __future__ import annotations

from html import escape

from dialogs import browse, crisis, keyboards, questions, typed, waiting
from dialogs.advisor import relay_to_case
from dialogs.context import Turn
from dialogs.i18n import N_
from dialogs.menus import Menu
from dialogs.start import stale
from knowledge.understanding import clean

MEDIA_NAMES = {
    "voice": N_("voice messages"),
    "audio": N_("audio files"),
    "photo": N_("photos"),
    "document": N_("documents"),
    "video": N_("videos"),
    "video_note": N_("video messages"),
    "sticker": N_("stickers"),
}


async def free_text(turn: Turn, menu: Menu | None = None) -> None:
    """A typed message. ``menu``: the question the bot asked last (``dialogs.menus``)."""
    # The whole message, however long: the safety check must see its last sentence too.
    # Only the knowledge base's matching may read a shortened text (``_answer_question``).
    text = clean(turn.incoming.text)
    meaningful = any(ch.isalnum() for ch in text)
    if meaningful and await crisis.check(turn, text):
        return
    if menu is not None and meaningful:
        if await typed.answer(turn, menu, text):
            return
        typed.preselect(turn, menu, text)
    plea = crisis.plea(turn)
    relayed = await relay_to_case(turn)
    if relayed is not None:
        await waiting.acknowledge(turn, relayed, text if meaningful and not plea else "", _answer_question)
        return
    if crisis.pending(turn):
        crisis.remind_before_consent(turn)
        return
    if plea:
        await crisis.add_concern(turn)  # before a menu's question is asked again
    else:
        await _reply(turn, text, meaningful)
    if menu is not None:
        typed.ask_again(turn, menu)


async def _reply(turn: Turn, text: str, meaningful: bool) -> None:
    town = _named_town(turn, text) if meaningful else None
    if town is not None:
        turn.state["town"] = town
        # Which towns young people name, for the network's situation analysis (anonymous).
        await turn.storage.stats.count("town", town)
        if len(text.split()) <= 2:
            await browse.contacts(turn)
            return
    turn.out.slow = True
    # Emoji alone (🙏, 👋) are thanks and greetings; other text without letters gets a
    # request to write in words, from the same step.
    await _answer_question(turn, text)


def _named_town(turn: Turn, text: str) -> str | None:
    words = text.casefold()
    for town in turn.env.towns:
        if town.casefold() in words:
            return town
    return None


async def _answer_question(turn: Turn, text: str) -> None:
    """Understand the message and answer it (``dialogs.questions``)."""
    await questions.answer_message(turn, text)


async def rate(turn: Turn, arg: str) -> None:
    _ = turn._
    value, _sep, entry_id = arg.partition(":")
    entry = turn.knowledge.entry(entry_id)
    if entry is None:
        stale(turn)
        return
    helpful = value == "1"
    await turn.storage.feedback.rate(entry_id, turn.lang, helpful)
    # The answer keeps its text and loses its rating buttons, so it is rated once.
    turn.out.rebutton(turn.incoming.pressed_on, browse.answer_buttons(turn, entry_id, rated=False))
    turn.out.notice = _("Thank you for your feedback!")
    if helpful:
        return
    question = str(
        turn.state.get("last_question", "") or turn.knowledge.localise(entry, turn.lang).text.question
    )
    await turn.storage.feedback.unanswered(question, turn.lang, "unhelpful", entry_id)
    turn.out.add(
        escape(_("Sorry that did not help. Would you like to ask a person from our team?")),
        keyboards.advisor_offer(turn, "unhelpful"),
    )


async def media(turn: Turn) -> None:
    _ = turn._
    what = _(MEDIA_NAMES.get(turn.incoming.media, N_("documents")))
    text = _("I cannot read {what}, sorry. An advisor can look at it for you.").format(what=what)
    turn.state["pending_media"] = turn.incoming.message_id
    turn.out.add(escape(text), keyboards.advisor_offer(turn, "media"))
