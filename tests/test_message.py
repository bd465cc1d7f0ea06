"""Cutting a message into the sentences that may ask something."""

from __future__ import annotations

import pytest

from knowledge.message import WINDOW_WORDS, asking_score, pieces


def test_sentences_in_reading_order_with_their_positions() -> None:
    text = "Hi! I'm 22, from Kharkiv. I have a bachelor's degree.\nhow do I get it recognised? thanks"
    found = pieces(text)
    assert [p.text for p in found] == [
        "Hi!",
        "I'm 22, from Kharkiv.",
        "I have a bachelor's degree.",
        "how do I get it recognised?",
        "thanks",
    ]
    assert [p.start for p in found] == sorted(p.start for p in found)
    assert max(found, key=lambda p: p.asking).text == "how do I get it recognised?"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("wie finde ich einen praktikumsplatz", True),
        ("كيف اعمل اوسبيلدونغ؟", True),
        ("чи можна працювати в чехії", True),
        ("ausbildung nasil bulurum", True),
        ("muzu delat praxi v nemecku", True),
        ("ich wohne in pirna", False),
        ("I am 19 years old", False),
    ],
)
def test_asking_score_reads_the_form(text: str, asks: bool) -> None:
    assert (asking_score(text) > 0) is asks


def test_decimal_and_dates_do_not_end_a_sentence() -> None:
    found = pieces("Die Ausbildung dauert 3.5 Jahre ab 01.09.2026 in Pirna. Wie bewerbe ich mich?")
    assert [p.text for p in found] == [
        "Die Ausbildung dauert 3.5 Jahre ab 01.09.2026 in Pirna.",
        "Wie bewerbe ich mich?",
    ]


def test_arabic_and_farsi_question_marks_end_sentences() -> None:
    found = pieces("سلام. چطور میتونم آوسبیلدونگ پیدا کنم؟ ممنون")
    assert len(found) == 3
    assert found[1].asking > 0.5


def test_run_on_becomes_overlapping_windows_that_reach_the_end() -> None:
    words = ("ich wohne seit zwei jahren in pirna und gehe zur schule " * 10).split()
    text = " ".join([*words, "wie", "finde", "ich", "einen", "praktikumsplatz"])
    found = pieces(text)
    assert len(found) > 5
    assert all(len(p.text.split()) <= WINDOW_WORDS for p in found)
    assert found[-1].text.endswith("wie finde ich einen praktikumsplatz")
    assert any(p.asking > 0 for p in found)


def test_every_window_of_a_long_question_asks() -> None:
    question = (
        "what do I have to put into the application for the training place and do I send it by "
        "post or by mail and does the CV need a photo and do they want my school report translated?"
    )
    found = pieces("I finished school last year. " + question + " I am 19.")
    windows = [p for p in found if p.text in question]
    assert len(windows) > 1
    assert all(p.asking >= 0.6 for p in windows)
    assert next(p for p in found if p.text == "I am 19.").asking == 0


def test_empty_and_punctuation_only() -> None:
    assert pieces("") == []
    assert pieces("?!? ... !!") == []


def test_ten_thousand_characters_are_bounded() -> None:
    text = "Ich erzähle dir etwas über meine Familie. " * 250
    found = pieces(text, max_pieces=200)
    assert len(found) == 200
