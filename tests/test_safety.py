"""Crisis detection by the patterns: every language, transliterations, odd Unicode, precision,
whole long messages. The meaning layer has its own tests (test_safety_meaning.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.model import LANGUAGES
from knowledge.safety import (
    CATEGORY_PRIORITY,
    DEFAULT_PATH,
    CrisisCategory,
    CrisisDetector,
    CrisisSignal,
    SafetyFileError,
    fold,
)
from knowledge.safety_text import known_word

SELF = CrisisCategory.SELF_HARM
VIOLENCE = CrisisCategory.VIOLENCE
ABUSE = CrisisCategory.ABUSE
WORK = CrisisCategory.EXPLOITATION
MINOR = CrisisCategory.MINOR_IN_DANGER


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    return CrisisDetector.from_file(DEFAULT_PATH)  # the patterns alone, no embedder


# (language reported, message, category)
POSITIVE: list[tuple[str, str, CrisisCategory]] = [
    # German
    ("de", "Ich will nicht mehr leben", SELF),
    ("de", "ich will mich umbringen", SELF),
    ("de", "Ich möchte einfach nur sterben", SELF),
    ("de", "Ich habe Suizidgedanken", SELF),
    ("de", "ich habe mich gestern wieder geritzt", SELF),
    ("de", "Mein Vater schlägt mich jeden Tag", VIOLENCE),
    ("de", "mein mann schlaegt mich", VIOLENCE),
    ("de", "Er droht, mich umzubringen", VIOLENCE),
    ("de", "Ich habe Angst vor meinem Stiefvater", VIOLENCE),
    ("de", "Er hat mich vergewaltigt", ABUSE),
    ("de", "Mein Ausbilder fasst mich immer an", ABUSE),
    ("de", "Meine Eltern wollen mich zwangsverheiraten", ABUSE),
    ("de", "mein Chef zahlt den Mindestlohn nicht", WORK),
    ("de", "Mein Chef hat meinen Pass genommen", WORK),
    ("de", "Ich bekomme seit drei Monaten keinen Lohn", WORK),
    ("de", "Der Chef zwingt mich, 14 Stunden zu arbeiten", WORK),
    ("de", "Meine Eltern haben mich rausgeworfen, ich bin 16", MINOR),
    ("de", "ich will nich mehr leben", SELF),
    ("de", "ich hab keinen bock mehr zu leben", SELF),
    ("de", "Mein Vater hat gesagt, er bringt mich um!", VIOLENCE),
    ("de", "mein chef hat meinen pass und gibt ihn nicht zurück", WORK),
    ("de", "ich fühl mich zuhause nicht sicher", MINOR),
    ("de", "Ich weiß nicht, wo ich heute schlafen soll", MINOR),
    ("de", "Ich habe Angst, nach Hause zu gehen", MINOR),
    # English
    ("en", "I want to kill myself", SELF),
    ("en", "i just want to die", SELF),
    ("en", "I don't want to live anymore", SELF),
    ("en", "I've been cutting myself again", SELF),
    ("en", "my dad beats me", VIOLENCE),
    ("en", "he threatens to kill me", VIOLENCE),
    ("en", "he kicked me in the stomach", VIOLENCE),
    ("en", "he raped me", ABUSE),
    ("en", "I was sexually abused by my uncle", ABUSE),
    ("en", "my boss took my passport", WORK),
    ("en", "My employer doesn't pay me", WORK),
    ("en", "I haven't been paid for 3 months", WORK),
    ("en", "they lock us in at night", WORK),
    ("en", "my parents kicked me out", MINOR),
    ("en", "I have nowhere to sleep tonight", MINOR),
    ("en", "I'm scared to go home", MINOR),
    ("en", "i wanna kms", SELF),
    ("en", "my uncle touched me", ABUSE),
    ("en", "I am being exploited at work", WORK),
    # Arabic
    ("ar", "أريد أن أموت", SELF),
    ("ar", "بدي موت", SELF),
    ("ar", "أفكر في الانتحار", SELF),
    ("ar", "بدي اقتل حالي", SELF),
    ("ar", "أبي يضربني كل يوم", VIOLENCE),
    ("ar", "زوجي بيضربني", VIOLENCE),
    ("ar", "أخي يهددني بالقتل", VIOLENCE),
    ("ar", "اغتصبني", ABUSE),
    ("ar", "المدير يتحرش بي", ABUSE),
    ("ar", "صاحب العمل أخذ جواز سفري", WORK),
    ("ar", "المعلم ما عطاني راتب من شهرين", WORK),
    ("ar", "يجبرني على العمل 14 ساعة", WORK),
    ("ar", "طردني أبي من البيت", MINOR),
    ("ar", "ما عندي مكان أنام فيه", MINOR),
    ("ar", "خايف ارجع عالبيت", MINOR),
    ("ar", "ما عاد بدي عيش", SELF),
    ("ar", "أبي بدو يقتلني", VIOLENCE),
    ("ar", "راتبي ما انصرف من شهرين", WORK),
    # Ukrainian
    ("uk", "Я хочу померти", SELF),
    ("uk", "Я не хочу жити.", SELF),
    ("uk", "хочу покінчити з собою", SELF),
    ("uk", "він мене б'є", VIOLENCE),
    ("uk", "він мене бʼє щодня", VIOLENCE),
    ("uk", "чоловік мені погрожує", VIOLENCE),
    ("uk", "мене зґвалтували", ABUSE),
    ("uk", "начальник домагається до мене", ABUSE),
    ("uk", "патрон забрав паспорт", WORK),
    ("uk", "мені не платять вже три місяці", WORK),
    ("uk", "батьки вигнали мене з дому", MINOR),
    ("uk", "мені нема де спати", MINOR),
    ("uk", "боюся йти додому", MINOR),
    # Russian
    ("ru", "Я хочу умереть", SELF),
    ("ru", "не хочу больше жить", SELF),
    ("ru", "Я хочу покончить с собой", SELF),
    ("ru", "он меня бьёт", VIOLENCE),
    ("ru", "Отчим бьет меня каждый день", VIOLENCE),
    ("ru", "муж угрожает мне", VIOLENCE),
    ("ru", "меня изнасиловали", ABUSE),
    ("ru", "начальник пристаёт ко мне", ABUSE),
    ("ru", "работодатель забрал паспорт", WORK),
    ("ru", "мне не платят уже три месяца", WORK),
    ("ru", "хозяин заставляет работать по 14 часов", WORK),
    ("ru", "родители выгнали меня из дома", MINOR),
    ("ru", "мне негде спать", MINOR),
    ("ru", "отчим хочет меня убить", VIOLENCE),
    ("ru", "дома я не чувствую себя в безопасности", MINOR),
    # Farsi / Dari
    ("fa", "میخواهم بمیرم", SELF),
    ("fa", "می‌خوام خودکشی کنم", SELF),
    ("fa", "چند وقته به کشتن خودم فکر می‌کنم", SELF),
    ("fa", "دیگه نمیخوام زنده باشم", SELF),
    ("fa", "پدرم منو میزنه", VIOLENCE),
    ("fa", "شوهرم مرا می‌زند", VIOLENCE),
    ("fa", "از پدرم میترسم", VIOLENCE),
    ("fa", "به من تجاوز کرد", ABUSE),
    ("fa", "صاحبکارم بهم دست میزنه", ABUSE),
    ("fa", "صاحب کارم پاسپورتم را گرفته", WORK),
    ("fa", "دو ماه است حقوقم را نداده", WORK),
    ("fa", "پدرم منو از خونه انداخت بیرون", MINOR),
    ("fa", "جایی برای خوابیدن ندارم", MINOR),
    # Turkish
    ("tr", "Ölmek istiyorum", SELF),
    ("tr", "kendimi öldürmek istiyorum", SELF),
    ("tr", "Artık yaşamak istemiyorum", SELF),
    ("tr", "intihar etmeyi düşünüyorum", SELF),
    ("tr", "Babam beni dövüyor", VIOLENCE),
    ("tr", "kocam bana vuruyor", VIOLENCE),
    ("tr", "bana tecavüz etti", ABUSE),
    ("tr", "ustam beni taciz ediyor", ABUSE),
    ("tr", "patronum pasaportumu aldı", WORK),
    ("tr", "patron 3 aydır maaşımı ödemiyor", WORK),
    ("tr", "evden kovuldum", MINOR),
    ("tr", "kalacak yerim yok", MINOR),
    ("tr", "abim beni öldürmekle tehdit ediyor", VIOLENCE),
    ("tr", "cinsel istismara uğradım", ABUSE),
    # Czech
    ("cs", "Chci umřít", SELF),
    ("cs", "nechci už žít", SELF),
    ("cs", "myslím na sebevraždu", SELF),
    ("cs", "táta mě bije", VIOLENCE),
    ("cs", "manžel mi vyhrožuje", VIOLENCE),
    ("cs", "znásilnil mě", ABUSE),
    ("cs", "šéf na mě sahá", ABUSE),
    ("cs", "šéf mi vzal pas", WORK),
    ("cs", "šéf mi neplatí mzdu", WORK),
    ("cs", "rodiče mě vyhodili z domu", MINOR),
    ("cs", "nemám kde spát", MINOR),
]

# Latin transliterations of Arabic, Russian, Ukrainian and Farsi (plus the brief's examples).
TRANSLITERATED: list[tuple[str, str, CrisisCategory]] = [
    ("ar", "ana bidi mut", SELF),
    ("ar", "bade2tol nafsi", SELF),
    ("ar", "bfakker bel inti7ar", SELF),
    ("ar", "abi yadribuni", VIOLENCE),
    ("ar", "baba bidrabni kl yom", VIOLENCE),
    ("ar", "ightasabni", ABUSE),
    ("ar", "sa7eb el shoghl akhad el basbor taba3i", WORK),
    ("ar", "ahli taradouni", MINOR),
    ("ru", "ya hochu umeret", SELF),
    ("ru", "ne hochu bolshe zhit", SELF),
    ("ru", "otchim menya bjet", VIOLENCE),
    ("ru", "nachalnik zabral pasport", WORK),
    ("ru", "mne negde spat", MINOR),
    ("uk", "ya khochu pomerty", SELF),
    ("uk", "batko mene bie", VIOLENCE),
    ("uk", "patron zabrav pasport", WORK),
    ("uk", "vyhnaly mene z domu", MINOR),
    ("fa", "mikham khodkoshi konam", SELF),
    ("fa", "delam mikhad bemiram", SELF),
    ("fa", "pedaram mano mizane", VIOLENCE),
    ("fa", "sahebkaram pasportam ro gerefte", WORK),
    ("fa", "az khune birunam kardan", MINOR),
    ("cs", "bede umrem", SELF),
]

# Ordinary questions: no emergency. At least four per language.
NEGATIVE: list[tuple[str, str]] = [
    ("de", "Wie kann ich meine Ausbildung abbrechen?"),
    ("de", "Ich habe keine Lust mehr auf Schule"),
    ("de", "Gibt es einen Gewaltprävention Workshop?"),
    ("de", "Gibt es einen Workshop über häusliche Gewalt?"),
    ("de", "Wie viele Stunden darf ein Azubi arbeiten"),
    ("de", "Mein Chef hat meinen Pass kopiert"),
    ("de", "Die Schule bringt mich um"),
    ("de", "Ich will nicht mehr in Pirna leben, ich suche eine Ausbildung in Dresden"),
    ("de", "Was ist der Mindestlohn für Azubis? Mein Chef zahlt gut."),
    ("de", "Ich kann nicht mehr, so viel Stress in der Berufsschule"),
    ("de", "Wo kann ich schlafen, wenn ich ein Praktikum in Dresden mache?"),
    ("de", "Die Ausländerbehörde hat meinen Pass einbehalten"),
    ("de", "Er bringt mich um 8 zur Schule"),
    ("de", "Mein Chef gibt mir den Lohn nicht bar"),
    ("de", "Mein Handy ist kaputt, ich kann nicht mehr nach Hause telefonieren"),
    ("en", "How can I quit my apprenticeship?"),
    ("en", "The course is killing me"),
    ("en", "Is there a violence prevention workshop?"),
    ("en", "How many hours can an apprentice work?"),
    ("en", "I don't want to die, I want a job"),
    ("en", "I don't want to live in Pirna anymore"),
    ("en", "Beats me why the form is so long"),
    ("en", "Is there a suicide prevention training for teachers?"),
    ("en", "The police have my passport, when do I get it back?"),
    ("en", "I hurt myself at work, who pays?"),
    ("en", "this homework is killing me"),
    ("en", "I'm going to end it with my girlfriend, is that ok?"),
    ("en", "Can my boss keep my passport copy?"),
    ("en", "I got hit by a lot of questions in the interview"),
    ("ar", "كيف أترك التدريب المهني؟"),
    ("ar", "ما هو الحد الأدنى للأجور في ألمانيا؟"),
    ("ar", "هل يوجد ورشة عن الوقاية من العنف؟"),
    ("ar", "كم ساعة يسمح للمتدرب أن يعمل؟"),
    ("ar", "أين أجدد جواز سفري؟"),
    ("ar", "أريد أن أعيش في درسدن"),
    ("ar", "الامتحان رح يقتلني"),
    ("uk", "Як мені перервати навчання?"),
    ("uk", "Скільки годин може працювати учень?"),
    ("uk", "Я не хочу жити в гуртожитку"),
    ("uk", "Чи є семінар про запобігання насильству?"),
    ("uk", "Роботодавець попросив копію паспорта"),
    ("uk", "ця робота мене вб'є"),
    ("ru", "Как бросить обучение?"),
    ("ru", "Я не хочу жить в общежитии"),
    ("ru", "Сколько часов может работать ученик?"),
    ("ru", "Эта песня меня трогает"),
    ("ru", "Учёба меня убивает"),
    ("ru", "Мне не платят стипендию, это нормально?"),
    ("ru", "эта работа меня убьет"),
    ("fa", "چطور کارآموزی را ترک کنم؟"),
    ("fa", "حداقل دستمزد چقدر است؟"),
    ("fa", "الهی بمیرم برات"),
    ("fa", "کجا پاسپورتم را تمدید کنم؟"),
    ("fa", "نمیخوام در آلمان زندگی کنم"),
    ("fa", "این کار منو میکشه"),
    ("tr", "Eğitimimi nasıl bırakabilirim?"),
    ("tr", "Asgari ücret ne kadar?"),
    ("tr", "Şiddet önleme atölyesi var mı?"),
    ("tr", "Bir çırak kaç saat çalışabilir?"),
    ("tr", "Almanya'da yaşamak istemiyorum, İstanbul'a dönmek istiyorum"),
    ("tr", "Ölmek istemiyorum, iş istiyorum"),
    ("tr", "bu iş beni öldürecek"),
    ("cs", "Jak můžu přerušit učení?"),
    ("cs", "Kolik hodin smí učeň pracovat?"),
    ("cs", "Je tu workshop o prevenci násilí?"),
    ("cs", "Kde si můžu obnovit pas?"),
    ("cs", "Ta škola mě zabije"),
    ("cs", "Vyhodili mě z práce, co teď?"),
    ("cs", "umřu nudou"),
    # transliterated, ordinary
    ("fa", "elahi bemiram"),
    ("fa", "mikham ausbildung konam"),
    ("ar", "ana bidi sa3ed bel shoghl"),
    ("ru", "ya hochu rabotat povarom"),
]

ODD_UNICODE: list[tuple[str, str, CrisisCategory]] = [
    ("zero-width joiner inside a word", "ich will mich um\u200dbringen", SELF),
    ("zero-width non-joiner inside a word", "I want to ki\u200cll myself", SELF),
    ("soft hyphen", "Ich will nicht mehr le\u00adben", SELF),
    ("right-to-left override", "\u202eI want to kill myself\u202c", SELF),
    ("bidi isolate and marks", "\u2067\u200fمیخواهم بمیرم\u2069", SELF),
    ("byte order mark", "\ufeffmy boss took my passport", WORK),
    ("uppercase Turkish dotted I", "KENDİMİ ÖLDÜRMEK İSTİYORUM", SELF),
    ("Turkish dotless i", "INTIHAR ETMEK ıSTıYORUM", SELF),
    ("full-width Latin", "ｋｉｌｌ ｍｙｓｅｌｆ", SELF),
    ("Arabic harakat and tatweel", "أُرِيدُ أَنْ أَمُــــوتَ", SELF),
    ("Arabic letters in Farsi", "ميخواهم بميرم", SELF),
    ("Farsi letters in Arabic", "بدی موت", SELF),
    ("Cyrillic ё written as е", "он меня бьет", VIOLENCE),
    ("repeated letters", "HILFEEEE mein vater schläääägt mich", VIOLENCE),
    ("umlaut written as ae", "mein Mann schlaegt mich", VIOLENCE),
    ("umlaut left out", "mein Mann schlagt mich", VIOLENCE),
    ("missing Czech diacritics", "chci umrit", SELF),
    ("missing Turkish diacritics", "olmek istiyorum", SELF),
    ("emoji around the words", "😭😭 i want to die 😭", SELF),
    ("line breaks inside the message", "hallo\nmein vater schlägt mich\nwas soll ich tun", VIOLENCE),
]


@pytest.mark.parametrize(("language", "text", "category"), POSITIVE)
def test_recognises_emergencies_in_every_language(
    detector: CrisisDetector, language: str, text: str, category: CrisisCategory
) -> None:
    signal = detector.detect(text)
    assert signal is not None, text
    assert (signal.category, signal.language) == (category, language), (text, signal.phrase)


@pytest.mark.parametrize(("language", "text", "category"), TRANSLITERATED)
def test_recognises_latin_transliterations(
    detector: CrisisDetector, language: str, text: str, category: CrisisCategory
) -> None:
    signal = detector.detect(text)
    assert signal is not None, text
    assert (signal.category, signal.language) == (category, language), (text, signal.phrase)


@pytest.mark.parametrize(("language", "text"), NEGATIVE)
def test_ordinary_questions_are_not_emergencies(detector: CrisisDetector, language: str, text: str) -> None:
    assert detector.detect(text) is None, (language, text)


@pytest.mark.parametrize(("case", "text", "category"), ODD_UNICODE)
def test_odd_unicode_does_not_hide_an_emergency(
    detector: CrisisDetector, case: str, text: str, category: CrisisCategory
) -> None:
    signal = detector.detect(text)
    assert signal is not None, case
    assert signal.category is category, case


def test_every_language_and_category_is_covered() -> None:
    languages = {language for language, _, _ in POSITIVE}
    assert languages == set(LANGUAGES)
    for language in languages:
        cases = [category for lang, _, category in POSITIVE if lang == language]
        assert len(cases) >= 6, language
        assert set(cases) == set(CrisisCategory), language
        assert sum(lang == language for lang, _ in NEGATIVE) >= 4, language
    assert {language for language, _, _ in TRANSLITERATED} >= {"ar", "ru", "uk", "fa"}


def test_signal_names_the_pattern_not_the_message(detector: CrisisDetector) -> None:
    signal = detector.detect("Hallo, mein Vater schlägt mich, bitte helft mir. Ich heiße Amir.")
    assert isinstance(signal, CrisisSignal)
    assert (signal.category, signal.language) == (VIOLENCE, "de")
    assert "Amir" not in signal.phrase
    assert signal.phrase in DEFAULT_PATH.read_text(encoding="utf-8")


def test_most_urgent_category_wins(detector: CrisisDetector) -> None:
    text = "Mein Chef hat meinen Pass genommen und zahlt keinen Lohn. Ich will nicht mehr leben."
    signal = detector.detect(text)
    assert signal is not None
    assert signal.category is SELF
    assert CATEGORY_PRIORITY[0] is SELF
    assert set(CATEGORY_PRIORITY) == set(CrisisCategory)


def test_phrases_do_not_reach_across_sentences(detector: CrisisDetector) -> None:
    assert detector.detect("Ich will. Sterben ist ein Thema im Ethikunterricht.") is None
    assert detector.detect("Ich will sterben.") is not None


def test_empty_and_wordless_messages(detector: CrisisDetector) -> None:
    assert detector.detect("") is None
    assert detector.detect("   \u200b\u202e ?!… 😀") is None


def _benign_message(size: int = 10_000) -> str:
    sentences = [
        "Ich suche einen Ausbildungsplatz als Koch in Pirna und möchte wissen, wie viel man verdient.",
        "Mein Chef hat gesagt, ich soll am Samstag arbeiten, ist das erlaubt?",
        "أريد أن أعرف كيف أجد مكان تدريب في بيرنا.",
        "Как найти практику в Дрездене и сколько платят ученикам?",
        "میخواهم در آلمان کار کنم و زبان آلمانی یاد بگیرم.",
        "Almanya'da çalışmak istiyorum, asgari ücret ne kadar?",
        "Chci pracovat v Německu, kde najdu kurz němčiny?",
        "Як знайти роботу в Пірні та скільки годин може працювати учень?",
        "I want to know how many hours an apprentice can work per week.",
    ]
    text = ""
    i = 0
    while len(text) < size:
        text += sentences[i % len(sentences)] + " "
        i += 1
    return text[:size]


def test_long_benign_message_is_quiet() -> None:
    detector = CrisisDetector.from_file(DEFAULT_PATH)  # cold word cache
    text = _benign_message()
    assert len(text) == 10_000
    assert detector.detect(text) is None


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_emergency_anywhere_in_a_long_message(detector: CrisisDetector, where: str) -> None:
    crisis = " Ich will nicht mehr leben. "
    benign = _benign_message(9_950)
    text = {
        "start": crisis + benign,
        "middle": benign[:5_000] + crisis + benign[5_000:],
        "end": benign + crisis,
    }[where]
    signal = detector.detect(text)
    assert signal is not None
    assert signal.category is SELF


# The message from the issue: 1,181 characters, the emergency in its last words. A cut at
# 1,000 characters used to hide it.
ISSUE_MESSAGE = (
    "Hallo, ich heiße Samir und bin seit zwei Jahren in Deutschland. Ich wohne in einem "
    "Wohnheim in Pirna und gehe in die Berufsschule, ich mache eine Ausbildung als Koch. "
    "Am Anfang war alles gut, mein Deutsch wird besser und ich habe ein paar Freunde "
    "gefunden. Aber seit dem Sommer ist alles schwer. Mein Chef sagt jeden Tag, dass ich "
    "langsam bin, und in der Schule verstehe ich die Prüfungen nicht. Meine Familie ist "
    "noch in Syrien und ich kann sie nur selten anrufen, weil das Internet dort schlecht "
    "ist. Ich schlafe kaum noch, ich esse wenig und ich gehe nicht mehr zum Fußball. Mein "
    "Betreuer hat gesagt, ich soll mir Hilfe holen, aber ich weiß nicht, wo. Ich habe im "
    "Internet gesucht und viele Seiten gefunden, aber alles ist so kompliziert und die "
    "Wartezeiten sind lang. Ich habe auch Angst, dass meine Aufenthaltserlaubnis Probleme "
    "bekommt, wenn ich die Ausbildung nicht schaffe. Jeden Abend sitze ich allein in meinem "
    "Zimmer und denke nach. Meine Mitbewohner merken nichts, sie sind nett, aber wir reden "
    "nicht viel. Ich weiß nicht, ob ihr mir helfen könnt, vielleicht ist das die falsche "
    "Stelle für etwas, entschuldigung. Ich bin so müde von allem und ich will nicht mehr leben."
)


def test_the_issue_message_is_an_emergency(detector: CrisisDetector) -> None:
    assert len(ISSUE_MESSAGE) == 1_181
    assert ISSUE_MESSAGE.endswith("ich will nicht mehr leben.")
    signal = detector.detect(ISSUE_MESSAGE)
    assert signal is not None
    assert (signal.category, signal.language) == (SELF, "de")


@pytest.mark.parametrize(
    "text",
    [
        ("ich will nicht mehr " * 600)[:10_000],
        ("mich mich " * 1_000)[:10_000],
        ("chef pass lohn nicht " * 500)[:10_000],
        "a" * 10_000,
        ("x" * 60 + " ") * 160,
        ("ana bade " * 1_200)[:10_000],
    ],
)
def test_repetitive_messages_finish(detector: CrisisDetector, text: str) -> None:
    # Bounded work: one look-up per distinct word (timings: python -m benchmarks.crisis).
    detector.detect(text)


# ----------------------------------------------------------------- generalisation


# Typos, other verb forms and persons, transliterations: none of these is written in
# safety.yaml as such.
GENERALISED: list[tuple[str, str, CrisisCategory]] = [
    # typos (no real word, one letter off)
    ("de", "ich will nich mehr lebn", SELF),
    ("de", "ich will mich umbirngen", SELF),
    ("en", "i dont wnat to live anymore", SELF),
    ("en", "I want to kil myself", SELF),
    ("tr", "kendimi öldürmek istiyorum ama korkuyrum", SELF),
    ("ru", "хочу умеретъ", SELF),
    # Czech: beaten at home, in several verb forms and persons
    ("cs", "táta mě bije", VIOLENCE),
    ("cs", "táta mě bil", VIOLENCE),
    ("cs", "máma mě zbila", VIOLENCE),
    ("cs", "otec mě zmlátil, mám modřiny", VIOLENCE),
    ("cs", "doma mě bijou", VIOLENCE),
    ("cs", "bratr mě mlátí každý den", VIOLENCE),
    # Russian / Arabic / Turkish verb forms
    ("ru", "отчим меня избила", VIOLENCE),
    ("ar", "ابوي بيضربني", VIOLENCE),
    ("ar", "زوجي ضربني", VIOLENCE),
    ("tr", "babam beni dövdü", VIOLENCE),
    ("tr", "babam beni döver", VIOLENCE),
    # Arabizi, Finglish, romanised Russian/Ukrainian matched against native-script patterns
    ("ar", "ana bade mout", SELF),
    ("ar", "ana bade mut", SELF),
    ("ar", "wallah bade emout", SELF),
    ("ar", "baba bidrabni", VIOLENCE),
    ("ar", "abouy by2tol nafsi", SELF),
    ("ru", "ya hochu umeret", SELF),
    ("ru", "ya ne hochu zhit", SELF),
    ("uk", "ya khochu pomerty", SELF),
    ("fa", "mikham bemiram", SELF),
    # Arabic and Czech statements about ending one's life
    ("ar", "أريد أن أنتحر", SELF),
    ("ar", "بفكر انتحر", SELF),
    ("ar", "أريد إنهاء حياتي", SELF),
    ("cs", "chci spáchat sebevraždu", SELF),
    ("cs", "zabiju se", SELF),
    ("cs", "Chci ukončit svůj život", SELF),
]


# Scenarios the patterns used to miss (issue 10): an overdose told in the past, a plan with a
# method and a time (German verb-second order too), violence against a family member told in
# the third person, a little sibling gone off with a man from the internet, a forced marriage
# with a death threat. Written for these tests, not taken from knowledge/eval/**.
SCENARIOS: list[tuple[str, str, CrisisCategory]] = [
    # an overdose told in the past, with an amount word
    ("de", "Ich habe alle Tabletten geschluckt und mir ist schwindelig", SELF),
    ("de", "hab eine ganze Packung Schlaftabletten genommen", SELF),
    ("en", "I took a whole bunch of pills and now I feel dizzy", SELF),
    ("en", "took like 30 tablets an hour ago, feel weird", SELF),
    ("ar", "بلعت كل الحبوب وحاسس بدوخة", SELF),
    ("ar", "bla3t kel el 7bob", SELF),
    ("uk", "я випила всі таблетки", SELF),
    ("uk", "ya vypyla vsi tabletky", SELF),
    ("ru", "я выпила все таблетки, мне плохо", SELF),
    ("ru", "наглоталась снотворного", SELF),
    ("fa", "یه بسته قرص خوردم", SELF),
    ("fa", "همه قرصامو یه جا خوردم", SELF),
    ("fa", "ye baste ghors khordam", SELF),
    ("tr", "bütün ilaçları yuttum", SELF),
    ("tr", "bir kutu ilaç içtim başım dönüyor", SELF),
    ("cs", "spolykala jsem všechny prášky", SELF),
    # a plan with a method and a time
    ("de", "Heute Nacht spring ich von der Brücke", SELF),
    ("de", "Ich hab ein Seil, heute Nacht mach ich es", SELF),
    ("en", "got a rope, tonight I'm doing it", SELF),
    ("en", "I'm going to throw myself in front of a train", SELF),
    ("ar", "الليلة رح ارمي حالي من الجسر", SELF),
    ("uk", "сьогодні вночі стрибну з мосту", SELF),
    ("ru", "сегодня ночью спрыгну с моста", SELF),
    ("fa", "امشب از پل میپرم", SELF),
    ("tr", "bu gece köprüden atlayacağım", SELF),
    ("cs", "dnes večer skočím z mostu", SELF),
    # violence against a family member, third person or past
    ("de", "Er hat meine Schwester geschlagen bis sie geblutet hat", VIOLENCE),
    ("de", "Mein Vater schlägt meine Mutter", VIOLENCE),
    ("en", "he beat my sister till she bled and now he's coming for me", VIOLENCE),
    ("en", "my dad hits my mom every night", VIOLENCE),
    ("ar", "ابوي عم يضرب امي", VIOLENCE),
    ("ar", "baba 3am yedrob mama kel yom", VIOLENCE),
    ("uk", "батько бє маму", VIOLENCE),
    ("ru", "отчим избил маму до крови", VIOLENCE),
    ("fa", "بابام مامانمو میزنه", VIOLENCE),
    ("fa", "بابام مامانم رو کتک میزنه", VIOLENCE),
    ("fa", "babam mamanamo mizane", VIOLENCE),
    ("tr", "babam onu dövüyor", VIOLENCE),
    ("tr", "babam annemi dövüyor", VIOLENCE),
    ("cs", "táta bije mámu", VIOLENCE),
    # a little sibling gone off with a man from the internet
    ("de", "Meine kleine Schwester (12) ist mit einem Mann aus dem Internet weggegangen", MINOR),
    ("en", "my little sister (12) went off with a man from the internet", MINOR),
    ("ar", "اختي الصغيرة راحت مع رجل من الانترنت", MINOR),
    ("uk", "моя молодша сестра пішла з чоловіком з інтернету", MINOR),
    ("ru", "моя младшая сестра ушла с мужчиной из интернета", MINOR),
    ("fa", "خواهر کوچیکم با یه مرد از اینترنت رفته", MINOR),
    ("tr", "küçük kız kardeşim internetten tanıştığı bir adamla gitti", MINOR),
    ("cs", "moje malá ségra odešla s chlapem z internetu", MINOR),
    # a forced marriage with a death threat: the threat makes it violence
    ("de", "Ich soll meinen Cousin heiraten, wenn ich nein sage, bringen sie mich um", VIOLENCE),
    ("en", "they want me to marry my cousin and if I say no I'm dead", VIOLENCE),
    ("ar", "بدهم يزوجوني ابن عمي واذا رفضت رح يقتلوني", VIOLENCE),
    ("uk", "мене хочуть видати заміж, якщо відмовлюся, мене вбють", VIOLENCE),
    ("ru", "меня хотят выдать замуж, если откажусь, меня убьют", VIOLENCE),
    ("fa", "میخوان به زور شوهرم بدن، اگه قبول نکنم منو میکشن", VIOLENCE),
    ("tr", "beni zorla evlendirmek istiyorlar, hayır dersem beni öldürürler", ABUSE),
    ("cs", "chtějí mě vdát, když odmítnu, zabijou mě", ABUSE),
    # an overdose named as such, first person
    ("de", "ich hab eine Überdosis genommen", SELF),
    ("en", "i think i overdosed on my meds", SELF),
    ("ru", "кажется, я передознулась", SELF),
    ("tr", "aşırı doz ilaç aldım", SELF),
    ("cs", "předávkovala jsem se prášky", SELF),
    ("cs", "snědla jsem všechny prášky co byly doma", SELF),
    # a sibling of 10-15 meeting an adult man
    ("de", "Meine Schwester ist 13 und trifft sich mit einem erwachsenen Mann", MINOR),
    ("en", "my sister is 13 and she keeps meeting a 30 year old man", MINOR),
    ("ar", "اختي عمرها 13 وعم تطلع مع رجل كبير", MINOR),
    ("uk", "моїй сестрі 13, вона зустрічається з дорослим чоловіком", MINOR),
    ("ru", "моей сестре 13, она встречается со взрослым мужчиной", MINOR),
    ("fa", "خواهرم ۱۳ سالشه و با یه مرد بزرگتر بیرون میره", MINOR),
    ("tr", "kardeşim 13 yaşında ve yetişkin bir adamla buluşuyor", MINOR),
    ("cs", "sestře je 13 a schází se s dospělým chlapem", MINOR),
    # exploitation told about someone else
    ("en", "his boss took his passport and doesnt let him leave", WORK),
    ("de", "Sein Chef hat seinen Pass weggenommen", WORK),
    ("ru", "ему не платят зарплату уже три месяца", WORK),
    ("uk", "йому не платять зарплату вже два місяці", WORK),
    # Round 2 (issue 10): rape told in the passive or of someone else, sexual coercion by a
    # boss/trainer/landlord with a threat, sextortion, an adult from a game who made someone
    # send pictures, a carer at night; strangling and death threats, siblings threatening to
    # kill, locked in with the phone broken; cutting with bleeding that will not stop, a method
    # and a time, farewell letters, a friend about to kill himself; debt bondage, deportation
    # threats, the passport kept, locked in at work, months unpaid; small children alone for
    # days. Written for these tests, not taken from knowledge/eval/**.
    ("en", "my friend got raped at the party", ABUSE),
    ("en", "she was raped last year and told nobody", ABUSE),
    ("en", "they raped her", ABUSE),
    ("en", "I was raped", ABUSE),
    ("ar", "انغتصبت بالحفلة", ABUSE),
    ("ar", "صاحبتي اغتصبوها", ABUSE),
    ("ar", "اغتصبها ابن عمها", ABUSE),
    ("ar", "sa7bti eghtasabouha", ABUSE),
    ("tr", "arkadaşım partide tecavüze uğradı", ABUSE),
    ("tr", "kız kardeşim tecavüze uğramış", ABUSE),
    ("cs", "znásilnili ji na večírku", ABUSE),
    ("cs", "moji kamarádku znásilnili", ABUSE),
    ("ru", "её изнасиловали на вечеринке", ABUSE),
    ("ru", "мою подругу изнасиловали", ABUSE),
    ("uk", "її згвалтували на вечірці", ABUSE),
    ("uk", "мою подругу зґвалтували", ABUSE),
    ("de", "Meine Freundin wurde auf der Party vergewaltigt", ABUSE),
    ("fa", "به دوستم تو مهمونی تجاوز کردن", ABUSE),
    ("fa", "بهش تجاوز شده", ABUSE),
    ("fa", "beheš tajavoz kardan", ABUSE),
    ("uk", "yeo nas dyvčynu zgvaltuvaly", ABUSE),
    ("ru", "ee iznasilovali", ABUSE),
    ("en", "my boss says I have to sleep with him or he'll fire me", ABUSE),
    ("en", "the landlord said I must sleep with him or he will report me", ABUSE),
    ("de", "Mein Chef sagt, ich muss mit ihm schlafen, sonst kündigt er mir", ABUSE),
    ("de", "Der Ausbilder sagt, wenn ich nicht mit ihm schlafe, bricht er meine Ausbildung ab", ABUSE),
    ("ar", "المدير قال لازم نام معه والا بيطردني", ABUSE),
    ("ar", "bado nam ma3o aw bi2ashrefni", ABUSE),
    ("tr", "patron onunla yatmazsam beni kovacağını söylüyor", ABUSE),
    ("cs", "šéf říká, že se s ním musím vyspat, jinak mě vyhodí", ABUSE),
    ("ru", "начальник говорит, что я должна с ним переспать, иначе уволит", ABUSE),
    ("uk", "начальник каже, що я маю з ним переспати, інакше звільнить", ABUSE),
    ("fa", "رئیسم میگه باید باهاش بخوابم وگرنه اخراجم میکنه", ABUSE),
    ("ru", "nachalnik govorit ya dolzhna s nim perespat inache uvolit", ABUSE),
    ("en", "he has my nudes and says he'll send them to my whole class unless I pay", ABUSE),
    ("en", "someone has nude pics of me and threatens to send them to my parents", ABUSE),
    (
        "de",
        "Er hat Nacktbilder von mir und droht, sie an meine Eltern zu schicken, wenn ich nicht zahle",
        ABUSE,
    ),
    ("ar", "عنده صوري وعم يهددني يبعتها لاهلي اذا ما دفعت", ABUSE),
    ("ar", "3ando sowari w 3am yhadedni yeb3ata la ahli", ABUSE),
    ("tr", "çıplak fotoğraflarımı aileme göndermekle tehdit ediyor", ABUSE),
    ("cs", "má moje nahé fotky a vyhrožuje, že je pošle rodičům", ABUSE),
    ("ru", "у него мои интимные фото, угрожает отправить родителям если не заплачу", ABUSE),
    ("uk", "в нього мої інтимні фото, погрожує надіслати батькам", ABUSE),
    ("fa", "عکسای لختمو داره و تهدید میکنه که برای خانوادم میفرسته", ABUSE),
    ("en", "a guy from a game made me send pictures and now wants to meet", ABUSE),
    ("de", "Ein Mann aus einem Spiel hat mich Bilder schicken lassen und will sich jetzt treffen", ABUSE),
    ("ar", "واحد من لعبة خلاني ابعتله صور وهلق بدو يشوفني", ABUSE),
    ("tr", "oyundan biri bana fotoğraf attırdı şimdi buluşmak istiyor", ABUSE),
    ("cs", "muž ze hry mě donutil poslat fotky a teď se chce sejít", ABUSE),
    ("ru", "мужик из игры заставил меня отправить фотки, теперь хочет встретиться", ABUSE),
    ("uk", "чоловік з гри змусив мене надіслати фото, тепер хоче зустрітися", ABUSE),
    ("fa", "یه مرد تو بازی مجبورم کرد عکس بفرستم حالا میخواد منو ببینه", ABUSE),
    ("en", "my stepfather comes into my room at night and does things I dont want", ABUSE),
    ("de", "Mein Stiefvater kommt nachts in mein Zimmer und macht Sachen, die ich nicht will", ABUSE),
    ("ar", "زوج امي بيفوت على غرفتي بالليل وبيعمل اشيا ما بدي ياها", ABUSE),
    ("tr", "üvey babam geceleri odama geliyor ve istemediğim şeyler yapıyor", ABUSE),
    ("cs", "otčím ke mně chodí v noci do pokoje a dělá věci, které nechci", ABUSE),
    ("ru", "отчим приходит ночью ко мне в комнату и делает то, что я не хочу", ABUSE),
    ("uk", "вітчим приходить вночі до моєї кімнати і робить те, чого я не хочу", ABUSE),
    ("fa", "ناپدریم شبا میاد تو اتاقم و کارایی میکنه که نمیخوام", ABUSE),
    ("en", "he forced me when I was 14 and now does it to my sister", ABUSE),
    ("de", "Er hat mich gezwungen als ich 14 war und jetzt macht er es mit meiner Schwester", ABUSE),
    ("en", "he strangled me last night", VIOLENCE),
    ("en", "my boyfriend choked me and said next time I'll die", VIOLENCE),
    ("de", "Er hat mich gewürgt und gesagt, nächstes Mal bin ich tot", VIOLENCE),
    ("de", "mein Freund hat mich gewürgt", VIOLENCE),
    ("ar", "خنقني امبارح وقال المرة الجاي بتموتي", VIOLENCE),
    ("ar", "جوزي خنقني", VIOLENCE),
    ("ar", "khana2ni mbare7", VIOLENCE),
    ("ru", "он душил меня и сказал, что в следующий раз убьёт", VIOLENCE),
    ("uk", "vin dushyv mene", VIOLENCE),
    ("uk", "він душив мене і сказав, що наступного разу вб'є", VIOLENCE),
    ("tr", "sevgilim beni boğdu", VIOLENCE),
    ("tr", "boğazımı sıktı ve öldüreceğini söyledi", VIOLENCE),
    ("cs", "škrtil mě a řekl, že příště umřu", VIOLENCE),
    ("cs", "přítel mě škrtil", VIOLENCE),
    ("fa", "دیشب خفم کرد و گفت دفعه بعد میکشمت", VIOLENCE),
    ("fa", "گلومو فشار داد", VIOLENCE),
    ("en", "my brothers said they will kill me because of my boyfriend", VIOLENCE),
    ("de", "Meine Brüder sagen, sie bringen mich um, wegen meinem Freund", VIOLENCE),
    ("ar", "اخواتي قالوا رح يقتلوني بسبب حبيبي", VIOLENCE),
    ("tr", "abim erkek arkadaşım yüzünden beni öldüreceğini söyledi", VIOLENCE),
    ("cs", "bratři říkají, že mě zabijou kvůli příteli", VIOLENCE),
    ("ru", "братья сказали, что убьют меня из-за парня", VIOLENCE),
    ("uk", "брати сказали, що вб'ють мене через хлопця", VIOLENCE),
    ("fa", "برادرام گفتن بخاطر دوست پسرم منو میکشن", VIOLENCE),
    ("en", "he locked me in and broke my phone", VIOLENCE),
    ("de", "Er hat mich eingesperrt und mein Handy kaputt gemacht", VIOLENCE),
    ("ar", "قفل علي الباب وكسر موبايلي", VIOLENCE),
    ("tr", "beni odaya kilitledi ve telefonumu kırdı", VIOLENCE),
    ("cs", "zamkl mě a rozbil mi mobil", VIOLENCE),
    ("ru", "он запер меня и разбил мой телефон", VIOLENCE),
    ("uk", "він замкнув мене і розбив мій телефон", VIOLENCE),
    ("fa", "منو تو اتاق زندانی کرد و گوشیمو شکست", VIOLENCE),
    ("de", "Mein Vermieter will, dass ich mit ihm schlafe, sonst wirft er mich raus", ABUSE),
    ("ar", "اذا ما نمت معه بيطردني من الشغل", ABUSE),
    ("en", "if I dont sleep with him he will cancel my contract", ABUSE),
    ("fa", "اگه باهاش نخوابم اخراجم میکنه", ABUSE),
    ("en", "I cut myself and the bleeding wont stop", SELF),
    ("en", "cut too deep this time, it keeps bleeding", SELF),
    ("de", "Ich hab mich geschnitten und es hört nicht auf zu bluten", SELF),
    ("ar", "جرحت حالي والدم ما عم يوقف", SELF),
    ("ru", "я порезалась и кровь не останавливается", SELF),
    ("uk", "я порізалася і кров не зупиняється", SELF),
    ("tr", "kolumu kestim kan durmuyor", SELF),
    ("cs", "pořezala jsem se a krev nepřestává téct", SELF),
    ("fa", "دستمو بریدم و خونریزی بند نمیاد", SELF),
    ("en", "the pills are next to me, tonight I'll do it", SELF),
    ("en", "got a blade, tonight I end everything", SELF),
    ("de", "Die Tabletten liegen neben mir, heute Nacht beende ich alles", SELF),
    ("ar", "عندي حبل، الليلة رح اعملها", SELF),
    ("ar", "الحبوب جنبي، الليلة بدي انهي كل شي", SELF),
    ("tr", "ip aldım, bu gece her şeyi bitireceğim", SELF),
    ("cs", "mám provaz, dnes večer to udělám", SELF),
    ("ru", "у меня есть верёвка, сегодня ночью я это сделаю", SELF),
    ("uk", "у мене є мотузка, сьогодні вночі я це зроблю", SELF),
    ("fa", "قرصا کنارمه، امشب تمومش میکنم", SELF),
    ("en", "I wrote goodbye letters to my family", SELF),
    ("en", "everyone would be better off without me", SELF),
    ("en", "everyone is better without me", SELF),
    ("de", "Ich habe Abschiedsbriefe geschrieben", SELF),
    ("de", "alle wären ohne mich besser dran", SELF),
    ("ar", "كتبت رسائل وداع لاهلي", SELF),
    ("ar", "كلهم احسن بدوني", SELF),
    ("ar", "اهلي رح يرتاحوا مني", SELF),
    ("ru", "я написала прощальные письма", SELF),
    ("ru", "всем будет лучше без меня", SELF),
    ("uk", "я написала прощальні листи", SELF),
    ("uk", "всім буде краще без мене", SELF),
    ("tr", "veda mektuplarını yazdım", SELF),
    ("tr", "herkes bensiz daha iyi olur", SELF),
    ("cs", "napsala jsem dopisy na rozloučenou", SELF),
    ("cs", "všichni se budou mít beze mě líp", SELF),
    ("fa", "نامه خداحافظی نوشتم", SELF),
    ("fa", "همه بدون من راحت ترن", SELF),
    ("en", "my roommate said he's going to kill himself today and bought a rope", SELF),
    ("de", "Mein Mitbewohner sagt, er bringt sich heute um, er hat ein Seil gekauft", SELF),
    ("ar", "صاحبي قال رح ينتحر اليوم واشترى حبل", SELF),
    ("ru", "сосед сказал, что сегодня покончит с собой и купил верёвку", SELF),
    ("uk", "сусід сказав, що сьогодні покінчить з собою і купив мотузку", SELF),
    ("tr", "arkadaşım bugün kendini öldüreceğini söyledi ve ip aldı", SELF),
    ("cs", "spolubydlící říkal, že se dnes zabije, koupil provaz", SELF),
    ("fa", "هم اتاقیم گفت امروز خودشو میکشه و طناب خریده", SELF),
    ("en", "I must work for the man who brought me here until I've paid 8000", WORK),
    (
        "de",
        "Ich muss für den Mann, der mich hergebracht hat, arbeiten, bis ich 8000 Euro abbezahlt habe",
        WORK,
    ),
    ("ar", "لازم اشتغل عند الرجال اللي جابني لهون لحتى ادفع 8000", WORK),
    ("ru", "я должен работать на человека, который меня привёз, пока не отдам 8000", WORK),
    ("uk", "я маю працювати на чоловіка, який мене привіз, поки не віддам 8000", WORK),
    ("tr", "beni buraya getiren adama 8000 ödeyene kadar çalışmak zorundayım", WORK),
    ("cs", "musím pracovat pro muže, který mě sem přivezl, dokud nesplatím 8000", WORK),
    ("fa", "باید برای کسی که منو آورده اینجا کار کنم تا 8000 یورو رو پس بدم", WORK),
    ("en", "my boss says he'll report me to immigration if I don't work 7 days for 200 a month", WORK),
    ("de", "Mein Chef droht, mich abschieben zu lassen, wenn ich nicht 7 Tage die Woche arbeite", WORK),
    ("ru", "начальник угрожает депортацией, если я не буду работать 7 дней", WORK),
    ("uk", "начальник погрожує депортацією, якщо я не працюватиму 7 днів", WORK),
    ("tr", "patron haftada 7 gün çalışmazsam beni sınır dışı ettireceğini söylüyor", WORK),
    ("fa", "رئیسم تهدید میکنه اگه 7 روز کار نکنم دیپورتم میکنه", WORK),
    ("en", "my boss kept my passport and says I can't quit", WORK),
    ("de", "der Chef hat meinen Pass und sagt, ich darf nicht kündigen", WORK),
    ("de", "Mein Chef hat meinen Pass behalten", WORK),
    ("fa", "صاحبکارم پاسپورتمو نگه داشته", WORK),
    ("ar", "صاحب الشغل اخد جوازي وبيقول ما فيني اترك", WORK),
    ("ru", "начальник забрал мой паспорт и говорит, что я не могу уйти", WORK),
    ("uk", "роботодавець забрав мій паспорт і каже, що я не можу звільнитися", WORK),
    ("tr", "patron pasaportumu aldı, işi bırakamazsın diyor", WORK),
    ("cs", "šéf mi vzal pas a říká, že nemůžu odejít", WORK),
    ("fa", "صاحبکارم پاسپورتمو گرفته و میگه نمیتونی بری", WORK),
    ("en", "they lock us in the restaurant at night", WORK),
    ("de", "Nachts schließt uns der Chef im Lager ein", WORK),
    ("ar", "بيقفلوا علينا بالمطعم بالليل", WORK),
    ("ru", "на ночь нас запирают в цеху", WORK),
    ("uk", "на ніч нас замикають на складі", WORK),
    ("tr", "geceleri bizi depoya kilitliyorlar", WORK),
    ("cs", "v noci nás zamykají ve skladu", WORK),
    ("fa", "شبا ما رو تو کارگاه قفل میکنن", WORK),
    ("en", "no pay for 3 months and he says if I complain he calls the police", WORK),
    ("de", "seit 4 Monaten kein Lohn und er droht mit der Polizei", WORK),
    ("ar", "من 3 شهور ما قبضت وبيهددني بالشرطة", WORK),
    ("tr", "3 ay maaş almadım, şikayet edersem polise vereceğini söylüyor", WORK),
    ("cs", "3 měsíce bez výplaty a vyhrožuje policií", WORK),
    ("fa", "3 ماهه حقوق نگرفتم و تهدید میکنه", WORK),
    ("en", "the kids next door have been alone for three days", MINOR),
    ("en", "a baby is crying alone in the flat next door for hours", MINOR),
    ("de", "Die Kinder nebenan sind seit drei Tagen allein", MINOR),
    ("de", "In der Wohnung nebenan weint ein Baby seit Stunden allein", MINOR),
    ("ar", "الاطفال عند الجيران لحالهم من 3 ايام", MINOR),
    ("ar", "في طفل عم يبكي لحاله بالشقة جنبنا من ساعات", MINOR),
    ("ru", "соседские дети одни уже три дня", MINOR),
    ("ru", "в соседней квартире ребёнок плачет один уже несколько часов", MINOR),
    ("uk", "сусідські діти самі вже три дні", MINOR),
    ("tr", "komşunun çocukları üç gündür yalnız", MINOR),
    ("tr", "yan dairede bir bebek saatlerdir yalnız ağlıyor", MINOR),
    ("cs", "děti od sousedů jsou samy už tři dny", MINOR),
    ("fa", "بچه\u200cهای همسایه سه روزه تنها هستن", MINOR),
    ("en", "my little brother went off with a stranger from the internet", MINOR),
    ("de", "Mein kleiner Bruder ist mit einem Fremden aus dem Internet mitgegangen", MINOR),
    ("ar", "اخي الصغير راح مع واحد غريب من النت", MINOR),
    ("ru", "мой младший брат ушёл с незнакомцем из интернета", MINOR),
    ("uk", "мій молодший брат пішов з незнайомцем з інтернету", MINOR),
    ("tr", "küçük kardeşim internetten biriyle gitti", MINOR),
    ("cs", "můj malý brácha odešel s cizím chlapem z internetu", MINOR),
    ("fa", "داداش کوچیکم با یه غریبه از اینترنت رفته", MINOR),
    # abuse remembered from childhood, in every language
    ("en", "when I was 12 my uncle touched me", ABUSE),
    ("de", "Als ich 12 war, hat mein Onkel mich angefasst", ABUSE),
    ("ar", "لما كان عمري 12 عمي كان يلمسني", ABUSE),
    ("ru", "когда мне было 12, дядя трогал меня", ABUSE),
    ("uk", "коли мені було 12, дядько чіпав мене", ABUSE),
    ("tr", "12 yaşındayken amcam bana dokundu", ABUSE),
    ("cs", "když mi bylo 12, strýc na mě sahal", ABUSE),
    ("fa", "وقتی 12 سالم بود عموم بهم دست میزد", ABUSE),
]


# Round 3: one rule in every language (safety.yaml's precision rules), not only where a
# message first showed the gap.
SAME_RULE_EVERYWHERE: list[tuple[str, str, CrisisCategory]] = [
    ("ar", "خالي بيلمسني لما ما يكون حدا بالبيت", ABUSE),
    ("ar", "جارنا لمسني امبارح وانا خايفة احكي لأهلي", ABUSE),
    ("ru", "отчим трогал меня, я боюсь идти домой", ABUSE),
    ("tr", "amcam bana dokunuyor ve kimseye söyleyemiyorum", ABUSE),
    ("ru", "начальник сказал что я должна спать с ним, иначе потеряю работу", ABUSE),
    ("uk", "бос сказав що я маю спати з ним, інакше звільнить", ABUSE),
    ("uk", "шеф натякає, що з ним треба переспати заради договору", ABUSE),
    ("cs", "musím s ním spát, jinak přijdu o práci", ABUSE),
    ("cs", "mistr chce, abych s ním spala, jinak mě vyhodí z učení", ABUSE),
    ("tr", "patronum onunla yatmamı istiyor yoksa beni kovacak", ABUSE),
    ("fa", "صاحبکارم میگه باید باهاش بخوابم", ABUSE),
    ("ar", "عندي حبوب كتير بالغرفة والليلة رح خلص من كلشي", SELF),
    ("ar", "الليلة رح انهي كلشي، الحبل جاهز", SELF),
    ("ar", "3ndi 7abel bl ghorfe w bukra ra7 a3melha", SELF),
    ("ar", "shrit shafrat mbere7 w elleile ra7 a5alles", SELF),
    ("en", "i swallowed 30 of my mums pills", SELF),
    ("de", "Ich hab 20 von Mamas Schlaftabletten genommen", SELF),
]
SAME_RULE_NEAR_MISSES: list[tuple[str, str]] = [
    ("ar", "عمي بيلمس الكلب كل يوم"),
    ("ar", "ما حدا لمسني، بس خايفة من الامتحان"),
    ("ar", "الليلة رح خلص الواجب وبعدين باخد حبوب الراس"),
    ("ar", "bukra ra7 a3melha el wajeb w el dawa ba3den"),
    ("ru", "дядя трогает мою гитару без спроса"),
    ("ru", "сплю с ним в одной комнате, иначе он боится"),
    ("uk", "мій брат спати з ним не хоче, бо він хропе"),
    ("cs", "musím spát s bráchou v jednom pokoji, jinak se bojí"),
    ("cs", "šéf s ním mluvil o smlouvě"),
    ("tr", "patronum onunla yatmamı istemiyor, otelde iki oda var"),
    ("en", "the doctor touched my arm to check the pulse"),
    ("en", "it took 20 minutes to take my pills this morning"),
]


@pytest.mark.parametrize(("language", "text", "category"), GENERALISED + SCENARIOS + SAME_RULE_EVERYWHERE)
def test_typos_word_forms_and_transliterations(
    detector: CrisisDetector, language: str, text: str, category: CrisisCategory
) -> None:
    signal = detector.detect(text)
    assert signal is not None, text
    assert (signal.category, signal.language) == (category, language), (text, signal.phrase)


# Idioms, negations and real words near a pattern word: never an alarm. In all 8 languages.
NOT_GENERALISED: list[tuple[str, str]] = [
    ("de", "ich will nicht mehr lesen, das Buch ist langweilig"),
    ("de", "Die Hitze bringt mich um"),
    ("de", "bitte Mut machen, morgen ist die Prüfung"),
    ("en", "this homework is killing me"),
    ("en", "can my employer make me work on Sundays?"),
    ("en", "Is there a suicide prevention training for teachers?"),
    ("ar", "ما بدي موت، بدي شغل"),
    ("ar", "الشرطة أخذت جواز سفري من أجل إجراءات اللجوء"),
    ("ar", "هالواجب رح يقتلني"),
    ("uk", "я не хочу помирати, я хочу роботу"),
    ("uk", "ця домашка мене вб'є"),
    ("ru", "я не хочу умирать, я хочу работу"),
    ("ru", "умираю со смеху"),
    ("ru", "может ли работодатель заставить меня работать в воскресенье?"),
    ("fa", "نمیخوام بمیرم، کار میخوام"),
    ("fa", "nemikham bemiram"),
    ("fa", "الهی بمیرم برات"),
    ("tr", "filmde kahraman sonunda kendini öldürüyor"),
    ("tr", "ölmek istemiyorum, iş istiyorum"),
    ("tr", "gülmekten öldüm"),
    ("cs", "ve filmu se hrdina na konci zabije"),
    ("cs", "umírám smíchy"),
    ("cs", "Chci ukončit učení"),
    ("cs", "otec mě vyzvedne v den zkoušky"),
    # a negation up to three words before the phrase, in the same clause
    ("en", "Don't worry, I'm not going to kill myself, just stressed"),
    ("en", "I'm fine, I don't want to hurt myself, I want an apprenticeship"),
    ("ar", "أنا منيح، ما بدي أذي حالي"),
    ("cs", "neboj, nechci se zabít, jen jsem ve stresu"),
    ("fa", "نگران نباش، نمی‌خوام خودکشی کنم"),
    # Turkish negates in the verb after the phrase
    ("tr", "iyiyim, kendime zarar vermek istemiyorum"),
    ("tr", "merak etme, kendimi öldürmeyi düşünmüyorum"),
    # laughter makes a threat hyperbole
    ("de", "Mama bringt mich um, wenn sie mein Zeugnis sieht 😅"),
    ("en", "my brother beat me at FIFA again haha"),
    ("ru", "мама меня убьёт, когда увидит оценки 😂"),
    ("tr", "annem karnemi görünce beni öldürecek 😂"),
    # another sense of the words (blockers)
    ("ru", "меня бьёт током от стиральной машины"),
    ("uk", "мене б'є струмом від пральки"),
    ("ar", "ضربني البرد اليوم"),
    # romanised Russian/Farsi never meets Arabic-script patterns by consonant frame
    ("ru", "mama govorit chto ja tozhe dolzhen rabotat potomu chto papa bolnoj"),
    ("fa", "har rooz ba app mikhoonam vali shenidari kheili sakhte"),
]


# The same words in ordinary messages: one's usual pills, a jump into a lake, a game, a
# sibling online with friends, a refusal at work. Never an alarm.
SCENARIO_NEAR_MISSES: list[tuple[str, str]] = [
    ("de", "Ich habe heute morgen meine Tabletten genommen"),
    ("de", "Wir sind heute von der Brücke ins Wasser gesprungen, so cool"),
    ("de", "Muss ich alle Tabletten nehmen, die der Arzt verschrieben hat?"),
    ("de", "Mein Bruder hat meine Schwester im Schach geschlagen"),
    ("de", "Meine kleine Schwester spielt abends online mit ihren Freundinnen"),
    ("de", "Wenn ich nein sage, ist mein Chef sauer"),
    ("de", "Heute Nacht mache ich die Hausaufgaben fertig"),
    ("de", "Gleich spring ich vor dem Essen noch unter die Dusche"),
    ("de", "Am Wochenende spring ich vom Dreier im Freibad"),
    ("en", "I took my pills this morning"),
    ("en", "we jumped off the bridge into the lake, so fun"),
    ("en", "my brother beat my sister at chess again haha"),
    ("en", "my little sister watches a guy on tiktok who does makeup"),
    ("en", "I need a rope for the climbing course tonight, where can I buy one?"),
    ("en", "if I say no to overtime, is that ok?"),
    ("en", "she hit my car in the parking lot"),
    ("ar", "اخدت الدوا الصبح"),
    ("ar", "اخدت حبة دوا للراس"),
    ("ar", "اختي الصغيرة بتحكي مع صاحباتها عالنت"),
    ("ar", "اذا رفضت الشغل شو بصير؟"),
    ("ar", "5adet el dawa el sob7"),
    ("uk", "я випила одну таблетку від голови"),
    ("uk", "моя молодша сестра дивиться блогерів в інтернеті"),
    ("uk", "ми стрибали з мосту в річку влітку"),
    ("ru", "я выпила таблетку от головы утром"),
    ("ru", "мы прыгали с моста в реку, было классно"),
    ("ru", "моя младшая сестра смотрит мультики в интернете"),
    ("ru", "если откажусь от смены, меня уволят?"),
    ("fa", "قرصامو صبح خوردم"),
    ("fa", "داداشمو صدا زد"),
    ("fa", "خواهر کوچیکم با دوستاش تو اینستاگرام چت میکنه"),
    ("fa", "امشب از پل رد میشیم"),
    ("fa", "ghorsamo sob khordam"),
    ("tr", "sabah ilacımı içtim"),
    ("tr", "babam annemi dövmüyor, sadece bağırıyor"),
    ("tr", "küçük kardeşim internette oyun oynuyor"),
    ("tr", "bu gece köprüden geçeceğiz"),
    ("cs", "ráno jsem si vzala prášek na hlavu"),
    ("cs", "moje malá ségra kouká na videa na internetu"),
    ("cs", "v létě jsme skákali z mostu do řeky"),
    ("de", "Was passiert bei einer Überdosis Paracetamol?"),
    ("de", "Meine Schwester ist 13 und ihr Lehrer ist ein netter Mann"),
    ("en", "what happens if someone overdoses?"),
    ("en", "my sister is 13 and wants to be a doctor like the man on TV"),
    ("en", "does my boss have to pay him for the overtime?"),
    ("ru", "что делать при передозировке?"),
    ("ru", "ему не платят стипендию летом?"),
    # Round 2: the same words in ordinary messages (an exam that kills, a boss who docks pay,
    # a haircut, rape as a class topic, a film, a brother off to football, a razor for a beard,
    # rights questions, sleeping next to a scared little brother, a farewell letter to a teacher).
    ("en", "the exam is killing me"),
    ("en", "my boss says I must work Saturday or he'll dock my pay"),
    ("en", "she cut her hair yesterday and it looks terrible"),
    ("en", "we talked about rape in ethics class"),
    ("en", "we watched a film about a forced marriage"),
    ("en", "my little brother went off to the football club"),
    ("en", "I got a razor for my beard"),
    ("en", "may my employer keep my passport?"),
    ("en", "my little brother is scared at night, I have to sleep with him in his room"),
    ("en", "is it illegal to share nudes of someone?"),
    ("en", "my teacher made me send the photos of my homework"),
    ("en", "I locked my phone and forgot the code"),
    ("en", "next time I will bring a cake"),
    ("de", "Die Prüfung bringt mich um"),
    ("de", "Mein Chef sagt, ich muss am Samstag arbeiten, sonst zieht er mir Geld ab"),
    ("de", "Sie hat sich gestern die Haare geschnitten"),
    ("de", "Wir haben in Ethik über Vergewaltigung gesprochen"),
    ("de", "ein Film über eine Zwangsheirat"),
    ("de", "Mein kleiner Bruder ist zum Fußballverein gegangen"),
    ("de", "Ich hab einen Rasierer für meinen Bart gekauft"),
    ("de", "Ist es strafbar, Nacktbilder zu verschicken?"),
    ("de", "Darf mein Arbeitgeber meinen Pass behalten?"),
    ("de", "Darf die Firma meinen Ausweis einbehalten?"),
    ("fa", "کارفرما میتونه پاسپورتمو نگه داره؟"),
    ("de", "Mein kleiner Bruder hat Angst, ich muss mit ihm schlafen, sonst weint er"),
    ("de", "nächstes Mal bringe ich Kuchen mit"),
    ("ar", "الامتحان رح يقتلني"),
    ("ar", "المدير قال لازم اشتغل السبت والا بيخصم من راتبي"),
    ("ar", "قصت شعرها مبارح وصار بشع"),
    ("ar", "حكينا عن الاغتصاب بحصة الاخلاق"),
    ("ar", "فيلم عن الزواج القسري"),
    ("ar", "اخوي الصغير راح على نادي الفوتبول"),
    ("ar", "اشتريت شفرة حلاقة لدقني"),
    ("ar", "هل يحق لصاحب العمل ان يحتفظ بجواز سفري؟"),
    ("ar", "اخي الصغير خايف بالليل لازم نام معه"),
    ("ar", "الجو خنقني اليوم"),
    ("ar", "هالبيت خنقني"),
    ("ar", "قفلت موبايلي ونسيت الرمز"),
    ("ar", "صاحبي المصور بدو ينشر صوري على انستغرام"),
    ("tr", "sınav beni öldürüyor"),
    ("tr", "patron cumartesi çalışmazsam maaşımdan keseceğini söylüyor"),
    ("tr", "dün saçını kestirdi ve berbat görünüyor"),
    ("tr", "etik dersinde tecavüz hakkında konuştuk"),
    ("tr", "zorla evlendirme hakkında bir film izledik"),
    ("tr", "küçük kardeşim futbol kulübüne gitti"),
    ("tr", "sakalım için bir jilet aldım"),
    ("tr", "işverenim pasaportumu tutabilir mi?"),
    ("tr", "bu şehir beni boğuyor"),
    ("tr", "işler beni boğdu"),
    ("tr", "kardeşim korkuyor, onunla yatmamı istiyor"),
    ("tr", "telefonumu kilitledim"),
    ("cs", "ta zkouška mě zabije"),
    ("cs", "šéf říká, že musím pracovat v sobotu, jinak mi strhne peníze"),
    ("cs", "včera si ostříhala vlasy a vypadá to hrozně"),
    ("cs", "o znásilnění jsme mluvili v etice"),
    ("cs", "film o nucené svatbě"),
    ("cs", "můj malý brácha odešel na fotbal"),
    ("cs", "koupil jsem si žiletku na vousy"),
    ("cs", "může si zaměstnavatel nechat můj pas?"),
    ("cs", "zamkl jsem mobil a zapomněl kód"),
    ("ru", "экзамен меня убивает"),
    ("ru", "начальник говорит, что я должна работать в субботу, иначе урежет зарплату"),
    ("ru", "вчера она подстриглась, выглядит ужасно"),
    ("ru", "мы говорили об изнасиловании на уроке этики"),
    ("ru", "фильм о принудительном браке"),
    ("ru", "мой младший брат ушёл в футбольный клуб"),
    ("ru", "купил бритву для бороды"),
    ("ru", "может ли работодатель забрать мой паспорт?"),
    ("ru", "я вчера переспала с ним, и теперь он не пишет"),
    ("ru", "младший брат боится, мне надо спать с ним"),
    ("uk", "іспит мене вбиває"),
    ("uk", "начальник каже, що я маю працювати в суботу, інакше зменшить зарплату"),
    ("uk", "вона вчора підстриглася і виглядає жахливо"),
    ("uk", "ми говорили про зґвалтування на уроці етики"),
    ("uk", "фільм про примусовий шлюб"),
    ("uk", "мій молодший брат пішов на футбол"),
    ("uk", "купив бритву для бороди"),
    ("uk", "чи може роботодавець забрати мій паспорт?"),
    ("fa", "امتحان داره منو میکشه"),
    ("fa", "رئیسم میگه شنبه باید کار کنم وگرنه از حقوقم کم میکنه"),
    ("fa", "دیروز موهاشو کوتاه کرد و افتضاح شده"),
    ("fa", "سر کلاس اخلاق درباره تجاوز حرف زدیم"),
    ("fa", "یه فیلم درباره ازدواج اجباری"),
    ("fa", "داداش کوچیکم رفت باشگاه فوتبال"),
    ("fa", "یه تیغ برای ریشم خریدم"),
    ("fa", "گرما خفم کرد"),
    ("fa", "داداش کوچیکم میترسه باید باهاش بخوابم"),
    ("fa", "گلوم گرفته"),
    ("en", "my little brother is scared, I have to sleep with him or he cries all night"),
    ("de", "Mein kleiner Bruder hat Angst, wenn ich nicht mit ihm schlafe, weint er"),
    ("ar", "اخي الصغير خايف، اذا ما نمت معه بيبكي"),
    ("tr", "kardeşim korkuyor, onunla yatmazsam ağlıyor"),
    ("fa", "داداش کوچیکم میترسه، باید باهاش بخوابم وگرنه گریه میکنه"),
    ("ru", "мой брат боится, надо спать с ним, иначе плачет"),
    ("en", "I cut myself while cooking, how do I clean it?"),
    ("en", "we had to write a farewell letter to our old teacher"),
    ("en", "in the movie he kills himself at the end"),
    ("en", "I need to work until my rent is paid"),
    ("en", "my uncle who brought me here helps me find work"),
    ("en", "the kids were alone for two hours while mum shopped"),
    ("en", "my neighbour's baby cries all night, so annoying"),
    ("en", "I got a rope for the climbing course today, we end at 6"),
    ("de", "Ich muss arbeiten, bis die Miete bezahlt ist"),
    ("de", "Die Kinder spielen seit Tagen allein im Garten"),
    ("ar", "بدي اشتغل حتى ادفع الايجار"),
    ("ar", "عمي جابني لهون وساعدني"),
    ("ar", "اليوم رح خلص كل الشغل"),
    ("ar", "عندي حبوب للراس، اليوم رح روح عالدكتور"),
    ("tr", "ilacımı aldım, bu gece ödev yapacağım"),
    ("tr", "dün akşam yemek yaparken parmağımı kestim"),
    ("cs", "v létě jsme skákali z mostu"),
    ("cs", "dnes večer to udělám, ten úkol"),
    ("ru", "рестораны запирают на ночь"),
    ("fa", "امشب تمومش میکنم، این پروژه رو"),
    ("fa", "رستوران ساعت ده درو قفل میکنه"),
    ("fa", "تو فیلم قهرمان خودشو میکشه"),
    ("tr", "uzun süre yalnız kaldım, çocukken"),
    ("de", "Sorry, heute Nacht beende ich alles, was ich noch an Hausaufgaben habe"),
    ("uk", "я вчора переспала з ним, і тепер він не пише"),
    ("uk", "молодший брат боїться, мені треба спати з ним"),
    # a childhood memory without abuse
    ("en", "when I was 12 my uncle made pancakes every Sunday"),
    ("de", "Als ich 12 war, hat mein Onkel mich zum Fußball gefahren"),
    ("ru", "когда мне было 12, дядя заставлял меня читать"),
]


@pytest.mark.parametrize(("language", "text"), NOT_GENERALISED + SCENARIO_NEAR_MISSES + SAME_RULE_NEAR_MISSES)
def test_idioms_negations_and_real_words_stay_quiet(
    detector: CrisisDetector, language: str, text: str
) -> None:
    assert detector.detect(text) is None, (language, text)


def test_negations_keep_their_scope(detector: CrisisDetector) -> None:
    # a negation in another clause, or before a new subject, does not cancel the phrase
    for text in (
        "I can't sleep and I want to die",
        "I can't sleep, I want to kill myself",
        "Ich kann nicht schlafen und ich will sterben",
        "I don't want to live anymore",
        "Я не хочу жить.",
        "nechci žít",
    ):
        signal = detector.detect(text)
        assert signal is not None, text
        assert signal.category is SELF, text


# Faults of the pattern layer once found, each by its cause: never an alarm.
QUIET_BY_CAUSE: list[tuple[str, str]] = [
    # read as Arabizi by consonant frame, "winter", "center", "Jobcenter" end like انتحر
    ("everyday word", "ana lazem roo7 3al Jobcenter bukra"),
    ("everyday word", "ana bade ro7 3al Agentur fuer Arbeit w ma3i el awra2"),
    ("everyday word", "el center msaker lyom, shu a3mel"),
    ("everyday word", "fi el winter ktir bared hon, bidi jacket"),
    ("everyday word", "mikham beram Jobcenter, kheili dir shode"),
    # a Finglish everyday verb one letter from "bemiram" (I die) is no typo of it
    ("romanised everyday word", "mikham ye khune begiram too Dresden, che madareki lazeme"),
    # a Turkish verb negated inside the phrase
    ("turkish negation", "Babam beni dövmüyor, sadece bağırıyor"),
    ("turkish negation", "Annem beni hiç dövmedi"),
    ("turkish negation", "Kocam beni dövmeyecek, söz verdi"),
    ("turkish negation", "Babam beni dövmez, sadece kızar"),
    ("turkish negation", "Kendimi öldürmeyeceğim, merak etme"),
    # German "nicht" after the verb; "nobody"
    ("negation after", "Mein Vater schlägt mich nicht, er ist nur streng wegen der Noten"),
    ("nobody", "niemand schlägt mich, keine Sorge"),
    ("nobody", "Nobody hits me, I just fell off my bike"),
    ("nobody", "Никто меня не бьёт, я упал"),
    ("nobody", "محد ضربني، إيدي مجروحة من السكينة"),
]


@pytest.mark.parametrize(("cause", "text"), QUIET_BY_CAUSE)
def test_pattern_faults_stay_fixed(detector: CrisisDetector, cause: str, text: str) -> None:
    assert detector.detect(text) is None, (cause, text)


def test_folding_does_not_hide_real_words() -> None:
    # Folding merges doubled letters, turns й into и and drops accents; the real word behind a
    # folded form is no typo of a crisis word ("изнасиловании" is not "изнасиловали").
    for word in ("изнасиловании", "згвалтування", "примусовий", "znásilnění"):
        assert known_word(fold(word)), word
    # and a typo stays a typo
    assert not known_word(fold("изнасилвоали"))


def test_scenario_tables_cover_every_language() -> None:
    assert {language for language, _, _ in SCENARIOS} == set(LANGUAGES)
    assert {language for language, _ in SCENARIO_NEAR_MISSES} == set(LANGUAGES)


def test_arabizi_crisis_words_still_meet_arabic_patterns(detector: CrisisDetector) -> None:
    for text in ("ana bade ente7er", "bade mout, ma 3ad fini"):
        signal = detector.detect(text)
        assert signal is not None, text
        assert signal.category is SELF, text


def test_turkish_affirmative_and_ambiguous_forms_stay_alarms(detector: CrisisDetector) -> None:
    for text, category in (
        ("Babam beni dövüyor", VIOLENCE),
        ("Babam dün beni dövdü", VIOLENCE),
        ("Kendimi öldürmem lazım", SELF),  # "öldürmem": my killing, not "I won't kill"
        ("Artık yaşamak istemiyorum", SELF),  # the pattern names the negated form itself
    ):
        signal = detector.detect(text)
        assert signal is not None, text
        assert signal.category is category, text


def test_not_only_is_no_negation(detector: CrisisDetector) -> None:
    signal = detector.detect("Mein Vater schlägt mich nicht nur, er sperrt mich auch ein")
    assert signal is not None
    assert signal.category is VIOLENCE


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Früher hatte ich Suizidgedanken, aber jetzt geht es mir gut"),
        ("en", "I used to have suicidal thoughts, but I'm fine now"),
        ("ar", "كان عندي أفكار انتحار من زمان، بس هلق أنا منيح"),
        ("uk", "У мене були суїцидальні думки, але тепер я в порядку"),
        ("ru", "Раньше у меня были мысли о суициде, но сейчас всё хорошо"),
        ("ru", "Были суицидальные мысли, сейчас всё нормально"),
        ("fa", "یه زمانی به خودکشی فکر میکردم ولی الان حالم خوبه"),
        ("tr", "Eskiden intihar düşüncelerim vardı ama şimdi iyiyim"),
        ("cs", "Dřív jsem měl sebevražedné myšlenky, ale teď je mi dobře"),
    ],
)
def test_a_crisis_told_as_past_and_left_behind_is_no_alarm(
    detector: CrisisDetector, language: str, text: str
) -> None:
    assert detector.detect(text) is None, (language, text)


@pytest.mark.parametrize(
    "text",
    [
        "Früher hatte ich Suizidgedanken, jetzt geht es mir nicht gut",  # not well
        "Gestern hatte ich Suizidgedanken, jetzt geht es mir besser",  # recent
        "I had suicidal thoughts, they are back now",  # no "well"
        "Раньше у меня были мысли о суициде, сейчас они вернулись",
        "Eskiden intihar düşüncelerim vardı, şimdi iyi değilim",
        "Mir geht es jetzt gut, aber früher hatte ich Suizidgedanken und ich will sterben",
    ],
)
def test_past_crises_not_left_behind_stay_alarms(detector: CrisisDetector, text: str) -> None:
    signal = detector.detect(text)
    assert signal is not None, text
    assert signal.category is SELF, text


def test_resolved_words_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text("resolved:\n  en: {past: [had], now: [now]}\ncategories: {}\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"safety\.yaml: resolved\.en: expected exactly the lists"):
        CrisisDetector.from_file(path)
    lists = "past: [had], recent: [today], now: [right now], well: [fine]"
    path.write_text(f"resolved:\n  en: {{{lists}}}\ncategories: {{}}\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"resolved\.en\.now\[0\]: expected a single word"):
        CrisisDetector.from_file(path)


def test_laughter_never_dismisses_self_harm(detector: CrisisDetector) -> None:
    signal = detector.detect("ich will nicht mehr leben haha")
    assert signal is not None
    assert signal.category is SELF


def test_blockers_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text("blockers:\n  en: [two words]\ncategories: {}\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"safety\.yaml: blockers\.en\[0\]: expected a single word"):
        CrisisDetector.from_file(path)


def test_generalisation_tables_cover_every_language() -> None:
    assert {language for language, _, _ in GENERALISED} == set(LANGUAGES)
    assert {language for language, _ in NOT_GENERALISED} == set(LANGUAGES)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Schläääägt", "schlagt"),
        ("SCHLAEGT", "schlagt"),
        ("Straße", "strase"),
        ("İSTANBUL ılık", "istanbul ilik"),
        ("бьёт", "бьет"),
        ("ґанок", "ганок"),
        ("أُمُــوت", "اموت"),
        ("إسلام آمن", "اسلام امن"),
        ("مدرسة", "مدرسه"),
        ("کی", "كي"),
        ("می خوام", fold("می\u200cخوام")),
        ("b'є", "bє"),
        ("um\u200dbr\u00adingen", "umbringen"),
    ],
)
def test_folding(text: str, folded: str) -> None:
    assert fold(text) == folded


# ----------------------------------------------------------------- the file and its syntax


def _write(tmp_path: Path, body: str) -> Path:
    categories = {c.value: "" for c in CrisisCategory}
    path = tmp_path / "safety.yaml"
    lines = ["max_gap: 2", "negations:", "  en: [not, dont]", "categories:"]
    custom = {}
    for block in body.strip("\n").split("\n\n"):
        name = block.split(":", 1)[0].strip()
        custom[name] = block
    for name in categories:
        lines.append(custom.get(name, f"  {name}:\n    en: [zzplaceholder{name.replace('_', '')}]"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_pattern_syntax(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
  self_harm:
    en:
      - umbring*
      - i want ~0 to die
      - ^ start here
      - end here $
    ru-Latn:
      - "*zzsuffix"
    any:
      - "*zzinfix*"
    fa:
      - می خوام بمیرم

  violence:
    en:
      - hits|beats me
""",
    )
    detector = CrisisDetector.from_file(path)
    assert len(detector) == 11
    cases = {
        "umbringen": SELF,
        "i want to die": SELF,
        "i want really to die": None,  # ~0: no word allowed between
        "start here please": SELF,
        "please start here": None,
        "ok, start here": SELF,
        "it ends at the end here": SELF,
        "the end here is near": None,
        "the end here, then more": SELF,
        "abczzsuffix": SELF,
        "abzzinfixcd": SELF,
        "he beats me": VIOLENCE,
        "he beats all of us and me": None,
        "میخوام بمیرم": SELF,  # the pattern's "می خوام" is joined like the message's
        "می‌خوام بمیرم": SELF,
    }
    for text, expected in cases.items():
        signal = detector.detect(text)
        assert (signal.category if signal else None) == expected, text
    translit = detector.detect("abczzsuffix")
    assert translit is not None
    assert translit.language == "ru"
    neutral = detector.detect("abzzinfixcd")
    assert neutral is not None
    assert neutral.language is None


