"""Editors' reports: translation coverage, content due for review, unanswered questions.

Each report is a plain function over data (a ``ContentSnapshot`` or a list of questions)
plus a ``format_…`` function that turns it into text a non-technical editor can read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

from knowledge.loader import ContentSnapshot
from knowledge.model import (
    LANGUAGES,
    ContactText,
    EventText,
    FaqEntry,
    FaqTranslation,
    Language,
    in_language,
)

LANGUAGE_NAMES: dict[str, str] = {
    "de": "German",
    "en": "English",
    "ar": "Arabic",
    "uk": "Ukrainian",
    "ru": "Russian",
    "fa": "Persian",
    "tr": "Turkish",
    "cs": "Czech",
}

# Where each kind of item lives in a content folder (the loader requires file name == id).
FOLDERS: dict[str, str] = {
    "faq": "faq",
    "contact": "contacts",
    "event": "events",
    "offer": "offers",
    "phrasings": "phrasings",
}


def language_label(lang: str) -> str:
    """``"uk (Ukrainian)"``; unknown codes stay as they are."""
    name = LANGUAGE_NAMES.get(lang)
    return f"{lang} ({name})" if name else lang


def translation_of(entry: FaqEntry, lang: str) -> FaqTranslation | None:
    """The entry's text in ``lang``, or None (typed for any string, not just known codes)."""
    return next((tr for code, tr in entry.translations.items() if code == lang), None)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


# ---------------------------------------------------------------- translation coverage


@dataclass
class LanguageCoverage:
    """One language across all FAQ entries; the lists hold entry ids."""

    language: str
    total: int = 0
    present: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    machine: list[str] = field(default_factory=list)


def coverage(snapshot: ContentSnapshot) -> list[LanguageCoverage]:
    """Per language: which FAQ entries lack it, are stale, or are machine-translated."""
    rows = {lang: LanguageCoverage(lang) for lang in LANGUAGES}
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        for lang, row in rows.items():
            row.total += 1
            tr = translation_of(entry, lang)
            if tr is None:
                row.missing.append(entry.id)
                continue
            row.present += 1
            if entry.is_stale(lang):
                row.stale.append(entry.id)
            if tr.machine_translated:
                row.machine.append(entry.id)
    return list(rows.values())


def format_coverage(rows: Sequence[LanguageCoverage]) -> str:
    total = rows[0].total if rows else 0
    width = max((len(language_label(r.language)) for r in rows), default=8) + 2
    lines = [
        f"Translations of {_plural(total, 'FAQ entry', 'FAQ entries')}; "
        f"German (de) is the source of every translation.",
        "",
        f"{'language':<{width}}{'present':>8}{'missing':>9}{'stale':>7}{'machine-translated':>20}",
    ]
    for row in rows:
        lines.append(
            f"{language_label(row.language):<{width}}{row.present:>8}{len(row.missing):>9}"
            f"{len(row.stale):>7}{len(row.machine):>20}"
        )
    for title, attribute in (
        ("Missing translations:", "missing"),
        ("Stale translations (the German text changed after they were made):", "stale"),
    ):
        listed = [(row.language, getattr(row, attribute)) for row in rows if getattr(row, attribute)]
        if listed:
            lines += ["", title]
            lines += [f"  {language_label(lang)}: {', '.join(ids)}" for lang, ids in listed]
    lines += ["", "'machine-translated' counts translations that no person has reviewed yet."]
    return "\n".join(lines)


@dataclass
class ItemCoverage:
    """Contacts or events (``kind``) across languages: ids missing or machine-translated."""

    kind: str
    total: int = 0
    missing: dict[str, list[str]] = field(default_factory=dict)
    machine: dict[str, list[str]] = field(default_factory=dict)


