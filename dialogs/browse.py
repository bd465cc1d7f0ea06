"""Browsing by menu: topics, answers, contacts, events and their announcements."""

from __future__ import annotations

from html import escape

from dialogs import callbacks, keyboards, render
from dialogs.context import Turn
from dialogs.i18n import N_
from dialogs.replies import Button
from dialogs.start import stale
from knowledge.model import TOPICS

TOPIC_TITLES: dict[str, str] = {
    "training": N_("Training (Ausbildung)"),
    "internship": N_("Internships (Praktikum)"),
    "counselling": N_("Counselling and contacts"),
    "recognition": N_("Recognition of qualifications"),
    "german": N_("Learning German"),
    "events": N_("Events"),
    "residence": N_("Residence and work permits"),
    "crisis": N_("Help in a crisis"),
}
# Entries under whose answer the interest check is offered.
OFFERS_CHECK = ("interessen-berufsfelder", "kompetenzcheck")
# Topics people can follow for announcements of new events.
SUBSCRIBABLE = ("training", "internship", "recognition", "german", "events")


async def topic(turn: Turn, name: str, pressed_on: int | None = None) -> None:
    """A topic's questions, in place of the menu message it was chosen on (``pressed_on``)."""
    if name not in TOPICS:
        stale(turn)
        return
    _ = turn._
    await turn.storage.stats.count("topic", name)
    entries = sorted(turn.knowledge.in_topic(name), key=lambda e: e.id)
    rows: list[tuple[Button, ...]] = []
    for entry in entries:
        local = turn.knowledge.localise(entry, turn.lang)
        rows.append((Button(render.label(local.text.question), callbacks.make("a", entry.id)),))
    if name == "counselling":
        rows.append((keyboards.button(turn, N_("📇 Contacts"), "ct"),))
        rows.append((keyboards.button(turn, N_("🙋 Talk to an advisor"), "adv", "menu"),))
    rows.append(keyboards.back_to_menu(turn, in_place=True))
    title = escape(_(TOPIC_TITLES[name]))
    turn.out.replace(pressed_on, f"<b>{title}</b>\n" + escape(_("Choose a question:")), tuple(rows))


async def answer(turn: Turn, entry_id: str, rated: bool = True) -> None:
    entry = turn.knowledge.entry(entry_id)
    if entry is None:
        stale(turn)
        return
    await turn.storage.stats.count("answer", entry_id)
    local = turn.knowledge.localise(entry, turn.lang)
    turn.state["last_answer"] = entry_id
    rows = answer_buttons(turn, entry_id, rated)
    turn.out.add(render.answer_text(local, turn), rows, entry_id=entry_id)


def answer_buttons(turn: Turn, entry_id: str, rated: bool) -> tuple[tuple[Button, ...], ...]:
    """An answer's buttons: the rating (until it is given), the interest check where the
    entry is about finding one's interests, and the way back to the menu."""
    rows: list[tuple[Button, ...]] = []
    if rated:
        rows.append(
            (
                keyboards.button(turn, N_("👍 Helpful"), "rate", f"1:{entry_id}"),
                keyboards.button(turn, N_("👎 Not helpful"), "rate", f"0:{entry_id}"),
            )
        )
    if entry_id in OFFERS_CHECK and turn.knowledge.snapshot.interests is not None:
        rows.append((keyboards.button(turn, N_("🧭 Start the interest check"), "ic"),))
    rows.append(keyboards.back_to_menu(turn))
    return tuple(rows)


async def contacts(turn: Turn, contact_id: str = "") -> None:
    _ = turn._
    if contact_id:
        contact = turn.knowledge.contact(contact_id)
        if contact is None:
            stale(turn)
            return
        await turn.storage.stats.count("contact", contact_id)
        rows = ((keyboards.button(turn, N_("📇 Contacts"), "ct"),), keyboards.back_to_menu(turn))
        turn.out.add(render.contact_lines(contact, turn), rows)
        return
    town = turn.state.get("town")
    found = turn.knowledge.contacts_for(town=str(town) if town else None)
    buttons = [
        (Button(render.label(c.organisation), callbacks.make("ct", c.id)),)
        for c in found
        if "crisis" not in c.topics
    ]
    intro = escape(
        _(
            "Contacts for young people in the district. "
            "Write the name of your town to see local offices first."
        )
    )
    if town:
        intro = escape(_("Contacts, those in your town first:")) + " " + escape(str(town))
    turn.out.add(intro, (*buttons, keyboards.back_to_menu(turn)))


async def events(turn: Turn) -> None:
    _ = turn._
    await turn.storage.stats.count("topic", "events")
    upcoming = turn.knowledge.upcoming_events(turn.now)
    parts = [render.event_text(e, turn.lang, turn.env.catalogs, turn.env.zone) for e in upcoming[:5]]
    text = "\n\n".join(parts) if parts else escape(_("There are no upcoming events right now."))
    rows: list[tuple[Button, ...]] = []
    if turn.user is not None:
        followed = await turn.storage.subscriptions.topics(turn.user.id)
        for name in SUBSCRIBABLE:
            title = _(TOPIC_TITLES[name])
            if name in followed:
                rows.append(
                    (Button("🔕 " + _("Stop announcements:") + " " + title, callbacks.make("uns", name)),)
                )
            else:
                rows.append(
                    (Button("🔔 " + _("Announce new events:") + " " + title, callbacks.make("sub", name)),)
                )
    else:
        text += "\n\n" + escape(_("To get announcements, agree to the privacy notice with /start."))
    rows.append(keyboards.back_to_menu(turn))
    turn.out.add("📅 " + text, tuple(rows))


async def subscription(turn: Turn, name: str, follow: bool) -> None:
    _ = turn._
    if name not in SUBSCRIBABLE or turn.user is None:
        stale(turn)
        return
    if follow:
        await turn.storage.subscriptions.subscribe(turn.user.id, name)
        turn.out.notice = _("You will get announcements.")
    else:
        await turn.storage.subscriptions.unsubscribe(turn.user.id, name)
        turn.out.notice = _("Announcements stopped.")
    await events(turn)
