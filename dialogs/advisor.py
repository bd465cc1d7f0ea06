"""Reaching a person: from the menu, after an unhelpful answer, on no match, with media, or urgently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from dialogs import keyboards, menus, muted, render
from dialogs.context import Turn
from dialogs.handoff import CaseState, reopens
from dialogs.i18n import N_
from dialogs.ports import CaseRecord, HandoffRequest

REASONS = ("menu", "unhelpful", "no_match", "media", "urgent", "concern", "interests")
# The case the person closed themselves (/status): their next message does not reopen it.
CLOSED_BY_PERSON = "closed_case"


@dataclass(frozen=True, slots=True)
class RelayedCase:
    case: CaseRecord
    reopened: bool = False
    muted: bool = False  # the message stayed here: an advisor muted the person


async def relay_to_case(turn: Turn) -> RelayedCase | None:
    """While a case is open (or an advisor closed it a moment ago), the person's messages
    go to it. The caller acknowledges them (``dialogs.waiting``): never silence."""
    if turn.user is None:
        return None
    case = await turn.storage.handoff.latest_case(turn.user.id)
    if case is None:
        return None
    reopened = False
    if case.state == CaseState.CLOSED and (
        turn.state.get(CLOSED_BY_PERSON) == case.id
        or not reopens(case.closed_at, turn.now, turn.env.reopen_window)
    ):
        return None
    if case.muted and not _after_crisis(turn, case):
        return RelayedCase(case, muted=True)
    if case.state == CaseState.CLOSED:
        await turn.storage.handoff.reopen(case.id)
        reopened = True
    turn.out.relay(case.id, turn.incoming.message_id)
    return RelayedCase(case, reopened)


def _after_crisis(turn: Turn, case: CaseRecord) -> bool:
    """Safety before a mute: in the hours after a crisis the person's messages reach the team."""
    from dialogs import crisis  # crisis asks this module for the urgent case

    return case.urgent and crisis.recent(turn)


async def rate_case(turn: Turn, arg: str) -> None:
    _ = turn._
    case_id, _sep, value = arg.partition(":")
    if turn.user is None or not await turn.storage.handoff.rate(int(case_id), turn.user.id, value == "1"):
        turn.out.add(
            escape(_("This button is out of date. Here is the menu again.")), keyboards.main_menu(turn)
        )
        return
    turn.out.notice = _("Thank you for your feedback!")
    # The closing notice keeps its text and loses its rating buttons: the case is rated once.
    turn.out.rebutton(turn.incoming.pressed_on, ())
    turn.out.add(
        escape(_("Thank you! Write any time if you need more help.")), (keyboards.back_to_menu(turn),)
    )


def ask_consent(turn: Turn) -> None:
    """The consent question before a case; a typed "yes" answers it too."""
    _ = turn._
    menus.expect(turn, "consent")
    rows = (
        (keyboards.button(turn, N_("✅ I agree"), "consent", "yes"),),
        keyboards.back_to_menu(turn),
    )
    turn.out.add(
        escape(
            _(
                "To pass your question to an advisor, I need to store it together with a pseudonym. "
                "Do you agree? You can delete it at any time with /privacy."
            )
        ),
        rows,
    )


async def request_advisor(
    turn: Turn, reason: str, question: str = "", interest_result: Mapping[str, Any] | None = None
) -> None:
    """``interest_result``: the interest check's result the person wants the advisors to
    see on the case card (``dialogs.interests``)."""
    _ = turn._
    reason = reason if reason in REASONS else "menu"
    if turn.user is None:
        # A case stores data about the person, so it needs their consent first.
        turn.state["after_consent"] = reason
        ask_consent(turn)
        return
    urgent = reason == "urgent"
    if urgent:
        await turn.storage.users.flag_urgent(turn.user.id)
    last_answer = str(turn.state.get("last_answer") or "")
    entry = turn.knowledge.entry(last_answer) if last_answer else None
    receipt = await turn.storage.handoff.request(
        HandoffRequest(
            user=turn.user,
            reason=reason,
            topic=entry.topic if entry else ("interests" if interest_result else None),
            question=question or str(turn.state.get("last_question") or ""),
            bot_answer=entry.id if entry else "",
            urgent=urgent,
            interest_result=interest_result,
        )
    )
    await turn.storage.stats.count("handoff", reason)
    pending = turn.state.pop("pending_media", None)
    if receipt.muted and not urgent:
        muted.notice(turn)
        return
    turn.out.relay(receipt.case_id, int(pending) if isinstance(pending, int) else None)
    if urgent:
        return
    lines = [_("I have passed your request to our team. A person will answer you here in this chat.")]
    if not receipt.opened:
        lines = [_("Your request is already with our team. Just write here; everything reaches them.")]
    office = turn.env.office
    opening = office.next_opening(turn.now)
    if opening is not None and opening > turn.now:
        lines.append(
            _("Our advisors are not at work right now. They will answer from {when}.").format(
                when=render.format_moment(opening, turn)
            )
        )
    lines.append(_("You can already write more details or send documents."))
    turn.out.add(escape("\n".join(lines)), (keyboards.back_to_menu(turn),))
