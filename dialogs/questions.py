"""A free-text message after the safety check: understood (``knowledge.understanding``),
then answered as what it is: a greeting, thanks, a wish for a person, a question the
knowledge base answers, two questions, a vague one ("did you mean"), or one it cannot
answer (an honest "I don't know" with the advisor offer).

Yes and no are read in context: after an advisor offer "yes" asks for the advisor, after
the offer to switch languages "yes" switches.
"""

from __future__ import annotations

from html import escape

from dialogs import browse, callbacks, keyboards, reading, render, start
from dialogs.advisor import request_advisor
from dialogs.context import Turn
from dialogs.i18n import LANGUAGE_NAMES, N_
from dialogs.replies import Button
from knowledge.intents import Intent
from knowledge.understanding import Kind, Understanding

# What a typed "yes"/"no" answers: set when the bot offers something.
OFFER = "offer"
OFFER_ADVISOR = "advisor"
OFFER_SWITCH = "switch"
NONE_OF_THESE = "none_of_these"


async def answer_message(turn: Turn, text: str) -> None:
    u = await reading.understand(turn, text)
    offer = turn.state.pop(OFFER, None)
    if u.kind is Kind.INTENT:
        await _intent(turn, u, offer)
        return
    if u.kind is Kind.EMPTY:
        _ = turn._
        turn.out.add(
            escape(_("I did not find a question in that. Please write it in words, or choose a topic.")),
            keyboards.main_menu(turn),
        )
        return
    assert u.result is not None
    await turn.storage.stats.count("question", "answer" if u.kind is Kind.TWO else u.kind.value)
    turn.state["last_question"] = u.question or text
    if u.kind in (Kind.ANSWER, Kind.TWO):
        await _answer(turn, u)
    elif u.kind is Kind.SUGGEST:
        _suggest(turn, u)
    else:
        await _dont_know(turn, u, text)


async def _answer(turn: Turn, u: Understanding) -> None:
    assert u.top is not None
    lang = turn.lang
    answer_lang = u.lang or lang
    if answer_lang != lang:
        turn.state["lang"] = answer_lang
    await browse.answer(turn, u.top.id)
    if u.kind is Kind.TWO and u.second is not None:
        entry = turn.knowledge.entry(u.second.id)
        if entry is not None:
            _ = turn._
            local = turn.knowledge.localise(entry, turn.lang)
            turn.out.add(
                escape(_("You also asked about this. Tap to read it:")),
                ((Button(render.label(local.text.question), callbacks.make("a", entry.id)),),),
            )
    if answer_lang != lang:
        turn.state["lang"] = lang
        switch = turn.env.catalogs.translate(answer_lang, N_("Switch the language to:"))
        turn.out.add(
            escape(switch) + " " + escape(LANGUAGE_NAMES[answer_lang]) + "?",
            ((Button(LANGUAGE_NAMES[answer_lang], callbacks.make("sw", answer_lang)),),),
        )
        turn.state[OFFER] = f"{OFFER_SWITCH}:{answer_lang}"


def _suggest(turn: Turn, u: Understanding) -> None:
    assert u.result is not None
    _ = turn._
    rows: list[tuple[Button, ...]] = []
    for match in u.result.matches[:3]:
        entry = turn.knowledge.entry(match.id)
        if entry is None:
            continue
        local = turn.knowledge.localise(entry, turn.lang)
        rows.append((Button(render.label(local.text.question), callbacks.make("a", entry.id)),))
    rows.append((keyboards.button(turn, N_("None of these: talk to an advisor"), "adv", NONE_OF_THESE),))
    turn.out.add(escape(_("I am not sure I understood. Did you mean:")), tuple(rows))
    turn.state["last_written_in"] = u.detected


async def none_of_these(turn: Turn) -> None:
    """The person saw "did you mean" and nothing fitted: the question is recorded for
    the editors (as unanswered, reason none_of_these), then the advisor is offered.
    Counted beside the question outcomes, for the network's statistics."""
    await turn.storage.stats.count("question", NONE_OF_THESE)
    question = str(turn.state.get("last_question") or "")
    if question:
        written_in = turn.state.pop("last_written_in", None)
        await turn.storage.feedback.unanswered(
            question, turn.lang, NONE_OF_THESE, None, str(written_in) if written_in else None
        )
    await request_advisor(turn, "no_match")


async def _dont_know(turn: Turn, u: Understanding, text: str) -> None:
    _ = turn._
    await turn.storage.feedback.unanswered(u.question or text, turn.lang, "no_match", None, u.detected)
    turn.out.add(
        escape(
            _(
                "Sorry, I do not know the answer to that. A person from our team can help you. "
                "You can also choose a topic in the menu."
            )
        ),
        keyboards.advisor_offer(turn, "no_match"),
    )
    turn.state[OFFER] = OFFER_ADVISOR


async def _intent(turn: Turn, u: Understanding, offer: object) -> None:
    assert u.intent is not None
    _ = turn._
    intent = u.intent.intent
    await turn.storage.stats.count("intent", intent.name.lower())
    if intent in (Intent.YES, Intent.NO) and isinstance(offer, str):
        await _reply_to_offer(turn, offer, intent is Intent.YES)
        return
    if intent is Intent.GREETING:
        start.main_menu(turn, greeting=True)
    elif intent is Intent.THANKS:
        turn.out.add(
            escape(_("You are welcome! Write any time if you have another question.")),
            (keyboards.back_to_menu(turn),),
        )
    elif intent is Intent.GOODBYE:
        turn.out.add(escape(_("Goodbye and good luck! You can write to me any time.")))
    elif intent is Intent.ADVISOR:
        turn.out.add(
            escape(_("Would you like to talk to a person from our team? Tap the button.")),
            keyboards.advisor_offer(turn, "menu"),
        )
        turn.state[OFFER] = OFFER_ADVISOR
    elif intent is Intent.CONFUSED:
        turn.out.add(
            escape(
                _(
                    "Sorry, that was not clear. Write your question in your own words, "
                    "choose a topic, or ask for a person from our team."
                )
            ),
            keyboards.advisor_offer(turn, "menu"),
        )
        turn.state[OFFER] = OFFER_ADVISOR
    elif intent is Intent.NUMBER:
        turn.out.add(
            escape(_("A number alone is not a question for me. Choose a topic, or write your question.")),
            keyboards.main_menu(turn),
        )
    else:  # yes or no with nothing to answer
        _anything_else(turn)


async def _reply_to_offer(turn: Turn, offer: str, yes: bool) -> None:
    _ = turn._
    name, _sep, arg = offer.partition(":")
    if not yes:
        _anything_else(turn)
    elif name == OFFER_ADVISOR:
        await request_advisor(turn, "menu")
    elif name == OFFER_SWITCH and arg:
        await start.choose_language(turn, arg)
    else:
        start.main_menu(turn)


def _anything_else(turn: Turn) -> None:
    _ = turn._
    turn.out.add(
        escape(_("Okay. What would you like to know? Write it, or choose a topic.")),
        keyboards.main_menu(turn),
    )
