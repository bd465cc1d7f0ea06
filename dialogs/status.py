"""/status: the person's conversation with our team, and a button to close it."""

from __future__ import annotations

from html import escape

from dialogs import keyboards, render, start, waiting
from dialogs.advisor import CLOSED_BY_PERSON
from dialogs.context import Turn
from dialogs.handoff import CaseState
from dialogs.i18n import N_


async def show(turn: Turn) -> None:
    _ = turn._
    case = await turn.storage.handoff.latest_case(turn.user.id) if turn.user is not None else None
    if case is None or case.state == CaseState.CLOSED:
        turn.out.add(
            escape(_("You have no open conversation with our team.")), keyboards.advisor_offer(turn, "menu")
        )
        return
    state = (
        _("taken by {name}").format(name=case.advisor_name or "?")
        if case.state == CaseState.TAKEN
        else _("waiting for an advisor")
    )
    lines = [
        "<b>" + escape(_("Your conversation with our team (case #{number})").format(number=case.id)) + "</b>",
        escape(_("State:") + " " + state),
    ]
    if case.created_at is not None:
        lines.append(escape(_("Opened:") + " " + render.format_moment(case.created_at, turn)))
    if case.urgent:
        lines.append("🚨 " + escape(_("Marked as urgent.")))
    lines.append(escape(waiting.expectation(turn, case)))
    rows = (
        (keyboards.button(turn, N_("✅ Close my conversation"), "st", f"close:{case.id}"),),
        keyboards.back_to_menu(turn),
    )
    turn.out.add("\n".join(lines), rows)


async def close(turn: Turn, arg: str) -> None:
    _ = turn._
    action, _sep, number = arg.partition(":")
    if (
        turn.user is None
        or action != "close"
        or not await turn.storage.handoff.close(int(number), turn.user.id)
    ):
        start.stale(turn)
        return
    turn.state[CLOSED_BY_PERSON] = int(number)
    turn.state.pop(waiting.ACK_AT, None)
    turn.out.add(
        "✅ "
        + escape(
            _("Your conversation with our team is closed. If you need help again, write /advisor any time.")
        ),
        (keyboards.back_to_menu(turn),),
    )
