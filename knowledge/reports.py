"""Editors' reports: translation coverage, content due for review, unanswered questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from knowledge.loader import ContentSnapshot
from knowledge.model import LANGUAGES, SOURCE_LANGUAGE


@dataclass
class LanguageCoverage:
    language: str
    total: int = 0
    present: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    machine: list[str] = field(default_factory=list)


def coverage(snapshot: ContentSnapshot) -> list[LanguageCoverage]:
    rows = {lang: LanguageCoverage(lang) for lang in LANGUAGES}
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        for lang, row in rows.items():
            row.total += 1
            tr = entry.translations.get(lang)  # type: ignore[call-overload]
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
    lines = [f"{'language':<9}{'present':>9}{'missing':>9}{'stale':>7}{'machine':>9}"]
    for row in rows:
        lines.append(
            f"{row.language:<9}{row.present:>5}/{row.total:<3}{len(row.missing):>9}{len(row.stale):>7}"
            f"{len(row.machine):>9}"
        )
    for row in rows:
        for label, ids in (("missing", row.missing), ("stale", row.stale)):
            if ids:
                lines.append(f"{row.language} {label}: {', '.join(ids)}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Due:
    kind: str
    item_id: str
    reason: str


def stale(snapshot: ContentSnapshot, today: dt.date) -> list[Due]:
    due: list[Due] = []
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        if entry.review_by <= today:
            due.append(Due("faq", entry.id, f"review was due on {entry.review_by.isoformat()}"))
        if entry.review_status == "needs_verification":
            due.append(Due("faq", entry.id, "marked: needs verification"))
        for lang in entry.translations:
            if lang != SOURCE_LANGUAGE and entry.is_stale(lang):
                due.append(Due("faq", entry.id, f"{lang} was translated from an older German revision"))
    for contact in sorted(snapshot.contacts.values(), key=lambda c: c.id):
        if contact.needs_verification:
            due.append(Due("contact", contact.id, "address, phone or e-mail not confirmed"))
        if (today - contact.checked_on).days > 180:
            due.append(Due("contact", contact.id, f"last checked on {contact.checked_on.isoformat()}"))
    for event in snapshot.events:
        if event.needs_verification:
            due.append(Due("event", event.id, "date not confirmed"))
    return due


def format_stale(due: Sequence[Due]) -> str:
    if not due:
        return "Nothing is due for review."
    return "\n".join(f"{d.kind:<8}{d.item_id:<34}{d.reason}" for d in due)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    language: str
    reason: str
    created_at: dt.datetime


@dataclass
class QuestionGroup:
    example: str
    count: int
    languages: set[str]
    reasons: set[str]
    newest: dt.datetime


def group_questions(questions: Iterable[Question], threshold: float = 72.0) -> list[QuestionGroup]:
    """Group similar questions (token-set similarity), newest group first."""
    groups: list[QuestionGroup] = []
    keys: list[str] = []
    for q in sorted(questions, key=lambda q: q.created_at, reverse=True):
        key = " ".join(q.text.casefold().split())
        best, best_score = -1, 0.0
        for index, other in enumerate(keys):
            score = fuzz.token_set_ratio(key, other)
            if score > best_score:
                best, best_score = index, score
        if best >= 0 and best_score >= threshold:
            group = groups[best]
            group.count += 1
            group.languages.add(q.language)
            group.reasons.add(q.reason)
            continue
        keys.append(key)
        groups.append(QuestionGroup(q.text, 1, {q.language}, {q.reason}, q.created_at))
    return sorted(groups, key=lambda g: g.newest, reverse=True)


def format_groups(groups: Sequence[QuestionGroup]) -> str:
    if not groups:
        return "No unanswered questions."
    lines = [f"{'count':>5}  {'languages':<12}{'newest':<12}{'why':<20}example"]
    for g in groups:
        lines.append(
            f"{g.count:>5}  {','.join(sorted(g.languages)):<12}{g.newest.date().isoformat():<12}"
            f"{','.join(sorted(g.reasons)):<20}{g.example[:80]}"
        )
    return "\n".join(lines)
