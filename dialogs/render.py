"""Turn content into reply text: escaped, sourced, dated, right-to-left safe."""

from __future__ import annotations

import datetime as dt
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from dialogs.bidi import isolate_ltr
from dialogs.context import Turn
from dialogs.i18n import Catalogs
from knowledge.base import Localised
from knowledge.model import RTL_LANGUAGES, Contact, Event, in_language

MAX_LABEL = 60


def locale_for(lang: str) -> str:
    return {"fa": "fa_IR", "ar": "ar", "uk": "uk_UA", "cs": "cs_CZ", "tr": "tr_TR"}.get(lang, lang)


def format_day(day: dt.date, lang: str) -> str:
    return format_date(day, format="medium", locale=locale_for(lang))


def format_moment(moment: dt.datetime, turn: Turn) -> str:
    return format_datetime(moment.astimezone(turn.env.zone), format="medium", locale=locale_for(turn.lang))


def label(text: str) -> str:
    """A button label: one line, short enough for a phone screen."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_LABEL else flat[: MAX_LABEL - 1].rstrip() + "…"


def finish(text: str, lang: str) -> str:
    return isolate_ltr(text) if lang in RTL_LANGUAGES else text


def contact_lines(contact: Contact, turn: Turn) -> str:
    _ = turn._
    parts = [f"<b>{escape(contact.organisation)}</b>"]
    description = in_language(contact.description, turn.lang) or in_language(contact.description, "en")
    if description:
        parts.append(escape(description))
    if contact.address:
        parts.append("📍 " + escape(contact.address))
    if contact.phone:
        parts.append("☎️ " + escape(contact.phone))
    if contact.email:
        parts.append("✉️ " + escape(contact.email))
    if contact.opening_hours:
        parts.append("🕒 " + escape(contact.opening_hours))
    if contact.website:
        parts.append(f'🔗 <a href="{escape(str(contact.website))}">{escape(str(contact.website))}</a>')
    if contact.needs_verification:
        parts.append("<i>" + escape(_("Details not yet confirmed by our editors.")) + "</i>")
    return "\n".join(parts)


def answer_text(local: Localised, turn: Turn) -> str:
    _ = turn._
    entry, text = local.entry, local.text
    lines: list[str] = []
    if local.fallback:
        lines.append(
            "<i>"
            + escape(_("This answer is not yet available in your language. Here it is in:"))
            + " "
            + escape(local.lang.upper())
            + "</i>\n"
        )
    lines.append(f"<b>{escape(text.question)}</b>\n")
    lines.append(escape(text.answer))
    contacts = [c for c in (turn.knowledge.contact(cid) for cid in entry.contacts) if c is not None]
    town = turn.state.get("town")
    if town:
        contacts.sort(key=lambda c: not (c.town and c.town.casefold() == str(town).casefold()))
    if contacts:
        lines.append("\n" + contact_lines(contacts[0], turn))
    source = entry.sources[0]
    as_of = format_day(entry.checked_on, turn.lang)
    lines.append(
        "\n"
        + escape(_("Source:"))
        + f' <a href="{escape(str(source.url))}">{escape(source.title)}</a>'
        + " · "
        + escape(_("As of"))
        + " "
        + escape(as_of)
    )
    if text.machine_translated:
        lines.append("<i>" + escape(_("Machine-translated; an editor will review it.")) + "</i>")
    if entry.review_status == "needs_verification":
        lines.append(
            "<i>"
            + escape(_("Our editors are still checking this answer. An advisor can help for sure."))
            + "</i>"
        )
    return "\n".join(lines)


def event_text(event: Event, lang: str, catalogs: Catalogs, zone: ZoneInfo) -> str:
    """An event in the person's language (German when it has no translation), dated for their locale."""

    def _(message: str) -> str:
        return catalogs.translate(lang, message)

    text = in_language(event.translations, lang) or in_language(event.translations, "de")
    assert text is not None  # the model requires German
    moment = format_datetime(event.starts_at.astimezone(zone), format="medium", locale=locale_for(lang))
    lines = [f"<b>{escape(text.title)}</b>", "🗓 " + escape(moment)]
    lines.append("📍 " + escape(event.place))
    lines.append(escape(text.description))
    if event.registration:
        lines.append(escape(_("Registration:")) + " " + escape(event.registration))
    if event.needs_verification:
        lines.append("<i>" + escape(_("Date not yet confirmed.")) + "</i>")
    return "\n".join(lines)
