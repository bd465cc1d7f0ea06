"""Turn content into reply text: escaped, sourced, dated, right-to-left safe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_time,
    get_datetime_format,
    get_time_format,
)

from dialogs.bidi import isolate_ltr
from dialogs.context import Turn
from dialogs.i18n import LANGUAGE_NAMES, N_, Catalogs
from knowledge.base import Localised
from knowledge.model import RTL_LANGUAGES, SOURCE_LANGUAGE, Contact, Event, Language, in_language

T = TypeVar("T")

MAX_LABEL = 60


def locale_for(lang: str) -> str:
    return {"fa": "fa_IR", "ar": "ar", "uk": "uk_UA", "cs": "cs_CZ", "tr": "tr_TR"}.get(lang, lang)


@lru_cache(maxsize=4096)
def format_day(day: dt.date, lang: str) -> str:
    # Cached: Babel takes a millisecond or two a date, and every answer's footer shows one
    # (the checks at start-up render each answer in every language).
    return format_date(day, format="medium", locale=locale_for(lang))


def _time_skeleton(locale: str) -> str:
    """Hours and minutes the way the locale writes them (12 or 24 hours), never seconds."""
    return "hm" if "h" in get_time_format("short", locale=locale).pattern else "Hm"


def _join(day: str, time: str, locale: str) -> str:
    """A day and a time joined by the locale's own pattern ("{1}, {0}")."""
    pattern = str(get_datetime_format("medium", locale=locale))
    return pattern.replace("{1}", day).replace("{0}", time)


def format_clock(moment: dt.datetime, lang: str, zone: ZoneInfo) -> str:
    """A date and time in the person's locale, without seconds: "Sat, 11 Sept 2027, 10:00"."""
    locale, local = locale_for(lang), moment.astimezone(zone)
    day = format_skeleton("yMMMEd", local, locale=locale)
    return _join(day, format_time(local, "short", locale=locale), locale)


def automatic_answer_note(turn: Turn) -> str:
    """What goes above the bot's own answer while the person waits for an advisor."""
    _ = turn._
    return "<i>" + escape("🤖 " + _("Automatic answer from the bot while you wait:")) + "</i>\n\n"


def format_moment(moment: dt.datetime, turn: Turn) -> str:
    return format_clock(moment, turn.lang, turn.env.zone)


def event_when(event: Event, lang: str, zone: ZoneInfo) -> str:
    """When an event is, in the person's locale: no seconds, and no time when none is known."""
    locale = locale_for(lang)
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone) if event.ends_at else None
    if event.all_day:
        if end is None or end.date() == start.date():
            return format_skeleton("yMMMEd", start, locale=locale)
        return format_interval(start.date(), end.date(), "yMMMEd", locale=locale)
    if end is None:
        return format_clock(start, lang, zone)
    if end.date() == start.date():
        day = format_skeleton("yMMMEd", start, locale=locale)
        hours = format_interval(start.time(), end.time(), _time_skeleton(locale), locale=locale)
        return _join(day, hours, locale)
    return f"{format_clock(start, lang, zone)} – {format_clock(end, lang, zone)}"


