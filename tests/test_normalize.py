"""Normalisation, tokenisation, stemming keys and transliteration, per script."""

from __future__ import annotations

import pytest

from knowledge.match_translit import latin_to_cyrillic, skeleton
from knowledge.normalize import clean, fold_word, normalize, term_key, terms, tokenize


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # German umlauts and ß: the umlaut, its "ae" spelling and the bare vowel meet.
        ("Prüfung", "de", "prufung"),
        ("Pruefung", "de", "prufung"),
        ("Prufung", "de", "prufung"),
        ("Straße", "de", "strasse"),
        ("ÄRZTIN", "de", "arztin"),
        # ...but "ue" after a vowel or q is no umlaut.
        ("neue Frauen Quelle", "de", "neue frauen quelle"),
        # Arabic: hamza forms, alif maqsura, ta marbuta, tashkeel, tatweel, ligatures.
        ("إلى", "ar", "الي"),
        ("أين", "ar", "اين"),
        ("مَدْرَسَةٌ", "ar", "مدرسه"),
        ("مـــدرسة", "ar", "مدرسه"),
        ("ﻻ", "ar", "لا"),
        # Persian and Arabic keyboards: ی/ي and ک/ك meet; ZWNJ separates affixes.
        ("کارآموزی", "fa", "كاراموزي"),
        ("كارآموزي", "ar", "كاراموزي"),
        ("کتاب\u200cها", "fa", "كتاب ها"),
        # Persian and Arabic-Indic digits.
        ("۱۲۳ ٤٥", "fa", "123 45"),
        # Cyrillic: ё, and Ukrainian letters folded to their Russian-ish spelling.
        ("Ёлка", "ru", "елка"),
        ("інформація", "uk", "информация"),
        ("информация", "ru", "информация"),
        ("ґанок", "uk", "ганок"),
        ("Її", "uk", "ии"),
        # Turkish dotted/dotless i.
        ("İstanbul", "tr", "istanbul"),
        ("ISPARTA", "tr", "isparta"),
        ("ISPARTA", "en", "isparta"),
        ("Çıraklık", "tr", "ciraklik"),
        # Czech diacritics.
        ("Zkouška z němčiny", "cs", "zkouska z nemciny"),
        # Invisible characters, bidi controls, emoji and punctuation.
        ("Aus\u200bbildung", "de", "ausbildung"),
        ("\u202eabc\u202c", "en", "abc"),
        ("\u2067شغل\u2069", "ar", "شغل"),
        ("Ausbildung 🎓👍🏽!!", "de", "ausbildung"),
        ("Wo ist das Jobcenter?!", "de", "wo ist das jobcenter"),
        ("  viele   Leerzeichen\t\n", "de", "viele leerzeichen"),
        ("", "de", ""),
    ],
)
def test_normalize(text: str, lang: str, expected: str) -> None:
    assert normalize(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Stemmers need the language's own letters, so clean() keeps them.
        ("ISPARTA", "tr", "ısparta"),
        ("Prüfung", "de", "prüfung"),
        ("کارآموزی", "fa", "کاراموزی"),
        ("كارآموزي", "ar", "كاراموزي"),
    ],
)
def test_clean_keeps_language_letters(text: str, lang: str, expected: str) -> None:
    assert clean(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Pneumokokken-Impfung", "de", ["pneumokokken", "impfung", "pneumokokkenimpfung"]),
        ("Ankara'da staj", "tr", ["ankara", "staj"]),
        ("don't panic", "en", ["dont", "panic"]),
        ("COVID-19", "en", ["covid", "19"]),
        ("Wo? Hier!", "de", ["wo", "hier"]),
    ],
)
def test_tokenize(text: str, lang: str, expected: list[str]) -> None:
    assert tokenize(text, lang) == expected


@pytest.mark.parametrize(
    ("words", "lang"),
    [
        (["prüfungen", "pruefung", "prufung"], "de"),
        (["practice", "practices", "practicing"], "en"),
        (["практика", "практики", "практику"], "ru"),
        (["практика", "практики", "практику"], "uk"),
        (["staj", "stajı", "stajlar"], "tr"),
        (["التدريب", "تدريب"], "ar"),
        (["praxe", "praxi"], "cs"),
        (["کتاب", "کتابها"], "fa"),
    ],
)
def test_inflections_share_a_key(words: list[str], lang: str) -> None:
    assert len({term_key(w, lang) for w in words}) == 1


def test_terms_are_folded_stems() -> None:
    assert terms("Prüfungen und Pruefung", "de") == ["prufung", "und", "prufung"]


@pytest.mark.parametrize(
    "spelling",
    ["Ausbildung", "ausbildunk", "аусбильдунг", "аусбилдунг", "اوسبيلدونغ", "آوسبیلدونگ"],
)
def test_skeleton_meets_across_scripts(spelling: str) -> None:
    assert skeleton(fold_word(spelling.lower())) == skeleton("ausbildung")


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [("praktika", "практика"), ("gde", "где"), ("shkola", "школа"), ("zhurnal", "журнал"), ("yazyk", "язик")],
)
def test_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic
