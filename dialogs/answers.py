"""Free text: safety first, then the knowledge base, with honest uncertainty."""

from __future__ import annotations

import unicodedata
from html import escape

from dialogs import browse, callbacks, keyboards, render
from dialogs.advisor import relay_to_case, request_advisor
from dialogs.context import Turn
from dialogs.i18n import LANGUAGE_NAMES, N_
from dialogs.replies import Button
from dialogs.start import stale
from knowledge.matcher import Decision

# Longer input is cut before matching: nobody asks a question in more than this.
MAX_QUESTION_CHARS = 1000
MEDIA_NAMES = {
    "voice": N_("voice messages"),
    "audio": N_("audio files"),
    "photo": N_("photos"),
    "document": N_("documents"),
    "video": N_("videos"),
    "video_note": N_("video messages"),
    "sticker": N_("stickers"),
}


def clean(text: str) -> str:
    """Drop control and format characters (zero-width, bidi overrides) and squeeze spaces."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n")
    return " ".join(kept.split())[:MAX_QUESTION_CHARS]


async def free_text(turn: Turn) -> None:
    _ = turn._
    text = clean(turn.incoming.text)
    meaningful = any(ch.isalnum() for ch in text)
    if meaningful and await crisis(turn, text):
        if turn.out.relay_case is not None and turn.incoming.message_id is not None:
            turn.out.relay_messages.append(turn.incoming.message_id)
        return
    if await relay_to_case(turn):
        return
    if not meaningful:
        turn.out.add(
            escape(_("I did not find a question in that. Please write it in words, or choose a topic.")),
            keyboards.main_menu(turn),
        )
        return
    town = _named_town(turn, text)
    if town is not None:
        turn.state["town"] = town
        if len(text.split()) <= 2:
            await browse.contacts(turn)
            return
    turn.out.slow = True
    await _answer_question(turn, text)


def _named_town(turn: Turn, text: str) -> str | None:
    words = text.casefold()
    for town in turn.env.towns:
        if town.casefold() in words:
            return town
    return None


async def _answer_question(turn: Turn, text: str) -> None:
    _ = turn._
    lang = turn.lang
    result = await turn.knowledge.search_async(text, lang)
    detected = result.detected_lang
    answer_lang = lang
    # Written in another language than the chosen one: answer in that language when we can,
    # and offer to switch (a lone German term like "Ausbildung" is not detected as German).
    if detected and detected != lang and detected in turn.knowledge.matcher.languages:
        other = await turn.knowledge.search_async(text, detected)
        if other.decision is Decision.ANSWER or (
            other.matches
            and (not result.matches or other.matches[0].confidence > result.matches[0].confidence)
        ):
            result, answer_lang = other, detected
    await turn.storage.stats.count("question", result.decision.value)
    turn.state["last_question"] = text
    if result.decision is Decision.ANSWER:
        best = result.matches[0]
        if answer_lang != lang:
            turn.state["lang"] = answer_lang
        await browse.answer(turn, best.id)
        if answer_lang != lang:
            turn.state["lang"] = lang
            switch = turn.env.catalogs.translate(answer_lang, N_("Switch the language to:"))
            turn.out.add(
                escape(switch) + " " + escape(LANGUAGE_NAMES[answer_lang]) + "?",
                ((Button(LANGUAGE_NAMES[answer_lang], callbacks.make("sw", answer_lang)),),),
            )
        return
    if result.decision is Decision.SUGGEST:
        rows: list[tuple[Button, ...]] = []
        for match in result.matches[:3]:
            entry = turn.knowledge.entry(match.id)
            if entry is None:
                continue
            local = turn.knowledge.localise(entry, lang)
            rows.append((Button(render.label(local.text.question), callbacks.make("a", entry.id)),))
        rows.append((keyboards.button(turn, N_("None of these: talk to an advisor"), "adv", "no_match"),))
        turn.out.add(escape(_("I am not sure I understood. Did you mean:")), tuple(rows))
        return
    await turn.storage.feedback.unanswered(text, lang, "no_match", None)
    turn.out.add(
        escape(
            _(
                "Sorry, I do not know the answer to that. A person from our team can help you. "
                "You can also choose a topic in the menu."
            )
        ),
        keyboards.advisor_offer(turn, "no_match"),
    )


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
