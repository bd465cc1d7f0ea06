"""Content validation: every problem named with its file, line and a plain sentence."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from pydantic import HttpUrl

from bot.config import SHIPPED_CONTENT_DIR
from knowledge.base import KnowledgeBase
from knowledge.loader import ContentError, ContentSnapshot, load_content, snapshot_from_items
from knowledge.matcher import Decision
from knowledge.model import LANGUAGES, MAX_ANSWER_CHARS
from tests.support.content import problems_with

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


# ---------------------------------------------------------------- events: times and offsets

EVENT = """\
id: probe-event
topic: events
starts_at: 2027-09-11T10:00+02:00
ends_at: 2027-09-11T15:00+02:00
sources:
  - url: https://www.landratsamt-pirna.de/tag-der-ausbildung.html
    title: Tag der Ausbildung
checked_on: 2026-11-27
translations:
  de:
    title: Probe
    description: Eine Probe.
    place: Pirna
  en:
    machine_translated: true
    title: Probe
    description: A probe.
    place: Pirna
"""


def event_problems(folder: Path, text: str) -> list[str]:
    return problems_with(folder, "events/probe-event.yaml", text)


def test_a_valid_event_loads_with_its_berlin_time(folder: Path) -> None:
    (folder / "events" / "probe-event.yaml").write_text(EVENT, encoding="utf-8")
    event = next(e for e in load_content(folder).events if e.id == "probe-event")
    assert event.starts_at.utcoffset() == dt.timedelta(hours=2)
    assert not event.all_day


def test_a_time_without_utc_offset_is_a_plain_sentence_on_its_line(folder: Path) -> None:
    problems = event_problems(folder, EVENT.replace("2027-09-11T10:00+02:00", "2027-09-11T10:00"))
    assert any(
        p.startswith("content/events/probe-event.yaml:3: ")
        and "'2027-09-11T10:00' has no UTC offset" in p
        and "2027-09-11T10:00+02:00" in p
        for p in problems
    ), problems
    assert not any("Traceback" in p for p in problems)


def test_a_summer_date_needs_berlins_summer_offset(folder: Path) -> None:
    problems = event_problems(folder, EVENT.replace("T15:00+02:00", "T15:00+01:00"))
    assert any(
        p.startswith("content/events/probe-event.yaml:4: ")
        and "has the UTC offset +01:00, but on 2027-09-11 Berlin is at +02:00 (summer time)" in p
        and "write 2027-09-11T15:00+02:00" in p
        for p in problems
    ), problems


def test_a_winter_date_needs_berlins_winter_offset(folder: Path) -> None:
    text = EVENT.replace("2027-09-11T10:00+02:00", "2027-01-22T10:00+02:00").replace(
        "ends_at: 2027-09-11T15:00+02:00\n", ""
    )
    problems = event_problems(folder, text)
    assert any("Berlin is at +01:00 (winter time)" in p for p in problems), problems


def test_a_date_without_time_is_a_day_without_time(folder: Path) -> None:
    text = EVENT.replace("2027-09-11T10:00+02:00", "2027-04-22").replace(
        "2027-09-11T15:00+02:00", "2027-04-23"
    )
    (folder / "events" / "probe-event.yaml").write_text(text, encoding="utf-8")
    event = next(e for e in load_content(folder).events if e.id == "probe-event")
    assert event.all_day
    assert event.starts_at.isoformat() == "2027-04-22T00:00:00+02:00"
    # It is not over before the last day has ended.
    assert event.over_at.isoformat() == "2027-04-24T00:00:00+02:00"


def test_a_bad_time_is_named_with_the_way_to_write_it(folder: Path) -> None:
    problems = event_problems(folder, EVENT.replace("2027-09-11T10:00+02:00", "next saturday"))
    assert any(":3: " in p and "write Berlin time with its UTC offset" in p for p in problems), problems


def test_event_place_and_registration_are_per_language(folder: Path) -> None:
    old_shape = EVENT.replace("translations:", "place: Pirna\ntranslations:")
    problems = event_problems(folder, old_shape)
    assert any(":9: " in p and "move 'place' under translations → de" in p for p in problems), problems
    missing = EVENT.replace("    place: Pirna\n", "", 2).replace(
        "    description: Eine Probe.\n", "    description: Eine Probe.\n    place: Pirna\n"
    )
    problems = event_problems(folder, missing)
    assert any("the en version lacks 'place', which the German version has" in p for p in problems), problems


# ---------------------------------------------------------------- contacts: per-language texts

CONTACT = """\
id: probe-contact
organisation: Probe e.V.
phone: 03501 000
sources:
  - url: https://www.landratsamt-pirna.de/
    title: Landratsamt
