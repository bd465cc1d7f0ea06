"""Internship and training offers: choose a field (or come with one from the interest
check), name the town, read the offers nearest first, follow a field for news.

The conversation keeps ``state["offers"] = {"fields": [...], "town": <town id>}``
between turns; buttons carry only a field id, a town id or a page offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from dialogs import callbacks, keyboards, menus, render
from dialogs.context import Turn
from dialogs.i18n import N_
from dialogs.offer_render import field_list, offer_text
from dialogs.replies import Button
from dialogs.start import stale
from knowledge.offers import field_names_in
from knowledge.towns import Town

PAGE = 3  # offers per message
TOWN_BUTTONS = 8  # the biggest towns offered as buttons
STATE = "offers"
# The Agentur für Arbeit's contact, offered when no offer fits (its Berufsberatung).
BERUFSBERATUNG = "agentur-fuer-arbeit-pirna"


def _state(turn: Turn) -> dict[str, Any]:
    value = turn.state.get(STATE)
    return value if isinstance(value, dict) else {}


def _field_name(turn: Turn, field_id: str) -> str:
    return field_names_in(turn.knowledge.snapshot.field_names, field_id, turn.lang)


async def start(turn: Turn) -> None:
    """/offers and the main menu's button: the fields, and the fields the person follows."""
    _ = turn._
    await turn.storage.stats.count("topic", "offers")
    names = turn.knowledge.snapshot.field_names
    rows: list[tuple[Button, ...]] = []
    lines = [
        escape(
            _("Internships and training places from companies in the district. Choose an occupational field:")
        )
    ]
    if turn.user is not None:
        followed = await turn.storage.offer_follows.fields(turn.user.id)
        if followed:
            shown = field_list([_field_name(turn, f) for f in sorted(followed)], turn.lang)
            lines.append(escape(_("You get news about new offers in:")) + " " + escape(shown))
            for field_id in sorted(followed):
                label = "🔕 " + _("Stop news about offers in {field}").format(
                    field=_field_name(turn, field_id)
                )
                rows.append((Button(render.label(label), callbacks.make("of", f"u:{field_id}")),))
    buttons = [Button(render.label(_field_name(turn, f)), callbacks.make("of", f"f:{f}")) for f in names]
    rows.extend(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    rows.append(keyboards.back_to_menu(turn))
    turn.out.add("💼 " + "\n\n".join(lines), tuple(rows))


async def show_offers_for_fields(turn: Turn, field_ids: Sequence[str]) -> None:
    """The offers in these fields (the interest check's result calls this): near the town
    the person gave before, or first ask for the town."""
    known = [f for f in field_ids if f in turn.knowledge.snapshot.field_names]
    if not known:
        stale(turn)
        return
    town = turn.knowledge.towns.get(str(_state(turn).get("town", "")))
    turn.state[STATE] = {"fields": known, "town": town.id if town else None}
    if town is None:
        ask_town(turn)
    else:
        await show_page(turn, 0)


def ask_town(turn: Turn, *, unknown: bool = False) -> None:
    _ = turn._
    question = (
        _("I do not know this town in our district. Write it again or choose a town:")
        if unknown
        else _("Which town do you live in, or which town is near you? Write its name or choose:")
    )
    towns = turn.knowledge.towns.biggest(TOWN_BUTTONS)
    buttons = [Button(t.name, callbacks.make("of", f"t:{t.id}")) for t in towns]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(keyboards.back_to_menu(turn))
    turn.out.add("🏙 " + escape(question), tuple(rows))
    menus.expect(turn, "town")


async def typed_town(turn: Turn, text: str) -> bool:
    """A typed answer to the town question; False when it names no town of the district."""
    town = turn.knowledge.towns.find(text)
    if town is None:
        return False
    await choose_town(turn, town)
    return True


async def choose_town(turn: Turn, town: Town) -> None:
    state = _state(turn)
    if not state.get("fields"):
        stale(turn)
        return
    turn.state[STATE] = {**state, "town": town.id}
    turn.state["town"] = town.name
    await turn.storage.stats.count("town", town.name)
    await show_page(turn, 0)


async def show_page(turn: Turn, offset: int) -> None:
    _ = turn._
    state = _state(turn)
    fields = [str(f) for f in state.get("fields") or ()]
    town = turn.knowledge.towns.get(str(state.get("town", "")))
    if not fields or town is None:
        stale(turn)
        return
    today = turn.now.astimezone(turn.env.zone).date()
    found = turn.knowledge.offers_near(fields, town, today)
    names = field_list([_field_name(turn, f) for f in fields], turn.lang)
    rows: list[tuple[Button, ...]] = []
    if not found:
        text = (
            escape(
                _("There are no current offers in {fields} near {town} yet.").format(
                    fields=names, town=town.name
                )
            )
            + "\n\n"
            + escape(
                _(
                    "You can ask the Berufsberatung (career guidance) of the Agentur für Arbeit, "
                    "or talk to an advisor from our team. We can also tell you when a new offer comes in."
                )
            )
        )
        contact = turn.knowledge.contact(BERUFSBERATUNG)
        if contact is not None:
            rows.append((Button(render.label(contact.organisation), callbacks.make("ct", contact.id)),))
        rows.append((keyboards.button(turn, N_("🙋 Talk to an advisor"), "adv", "menu"),))
    else:
        page = found[offset : offset + PAGE]
        if not page:
            stale(turn)
            return
        heading = _("Offers in {fields}, nearest to {town} first:").format(fields=names, town=town.name)
        parts = [
            offer_text(n, turn.lang, turn.env.catalogs, turn.knowledge.snapshot.field_names, today)
            for n in page
        ]
        text = (
            f"<b>{escape(heading)}</b> ({offset + 1}–{offset + len(page)} / {len(found)})\n\n"
            + "\n\n".join(parts)
        )
        if offset + PAGE < len(found):
            rows.append((keyboards.button(turn, N_("➡️ More offers"), "of", f"m:{offset + PAGE}"),))
    rows.extend(await _follow_rows(turn, fields))
    rows.append(
        (
            keyboards.button(turn, N_("🔁 Other field"), "of"),
            keyboards.button(turn, N_("🏙 Other town"), "of", "t:"),
        )
    )
    rows.append(keyboards.back_to_menu(turn))
    turn.out.add("💼 " + text, tuple(rows))


async def _follow_rows(turn: Turn, fields: Sequence[str]) -> list[tuple[Button, ...]]:
    _ = turn._
    if turn.user is None:
        return []
    followed = await turn.storage.offer_follows.fields(turn.user.id)
    rows: list[tuple[Button, ...]] = []
    for field_id in fields:
        name = _field_name(turn, field_id)
        if field_id in followed:
            label = "🔕 " + _("Stop news about offers in {field}").format(field=name)
            rows.append((Button(render.label(label), callbacks.make("of", f"u:{field_id}")),))
        else:
            label = "🔔 " + _("Tell me about new offers in {field}").format(field=name)
            rows.append((Button(render.label(label), callbacks.make("of", f"s:{field_id}")),))
    return rows


async def follow(turn: Turn, field_id: str, *, on: bool) -> None:
    _ = turn._
    if field_id not in turn.knowledge.snapshot.field_names:
        stale(turn)
        return
    if turn.user is None:
        turn.out.add(
            escape(_("To get news about offers, agree to the privacy notice with /start.")),
            (keyboards.back_to_menu(turn),),
        )
        return
    if on:
        town = _state(turn).get("town")
        await turn.storage.offer_follows.follow(turn.user.id, field_id, str(town) if town else None)
        turn.out.notice = _("You will get a message when a new offer comes in.")
    else:
        await turn.storage.offer_follows.unfollow(turn.user.id, field_id)
        turn.out.notice = _("No more news about new offers in this field.")
    state = _state(turn)
    if state.get("fields") and state.get("town"):
        await show_page(turn, 0)
    else:
        await start(turn)


async def button(turn: Turn, arg: str) -> None:
    """The ``of`` buttons: '' fields, f:<field>, t:<town> (t: asks again), m:<offset>,
    s:<field> follow, u:<field> unfollow."""
    kind, _sep, value = arg.partition(":")
    if not arg:
        await start(turn)
    elif kind == "f":
        await show_offers_for_fields(turn, [value])
    elif kind == "t" and not value:
        ask_town(turn)
    elif kind == "t":
        town = turn.knowledge.towns.get(value)
        if town is None:
            stale(turn)
        else:
            await choose_town(turn, town)
    elif kind == "m":
        await show_page(turn, int(value))
    elif kind in ("s", "u"):
        await follow(turn, value, on=kind == "s")
    else:
        stale(turn)
