"""What a person reads: contact cards, event dates and answer footers in their language."""

from __future__ import annotations

import datetime as dt
import html
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from dialogs import render
from dialogs.i18n import LANGUAGE_NAMES, Catalogs
from knowledge.base import Localised
from knowledge.german_words import GermanWords
from knowledge.loader import ContentSnapshot
from knowledge.model import LANGUAGES, Event

BERLIN = ZoneInfo("Europe/Berlin")
SECONDS = re.compile(r"\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


class FakeTurn:
    """The parts of a ``Turn`` the renderers read."""

    def __init__(self, lang: str, snapshot: ContentSnapshot, catalogs: Catalogs) -> None:
        self.lang = lang
        self.state: dict[str, object] = {}
        self.knowledge = SimpleNamespace(contact=snapshot.contacts.get)
        self.env = SimpleNamespace(zone=BERLIN)
        self._catalogs = catalogs

    def _(self, message: str) -> str:
        return self._catalogs.translate(self.lang, message)


def event(**changes: object) -> Event:
    base: dict[str, object] = {
        "id": "probe",
        "starts_at": "2027-09-11T10:00:00+02:00",
        "sources": [{"url": "https://www.landratsamt-pirna.de/", "title": "Landratsamt"}],
        "checked_on": "2026-11-27",
        "translations": {
            lang: {"title": "T", "description": "D", "place": "P", "machine_translated": lang != "de"}
            for lang in LANGUAGES
        },
    }
    return Event.model_validate(base | changes)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("lang", LANGUAGES)
def test_event_times_have_no_seconds(lang: str) -> None:
    when = render.event_when(event(), lang, BERLIN)
    assert not SECONDS.search(when), when
    assert "2027" in when


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", "Sa., 11. Sept. 2027, 10:00–15:00 Uhr"),
        ("en", "Sat, Sep 11, 2027, 10:00 AM – 3:00 PM"),
        ("cs", "so 11. 9. 2027 10:00–15:00"),
    ],
)
def test_an_event_with_times_reads_in_the_locale(lang: str, expected: str) -> None:
    when = render.event_when(event(ends_at="2027-09-11T15:00:00+02:00"), lang, BERLIN)
    assert when.replace("\u202f", " ").replace("\u2009", " ") == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_day_without_time_shows_no_time(lang: str) -> None:
    when = render.event_when(event(starts_at="2027-04-22"), lang, BERLIN)
    assert "00:00" not in when
    assert "12:00" not in when
    assert not re.search(r"\d:\d\d", when), when


def test_a_week_without_times_is_a_range_of_days() -> None:
    when = render.event_when(event(starts_at="2027-03-15", ends_at="2027-03-20"), "de", BERLIN)
    assert "15." in when
    assert "20. März 2027" in when
    assert ":" not in when


def test_office_opening_times_have_no_seconds() -> None:
    moment = dt.datetime(2027, 1, 4, 9, 0, tzinfo=BERLIN)
    for lang in LANGUAGES:
        assert not SECONDS.search(render.format_clock(moment, lang, BERLIN))


# ---------------------------------------------------------------- events


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unconfirmed_events_say_so_once(shipped: ContentSnapshot, catalogs: Catalogs, lang: str) -> None:
    notice = catalogs.translate(lang, "Date not yet confirmed.")
    for item in shipped.events:
        text = render.event_text(item, lang, catalogs, BERLIN)
        assert text.count(notice) == (1 if item.needs_verification else 0), (item.id, text)
        assert not SECONDS.search(text)
        assert "00:00" not in text


def test_an_event_shows_one_notice(catalogs: Catalogs) -> None:
    text = render.event_text(event(), "en", catalogs, BERLIN)
    assert text.count("<i>") == 1
    assert "Machine-translated" in text
    assert "<i>" not in render.event_text(event(), "de", catalogs, BERLIN)


def test_events_show_place_and_registration_in_the_persons_language(
    shipped: ContentSnapshot, catalogs: Catalogs
) -> None:
    schau_rein = next(e for e in shipped.events if e.id == "schau-rein-2027")
    text = render.event_text(schau_rein, "uk", catalogs, BERLIN)
    assert schau_rein.translations["uk"].place in text
    assert "Реєстрація" in text or "зареєструйся" in text


