"""Editors' reports: coverage, content due for review, unanswered questions grouped."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import SHIPPED_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import UnansweredQuestion
from bot.db.reports import unanswered_questions
from knowledge.loader import ContentSnapshot, load_content
from knowledge.model import LANGUAGES
from knowledge.reports import (
    Due,
    LanguageCoverage,
    Question,
    coverage,
    format_coverage,
    format_groups,
    format_stale,
    group_questions,
    stale,
)

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
LACKS_UK = "berufsschule"
RAISED = "anerkennung-kosten"


def edit_yaml(path: Path, change: Any) -> None:
    """Change a content file through its data (tests only; editors keep their layout)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def prepare_coverage_folder(folder: Path) -> None:
    """One entry without Ukrainian, one whose German text moved on to revision 2."""
    shutil.copytree(SHIPPED_CONTENT_DIR, folder)
    edit_yaml(folder / "faq" / f"{LACKS_UK}.yaml", lambda d: d["translations"].pop("uk"))
    edit_yaml(folder / "faq" / f"{RAISED}.yaml", lambda d: d["translations"]["de"].update(revision=2))


@pytest.fixture
def changed(tmp_path: Path) -> ContentSnapshot:
    prepare_coverage_folder(tmp_path / "content")
    return load_content(tmp_path / "content")


# ---------------------------------------------------------------- coverage


def by_language(rows: list[LanguageCoverage]) -> dict[str, LanguageCoverage]:
    return {row.language: row for row in rows}


def test_coverage_counts_present_missing_stale_and_machine_translated(changed: ContentSnapshot) -> None:
    rows = by_language(coverage(changed))
    total = len(changed.faq)
    assert list(rows) == list(LANGUAGES)
    assert all(row.total == total for row in rows.values())

    german = rows["de"]
    assert (german.present, german.missing, german.stale, german.machine) == (total, [], [], [])

    uk = rows["uk"]
    assert uk.present == total - 1
    assert uk.missing == [LACKS_UK]
    assert uk.stale == [RAISED]
    assert len(uk.machine) == total - 1  # the shipped translations are all machine-made

    for lang in ("en", "ar", "ru", "fa", "tr", "cs"):
        assert rows[lang].present == total, lang
        assert rows[lang].missing == [], lang
        assert rows[lang].stale == [RAISED], lang


def test_coverage_report_reads_as_a_table_with_the_ids(changed: ContentSnapshot) -> None:
    text = format_coverage(coverage(changed))
    total = len(changed.faq)
    assert f"Translations of {total} FAQ entries" in text
    uk_line = next(line for line in text.splitlines() if line.startswith("uk (Ukrainian)"))
    assert uk_line.split()[2:] == [str(total - 1), "1", "1", str(total - 1)]
    assert f"uk (Ukrainian): {LACKS_UK}" in text
    assert f"en (English): {RAISED}" in text
    assert "Missing translations:" in text
    assert "Stale translations" in text


def test_coverage_of_complete_reviewed_content_lists_nothing_missing(shipped: ContentSnapshot) -> None:
    text = format_coverage(coverage(shipped))
    assert "Missing translations:" not in text
    assert "Stale translations" not in text


# ---------------------------------------------------------------- stale


def test_stale_names_overdue_unverified_outdated_and_unconfirmed(changed: ContentSnapshot) -> None:
    entry = changed.faq[RAISED]
    today = entry.review_by + dt.timedelta(days=1)
    due = stale(changed, today)
    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in due:
        reasons[(d.kind, d.item_id)].append(d.reason)

    assert f"was due for review on {entry.review_by.isoformat()}" in reasons[("faq", RAISED)]
    outdated = "German revision 2 is newer than the translation into en, ar, uk, ru, fa, tr, cs"
    assert outdated in reasons[("faq", RAISED)]
    flagged = [e.id for e in changed.faq.values() if e.review_status == "needs_verification"]
    assert flagged
    for entry_id in flagged:
        assert any("needs_verification" in r for r in reasons[("faq", entry_id)])
    for contact in changed.contacts.values():
        if contact.needs_verification:
            assert "address, phone or e-mail not confirmed by a source" in reasons[("contact", contact.id)]
    for event in changed.events:
        if event.needs_verification:
            assert "date or details not confirmed by a source" in reasons[("event", event.id)]


