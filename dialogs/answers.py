"""Free text: safety first, then the knowledge base, with honest uncertainty."""

from __future__ import annotations

from html import escape

from dialogs import browse, keyboards, questions
from dialogs.advisor import relay_to_case, request_advisor
from dialogs.context import Turn
from dialogs.i18n import N_
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


async def free_text(turn: Turn) -> None:
    # The whole message, however long: the safety check must see its last sentence too,
    # and the understanding step finds the question wherever it stands.
    text = clean(turn.incoming.text)
    meaningful = any(ch.isalnum() for ch in text)
    if meaningful and await crisis(turn, text):
        if turn.out.relay_case is not None and turn.incoming.message_id is not None:
            turn.out.relay_messages.append(turn.incoming.message_id)
        return
    if await relay_to_case(turn):
        return
    town = _named_town(turn, text) if meaningful else None
    if town is not None:
        turn.state["town"] = town
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
    if helpful:
        turn.out.notice = _("Thank you for your feedback!")
        turn.out.add(
            escape(_("Glad I could help. Anything else? Just write.")), (keyboards.back_to_menu(turn),)
        )
        return
    question = str(
        turn.state.get("last_question", "") or turn.knowledge.localise(entry, turn.lang).text.question
    )
    await turn.storage.feedback.unanswered(question, turn.lang, "unhelpful", entry_id)
    turn.out.notice = _("Thank you for your feedback!")
    turn.out.add(
        escape(_("Sorry that did not help. Would you like to ask a person from our team?")),
        keyboards.advisor_offer(turn, "unhelpful"),
    )


async def crisis(turn: Turn, text: str) -> bool:
    signal = turn.env.crisis.detect(text)
    if signal is None:
        return False
    _ = turn._
    await turn.storage.stats.count("crisis", signal.category.value)
    lines = [
        _("You are not alone. If you are in danger now, call for help:"),
        "• " + _("Emergency (ambulance, fire):") + " 112",
        "• " + _("Police:") + " 110",
        "• " + _("Nummer gegen Kummer, for young people, free and anonymous:") + " 116 111",
        "• " + _("TelefonSeelsorge, day and night, free:") + " 0800 111 0 111",
        "• " + _("Help for women facing violence, many languages, day and night:") + " 116 016",
        _("I am also telling our advisors right away."),
    ]
    turn.out.add("🆘 " + escape("\n".join(lines)))
    await request_advisor(turn, "urgent", question=text)
    return True


async def media(turn: Turn) -> None:
    _ = turn._
    what = _(MEDIA_NAMES.get(turn.incoming.media, N_("documents")))
    text = _("I cannot read {what}, sorry. An advisor can look at it for you.").format(what=what)
    turn.state["pending_media"] = turn.incoming.message_id
    turn.out.add(escape(text), keyboards.advisor_offer(turn, "media"))
