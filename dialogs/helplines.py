"""The crisis lines as text in the person's language: numbers first, then who a line is
for, when it is open (and whether it is open now), whether it is free, and which
languages it speaks. The facts come from ``content/crisis_lines.yaml``
(``knowledge.crisis_lines``); only the words around them come from the catalogs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from html import escape

from babel import Locale
from babel.dates import format_time
from babel.lists import format_list

from dialogs.context import Turn
from dialogs.i18n import N_
from dialogs.render import locale_for
from knowledge.crisis_lines import DAYS, CrisisLine, CrisisLines, Span, default_crisis_lines

PURPOSES: dict[str, str] = {
    "emergency": N_("Emergency: ambulance and fire brigade"),
    "police": N_("Police"),
    "listening": N_("someone to talk to when things are hard"),
    "young": N_("for children and young people"),
    "women": N_("for women facing violence, and people close to them"),
    "interpreting": N_("helps you in your language to call 110 or 112 and to talk with offices"),
    "ukraine": N_("for people who fled Ukraine, and their families"),
    "muslim": N_("Muslim pastoral care line, open to everyone"),
}


def crisis_lines() -> CrisisLines:
    return default_crisis_lines()


def person_languages(turn: Turn, written_in: str | None = None) -> tuple[str, ...]:
    """The person's chosen language, and the one the message was written in when it differs."""
    langs = [turn.lang]
    if written_in and written_in != turn.lang:
        langs.append(written_in)
    return tuple(langs)


def _language_names(codes: Iterable[str], locale: Locale) -> str:
    names = [locale.languages.get(code, code) for code in codes]
    return format_list(names, locale=locale) if names else ""


def _days(days: tuple[str, ...], locale: Locale) -> str:
    """ "Mon–Sat" for a run of days, "Mon, Wed, Thu" otherwise."""
    names = locale.days["format"]["abbreviated"]
    index = sorted(DAYS.index(day) for day in days)
    runs: list[list[int]] = []
    for i in index:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts: list[str] = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts += [names[i] for i in run]
    return format_list(parts, locale=locale)


def _span(span: Span, locale: Locale) -> str:
    start = format_time(span.opens, "short", locale=locale)
    end = format_time(span.closes, "short", locale=locale)
    return f"{_days(span.days, locale)} {start}–{end}"


def _hours(line: CrisisLine, turn: Turn, locale: Locale) -> str:
    _ = turn._
    if line.hours == "always":
        return _("day and night")
    spans = format_list([_span(span, locale) for span in line.hours], locale=locale)
    now = _("open now") if line.is_open(turn.now, turn.env.zone) else _("closed now")
    return f"{spans} ({now})"


def _head(line: CrisisLine, turn: Turn) -> str:
    numbers = " / ".join(f"<b>{escape(number)}</b>" for number in line.numbers)
    purpose = escape(turn._(PURPOSES[line.purpose]))
    name = f"{escape(line.name)}: " if line.name else ""
    return f"• {numbers} – {name}{purpose}"


def line_text(line: CrisisLine, turn: Turn) -> str:
    """One line with all its facts, in the person's language (HTML)."""
    _ = turn._
    locale = Locale.parse(locale_for(turn.lang))
    facts = [_hours(line, turn, locale)]
    if line.free:
        facts.append(_("free"))
    facts.append(_("speaks {languages}").format(languages=_language_names(line.speaks, locale)))
    if line.sometimes:
        facts.append(_("{languages} at some times").format(languages=_language_names(line.sometimes, locale)))
    if line.interpreters:
        facts.append(
            _("interpreters for {languages}").format(languages=_language_names(line.interpreters, locale))
        )
    return _head(line, turn) + "\n   " + escape(" · ".join(facts))


def full_text(turn: Turn, languages: Collection[str]) -> str:
    """Every line for this person: danger first, then the national lines, then their language."""
    _ = turn._
    lines = crisis_lines()
    parts = [escape(_("You are not alone. If you are in danger now, call for help:"))]
    parts += [line_text(line, turn) for line in lines.group("danger")]
    talk = lines.group("talk")
    if talk:
        parts.append("\n" + escape(_("To talk to someone:")))
        parts += [line_text(line, turn) for line in talk]
    own = lines.group("language", languages)
    if own:
        parts.append("\n" + escape(_("In your language:")))
        parts += [line_text(line, turn) for line in own]
    shown = (*lines.group("danger"), *talk, *own)
    if turn.lang != "de" and not any(line.reaches(turn.lang) for line in shown):
        parts.append(
            "\n"
            + escape(
                _(
                    "I know of no crisis line in Germany that speaks your language. "
                    "If you can, call in German or English, or ask someone to call with you."
                )
            )
        )
    return "\n".join(parts)


def short_text(turn: Turn, languages: Collection[str], head: str = "") -> str:
    """The numbers again, briefly: danger, and the lines open now (national, their language).
    ``head``: the sentence before them (HTML), "You are not alone…" when none is given."""
    _ = turn._
    lines = crisis_lines()
    chosen = [
        *lines.group("danger"),
        *(line for line in lines.group("talk") if line.is_open(turn.now, turn.env.zone)),
        *(line for line in lines.group("language", languages) if line.is_open(turn.now, turn.env.zone)),
    ]
    head = head or escape(_("You are not alone. If you are in danger now, call for help:"))
    return "\n".join([head, *(_head(line, turn) for line in chosen)])