def test_stale_review_date_is_due_on_the_day_not_before(changed: ContentSnapshot) -> None:
    entry = changed.faq[LACKS_UK]

    def overdue(today: dt.date) -> bool:
        return any(d.item_id == LACKS_UK and "was due for review" in d.reason for d in stale(changed, today))

    assert not overdue(entry.review_by - dt.timedelta(days=1))
    assert overdue(entry.review_by)


def test_stale_names_contacts_not_checked_for_half_a_year_and_past_events(shipped: ContentSnapshot) -> None:
    contact = next(iter(shipped.contacts.values()))
    event = shipped.events[0]
    today = max(contact.checked_on + dt.timedelta(days=181), (event.ends_at or event.starts_at).date())
    today += dt.timedelta(days=1)
    due = stale(shipped, today)
    assert (
        Due(
            "contact",
            contact.id,
            f"last checked on {contact.checked_on.isoformat()}, more than 180 days ago",
        )
        in due
    )
    assert any(d.kind == "event" and d.item_id == event.id and "took place on" in d.reason for d in due)


def test_stale_report_groups_by_kind_and_names_the_files() -> None:
    due = [
        Due("faq", "berufsschule", "was due for review on 2027-05-27"),
        Due("contact", "jobcenter-ssoe", "address, phone or e-mail not confirmed by a source"),
        Due("event", "schau-rein-2027", "date or details not confirmed by a source"),
    ]
    text = format_stale(due, dt.date(2027, 6, 1))
    lines = text.splitlines()
    assert lines[0] == "3 things to check on 2027-06-01:"
    assert lines.index("FAQ entries") < lines.index("Contacts") < lines.index("Events")
    assert "  faq/berufsschule.yaml" in text
    assert any(
        line.split()[0] == "faq/berufsschule.yaml" and line.endswith("on 2027-05-27")
        for line in lines[1:]
        if line
    )
    assert any(line.strip().startswith("contacts/jobcenter-ssoe.yaml") for line in lines)
    assert any(line.strip().startswith("events/schau-rein-2027.yaml") for line in lines)
    assert format_stale([], dt.date(2027, 6, 1)) == "Nothing is due for review on 2027-06-01."


# ---------------------------------------------------------------- unanswered questions


def q(
    text: str, lang: str = "de", minutes_ago: int = 0, reason: str = "no_match", entry: str | None = None
) -> Question:
    return Question(text, lang, reason, NOW - dt.timedelta(minutes=minutes_ago), entry)


GROUPING_CASES = [
    pytest.param(
        ["Wie finde ich eine Wohnung?", "wie finde ich eine wohnug", "WIE FINDE ICH EINE WOHNUNG"],
        [3],
        id="typo-case-and-punctuation-variants-group",
    ),
    pytest.param(
        [
            "how do i get a driving licence",
            "how do i get a driving license",
            "How do I get a drivng licence?",
        ],
        [3],
        id="english-spelling-variants-group",
    ),
    pytest.param(
        ["führerschein kosten", "kosten führerschein"],
        [2],
        id="word-order-does-not-split",
    ),
    pytest.param(
        ["где найти квартиру", "где найти квартиру?", "где найти работу"],
        [2, 1],
        id="cyrillic-variants-group-but-another-question-does-not",
    ),
    pytest.param(
        ["wie finde ich eine wohnung", "wie finde ich einen ausbildungsplatz"],
        [1, 1],
        id="shared-words-do-not-join-different-questions",
    ),
    pytest.param(
        ["hallo", "hallo wie finde ich eine wohnung"],
        [1, 1],
        id="a-word-contained-in-a-longer-question-does-not-join-it",
    ),
    pytest.param(
        ["kann ich mit meinem hund in den bus", "kann ich mit meiner katze in den zug"],
        [1, 1],
        id="same-sentence-shape-different-question",
    ),
    pytest.param(
        ["where can i play football", "where can i play fotball", "where can i learn to swim"],
        [2, 1],
        id="typo-groups-other-question-stays-apart",
    ),
    pytest.param([], [], id="nothing-asked"),
]