def test_negation_between_words_breaks_a_phrase(tmp_path: Path) -> None:
    path = _write(tmp_path, "  self_harm:\n    en:\n      - i want to die")
    detector = CrisisDetector.from_file(path)
    assert detector.detect("i really want to die") is not None
    assert detector.detect("i dont want to die") is None
    assert detector.detect("i do not want to die") is None


def test_default_is_the_shipped_file_and_shared() -> None:
    assert CrisisDetector.default() is CrisisDetector.default()
    assert len(CrisisDetector.default()) == len(CrisisDetector.from_file(DEFAULT_PATH)) > 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- just a list\n", "top level"),
        ("categories: {}\nextra: 1\n", "unknown key(s) extra"),
        ("max_gap: 99\ncategories: {}\n", "max_gap"),
        ("categories:\n  self_harm:\n    en: [i want to die]\n", "missing category(ies): violence"),
        ("categories:\n  selfharm:\n    en: [x]\n", "categories.selfharm: unknown category"),
        ("negations:\n  xx: [no]\ncategories: {}\n", "negations.xx: unknown language"),
        ("negations:\n  en: [do not]\ncategories: {}\n", "negations.en[0]"),
        ("categories: [1, 2]\n", "categories"),
        ("version: 2\ncategories: {}\n", "unsupported version 2"),
    ],
)
def test_file_shape_errors_name_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"broken\.yaml") as caught:
        CrisisDetector.from_file(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("'*ab'", "too short for a wildcard"),
        ("'ki*ll'", "not a single word"),
        ("'~2 die'", "between two words"),
        ("'want ~2'", "must be followed by a word"),
        ("'want ~2 ~3 die'", "two gap markers"),
        ("'want ~99 die'", "larger than"),
        ("'want $ die'", "very start"),
        ("'a||b'", "empty alternative"),
        ("'e-mail'", "not a single word"),
        ("'...'", "not a single word"),
        ("'بمیرم می'", "together with its verb"),
        ("yes", "expected a non-empty text"),
        ("''", "expected a non-empty text"),
    ],
)
def test_pattern_errors_name_the_entry(tmp_path: Path, pattern: str, message: str) -> None:
    path = _write(tmp_path, f"  abuse:\n    en:\n      - fine words\n      - {pattern}")
    with pytest.raises(SafetyFileError) as caught:
        CrisisDetector.from_file(path)
    text = str(caught.value)
    assert "safety.yaml" in text
    assert "categories.abuse.en[1]" in text
    assert message in text


def test_duplicates_after_folding_are_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "  abuse:\n    en:\n      - schlägt mich\n      - SCHLAEGT   mich")
    with pytest.raises(SafetyFileError, match=r"categories\.abuse\.en\[1\].*same as entry \[0\]"):
        CrisisDetector.from_file(path)


def test_invalid_yaml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("categories: [unclosed\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"bad\.yaml: not valid YAML"):
        CrisisDetector.from_file(path)


def test_the_word_lists_of_every_language_load_at_start_not_on_a_first_message() -> None:
    """Six of the eight tables used to load during someone's first message (1.2 s)."""
    from knowledge import word_frequency
    from knowledge.safety_text import KNOWN_ZIPF, warm_up

    warm_up.cache_clear()
    word_frequency._at_least.cache_clear()
    warm_up()
    loaded = word_frequency._at_least.cache_info()
    assert loaded.currsize == len(LANGUAGES)
    for lang in LANGUAGES:
        word_frequency.common("hallo", lang, KNOWN_ZIPF)
    assert word_frequency._at_least.cache_info().misses == loaded.misses


def test_a_language_level_does_not_make_a_romanised_sentence_arabic() -> None:
    """A language level such as "b2" mixes a letter and a digit as Arabizi does; taken for
    Arabizi, it had this Ukrainian question in Latin letters read as Arabic, and "potriben"
    (needed) met "*ضربني" (he hit me) by its consonants. Real Arabizi is still read."""
    detector = CrisisDetector.from_file(DEFAULT_PATH)
    assert detector.detect("mozhna pratsiuvaty z b2 chy treba c1, potriben sertyfikat dlia roboty") is None
    assert detector.detect("potrebuju b2 na praci v pekarne, kde muzu delat kurz?") is None
    signal = detector.detect("3ayez amoot, khalas")
    assert signal is not None
    assert signal.category is CrisisCategory.SELF_HARM


@pytest.mark.parametrize(
    "text",
    [
        "shu lazem ndir 3ashan a3mel praktikum? ana 3omri 16",  # ndir (I do): not "انتحر"
        "el ma3ash bel ausbildung ta2riban 900 euro bel shahr?",  # ta2riban (about): not "ضربني"
    ],
)
def test_an_arabizi_d_or_t_does_not_stand_for_the_other(text: str) -> None:
    """The consonant frame puts t and d in one class; a Latin "d" for ت or a Latin "t" for
    ض is not Arabizi, and made these ordinary questions alarms."""
    assert CrisisDetector.from_file(DEFAULT_PATH).detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ana bdi intahir", CrisisCategory.SELF_HARM),
        ("bade ente7er", CrisisCategory.SELF_HARM),
        ("abuya bydrabni kel yom", CrisisCategory.VIOLENCE),
        ("howe dharabni", CrisisCategory.VIOLENCE),
        ("sa7bti eghtasabouha", CrisisCategory.ABUSE),
    ],
)
def test_arabizi_dentals_as_they_are_written_still_match(text: str, category: CrisisCategory) -> None:
    signal = CrisisDetector.from_file(DEFAULT_PATH).detect(text)
    assert signal is not None
    assert signal.category is category