def label(text: str) -> str:
    """A button label: one line, short enough for a phone screen."""
    flat = " ".join(text.split())
    if len(flat) <= MAX_LABEL:
        return flat
    cut = flat[:MAX_LABEL]  # a space right after the last kept word still ends it whole
    head = cut[: cut.rfind(" ")] if " " in cut[MAX_LABEL // 2 :] else flat[: MAX_LABEL - 1]
    return head.rstrip(" ,;:–-") + "…"


def finish(text: str, lang: str) -> str:
    return isolate_ltr(text) if lang in RTL_LANGUAGES else text


def _text_in(translations: Mapping[Language, T], lang: str) -> T:
    """The person's language, else English, else the German source (always there)."""
    for code in (lang, "en", SOURCE_LANGUAGE):
        text = in_language(translations, code)
        if text is not None:
            return text
    raise LookupError(lang)  # unreachable: the model requires German


def _host(url: str) -> str:
    """``https://www.bamf.de/DE/…`` → ``bamf.de``: a link text that needs no translation."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _link(url: str, text: str | None = None) -> str:
    return f'<a href="{escape(url)}">{escape(text or _host(url))}</a>'


def contact_notice(contact: Contact, lang: str) -> str | None:
    """The one notice a contact card carries: unconfirmed details before machine translation."""
    if contact.needs_verification:
        return N_("Details not yet confirmed by our editors.")
    if _text_in(contact.translations, lang).machine_translated:
        return N_("Machine-translated; an editor will review it.")
    return None


def contact_lines(contact: Contact, turn: Turn, notice: bool = True) -> str:
    """A contact card in the person's language: names, numbers and addresses as they are,
    everything else translated; at most one short notice at the end."""
    _ = turn._
    text = _text_in(contact.translations, turn.lang)
    parts = [f"<b>{escape(contact.organisation)}</b>", escape(text.description)]
    if contact.address:
        note = f" ({text.address_note})" if text.address_note else ""
        parts.append("📍 " + escape(_("Address:")) + " " + escape(contact.address + note))
    if contact.phone:
        note = f" ({text.phone_note})" if text.phone_note else ""
        parts.append("☎️ " + escape(_("Phone:")) + " " + escape(contact.phone + note))
    if contact.email:
        parts.append("✉️ " + escape(_("E-mail:")) + " " + escape(contact.email))
    if text.opening_hours:
        parts.append("🕒 " + escape(_("Opening hours:")) + " " + escape(text.opening_hours))
    if contact.languages:
        spoken = ", ".join(LANGUAGE_NAMES.get(code, code) for code in contact.languages)
        parts.append("🗣 " + escape(_("Languages spoken:")) + " " + escape(spoken))
    if contact.website:
        parts.append("🔗 " + _link(str(contact.website)))
    message = contact_notice(contact, turn.lang) if notice else None
    if message:
        parts.append("<i>" + escape(_(message)) + "</i>")
    return "\n".join(parts)


def answer_notice(local: Localised, contact: Contact | None) -> str | None:
    """At most one notice under an answer: a fact still being checked (in the answer or its
    contact) comes first, then machine translation, then a draft nobody has reviewed."""
    entry = local.entry
    if entry.review_status == "needs_verification" or (contact is not None and contact.needs_verification):
        return N_("Our editors are still checking this answer. An advisor can help for sure.")
    contact_machine = contact is not None and _text_in(contact.translations, local.lang).machine_translated
    if local.text.machine_translated or contact_machine:
        return N_("Machine-translated; an editor will review it.")
    if entry.review_status == "draft":
        return N_("Not yet reviewed by our editors.")
    return None


def footer(source_url: str, as_of: dt.date, notice: str | None, turn: Turn) -> str:
    """One compact line under an answer: source, "as of" date and at most one notice."""
    _ = turn._
    parts = [
        escape(_("Source:")) + " " + _link(source_url),
        escape(_("As of")) + " " + escape(format_day(as_of, turn.lang)),
    ]
    if notice:
        parts.append(escape(_(notice)))
    return "<i>" + " · ".join(parts) + "</i>"


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
    contact = contacts[0] if contacts else None
    if contact is not None:
        # The card's own notice joins the answer's footer, so only one notice is shown.
        lines.append("\n" + contact_lines(contact, turn, notice=False))
    notice = answer_notice(local, contact)
    lines.append("\n" + footer(str(entry.sources[0].url), entry.checked_on, notice, turn))
    return "\n".join(lines)


def event_notice(event: Event, lang: str) -> str | None:
    """At most one notice: a date not yet confirmed comes before machine translation."""
    if event.needs_verification:
        return N_("Date not yet confirmed.")
    if _text_in(event.translations, lang).machine_translated:
        return N_("Machine-translated; an editor will review it.")
    return None


def event_text(event: Event, lang: str, catalogs: Catalogs, zone: ZoneInfo) -> str:
    """An event in the person's language, dated for their locale, with at most one notice."""

    def _(message: str) -> str:
        return catalogs.translate(lang, message)

    text = _text_in(event.translations, lang)
    lines = [f"<b>{escape(text.title)}</b>", "🗓 " + escape(event_when(event, lang, zone))]
    if text.place:
        lines.append("📍 " + escape(text.place))
    lines.append(escape(text.description))
    if text.registration:
        lines.append(escape(_("Registration:")) + " " + escape(text.registration))
    notice = event_notice(event, lang)
    if notice:
        lines.append("<i>" + escape(_(notice)) + "</i>")
    return "\n".join(lines)