def item_coverage(snapshot: ContentSnapshot) -> list[ItemCoverage]:
    """Per language: which contacts and events lack it or are machine-translated."""
    rows: list[ItemCoverage] = []
    kinds: list[tuple[str, list[tuple[str, Mapping[Language, ContactText | EventText]]]]] = [
        ("contact", [(c.id, c.translations) for c in snapshot.contacts.values()]),
        ("event", [(e.id, e.translations) for e in snapshot.events]),
    ]
    for kind, items in kinds:
        row = ItemCoverage(kind, total=len(items))
        for item_id, translations in sorted(items):
            for lang in LANGUAGES:
                text = in_language(translations, lang)
                if text is None:
                    row.missing.setdefault(lang, []).append(item_id)
                elif text.machine_translated:
                    row.machine.setdefault(lang, []).append(item_id)
        rows.append(row)
    return rows


def format_item_coverage(rows: Sequence[ItemCoverage]) -> str:
    lines: list[str] = []
    for row in rows:
        title = "Contacts" if row.kind == "contact" else "Events"
        lines.append(f"{title} ({row.total}): texts a person reads, per language.")
        if not row.missing and not row.machine:
            lines.append("  every language is there and reviewed.")
        for lang, ids in row.missing.items():
            lines.append(f"  missing in {language_label(lang)}: {', '.join(ids)}")
        if row.machine:
            counts = ", ".join(f"{lang} {len(ids)}" for lang, ids in row.machine.items())
            lines.append(f"  machine-translated, not yet reviewed: {counts}")
    return "\n".join(lines)


# ---------------------------------------------------------------- content due for review


@dataclass(frozen=True, slots=True)
class Due:
    """Something an editor should check: ``kind`` is faq, contact or event."""

    kind: str
    item_id: str
    reason: str
    # The editors' own note on the item (``editor_note``), if it has one.
    note: str = ""

    @property
    def file(self) -> str:
        return f"{FOLDERS.get(self.kind, self.kind)}/{self.item_id}.yaml"


def stale(snapshot: ContentSnapshot, today: dt.date, contact_age_days: int = 180) -> list[Due]:
    """FAQ entries past ``review_by`` or marked for verification, stale translations,
    unconfirmed or long-unchecked contacts, and unconfirmed or past events."""
    due: list[Due] = []
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        if entry.review_by <= today:
            due.append(Due("faq", entry.id, f"was due for review on {entry.review_by.isoformat()}"))
        if entry.review_status == "needs_verification":
            due.append(Due("faq", entry.id, "marked 'needs_verification': a fact still has to be confirmed"))
        outdated = [lang for lang in LANGUAGES if entry.is_stale(lang)]
        if outdated:
            due.append(
                Due(
                    "faq",
                    entry.id,
                    f"German revision {entry.source_revision} is newer than the translation into "
                    f"{', '.join(outdated)}",
                )
            )
    for contact in sorted(snapshot.contacts.values(), key=lambda c: c.id):
        if contact.needs_verification:
            due.append(
                Due(
                    "contact",
                    contact.id,
                    "address, phone or e-mail not confirmed by a source",
                    contact.editor_note or "",
                )
            )
        if (today - contact.checked_on).days > contact_age_days:
            due.append(
                Due(
                    "contact",
                    contact.id,
                    f"last checked on {contact.checked_on.isoformat()}, "
                    f"more than {contact_age_days} days ago",
                )
            )
    for event in sorted(snapshot.events, key=lambda e: e.id):
        if event.needs_verification:
            due.append(
                Due("event", event.id, "date or details not confirmed by a source", event.editor_note or "")
            )
        end = (event.ends_at or event.starts_at).date()
        if end < today:
            due.append(
                Due("event", event.id, f"took place on {end.isoformat()}; remove it or add the next date")
            )
    return due


def format_stale(due: Sequence[Due], today: dt.date | None = None) -> str:
    when = f" on {today.isoformat()}" if today else ""
    if not due:
        return f"Nothing is due for review{when}."
    width = max(len(d.file) for d in due) + 2
    lines = [f"{_plural(len(due), 'thing')} to check{when}:"]
    for kind, title in (("faq", "FAQ entries"), ("contact", "Contacts"), ("event", "Events")):
        part = [d for d in due if d.kind == kind]
        if part:
            lines += ["", title]
            for d in part:
                lines.append(f"  {d.file:<{width}}{d.reason}")
                if d.note:
                    lines.append(f"  {'':<{width}}note: {d.note}")
    return "\n".join(lines)


