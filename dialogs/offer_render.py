"""An offer as reply text: company, town and distance, kind, team languages, contact,
validity, the network's welcome mark and the source, in the person's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape

from babel import Locale

from dialogs.i18n import N_, Catalogs
from dialogs.render import _link, format_day, locale_for
from knowledge.model import RTL_LANGUAGES
from knowledge.offers import NearOffer, Offer, field_names_in, offer_text_in

KIND_LABELS: dict[str, str] = {
    "schulpraktikum": N_("School internship (Schulpraktikum)"),
    "freiwilliges_praktikum": N_("Voluntary internship (freiwilliges Praktikum)"),
    "einstiegsqualifizierung": N_("Entry qualification (Einstiegsqualifizierung, EQ)"),
    "ausbildung": N_("Training place (Ausbildung)"),
}


def language_name(code: str, lang: str) -> str:
    """A team language named in the person's language ("Polnisch", "البولندية")."""
    names = Locale.parse(locale_for(lang)).languages
    return str(names.get(code, code))


def offer_notice(offer: Offer, lang: str) -> str | None:
    """At most one notice: unconfirmed details come before machine translation."""
    if offer.needs_verification:
        return N_("Details not yet confirmed by our editors.")
    if offer_text_in(offer, lang).machine_translated:
        return N_("Machine-translated; an editor will review it.")
    return None


def field_list(names: list[str], lang: str) -> str:
    """Field names, each of which may hold commas ("Metall, Maschinenbau"), joined by a
    semicolon: the Arabic one in Arabic and Farsi."""
    return ("؛ " if lang in RTL_LANGUAGES else "; ").join(names)


def comma_list(names: list[str], lang: str) -> str:
    return ("، " if lang in RTL_LANGUAGES else ", ").join(names)


def offer_text(
    near: NearOffer,
    lang: str,
    catalogs: Catalogs,
    field_names: Mapping[str, Mapping[str, str]],
    today: dt.date,
) -> str:
    def _(message: str) -> str:
        return catalogs.translate(lang, message)

    offer = near.offer
    text = offer_text_in(offer, lang)
    fields = field_list([field_names_in(field_names, f, lang) for f in offer.fields], lang)
    lines = [
        f"<b>{escape(offer.company)}</b>",
        f"📍 {escape(near.town.name)} ({round(near.km)} km)",
        "🧰 " + escape(_(KIND_LABELS[offer.kind])) + " · " + escape(fields),
        escape(text.description),
    ]
    if offer.welcome is not None:
        lines.append(
            "🤝 " + escape(_("Welcomes young people with a migration background (agreed with our network)"))
        )
    spoken = comma_list([language_name(code, lang) for code in offer.team_languages], lang)
    lines.append("🗣 " + escape(_("Languages spoken:")) + " " + escape(spoken))
    contact = offer.contact
    if contact.person:
        lines.append("👤 " + escape(contact.person))
    if contact.phone:
        lines.append("☎️ " + escape(_("Phone:")) + " " + escape(contact.phone))
    if contact.email:
        lines.append("✉️ " + escape(_("E-mail:")) + " " + escape(contact.email))
    if contact.url:
        lines.append("🔗 " + _link(str(contact.url)))
    until = format_day(offer.valid_until, lang)
    if offer.valid_from > today:
        lines.append(f"🗓 {escape(format_day(offer.valid_from, lang))} – {escape(until)}")
    else:
        lines.append("🗓 " + escape(_("Valid until:")) + " " + escape(until))
    footer = [
        escape(_("Source:")) + " " + _link(str(offer.sources[0].url)),
        escape(_("As of")) + " " + escape(format_day(offer.checked_on, lang)),
    ]
    notice = offer_notice(offer, lang)
    if notice:
        footer.append(escape(_(notice)))
    lines.append("<i>" + " · ".join(footer) + "</i>")
    return "\n".join(lines)