# ---------------------------------------------------------------- contact cards


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "de"])
def test_contact_cards_carry_no_german_but_names(
    shipped: ContentSnapshot, catalogs: Catalogs, lang: str
) -> None:
    names = [c.organisation for c in shipped.contacts.values()]
    names += [c.address for c in shipped.contacts.values() if c.address]
    names += [c.email for c in shipped.contacts.values() if c.email]
    names += list(LANGUAGE_NAMES.values())  # languages spoken, each named in itself
    checker = GermanWords(shipped.glossary, names)
    turn = FakeTurn(lang, shipped, catalogs)
    for contact in shipped.contacts.values():
        card = render.contact_lines(contact, turn)  # type: ignore[arg-type]
        # Links show their web address: a name, not a word.
        plain = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<a [^>]*>.*?</a>", " ", card)))
        assert checker.stray(plain, lang) == [], (contact.id, plain)
        assert card.count("<i>") <= 1


def test_bamf_card_shows_the_verified_hours_in_english(shipped: ContentSnapshot, catalogs: Catalogs) -> None:
    card = render.contact_lines(shipped.contacts["bamf-integrationskurse"], FakeTurn("en", shipped, catalogs))  # type: ignore[arg-type]
    card = html.unescape(card)
    assert "Opening hours: Monday to Friday, 9 to 11 am (by phone)" in card
    assert "+49 911 943-0 (the BAMF's citizens' service, in German and English)" in card
    assert "Uhr" not in card
    assert "Bürgerservice" not in card


def test_a_contact_to_verify_says_so_and_a_reviewed_one_not(
    shipped: ContentSnapshot, catalogs: Catalogs
) -> None:
    turn = FakeTurn("de", shipped, catalogs)
    unconfirmed = render.contact_lines(shipped.contacts["netzwerk-ssoe"], turn)  # type: ignore[arg-type]
    assert "<i>" in unconfirmed
    confirmed = render.contact_lines(shipped.contacts["nummer-gegen-kummer"], turn)  # type: ignore[arg-type]
    assert "<i>" not in confirmed


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize("lang", ["de", "en", "ar", "tr"])
def test_an_answer_has_one_compact_footer_with_at_most_one_notice(
    shipped: ContentSnapshot, catalogs: Catalogs, lang: str
) -> None:
    turn = FakeTurn(lang, shipped, catalogs)
    notices = {
        catalogs.translate(lang, m)
        for m in (
            "Machine-translated; an editor will review it.",
            "Our editors are still checking this answer. An advisor can help for sure.",
            "Not yet reviewed by our editors.",
            "Details not yet confirmed by our editors.",
        )
    }
    for entry in shipped.faq.values():
        local = Localised(entry, lang, entry.translations[lang], fallback=False)  # type: ignore[index]
        text = render.answer_text(local, turn)  # type: ignore[arg-type]
        assert sum(text.count(n) for n in notices) <= 1, (entry.id, text)
        last = text.splitlines()[-1]
        assert last.startswith("<i>")
        assert catalogs.translate(lang, "Source:") in last


def test_the_footer_notice_follows_the_entrys_state(shipped: ContentSnapshot, catalogs: Catalogs) -> None:
    entry = next(e for e in shipped.faq.values() if e.review_status == "draft")
    german = Localised(entry, "de", entry.translations["de"], fallback=False)
    assert render.answer_notice(german, None) == "Not yet reviewed by our editors."
    english = Localised(entry, "en", entry.translations["en"], fallback=False)
    assert render.answer_notice(english, None) == "Machine-translated; an editor will review it."
    reviewed = entry.model_copy(update={"review_status": "reviewed"})
    assert (
        render.answer_notice(Localised(reviewed, "de", entry.translations["de"], fallback=False), None)
        is None
    )
    checking = entry.model_copy(update={"review_status": "needs_verification"})
    assert render.answer_notice(
        Localised(checking, "en", entry.translations["en"], fallback=False), None
    ) == ("Our editors are still checking this answer. An advisor can help for sure.")


@pytest.mark.parametrize(
    "text",
    [
        "Wie finde ich einen Praktikumsplatz im Landkreis Sächsische Schweiz-Osterzgebirge, wer hilft?",
        "كيف أجد مكانًا للتدريب العملي في منطقة ساكسونيا السويسرية وأوستيرتسغيبيرغه ومن يساعدني؟",
        "Jak najdu místo na praxi v okrese Saské Švýcarsko-Východní Krušné hory a kdo mi pomůže?",
    ],
)
def test_long_button_labels_end_after_a_whole_word(text: str) -> None:
    shown = render.label(text)
    assert len(shown) <= render.MAX_LABEL
    assert shown.endswith("…")
    kept = shown.removesuffix("…").split()
    assert kept == text.split()[: len(kept)], "every word shown is shown whole"


def test_a_label_without_spaces_is_still_cut_to_fit() -> None:
    shown = render.label("Ausbildungs" * 10)
    assert len(shown) == render.MAX_LABEL
    assert shown.endswith("…")