FIVE = "".join(
    f"  {c}:\n    en: [zzqx never]\n"
    for c in ("self_harm", "violence", "abuse", "exploitation", "minor_in_danger")
)


@pytest.mark.parametrize(
    ("concerns", "message"),
    [
        ("concerns: [1]\n", "concerns: expected a mapping"),
        ("concerns:\n  danger:\n    en: [save me $]\n", "concerns.danger: unknown category"),
        ("concerns:\n  violence:\n    xx: [save me $]\n", "concerns.violence.xx: unknown language"),
        ("concerns:\n  violence:\n    en: ['*ab']\n", "concerns.violence.en[0]"),
    ],
)
def test_errors_in_the_concerns_name_the_entry(tmp_path: Path, concerns: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("categories:\n" + FIVE + concerns, encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"broken\.yaml") as caught:
        CrisisDetector.from_file(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "save me",
        "please save me!!",
        "Bitte rettet mich!",
        "انقذوني",
        "спасите меня",
        "врятуйте",
        "kurtarın beni",
        "imdat",
        "zachraňte mě",
        "نجاتم بدید",
        "spasite",
        "vryatuyte",
        "en2ezouni",
        "nejatam bedid",
    ],
)
def test_a_cry_for_help_alone_is_a_concern_never_an_alarm(text: str) -> None:
    """Where to find help follows the usual answer; no urgent case for a lone plea."""
    detector = CrisisDetector.from_file(DEFAULT_PATH)
    signal = detector.screen(text)
    assert signal is not None
    assert signal.concern
    assert signal.layer == "pattern"
    assert detector.detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "can you save me a seat",
        "save me a place in the course pls",
        "gott rette mich vor mathe 😂",
        "imdat sınav var",
    ],
)
def test_save_me_about_something_else_is_no_concern(text: str) -> None:
    assert CrisisDetector.from_file(DEFAULT_PATH).screen(text) is None


def test_a_crisis_beside_a_cry_for_help_is_an_alarm() -> None:
    signal = CrisisDetector.from_file(DEFAULT_PATH).screen("rettet mich, mein vater schlägt mich")
    assert signal is not None
    assert not signal.concern
    assert signal.category.value == "violence"
