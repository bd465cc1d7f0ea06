"""The case with a human advisor as a state machine, and what advisors see of it.

waiting → taken → closed; a message from the person within the reopen window after closing
reopens the case (back to waiting), later it is a fresh start. Everything here is plain
data and rules: the application stores cases and talks to Telegram.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from html import escape

from dialogs.i18n import LANGUAGE_NAMES, N_, Catalogs

TITLE_LIMIT = 128  # Telegram's limit for a forum topic name
INTERNAL_NOTE_PREFIX = "!"


class CaseState(enum.StrEnum):
    WAITING = "waiting"
    TAKEN = "taken"
    CLOSED = "closed"


class CaseEvent(enum.StrEnum):
    TAKE = "take"
    CLOSE = "close"
    REOPEN = "reopen"
    RELEASE = "release"


class InvalidTransition(Exception):
    pass


_TRANSITIONS: dict[tuple[CaseState, CaseEvent], CaseState] = {
    (CaseState.WAITING, CaseEvent.TAKE): CaseState.TAKEN,
    (CaseState.TAKEN, CaseEvent.TAKE): CaseState.TAKEN,  # another advisor takes over
    (CaseState.TAKEN, CaseEvent.RELEASE): CaseState.WAITING,
    (CaseState.WAITING, CaseEvent.CLOSE): CaseState.CLOSED,
    (CaseState.TAKEN, CaseEvent.CLOSE): CaseState.CLOSED,
    (CaseState.CLOSED, CaseEvent.REOPEN): CaseState.WAITING,
}


def next_state(state: CaseState, event: CaseEvent) -> CaseState:
    try:
        return _TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(f"a {state} case cannot {event}") from None


def reopens(closed_at: dt.datetime | None, now: dt.datetime, window: dt.timedelta) -> bool:
    """A message soon after closing continues the same case; later it starts afresh."""
    return closed_at is not None and now - closed_at <= window


def is_internal_note(text: str | None) -> bool:
    return text is not None and text.lstrip().startswith(INTERNAL_NOTE_PREFIX)


@dataclass(frozen=True, slots=True)
class CaseView:
    """What advisors see of a case: a pseudonym, never the Telegram name without consent."""

    number: int
    pseudonym: str
    language: str
    topic: str | None
    state: CaseState
    urgent: bool
    question: str
    bot_answer: str
    advisor_name: str | None = None
    shared_name: str | None = None
    # The person blocked the bot: nothing the advisors write reaches them.
    unreachable: bool = False
    # An advisor muted the person: their messages do not come into the topic.
    muted: bool = False
    # The interest check's result the person chose to show (``dialogs.interests.card_line``).
    interests: str = ""


_STATE_MARK = {CaseState.WAITING: "⏳", CaseState.TAKEN: "💬", CaseState.CLOSED: "✅"}


BLOCKED_MARK = "⛔ "
MUTED_MARK = "🔇 "


def topic_title(case: CaseView) -> str:
    """The topic's name: ⛔ while the person has blocked the bot, 🔇 while muted, 🚨 while
    urgent, the state, the number, pseudonym, language and topic."""
    marks = (
        (BLOCKED_MARK if case.unreachable else "")
        + (MUTED_MARK if case.muted else "")
        + ("🚨 " if case.urgent and case.state is not CaseState.CLOSED else "")
    )
    parts = [
        marks + _STATE_MARK[case.state],
        f"#{case.number}",
        case.pseudonym,
        case.language.upper(),
        case.topic or "-",
    ]
    return " · ".join(parts)[:TITLE_LIMIT]


def card_text(case: CaseView, catalogs: Catalogs, lang: str) -> str:
    """The card at the top of the case's topic, in the advisors' language."""

    def _(message: str) -> str:
        return catalogs.translate(lang, message)

    lines = []
    if case.urgent:
        lines.append("🚨 <b>" + escape(_("URGENT: the safety check raised an alarm.")) + "</b>")
    heading = _("Case")
    lines.append(f"<b>{escape(heading)} #{case.number}</b> · {escape(case.pseudonym)}")
    lines.append(escape(_("Name (shared with consent):")) + " " + escape(case.shared_name or _("not shared")))
    lines.append(escape(_("Language:")) + " " + escape(LANGUAGE_NAMES.get(case.language, case.language)))
    lines.append(escape(_("Topic:")) + " " + escape(case.topic or "-"))
    lines.append(escape(_("Asked:")) + " " + (escape(case.question[:600]) if case.question else "-"))
    lines.append(escape(_("Bot answered with:")) + " " + escape(case.bot_answer or "-"))
    if case.interests:
        lines.append("🧭 " + escape(case.interests))
    state = {
        CaseState.WAITING: _("waiting for an advisor"),
        CaseState.TAKEN: _("taken by {name}").format(name=case.advisor_name or "?"),
        CaseState.CLOSED: _("closed"),
    }[case.state]
    lines.append(escape(_("State:")) + " " + escape(state))
    lines.append(
        "<i>"
        + escape(
            _("Write in this topic to answer. Messages starting with ! are internal notes and are not sent.")
        )
        + "</i>"
    )
    return "\n".join(lines)


# Canned replies advisors send with one tap: (key, short label for advisors, text for the person).
CANNED_REPLIES: tuple[tuple[str, str, str], ...] = (
    (
        "thanks",
        N_("Thanks, I will answer soon"),
        N_("Thank you for your message. I will get back to you as soon as I can."),
    ),
    (
        "photo",
        N_("Ask for a photo of the letter"),
        N_("Please send me a photo of the letter or document, so I can look at it."),
    ),
    (
        "appointment",
        N_("Offer an appointment"),
        N_("Would you like an appointment? Please tell me which days and times suit you."),
    ),
    (
        "documents",
        N_("Documents to bring"),
        N_("Please bring your passport or ID, your school certificates and your CV to the appointment."),
    ),
    (
        "interpreter",
        N_("Offer an interpreter"),
        N_("If it helps, we can look for an interpreter. Which language do you prefer?"),
    ),
)


def canned_text(key: str, catalogs: Catalogs, lang: str) -> str | None:
    for name, _label, text in CANNED_REPLIES:
        if name == key:
            return catalogs.translate(lang, text)
    return None


def taken_notice(catalogs: Catalogs, lang: str, advisor_name: str) -> str:
    text = catalogs.translate(lang, N_("{name} from our team is now answering you here in this chat."))
    return "💬 " + escape(text.format(name=advisor_name))


def closed_notice(catalogs: Catalogs, lang: str) -> str:
    text = catalogs.translate(
        lang,
        N_(
            "Your conversation with our team is closed. If you write again soon, it continues. "
            "How helpful was it?"
        ),
    )
    return "✅ " + escape(text)


RATING_LABELS = (N_("👍 Helpful"), N_("👎 Not helpful"))
