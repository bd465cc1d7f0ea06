"""Native-script readings of romanised Arabic, Farsi, Russian and Ukrainian (knowledge.romanised)
and their use by the safety check's meaning layer."""

from __future__ import annotations

import pytest

from knowledge.romanised import (
    arabizi_word,
    cyrillic_word,
    finglish_word,
    native_query,
    native_reading,
    target_of,
)
from knowledge.safety import DEFAULT_PATH, CrisisDetector


@pytest.mark.parametrize(
    ("latin", "arabic"),
    [
        ("7ali", "حالي"),  # table
        ("yedrebni", "يدربني"),  # short e and a dropped, final i written
        ("darabni", "دربني"),
        ("3omri", "عمري"),  # 3 = ع, short o dropped
        ("7ob", "حب"),  # 7 = ح
        ("5ayef", "خيف"),  # 5 = خ
        ("shaghal", "شغل"),  # sh, gh
        ("ghorfti", "غرفتي"),
        ("ktiir", "كتير"),  # long vowel written
        ("mout", "موت"),
        ("ya3ni", "يعني"),
        ("bade", "بدي"),
        ("biddi", "بدي"),
        ("mish", "مش"),
        ("3am", "عم"),  # not 3 a.m.
        ("shte3'el", "شتغل"),  # 3' = غ
        ("7'ayef", "خيف"),  # 7' = خ
    ],
)
def test_arabizi_words(latin: str, arabic: str) -> None:
    assert arabizi_word(latin) == arabic


@pytest.mark.parametrize(
    ("latin", "persian"),
    [
        ("mikham", "میخوام"),  # mi- prefix and the stem of "want"
        ("nemikham", "نمیخوام"),
        ("mizane", "میزنه"),  # final -e as ه
        ("nemitoonam", "نمیتونم"),
        ("bokosham", "بکشم"),  # sh, short o and a dropped
        ("khodamo", "خودمو"),
        ("dige", "دیگه"),
        ("zendegi", "زندگی"),
        ("pedaram", "پدرم"),  # p as پ
        ("gerye", "گریه"),  # g as گ
    ],
)
def test_finglish_words(latin: str, persian: str) -> None:
    assert finglish_word(latin) == persian


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("hochu", "хочу"),
        ("xochu", "хочу"),  # texting writes х as x
        ("zhyty", "жити"),
        ("bolshe", "болше"),
        ("menya", "меня"),
    ],
)
def test_romanised_russian_and_ukrainian_words(latin: str, cyrillic: str) -> None:
    assert cyrillic_word(latin) == cyrillic


@pytest.mark.parametrize(
    ("sentence", "targets", "reading"),
    [
        ("ana bade mout, ma3ad fiyye", {"ar"}, "انا بدي موت, ماعاد فيي"),
        ("abouya 3am yedrebni", {"ar"}, "ابويا عم يدربني"),
        # the article and "and" are joined to their word
        ("sa7eb el sho8el akhad el basbor w ma bedo yraj3o", {"ar"}, "سحب الشغل اخد البسبر وما بدو يرجعو"),
        # German terms and numbers keep their letters
        (
            "ana 19 sene w 3indi Duldung, fini a3mel Ausbildung?",
            {"ar"},
            "انا 19 سنة وعندي Duldung, فيني اعمل Ausbildung?",
        ),
        ("mikham bemiram", {"fa"}, "میخوام بمیرم"),
        ("babam mano mizane", {"fa"}, "بابام منو میزنه"),
        ("hochu umeret", {"slavic"}, "хочу умерет"),
        ("ne hochu bilshe zhyty", {"slavic"}, "не хочу билше жити"),
    ],
)
def test_sentences_are_read_in_their_script(sentence: str, targets: set[str], reading: str) -> None:
    assert native_reading(sentence, targets) == reading


