"""/privacy: what is stored, and deleting it after a confirmation."""

from __future__ import annotations

from html import escape

from dialogs import keyboards, render
from dialogs.context import Turn
from dialogs.i18n import LANGUAGE_NAMES, N_
from knowledge.interests import text_in


async def show(turn: Turn) -> None:
    _ = turn._
    if turn.user is None:
        turn.out.add(
            escape(
                _(
                    "I store nothing about you: you have not agreed to the privacy notice. "
                    "Only your language choice is kept for this conversation."
                )
            ),
            (keyboards.back_to_menu(turn),),
        )
        return
    data = await turn.storage.users.stored_data(turn.user.id)
    user = data.user
    lines = [
        _("This is everything I store about you:"),
        "• " + _("Pseudonym:") + " " + user.pseudonym,
        "• " + _("Language:") + " " + LANGUAGE_NAMES.get(user.language or "", "-"),
        "• "
        + _("Consent given on:")
        + " "
        + (render.format_day(user.consent_at.date(), turn.lang) if user.consent_at else "-"),
        "• " + _("Announcements you follow:") + " " + (", ".join(data.subscriptions) or "-"),
        "• " + _("Open cases with an advisor:") + " " + str(data.open_cases),
        "• " + _("Stored messages of your cases:") + " " + str(data.stored_messages),
        "• " + _("First name shown to advisors:") + " " + (user.shared_name or _("not shared")),
        "• " + _("Kept interest check result:") + " " + _kept_result(turn),
        _("Your name is not shown to advisors unless you agree."),
    ]
    share = (
        keyboards.button(turn, N_("🙈 Stop sharing my first name"), "priv", "unshare")
        if user.share_name
        else keyboards.button(turn, N_("👤 Show my first name to advisors"), "priv", "share")
    )
    rows = (
        (share,),
        (keyboards.button(turn, N_("🗑 Delete my data"), "priv", "delete"),),
        keyboards.back_to_menu(turn),
    )
    turn.out.add(escape("\n".join(lines)), rows)


def _kept_result(turn: Turn) -> str:
    """The fields and points a person chose to keep after the interest check, or "-"."""
    kept = turn.state.get("ic_kept")
    check = turn.knowledge.snapshot.interests
    if not isinstance(kept, dict):
        return "-"
    names = []
    for field_id in kept.get("fields") or []:
        found = check.field(str(field_id)) if check is not None else None
        names.append(text_in(found.name, turn.lang) if found is not None else str(field_id))
    return f"{'; '.join(names)} ({kept.get('scores', '')})"


def ask_delete(turn: Turn) -> None:
    _ = turn._
    if turn.user is None:
        turn.out.add(escape(_("There is nothing stored about you.")), (keyboards.back_to_menu(turn),))
        return
    rows = (
        (keyboards.button(turn, N_("Yes, delete everything"), "priv", "yes"),),
        (keyboards.button(turn, N_("No, keep it"), "priv", "no"),),
    )
    turn.out.add(
        escape(
            _(
                "Do you really want to delete all your data? Your cases and messages will be deleted "
                "too. This cannot be undone."
            )
        ),
        rows,
    )


async def delete(turn: Turn) -> None:
    _ = turn._
    # The language survives the deletion (it is no personal data), so the next message
    # is still answered in it.
    lang = turn.lang
    if turn.user is not None:
        await turn.storage.users.delete(turn.user.id)
        turn.user = None
    turn.state.clear()
    turn.state["lang"] = lang
    turn.out.add(
        escape(_("Done: all your data has been deleted. If you write again, we start fresh with /start."))
    )


async def share_name(turn: Turn, share: bool) -> None:
    """Advisors see a pseudonym; the first name only while the person agrees."""
    _ = turn._
    if turn.user is None:
        turn.out.add(escape(_("There is nothing stored about you.")), (keyboards.back_to_menu(turn),))
        return
    name = (turn.incoming.first_name or "").strip()[:64] if share else ""
    if share and not name:
        turn.out.add(
            escape(_("I do not know your first name, so nothing is shared.")), (keyboards.back_to_menu(turn),)
        )
        return
    await turn.storage.users.share_name(turn.user.id, name or None)
    turn.user = await turn.storage.users.get(turn.user.external_id)
    turn.out.notice = _("Saved.")
    await show(turn)
