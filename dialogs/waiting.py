"""Messages while a case is open: relayed to the advisors, and never met with silence.

Each relayed message gets a reaction (👀) on it; the first one in a burst also gets a
short line that the team has it and when to expect an answer (who took the case, or when
the office opens). In the hours after a crisis every message gets that line with the
numbers again. When the knowledge base answers a question confidently, the bot's answer
comes too, marked as automatic, while the message still goes to the advisors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import replace
from html import escape

from dialogs import crisis, muted, render
from dialogs.advisor import RelayedCase
from dialogs.content_checks import MAX_MESSAGE, telegram_length
from dialogs.context import Turn
from dialogs.handoff import CaseState
from dialogs.ports import CaseRecord, Feedback
from dialogs.replies import Reply

ACK_AT = "case_ack_at"  # when the last acknowledging line was sent (ISO time)
BURST = dt.timedelta(minutes=10)
SEEN = "👀"

Answer = Callable[[Turn, str], Awaitable[None]]


def expectation(turn: Turn, case: CaseRecord) -> str:
    """Who answers, or when: the advisor who took the case, or when the office opens."""
    _ = turn._
    if case.state == CaseState.TAKEN and case.advisor_name:
        return _("{name} from our team is now answering you here in this chat.").format(
            name=case.advisor_name
        )
    opening = turn.env.office.next_opening(turn.now)
    if opening is not None and opening > turn.now:
        return _("Our advisors are not at work right now. They will answer from {when}.").format(
            when=render.format_moment(opening, turn)
        )
    return _("A person from our team will answer you here as soon as they can.")


def _first_in_burst(turn: Turn) -> bool:
    last = turn.state.get(ACK_AT)
    try:
        return not isinstance(last, str) or turn.now - dt.datetime.fromisoformat(last) > BURST
    except ValueError:
        return True


async def acknowledge(turn: Turn, relayed: RelayedCase, text: str = "", answer: Answer | None = None) -> None:
    if relayed.muted:
        muted.notice(turn)
        return
    _ = turn._
    case = relayed.case
    if relayed.reopened:
        case = replace(case, state=CaseState.WAITING, advisor_name=None)
    ack = _("Your message is with our team.") + " " + expectation(turn, case)
    if relayed.reopened:
        ack = _("I have reopened your conversation with our team.") + " " + ack
    after_crisis = case.urgent and crisis.recent(turn)
    can_react = turn.incoming.message_id is not None
    line: Reply | None = None
    if not can_react or relayed.reopened or after_crisis or _first_in_burst(turn):
        body = "✓ " + escape(ack)
        if after_crisis:
            body += "\n\n" + crisis.follow_up_text(turn)
        else:
            body += "\n" + escape(_("/status shows your conversation with our team."))
        line = turn.out.add(body)
        turn.state[ACK_AT] = turn.now.isoformat()
        if can_react:
            turn.out.react(SEEN, "")
    elif can_react:
        # Only a reaction: where the transport cannot react, the short line goes instead.
        turn.out.react(SEEN, "✓ " + escape(ack))
    if text and answer is not None:
        await _automatic_answer(turn, text, answer, line)


class _Unrecorded:
    """Feedback during a case: what the advisors are answering is no unanswered question."""

    def __init__(self, inner: Feedback) -> None:
        self.inner = inner

    async def rate(self, entry_id: str, language: str, helpful: bool) -> None:
        await self.inner.rate(entry_id, language, helpful)

    async def unanswered(
        self, text: str, language: str, reason: str, entry_id: str | None, written_in: str | None = None
    ) -> None:
        return None


async def _automatic_answer(turn: Turn, text: str, answer: Answer, line: Reply | None) -> None:
    """The knowledge base's answer, when it has a confident one, marked as the bot's. It goes
    in the same message as the acknowledging ``line`` when there is one and both fit in one
    Telegram message: one message reaches the person at once, and counts once against
    Telegram's limit of about 30 messages a second for the whole bot."""
    storage = replace(turn.storage, feedback=_Unrecorded(turn.storage.feedback))
    scratch = Turn(turn.incoming, turn.env, storage, turn.user, dict(turn.state), turn.now)
    await answer(scratch, text)
    found = [reply for reply in scratch.out.replies if reply.entry_id]
    if not found:
        return
    turn.out.slow = True
    first, *rest = found
    marked = Reply(render.automatic_answer_note(turn) + first.text, first.buttons, first.entry_id, first.rtl)
    together = line.text + "\n\n" + marked.text if line is not None else ""
    if line is not None and telegram_length(render.finish(together, turn.lang)) <= MAX_MESSAGE:
        turn.out.replies[turn.out.replies.index(line)] = replace(marked, text=together)
    else:
        turn.out.replies.append(marked)
    turn.out.replies.extend(rest)
    for key in ("last_answer", "last_question"):
        if key in scratch.state:
            turn.state[key] = scratch.state[key]
