"""Content validation: every problem named with its file, line and a plain sentence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import SHIPPED_CONTENT_DIR
from knowledge.loader import ContentError, ContentSnapshot, load_content
from knowledge.model import LANGUAGES, MAX_ANSWER_CHARS

ENTRY = """\
id: probe-entry
topic: training
sources:
  - url: https://www.arbeitsagentur.de/bildung/ausbildung
    title: Ausbildung
checked_on: 2026-11-27
review_by: 2027-05-27
contacts: [agentur-fuer-arbeit-pirna]
translations:
  de:
    revision: 1
    question: Was ist eine Probe?
    answer: Eine Probe ist ein Test.
  en:
    source_revision: 1
    machine_translated: true
    question: What is a probe?
    answer: A probe is a test.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def problems_for(folder: Path, text: str | bytes, name: str = "probe-entry.yaml") -> list[str]:
    path = folder / "faq" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    return [str(p) for p in caught.value.problems]


def test_shipped_content_is_valid_and_complete(shipped: ContentSnapshot) -> None:
    assert len(shipped.faq) >= 40
    for entry in shipped.faq.values():
        assert set(entry.translations) == set(LANGUAGES), entry.id
        for tr in entry.translations.values():
            assert tr.variants, f"{entry.id} needs alternative phrasings"
    topics = {e.topic for e in shipped.faq.values()}
    assert {"training", "internship", "counselling", "recognition", "german", "residence", "crisis"} <= topics
    assert shipped.contacts
    for contact in shipped.contacts.values():
        assert contact.sources, contact.id


def test_a_valid_new_entry_loads(folder: Path) -> None:
    (folder / "faq" / "probe-entry.yaml").write_text(ENTRY, encoding="utf-8")
    assert "probe-entry" in load_content(folder).faq


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("topic: training\n", ""), 1, "required field 'topic' is missing"),
        (("  en:\n", "  xx:\n"), 14, "'xx' is not a supported language"),
        (("checked_on: 2026-11-27", "checked_on: 2026-13-45"), 6, "not a valid date"),
        (
            ("contacts: [agentur-fuer-arbeit-pirna]", "contacts: [nobody-here]"),
            8,
            "contact 'nobody-here' does not exist",
        ),
        (("topic: training", "topic: cooking"), 2, "'cooking' is not allowed"),
        (("id: probe-entry", "id: Probe Entry!"), 1, "not a valid id"),
        (("review_by: 2027-05-27", "review_by: 2020-01-01"), 7, "review_by lies before checked_on"),
        (
            ("    source_revision: 1\n    machine", "    source_revision: 3\n    machine"),
            15,
            "German revision 3",
        ),
        (
            ("  - url: https://www.arbeitsagentur.de/bildung/ausbildung", "  - url: not a link"),
            4,
            "not a web address",
        ),
        (("topic: training\n", "topic: training\ncolour: blue\n"), 3, "'colour' is not a field"),
    ],
)
def test_each_problem_names_file_line_and_cause(
    folder: Path, change: tuple[str, str], line: int, words: str
) -> None:
    problems = problems_for(folder, ENTRY.replace(*change))
    assert any(p.startswith(f"content/faq/probe-entry.yaml:{line}: ") and words in p for p in problems), (
        problems
    )


def test_an_answer_longer_than_a_message_is_named(folder: Path) -> None:
    long_answer = "x" * (MAX_ANSWER_CHARS + 1)
    problems = problems_for(folder, ENTRY.replace("A probe is a test.", long_answer))
    assert any(":18: " in p and "shorten it" in p for p in problems), problems


def test_duplicate_ids_are_named_with_both_files(folder: Path) -> None:
    (folder / "faq" / "probe-entry.yaml").write_text(ENTRY, encoding="utf-8")
    problems = problems_for(folder, ENTRY, name="probe-copy.yaml")
    assert any("'probe-entry' is already used in content/faq/probe-" in p for p in problems), problems
    assert any("differs from the file name" in p for p in problems), problems


def test_broken_yaml_and_wrong_encoding_are_named(folder: Path) -> None:
    problems = problems_for(folder, "id: [unclosed\n")
    assert any("not valid YAML" in p for p in problems)
    problems = problems_for(folder, "id: caf\xe9\n".encode("latin-1"), name="latin.yaml")
    assert any("latin.yaml" in p and "UTF-8" in p for p in problems)


def test_a_list_instead_of_fields_is_named(folder: Path) -> None:
    problems = problems_for(folder, "- one\n- two\n")
    assert any("named fields" in p for p in problems)


def test_german_source_is_required(folder: Path) -> None:
    text = ENTRY.replace(
        "  de:\n    revision: 1\n    question: Was ist eine Probe?\n    answer: Eine Probe ist ein Test.\n",
        "",
    )
    problems = problems_for(folder, text)
    assert any("German (de) version is missing" in p for p in problems), problems


def test_every_problem_is_reported_not_just_the_first(folder: Path) -> None:
    (folder / "faq" / "second.yaml").write_text("id: second\n", encoding="utf-8")
    problems = problems_for(folder, ENTRY.replace("topic: training\n", ""))
    assert any("probe-entry.yaml" in p for p in problems)
    assert any("second.yaml" in p for p in problems)