@pytest.mark.parametrize(
    ("sentence", "targets"),
    [
        # German or English with a level or a time that looks like Arabizi ("A2", "5am")
        ("Bin seit 8 Monaten in Sebnitz, Deutsch so A2. Gibts hier einen Abendkurs?", {"ar"}),
        ("we pick strawberries from 5am to 9pm and the boss keeps our passports", {"ar"}),
        ("hey is the B2 course free?", {"ar"}),
        # mostly German, one Russian-looking word
        ("ich will nich mehr lebn", {"slavic"}),
        # words with numbers, not Arabizi digits
        ("Raum2 oder Kurs3 in Klasse5", {"ar"}),
    ],
)
def test_german_and_english_sentences_get_no_reading(sentence: str, targets: set[str]) -> None:
    assert native_reading(sentence, targets) is None


def test_the_target_with_most_evidence_wins() -> None:
    assert target_of("ana bade mout", {"ar", "fa"}) == "ar"
    assert target_of("man dige nemikham zendegi konam", {"ar", "fa"}) == "fa"
    assert target_of("ja ne hochu zhit", {"slavic", "ar"}) == "slavic"
    assert target_of("the weather is nice", {"ar", "fa", "slavic"}) is None


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    return CrisisDetector.from_file(DEFAULT_PATH, romanised_readings=True)


def test_without_romanised_readings_a_sentence_is_read_as_written() -> None:
    plain = CrisisDetector.from_file(DEFAULT_PATH, romanised_readings=False)
    assert plain.meaning_windows("salam. abouya 3am yedrebni kel yom") == ["abouya 3am yedrebni kel yom"]
    assert plain.native_reading("abouya 3am yedrebni kel yom") is None


def test_the_meaning_layer_also_reads_a_romanised_sentence_in_its_script(detector: CrisisDetector) -> None:
    windows = detector.meaning_windows("salam. abouya 3am yedrebni kel yom")
    assert "abouya 3am yedrebni kel yom" in windows
    assert "ابويا عم يدربني كل يوم" in windows
    assert detector.native_reading("salam. abouya 3am yedrebni kel yom") == "salam. ابويا عم يدربني كل يوم"


def test_sentences_in_their_own_script_are_read_once(detector: CrisisDetector) -> None:
    text = "Ich will nicht mehr leben. Mein Vater schlägt mich jeden Tag."
    assert detector.native_reading(text) is None
    assert sorted(detector.meaning_windows(text)) == sorted(
        ["Ich will nicht mehr leben.", "Mein Vater schlägt mich jeden Tag."]
    )


def test_a_long_romanised_sentence_is_read_in_windows_within_the_budget(detector: CrisisDetector) -> None:
    sentence = " ".join(["ana bade mout w ma ba3ref shu a3mel ya3ni"] * 3)
    windows = detector.meaning_windows(sentence)
    assert len(windows) <= CrisisDetector.MAX_WINDOWS
    assert any(w.startswith("انا بدي موت") for w in windows)
    assert sentence in windows


@pytest.mark.parametrize(
    ("text", "lang", "reading"),
    [
        (
            "u menja attestat iz Kharkiva, kak priznat?",
            "ru",
            "у меня аттестат из Kharkiva, как признат?",
        ),
        ("mikham beram kelas integration", "fa", "میخوام برم کلس integration"),
        ("ana 3ayez a3mel ausbildung", "ar", "انا عايز اعمل ausbildung"),
    ],
)
def test_a_romanised_query_is_read_in_the_persons_script(text: str, lang: str, reading: str) -> None:
    assert native_query(text, lang) == reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # a language typed in Latin letters anyway
        ("ana 3ayez a3mel ausbildung", "de"),
        ("u menja diplom", "tr"),
        # German to an Arabic speaker, and text that is already in its script
        ("Wo ist das Jobcenter?", "ar"),
        ("У меня diplom", "ru"),
        ("ana 3ayez", None),
    ],
)
def test_other_queries_get_no_reading(text: str, lang: str | None) -> None:
    assert native_query(text, lang) is None
