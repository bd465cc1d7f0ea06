"""Safety first: the crisis reply comes before anything else, also before consent.

A message the safety check flags gets, at once and in the person's language: 112 and 110
for danger now, the national lines with their hours and whether they are open now, the
languages each line speaks, the lines that speak the person's language where one exists
(``dialogs.helplines``, facts from ``content/crisis_lines.yaml``), and an honest sentence
about when an advisor will read the message: now, or when the office opens ("Mon, 7 Dec,
09:00"). The urgent case is opened and announced to the advisors at once either way
(``bot.handoff.service`` posts urgent cases outside office hours too).

Before consent (decision for issue 10): the crisis reply still comes first, with every
number and the honest sentence, but no case is opened and nothing reaches the advisors
until the person agrees. Opening a case stores the message with a pseudonym and shows it
to staff; that needs consent like every other case, and the lines above help at once
without it. So the crisis reply says plainly that the advisors can read the message only
if the person agrees, and the consent question follows it. Until the person answers,
the message (and the ids of any messages after it) is kept in this conversation's state
only, so nothing is lost: agreeing opens the urgent case with it; "Continue without
saving" drops it, and so does the next turn after ``KEEP_PENDING``.

For ``FOLLOW_UP`` after a crisis, every further message gets an answer that the advisors
have it (or are waiting for the person's consent) together with the numbers again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from html import escape
from typing import Any

from dialogs import callbacks, helplines, keyboards, menus, reading, render
from dialogs.advisor import request_advisor
from dialogs.context import Turn

CRISIS_AT = "crisis_at"  # when the last crisis message came (ISO time)
CRISIS_LANG = "crisis_lang"  # the language it was written in, when recognised
PENDING = "pending_urgent"  # before consent: {"text", "messages", "at"}
FOLLOW_UP = dt.timedelta(hours=12)
KEEP_PENDING = dt.timedelta(hours=24)
MAX_PENDING_MESSAGES = 20
MAX_PENDING_CHARS = 4000
CONCERN = "concern_now"  # set and removed within one turn
PLEA = "plea_now"  # the same, when the message is a cry for help alone ("save me")


def _since(turn: Turn, key: str) -> dt.timedelta | None:
    value = turn.state.get(key)
    if isinstance(value, dict):
        value = value.get("at")
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return turn.now - moment


def forget_stale(turn: Turn) -> None:
    """Drop a held message after ``KEEP_PENDING`` and the crisis mark after ``FOLLOW_UP``."""
    held = _since(turn, PENDING)
    if PENDING in turn.state and (held is None or held > KEEP_PENDING):
        turn.state.pop(PENDING, None)
        if turn.state.get("after_consent") == "urgent":
            turn.state.pop("after_consent", None)
    since = _since(turn, CRISIS_AT)
    if CRISIS_AT in turn.state and (since is None or since > FOLLOW_UP):
        turn.state.pop(CRISIS_AT, None)
        turn.state.pop(CRISIS_LANG, None)


def recent(turn: Turn) -> bool:
    since = _since(turn, CRISIS_AT)
    return since is not None and since <= FOLLOW_UP


def pending(turn: Turn) -> bool:
    return isinstance(turn.state.get(PENDING), dict)


def languages(turn: Turn) -> tuple[str, ...]:
    written = turn.state.get(CRISIS_LANG)
    return helplines.person_languages(turn, str(written) if written else None)


def timing(turn: Turn) -> str:
    """When an advisor will read it: now, or when the office opens."""
    _ = turn._
    opening = turn.env.office.next_opening(turn.now)
    if opening is None:
        return _("I cannot say when our advisors will read it, so please call one of the numbers above.")
    if opening <= turn.now:
        return _("Our advisors are at work now and will read it soon.")
    return _(
        "Our advisors are not at work right now; they will read it from {when}. "
        "Until then, please call one of the numbers above."
    ).format(when=render.format_moment(opening, turn))


def _passed_on(turn: Turn) -> str:
    return turn._("I have passed your message to our advisors as urgent.") + " " + timing(turn)


async def check(turn: Turn, text: str) -> bool:
    """Answer a crisis message; False when the safety check found none. A concern (close to
    a crisis, not sure enough for an alarm) is noted for ``add_concern`` at the end of the
    turn: the message is answered as usual, then where to get help follows."""
    # Off the event loop, on the knowledge base's search thread: reading a long message
    # takes the meaning model hundreds of milliseconds, and other people's turns go on.
    signal = await reading.screen(turn, text)
    if signal is None:
        return False
    if signal.concern:
        turn.state[CONCERN] = signal.category.value
        if signal.layer == "pattern":
            turn.state[PLEA] = True
        return False
    _ = turn._
    await turn.storage.stats.count("crisis", signal.category.value)
    turn.state[CRISIS_AT] = turn.now.isoformat()
    if signal.language:
        turn.state[CRISIS_LANG] = signal.language
    numbers = helplines.full_text(turn, languages(turn))
    if turn.user is None:
        _hold(turn, text)
        before = _(
            "Our advisors can only read your message if you agree below. "
            "Then I pass it on to them as urgent at once."
        )
        turn.out.add("🆘 " + numbers + "\n\n" + escape(before + " " + timing(turn)))
        ask_consent(turn)
        return True
    await request_advisor(turn, "urgent", question=text)
    if turn.out.relay_case is not None and turn.incoming.message_id is not None:
        turn.out.relay_messages.append(turn.incoming.message_id)
    turn.out.add("🆘 " + numbers + "\n\n" + escape(_passed_on(turn)))
    return True


def _hold(turn: Turn, text: str) -> None:
    """Keep the message until the person answers the consent question."""
    if not pending(turn):
        turn.state[PENDING] = {"text": text[:MAX_PENDING_CHARS], "messages": [], "at": turn.now.isoformat()}
    _remember_message(turn)


def _remember_message(turn: Turn) -> None:
    # A new dict, not a change inside the old one: the stored state compares by value.
    held: dict[str, Any] = turn.state[PENDING]
    ids = [i for i in held.get("messages", []) if isinstance(i, int)]
    if turn.incoming.message_id is not None and len(ids) < MAX_PENDING_MESSAGES:
        ids.append(turn.incoming.message_id)
    turn.state[PENDING] = {**held, "messages": ids}


def ask_consent(turn: Turn) -> None:
    _ = turn._
    turn.state["after_consent"] = "urgent"
    menus.expect(turn, "consent")
    turn.out.add(
        "🔒 "
        + escape(
            _(
                "To pass your question to an advisor, I need to store it together with a pseudonym. "
                "Do you agree? You can delete it at any time with /privacy."
            )
        ),
        keyboards.consent_rows(turn),
    )


def remind_before_consent(turn: Turn) -> None:
    """A message after a crisis, before consent: never silence, and nothing is lost."""
    _ = turn._
    _remember_message(turn)
    turn.state["after_consent"] = "urgent"
    menus.expect(turn, "consent")
    reminder = _("Your message is not with our advisors yet. Tap “I agree” if you want them to read it.")
    turn.out.add(
        helplines.short_text(turn, languages(turn)) + "\n\n" + escape(reminder),
        keyboards.consent_rows(turn),
    )


async def after_consent(turn: Turn) -> None:
    """The person agreed: open the urgent case with the message held for it."""
    held = turn.state.pop(PENDING, None)
    text = str(held.get("text") or "") if isinstance(held, dict) else ""
    await request_advisor(turn, "urgent", question=text)
    if isinstance(held, dict) and turn.out.relay_case is not None:
        turn.out.relay_messages.extend(int(i) for i in held.get("messages", []) if isinstance(i, int))
    turn.out.add(
        "✅ " + escape(_passed_on(turn)) + "\n\n" + helplines.short_text(turn, languages(turn)),
        (keyboards.back_to_menu(turn),),
    )


def declined(turn: Turn) -> None:
    """The person chose not to store anything: the held message is dropped."""
    _ = turn._
    turn.state.pop(PENDING, None)
    turn.out.add(
        escape(
            _(
                "Okay. Nothing is stored, and our advisors do not get your message. "
                "The numbers above help you day and night."
            )
        )
    )


def follow_up_text(turn: Turn) -> str:
    """The numbers again, for messages in the hours after a crisis (HTML)."""
    return helplines.short_text(turn, languages(turn))


async def add_concern(turn: Turn) -> None:
    """After the usual answer to a message the safety check was unsure about: where to get
    help, and a person from our team, without an urgent case or any alarm."""
    category = turn.state.pop(CONCERN, None)
    turn.state.pop(PLEA, None)
    if category is None or PENDING in turn.state:
        return
    _ = turn._
    await turn.storage.stats.count("crisis_concern", str(category))
    head = escape(
        _("If something is weighing on you or you do not feel safe, you can talk to someone, also now:")
    )
    offer = keyboards.advisor_offer(turn, "concern")
    _without_earlier_offer(turn, offer)
    turn.out.add(helplines.short_text(turn, languages(turn), head), offer)


def plea(turn: Turn) -> bool:
    """This turn's message is a cry for help alone (a concern pattern of safety.yaml, each
    a whole sentence: "save me", "انقذوني"): it asks nothing the knowledge base could
    answer, and a search only finds look-alikes ("save" → the entry on stored data). The
    helplines and the advisor offer (``add_concern``) are the whole reply."""
    return bool(turn.state.get(PLEA))


def _without_earlier_offer(turn: Turn, offer: keyboards.Rows) -> None:
    """The advisor button goes right under the helplines, once: the usual answer's own
    offer ("I don't know" has one) and any row the helplines repeat are taken off it."""
    repeated = set(offer)
    for i, reply in enumerate(turn.out.replies):
        kept = tuple(
            row
            for row in reply.buttons
            if row not in repeated and not all(_is_advisor_button(b.data) for b in row)
        )
        if kept != reply.buttons:
            turn.out.replies[i] = replace(reply, buttons=kept)


def _is_advisor_button(data: str) -> bool:
    action = callbacks.parse(data)
    return action is not None and action.name == "adv"