# ---------------------------------------------------------------- unanswered questions


REASONS: dict[str, str] = {
    "no_match": "no answer found",
    "unhelpful": "answer rated unhelpful",
    "none_of_these": "none of the suggested entries fitted",
}


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    language: str
    # "no_match" (nothing fitted) or "unhelpful" (the answer ``entry_id`` was rated unhelpful)
    reason: str
    created_at: dt.datetime
    entry_id: str | None = None


@dataclass
class QuestionGroup:
    example: str  # the newest wording
    count: int
    languages: set[str]
    reasons: set[str]
    newest: dt.datetime
    # The entries whose answers were rated unhelpful for this question.
    entries: set[str] = field(default_factory=set)
    # Every wording in the group, as asked.
    texts: set[str] = field(default_factory=set)


def _key(text: str) -> str:
    # Lower case, punctuation to spaces, one space between words (every script).
    return " ".join(utils.default_process(text).split())


def group_questions(questions: Iterable[Question], threshold: float = 85.0) -> list[QuestionGroup]:
    """Group wordings of the same question; newest group first, then the biggest.

    Two questions belong together when their words, in any order, are nearly the same
    (rapidfuzz ``token_sort_ratio`` ≥ ``threshold``): typing mistakes, punctuation, case and
    word order do not split a group, but sharing a few words does not join two questions.
    A question joins the group of the most similar wording seen so far.
    """
    groups: list[QuestionGroup] = []
    seen: dict[str, int] = {}  # every wording seen → index of its group
    for q in sorted(questions, key=lambda q: q.created_at, reverse=True):
        key = _key(q.text)
        index = seen.get(key)
        if index is None and key and seen:
            best = process.extractOne(key, list(seen), scorer=fuzz.token_sort_ratio, score_cutoff=threshold)
            if best is not None:
                index = seen[best[0]]
        if index is None:
            index = len(groups)
            groups.append(QuestionGroup(q.text.strip(), 0, set(), set(), q.created_at))
        group = groups[index]
        group.count += 1
        group.languages.add(q.language)
        group.reasons.add(q.reason)
        group.texts.add(q.text)
        if q.entry_id:
            group.entries.add(q.entry_id)
        seen.setdefault(key, index)
    return sorted(groups, key=lambda g: (g.newest, g.count), reverse=True)


def _why(group: QuestionGroup) -> str:
    parts = []
    for reason in sorted(group.reasons):
        label = REASONS.get(reason, reason)
        if reason == "unhelpful" and group.entries:
            label += f" ({', '.join(sorted(group.entries))})"
        parts.append(label)
    return "; ".join(parts)


def format_groups(groups: Sequence[QuestionGroup], days: int | None = None) -> str:
    period = f" in the last {_plural(days, 'day')}" if days is not None else ""
    if not groups:
        return f"No unanswered questions{period}."
    total = sum(g.count for g in groups)
    rows = [
        (str(g.count), ", ".join(sorted(g.languages)), g.newest.date().isoformat(), _why(g), g.example)
        for g in groups
    ]
    header = ("asked", "languages", "last asked", "why", "question (newest wording)")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]

    def line(cells: Sequence[str]) -> str:
        count, *rest = cells
        middle = "  ".join(f"{c:<{w}}" for c, w in zip(rest[:3], widths[1:], strict=True))
        text = rest[3] if len(rest[3]) <= 100 else rest[3][:99] + "…"
        return f"{count:>{widths[0]}}  {middle}  {text}"

    lines = [
        f"{_plural(total, 'unanswered question')}{period}, in {_plural(len(groups), 'group')} "
        "of similar wording, most recent first:",
        "",
        line(header),
    ]
    lines += [line(r) for r in rows]
    return "\n".join(lines)