checked_on: 2026-11-27
translations:
  de:
    description: Eine Probe.
    opening_hours: Mo–Fr 9–11 Uhr
  en:
    machine_translated: true
    description: A probe.
    opening_hours: Mon–Fri 9–11 am
"""


def contact_problems(folder: Path, text: str) -> list[str]:
    (folder / "contacts" / "probe-contact.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    return [str(p) for p in caught.value.problems]


def test_a_valid_contact_loads(folder: Path) -> None:
    (folder / "contacts" / "probe-contact.yaml").write_text(CONTACT, encoding="utf-8")
    contact = load_content(folder).contacts["probe-contact"]
    assert contact.translations["en"].opening_hours == "Mon–Fri 9–11 am"


def test_opening_hours_at_the_top_are_named_as_per_language(folder: Path) -> None:
    problems = contact_problems(
        folder, CONTACT.replace("translations:", "opening_hours: Mo–Fr\ntranslations:")
    )
    assert any(
        "probe-contact.yaml:8: " in p and "the opening hours is text a person reads" in p for p in problems
    ), problems


def test_a_translation_lacking_a_field_german_has_is_named_on_its_line(folder: Path) -> None:
    problems = contact_problems(folder, CONTACT.replace("    opening_hours: Mon–Fri 9–11 am\n", ""))
    assert any(
        p.startswith("content/contacts/probe-contact.yaml:12: ")
        and "the en version lacks 'opening_hours', which the German version has" in p
        for p in problems
    ), problems
    problems = contact_problems(
        folder,
        CONTACT.replace("  de:\n    description: Eine Probe.\n    opening_hours: Mo–Fr 9–11 Uhr\n", ""),
    )
    assert any("German (de) version under 'translations' is missing" in p for p in problems), problems


def test_shipped_contacts_and_events_are_in_every_language_and_readable(shipped: ContentSnapshot) -> None:
    for contact in shipped.contacts.values():
        assert set(contact.translations) == set(LANGUAGES), contact.id
        assert not contact.translations["de"].machine_translated, contact.id
    for event in shipped.events:
        assert set(event.translations) == set(LANGUAGES), event.id
        for text in event.translations.values():
            # "not confirmed" is the notice's job, not the description's.
            assert "bestätigt" not in text.description
            assert "confirmed" not in text.description
    person_visible = [
        str(getattr(text, name) or "")
        for contact in shipped.contacts.values()
        for text in contact.translations.values()
        for name in ("description", "opening_hours", "phone_note", "address_note")
    ]
    assert not any("bitte prüfen" in t or "laut undatierter" in t for t in person_visible)


def test_the_network_itself_is_a_contact_to_complete(shipped: ContentSnapshot) -> None:
    network = shipped.contacts["netzwerk-ssoe"]
    assert network.needs_verification
    assert network.editor_note
    assert "Sächsische Schweiz-Osterzgebirge" in network.organisation


def test_verified_facts_of_the_helplines(shipped: ContentSnapshot) -> None:
    bamf = shipped.contacts["bamf-integrationskurse"]
    assert bamf.translations["de"].opening_hours == "Montag bis Freitag 9 bis 11 Uhr (telefonisch)"
    assert any("bamf.de" in str(s.url) for s in bamf.sources)
    kummer = shipped.contacts["nummer-gegen-kummer"].translations["de"].opening_hours or ""
    assert "14 bis 20 Uhr" in kummer
    assert "Montag, Mittwoch und Donnerstag auch 10 bis 12 Uhr" in kummer
    for item in [*shipped.contacts.values(), *shipped.events]:
        for source in item.sources:
            assert not any(
                bad in str(source.url)
                for bad in ("stadt-ratingen.de", "altmuehlfranken.de", "alt2024.", "welcome-mittelsachsen.de")
            ), (item.id, source.url)


def test_stored_contacts_and_events_of_the_old_shape_still_load() -> None:
    old_contact = {
        "id": "old-contact",
        "organisation": "Alt",
        "description": {"de": "Alt.", "en": "Old."},
        "opening_hours": "Mo 9–11 Uhr",
        "sources": [{"url": "https://www.bamf.de/", "title": "BAMF"}],
        "checked_on": "2026-11-27",
    }
    old_event = {
        "id": "old-event",
        "starts_at": "2027-02-10T17:00:00+01:00",
        "place": "Pirna",
        "sources": [{"url": "https://www.bamf.de/", "title": "BAMF"}],
        "checked_on": "2026-11-27",
        "translations": {"de": {"title": "Alt", "description": "Alt."}},
    }
    snapshot = snapshot_from_items(
        [
            {"kind": "contact", "id": "old-contact", "body": old_contact},
            {"kind": "event", "id": "old-event", "body": old_event},
        ]
    )
    assert snapshot.contacts["old-contact"].translations["de"].opening_hours == "Mo 9–11 Uhr"
    assert snapshot.events[0].translations["de"].place == "Pirna"


def write_phrasings(folder: Path, lang: str, text: str) -> None:
    (folder / "phrasings").mkdir(exist_ok=True)
    (folder / "phrasings" / f"{lang}.yaml").write_text(text, encoding="utf-8")


def test_phrasings_teach_the_matcher_and_survive_storage(folder: Path) -> None:
    write_phrasings(
        folder, "en", "id: en\nphrasings:\n  praktikum-finden:\n    - where do i do my schnupper thing\n"
    )
    snapshot = load_content(folder)
    assert "where do i do my schnupper thing" in snapshot.phrasings_of("praktikum-finden", "en")
    assert "where do i do my schnupper thing" not in snapshot.phrasings_of("praktikum-finden", "de")
    stored = snapshot_from_items(snapshot.items())
    assert stored.fingerprint == snapshot.fingerprint
    assert stored.phrasings_of("praktikum-finden", "en") == snapshot.phrasings_of("praktikum-finden", "en")
    query = "schnupper thing where"
    before = KnowledgeBase(load_content(SHIPPED_CONTENT_DIR), embedder=False).search(query, "en")
    after = KnowledgeBase(snapshot, embedder=False).search(query, "en")
    assert after.matches[0].id == "praktikum-finden"
    assert not before.matches or before.matches[0].score < after.matches[0].score


def test_phrasings_problems_are_named_with_file_and_line(folder: Path) -> None:
    write_phrasings(
        folder,
        "tr",
        "id: tr\nphrasings:\n  praktikum-finden:\n    - staj nerde\n"
        "  ausbildung-dual:\n    - Staj  nerde\n  no-such-entry:\n    - bir sey\n",
    )
    write_phrasings(folder, "cs", "id: de\nphrasings: {}\n")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    problems = [str(p) for p in caught.value.problems]
    assert not any("no-such-entry" in p for p in problems), "a gone entry's phrasings are left out"
    assert any("both 'praktikum-finden' and 'ausbildung-dual'" in p for p in problems), problems
    assert any("phrasings/cs.yaml" in p and "differs from the file name" in p for p in problems), problems


def test_out_of_scope_messages_teach_the_matcher_to_say_it_does_not_know(folder: Path) -> None:
    query = "where can i rent a cheap flat in pirna"
    plain = KnowledgeBase(load_content(folder), embedder=False).search(query, "en")
    write_phrasings(
        folder,
        "en",
        "id: en\nphrasings: {}\nout_of_scope:\n  - cheap flat to rent in pirna\n"
        "  - where do i find a flat\n  - rent a room in freital\n",
    )
    snapshot = load_content(folder)
    assert snapshot.phrasings["en"].out_of_scope[0] == "cheap flat to rent in pirna"
    assert snapshot_from_items(snapshot.items()).fingerprint == snapshot.fingerprint
    result = KnowledgeBase(snapshot, embedder=False).search(query, "en")
    assert result.decision is Decision.NONE
    assert all(m.id in snapshot.faq for m in result.matches), "the pseudo-entry is never offered"
    assert plain.matches, "without them an entry ranked first for the flat"


def test_a_phrasing_both_out_of_scope_and_under_an_entry_is_a_problem(folder: Path) -> None:
    write_phrasings(
        folder,
        "de",
        "id: de\nphrasings:\n  praktikum-finden:\n    - praktikum in pirna\nout_of_scope:\n"
        "  - Praktikum in  Pirna\n",
    )
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    problems = [str(p) for p in caught.value.problems]
    assert any("phrasings/de.yaml" in p and "out of scope" in p for p in problems), problems


# ---------------------------------------------------------------- one problem per cause


def test_a_key_twice_in_a_mapping_is_named_on_its_second_line(folder: Path) -> None:
    twice = ENTRY.replace(
        "    answer: A probe is a test.\n", "    answer: A probe is a test.\n    answer: A test.\n"
    )
    problems = problems_for(folder, twice)
    assert problems == [
        "content/faq/probe-entry.yaml:19: 'answer' appears twice in this mapping; "
        "the second would silently replace the first"
    ]
    three = ENTRY.replace("topic: training\n", "topic: training\ntopic: german\ntopic: events\n")
    problems = problems_for(folder, three)
    assert problems == [
        "content/faq/probe-entry.yaml:3: 'topic' appears 3 times in this mapping; "
        "the last would silently replace the others"
    ]


def test_the_same_key_in_different_mappings_is_no_problem(folder: Path) -> None:
    # Each language has its own 'question' and 'answer'.
    (folder / "faq" / "probe-entry.yaml").write_text(ENTRY, encoding="utf-8")
    assert "probe-entry" in load_content(folder).faq


def test_a_contact_that_is_not_valid_gets_one_problem_not_one_per_entry(folder: Path) -> None:
    path = folder / "contacts" / "agentur-fuer-arbeit-pirna.yaml"
    text = path.read_text(encoding="utf-8")
    referring = [e.id for e in load_content(folder).faq.values() if "agentur-fuer-arbeit-pirna" in e.contacts]
    assert len(referring) > 10
    no_scheme = text.replace("website: https://www.arbeitsagentur.de", "website: www.arbeitsagentur.de")
    path.write_text(no_scheme, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert [str(p) for p in caught.value.problems] == [
        "content/contacts/agentur-fuer-arbeit-pirna.yaml:5: 'www.arbeitsagentur.de' is not a web address "
        "(it should start with https://)"
    ]
    # Also when the file itself cannot be read as a contact (a key twice).
    path.write_text(text.replace("town: Pirna\n", "town: Pirna\ntown: Pirna\n"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert len(caught.value.problems) == 1, caught.value.problems
    # A contact that does not exist at all is still named in every entry.
    path.unlink()
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert len(caught.value.problems) == len(referring)
    assert all(
        "the contact 'agentur-fuer-arbeit-pirna' does not exist" in str(p) for p in caught.value.problems
    )


def test_an_entry_that_is_not_valid_keeps_its_phrasings_quiet(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (folder / "faq" / "asa-flex.yaml").unlink()  # gone: its phrasings are left out with a warning
    problems = problems_for(
        folder,
        (folder / "faq" / "ausbildung-dual.yaml")
        .read_text(encoding="utf-8")
        .replace("topic: training\n", ""),
        name="ausbildung-dual.yaml",
    )
    assert problems == ["content/faq/ausbildung-dual.yaml:1: the required field 'topic' is missing"]
    assert "no FAQ entry 'asa-flex'; its phrasings are left out" in caplog.text
    assert "ausbildung-dual" not in caplog.text


def test_a_source_that_is_no_web_address_is_one_problem(folder: Path) -> None:
    problems = problems_for(
        folder,
        ENTRY.replace("  - url: https://www.arbeitsagentur.de/bildung/ausbildung", "  - url: not a link"),
    )
    # Not also "'sources' needs at least one item": the one source is there, only not valid.
    assert problems == [
        "content/faq/probe-entry.yaml:4: 'not a link' is not a web address (it should start with https://)"
    ]


# ---------------------------------------------------------------- plain text, numbers, addresses


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("answer: A probe is a test.", "answer: A <b>probe</b> is a test.", 18, "the HTML tag '<b>'"),
        (
            "answer: A probe is a test.",
            "answer: 'A probe, <a href=\"https://x.de\">see here</a>.'",
            18,
            "the HTML tag '<a href=\"https://x.de\">'",
        ),
        ("answer: A probe is a test.", "answer: A probe.<br>A test.", 18, "the HTML tag '<br>'"),
        ("answer: A probe is a test.", "answer: A probe is a test.</p>", 18, "the HTML tag '</p>'"),
        ("answer: A probe is a test.", "answer: A probe&nbsp;is a test.", 18, "the HTML code '&nbsp;'"),
        ("answer: A probe is a test.", "answer: A **probe** is a test.", 18, "Markdown bold ('**probe**')"),
        ("answer: A probe is a test.", "answer: A __probe__ is a test.", 18, "Markdown bold ('__probe__')"),
        (
            "answer: A probe is a test.",
            "answer: See [the site](https://x.de).",
            18,
            "a Markdown link ('[the site](https://x.de)')",
        ),
        ("answer: A probe is a test.", "answer: |-\n      # Probe\n      A test.", 18, "a Markdown heading"),
        ("answer: A probe is a test.", "answer: Type `probe` here.", 18, "Markdown code ('`probe`')"),
        ("question: What is a probe?", "question: What is a **probe**?", 17, "the question contains"),
    ],
)
def test_markup_in_text_people_read_is_named_with_the_field(
    folder: Path, old: str, new: str, line: int, words: str
) -> None:
    problems = problems_for(folder, ENTRY.replace(old, new))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"content/faq/probe-entry.yaml:{line}: the "), problems
    assert words in problems[0], problems
    assert "Telegram would show to young people as it is" in problems[0]


def test_markup_in_a_variant_is_named_on_its_line(folder: Path) -> None:
    text = ENTRY.replace(
        "    question: What is a probe?\n",
        "    question: What is a probe?\n    variants:\n      - probe meaning\n      - <i>probe</i> test\n",
    )
    assert problems_for(folder, text) == [
        "content/faq/probe-entry.yaml:20: the variant contains the HTML tag '<i>', which Telegram would "
        "show to young people as it is; write plain text without tags"
    ]


def test_plain_text_with_signs_is_no_markup(folder: Path) -> None:
    answer = (
        "|-\n      Costs* apply for children <5 and 3 < 4 is true.\n      - one step\n      - another step\n"
        "      • a bullet 🙂 👍\n      * only for apprentices\n      #1 tip: ask R&D; or AT&T first_name__x"
    )
    (folder / "faq" / "probe-entry.yaml").write_text(
        ENTRY.replace("answer: A probe is a test.", f"answer: {answer}"), encoding="utf-8"
    )
    text = load_content(folder).faq["probe-entry"].translations["en"].answer
    assert "Costs* apply" in text
    assert "• a bullet 🙂" in text


def test_markup_in_contact_and_event_texts_is_named(folder: Path) -> None:
    problems = contact_problems(folder, CONTACT.replace("description: A probe.", "description: A **probe**."))
    assert problems == [
        "content/contacts/probe-contact.yaml:14: the description contains Markdown bold ('**probe**'), "
        "which Telegram would show to young people as it is; write it without the asterisks"
    ]
    problems = contact_problems(folder, CONTACT.replace("Mon–Fri 9–11 am", "Mon–Fri<br>9–11 am"))
    assert len(problems) == 1
    assert ":15: the opening hours contains the HTML tag '<br>'" in problems[0]
    (folder / "contacts" / "probe-contact.yaml").unlink()
    problems = event_problems(
        folder, EVENT.replace("  de:\n    title: Probe\n", "  de:\n    title: <b>Probe</b>\n")
    )
    assert len(problems) == 1
    assert ":11: the title contains the HTML tag '<b>'" in problems[0], problems


def test_markup_in_stored_content_still_loads() -> None:
    """The bots keep serving content imported before a check existed."""
    contact = {
        "id": "old-contact",
        "organisation": "Alt",
        "phone": "Zentrale: 03501 515-0",
        "email": "not an address",
        "sources": [{"url": "https://www.bamf.de/", "title": "BAMF"}],
        "checked_on": "2026-11-27",
        "translations": {"de": {"description": "<b>Alt</b>."}},
    }
    snapshot = snapshot_from_items([{"kind": "contact", "id": "old-contact", "body": contact}])
    assert snapshot.contacts["old-contact"].translations["de"].description == "<b>Alt</b>."


@pytest.mark.parametrize(
    "phone",
    [
        "03501 515-0",
        "+49 3501 515 0",
        "+49 3501 515-0",
        "0800 111 0 111",
        "0800 111 0 111, 0800 111 0 222",
        "116 111",
        "116 117",
        "116 016",
        "+49 911 943-0",
        "0800 4 5555 00",
        "03501 46 8130/38",
        "03501/468130",
        "(03501) 515-0",
    ],
)
def test_german_ways_to_write_a_phone_number_are_accepted(folder: Path, phone: str) -> None:
    (folder / "contacts" / "probe-contact.yaml").write_text(
        CONTACT.replace("phone: 03501 000", f"phone: '{phone}'"), encoding="utf-8"
    )
    assert load_content(folder).contacts["probe-contact"].phone == phone


@pytest.mark.parametrize(
    ("phone", "words"),
    [
        ("0800", "'0800' is not a phone number that can be called in Germany"),
        ("12345", "'12345' is not a phone number that can be called in Germany"),
        ("116 111, 0800", "'0800' is not a phone number that can be called in Germany"),
        ("03501 515 0 (Zentrale)", "has letters or signs in it; write only the number here"),
        ("ruf an: 03501 5150", "put words in 'phone_note'"),
    ],
)
def test_a_phone_number_that_cannot_be_called_is_named(folder: Path, phone: str, words: str) -> None:
    problems = contact_problems(folder, CONTACT.replace("phone: 03501 000", f"phone: '{phone}'"))
    assert len(problems) == 1, problems
    assert problems[0].startswith("content/contacts/probe-contact.yaml:3: ")
    assert words in problems[0]


def test_shipped_phone_numbers_and_addresses_are_accepted(shipped: ContentSnapshot) -> None:
    phones = {c.id: c.phone for c in shipped.contacts.values() if c.phone}
    assert phones["telefonseelsorge"] == "0800 111 0 111, 0800 111 0 222"
    assert phones["nummer-gegen-kummer"] == "116 111"
    assert phones["hilfetelefon-gewalt-gegen-frauen"] == "116 016"
    assert any(c.email for c in shipped.contacts.values())


@pytest.mark.parametrize(
    ("email", "words"),
    [
        ("jmd.diakonie-pirna.de", "must have an @-sign"),
        ("jmd@diakonie-pirna", "It should have a period"),
        ("jmd@@diakonie-pirna.de", "invalid characters"),
    ],
)
def test_an_email_address_that_is_not_valid_is_named(folder: Path, email: str, words: str) -> None:
    problems = contact_problems(
        folder, CONTACT.replace("phone: 03501 000", f"phone: 03501 000\nemail: {email}")
    )
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        f"content/contacts/probe-contact.yaml:4: '{email}' is not a valid e-mail address"
    )
    assert words in problems[0]


def test_a_web_address_with_a_space_is_named(folder: Path) -> None:
    # The address type alone would take it, as https://www.landratsamt-pirna.de/a%20b.
    assert str(HttpUrl("https://www.landratsamt-pirna.de/a b")) == "https://www.landratsamt-pirna.de/a%20b"
    problems = contact_problems(
        folder, CONTACT.replace("https://www.landratsamt-pirna.de/", "https://www.landratsamt-pirna.de/a b")
    )
    assert problems == [
        "content/contacts/probe-contact.yaml:5: 'https://www.landratsamt-pirna.de/a b' has a space in it, "
        "and a web address has none; copy the address again from the browser's address bar"
    ]
    problems = contact_problems(
        folder, CONTACT.replace("phone: 03501 000", "website: https://www.probe.de/ x")
    )
    assert len(problems) == 1
    assert ":3: 'https://www.probe.de/ x' has a space in it" in problems[0], problems