@pytest.mark.parametrize(("texts", "counts"), GROUPING_CASES)
def test_group_questions_groups_typo_variants_and_keeps_different_questions_apart(
    texts: list[str], counts: list[int]
) -> None:
    # The first text is the newest, so each group's example is its first wording in the list.
    groups = group_questions([q(text, minutes_ago=i) for i, text in enumerate(texts)])
    assert sorted((g.count for g in groups), reverse=True) == counts
    assert sum(g.count for g in groups) == len(texts)


def test_group_questions_counts_languages_reasons_and_newest_first() -> None:
    questions = [
        q("Wie finde ich eine Wohnung?", "de", minutes_ago=300),
        q("wie finde ich eine wohnug", "de", minutes_ago=30),
        q("Wie finde ich eine Wohnung", "en", minutes_ago=200, reason="unhelpful", entry="wohnen"),
        q("Was kostet das Deutschlandticket?", "de", minutes_ago=10),
        q("what does the deutschlandticket cost", "en", minutes_ago=500),
    ]
    groups = group_questions(questions)
    assert [g.count for g in groups] == [1, 3, 1]
    ticket, flat, english = groups
    assert ticket.example == "Was kostet das Deutschlandticket?"
    assert flat.example == "wie finde ich eine wohnug"  # the newest wording
    assert flat.languages == {"de", "en"}
    assert flat.reasons == {"no_match", "unhelpful"}
    assert flat.entries == {"wohnen"}
    assert flat.newest == NOW - dt.timedelta(minutes=30)
    assert english.languages == {"en"}
    assert [g.newest for g in groups] == sorted((g.newest for g in groups), reverse=True)


def test_group_questions_is_independent_of_input_order() -> None:
    questions = [q("wo ist das jobcenter", minutes_ago=i) for i in range(3)] + [
        q("wo ist das jobcentre", minutes_ago=5),
        q("brauche ich ein visum", minutes_ago=1),
    ]
    forward = group_questions(questions)
    backward = group_questions(list(reversed(questions)))
    assert [(g.example, g.count) for g in forward] == [(g.example, g.count) for g in backward]
    assert [g.count for g in forward] == [4, 1]


def test_unanswered_report_shows_counts_languages_dates_and_reasons() -> None:
    groups = group_questions(
        [
            q("Wie finde ich eine Wohnung?", "de", minutes_ago=60),
            q("wie finde ich eine wohnug", "uk", minutes_ago=30, reason="unhelpful", entry="wohnen"),
            q("Was ist ein Minijob?", "de", minutes_ago=24 * 60),
        ]
    )
    text = format_groups(groups, days=90)
    lines = text.splitlines()
    assert lines[0] == (
        "3 unanswered questions in the last 90 days, in 2 groups of similar wording, most recent first:"
    )
    assert lines[2].split()[:2] == ["asked", "languages"]
    first, second = lines[3], lines[4]
    assert first.split()[:3] == ["2", "de,", "uk"]
    assert "2027-03-01" in first
    assert "no answer found; answer rated unhelpful (wohnen)" in first
    assert first.endswith("wie finde ich eine wohnug")
    assert second.split()[:3] == ["1", "de", "2027-02-28"]
    assert second.endswith("Was ist ein Minijob?")
    assert format_groups([], days=7) == "No unanswered questions in the last 7 days."


async def test_unanswered_questions_reads_the_period_oldest_first(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}")
    try:
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions.begin() as session:
            session.add_all(
                [
                    UnansweredQuestion(
                        text="old", language="de", reason="no_match", created_at=NOW - dt.timedelta(days=91)
                    ),
                    UnansweredQuestion(
                        text="newer",
                        language="uk",
                        reason="unhelpful",
                        entry_id="berufsschule",
                        created_at=NOW - dt.timedelta(days=1),
                    ),
                    UnansweredQuestion(
                        text="recent",
                        language="de",
                        reason="no_match",
                        created_at=NOW - dt.timedelta(days=89),
                    ),
                ]
            )
        async with sessions() as session:
            questions = await unanswered_questions(session, days=90, now=NOW)
    finally:
        await engine.dispose()
    assert [x.text for x in questions] == ["recent", "newer"]
    assert questions[1] == Question("newer", "uk", "unhelpful", NOW - dt.timedelta(days=1), "berufsschule")
    assert all(x.created_at.tzinfo is not None for x in questions)
