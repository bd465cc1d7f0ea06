"""Conversational intents (``knowledge.intents``): greetings, thanks, goodbyes, the wish for
a person, yes/no, "I don't understand" and bare numbers in all eight languages, with typos,
scripts and romanisations; never a knowledge question."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from knowledge.intents import (
    DEFAULT_PATH,
    MAX_INTENT_CHARS,
    Intent,
    IntentDetector,
    IntentFileError,
    IntentResult,
)

FAQ_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "content" / "faq"

G, T, B, A, C, Y, N, NUM = (
    Intent.GREETING,
    Intent.THANKS,
    Intent.GOODBYE,
    Intent.ADVISOR,
    Intent.CONFUSED,
    Intent.YES,
    Intent.NO,
    Intent.NUMBER,
)


@pytest.fixture(scope="module")
def detector() -> IntentDetector:
    return IntentDetector.from_file()


# --------------------------------------------------------------------- positives per language

POSITIVE: dict[str, list[tuple[str, Intent]]] = {
    "de": [
        ("danke, du hast mein leben gerettet", T),
        ("du bist ein lebensretter", T),
        ("Hallo", G),
        ("hallo wie gehts", G),
        ("Guten Morgen!", G),
        ("moin moin", G),
        ("Hallo, ich habe eine Frage", G),
        ("nicht mit bot", A),
        ("bitte mit einem echten menschen schreiben, nicht mit dem bot", A),
        ("dankeee", T),
        ("danke schöööön", T),
        ("Vielen Dank für die schnelle Antwort!", T),
        ("danke, das hat mir sehr geholfen", T),
        ("tschüss", B),
        ("Danke, tschüss", B),
        ("bis bald", B),
        ("ok", Y),
        ("ja", Y),
        ("ja gerne", Y),
        ("nein", N),
        ("neee", N),
        ("so nicht", N),
        ("nein danke", N),
        ("ich will keinen berater", N),
        ("versteh ich nicht", C),
        ("was?", C),
        ("Berater", A),
        ("ich will mit einem berater sprechen", A),
        ("kann ich mit einem menschen reden", A),
        ("echte person bitte", A),
    ],
    "en": [
        ("i want to talk to someone from your team", A),
        ("thank you so much, you saved my life", T),
        ("ur a lifesaver", T),
        ("Hi!!", G),
        ("hello there", G),
        ("good morning", G),
        ("how are you?", G),
        ("thx", T),
        ("thank you so much for your help!", T),
        ("thanks, that was helpful", T),
        ("bye", B),
        ("see you later", B),
        ("ok thanks bye", B),
        ("yes please", Y),
        ("yep", Y),
        ("no thanks", N),
        ("nope", N),
        ("that's not what i meant", N),
        ("what?", C),
        ("I don't understand", C),
        ("I want to talk to a real person", A),
        ("human pls", A),
        ("can I talk to a human?", A),
        ("advisor", A),
    ],
    "ar": [
        ("بدي احكي مع حدا من فريقكم", A),
        ("شكرا، انقذتني", T),
        ("مرحبا، كيفك؟", G),
        ("السلام عليكم", G),
        ("السلام عليكم ورحمة الله", G),
        ("أهلا وسهلا", G),
        ("صباح الخير", G),
        ("شكرا كتير", T),
        ("شكراً جزيلاً", T),
        ("يعطيك العافية", T),
        ("وشكرا", T),
        ("مع السلامة", B),
        ("ايوه", Y),
        ("نعم", Y),
        ("لا شكرا", N),
        ("ما فهمت", C),
        ("شو؟", C),
        ("مستشار", A),
        ("بدي احكي مع شخص", A),
        ("بدي مستشار", A),
    ],
    "uk": [
        ("хочу поговорити з кимось з вашої команди", A),
        ("дякую, ви мене врятували", T),
        ("привіт як справи", G),
        ("добрий день", G),
        ("вітаю", G),
        ("дякую", T),
        ("дуже дякую!", T),
        ("дякую за допомогу", T),
        ("бувай", B),
        ("до побачення", B),
        ("так", Y),
        ("добре", Y),
        ("ні", N),
        ("ні, дякую", N),
        ("не зрозумів", C),
        ("що?", C),
        ("консультант", A),
        ("хочу поговорити з людиною", A),
        ("мені потрібен консультант", A),
    ],
    "ru": [
        ("хочу поговорить с кем-нибудь из вашей команды", A),
        ("спасибо, ты спас мне жизнь", T),
        ("привет", G),
        ("здравствуйте", G),
        ("как дела?", G),
        ("спасибо большое", T),
        ("спс", T),
        ("до свидания", B),
        ("пока", B),
        ("да", Y),
        ("конечно", Y),
        ("нет", N),
        ("нет, спасибо", N),
        ("не понял", C),
        ("что?", C),
        ("хочу поговорить с живым человеком", A),
        ("позовите оператора", A),
        ("живой человек пожалуйста", A),
    ],
    "fa": [
        ("میخوام با یکی از تیمتون صحبت کنم", A),
        ("merci, zende bashi", T),
        ("مرسی، جونمو نجات دادی", T),
        ("سلام", G),
        ("سلام خوبی؟", G),
        ("درود", G),
        ("مرسی", T),
        ("خیلی ممنون", T),
        ("دستت درد نکنه", T),
        ("خداحافظ", B),
        ("شب بخیر", B),
        ("بله", Y),
        ("آره", Y),
        ("نه", N),
        ("نه مرسی", N),
        ("نفهمیدم", C),
        ("چی؟", C),
        ("مشاور", A),
        ("میخوام با یه آدم حرف بزنم", A),
        ("می خوام با مشاور حرف بزنم", A),
        ("می\u200cخوام با مشاور حرف بزنم", A),
    ],
    "tr": [
        ("ekibinizden biriyle konuşmak istiyorum", A),
        ("çok teşekkürler, hayatımı kurtardın", T),
        ("merhaba nasilsin", G),
        ("selam", G),
        ("günaydın", G),
        ("iyi günler", G),
        ("çok teşekkürler", T),
        ("sağol", T),
        ("teşekkür ederim", T),
        ("görüşürüz", B),
        ("hoşça kal", B),
        ("evet", Y),
        ("tamam", Y),
        ("hayır", N),
        ("hayır teşekkürler", N),
        ("anlamadım", C),
        ("danışman", A),
        ("biriyle konuşmak istiyorum", A),
        ("danışmanla konuşmak istiyorum", A),
    ],
    "cs": [
        ("chci mluvit s někým z vašeho týmu", A),
        ("děkuju, zachránila jsi mi život", T),
        ("ahoj", G),
        ("dobrý den", G),
        ("čau", G),
        ("díky moc", T),
        ("děkuji", T),
        ("moc děkuju", T),
        ("na shledanou", B),
        ("nashledanou", B),
        ("ano", Y),
        ("jasně", Y),
        ("ne", N),
        ("ne děkuji", N),
        ("nerozumím", C),
        ("co?", C),
        ("poradce", A),
        ("chci mluvit s člověkem", A),
        ("skutečná osoba prosím", A),
    ],
}

# Typed in Latin letters (Arabizi, Finglish, transliterated Ukrainian/Russian) or without the
# language's special letters (Turkish, Czech, German), and plain typos.
ROMANISED_AND_TYPOS: list[tuple[str, Intent]] = [
    ("salam aleikum", G),
    ("mar7aba", G),
    ("ahlan", G),
    ("marhaba", G),
    ("shukran", T),
    ("shokran ktir", T),
    ("ma3 salama", B),
    ("aywa", Y),
    ("la shukran", N),
    ("ma fhemt", C),
    ("bdi ehki ma3 mostashar", A),
    ("salam", G),
    ("merci", T),
    ("mamnoon", T),
    ("kheili mamnoon", T),
    ("khodahafez", B),
    ("moshaver", A),
    ("nafahmidam", C),
    ("privet", G),
    ("spasibo", T),
    ("poka", B),
    ("ne ponyal", C),
    ("pryvit", G),
    ("dyakuyu", T),
    ("khochu hovoryty z konsultantom", A),
    ("tesekkurler", T),
    ("gorusuruz", B),
    ("hoscakal", B),
    ("danisman", A),
    ("anlamadim", C),
    ("dekuji", T),
    ("diky", T),
    ("nashledanou", B),
    ("chci mluvit s clovekem", A),
    ("nerozumim", C),
    ("tschuess", B),
    # typos: repeated letters, swapped letters, one letter off, case, diacritics, harakat
    ("hallooo", G),
    ("HALLO!!!", G),
    ("Halo", G),
    ("dnake", T),
    ("danek", T),
    ("thnks", T),
    ("thank yuo", T),
    ("teşekürler", T),
    ("spsibo", T),
    ("tschüs", B),
    ("goodby", B),
    ("merhabaa", G),
    ("nasilsn", G),
    ("berter", A),
    ("консультнт", A),
    ("консултант", A),
    ("mostshar", A),
    ("شكرااااا", T),
    ("شُكْرًا", T),
    ("مرحبًا", G),
    ("خداحافض", B),
    ("مرسیییی", T),
]

NUMBERS = [
    "3",
    "12345",
    "7",
    "0",
    "42.",
    "#3",
    "3)",
    " 5 ",
    "٣",
    "۱۲",
    "+49 30 1815 1111",
    "2026",
    "1.5",
    "10/12",
    "99!",
    "3\ufe0f\u20e3",
]

EMOJI: list[tuple[str, Intent]] = [
    ("👍", Y),
    ("👍👍", Y),
    ("👌", Y),
    ("🙏", T),
    ("❤️", T),
    ("🥰", T),
    ("Danke 🙏", T),
    ("👋", G),
    ("hallo 👋", G),
    ("👎", N),
    ("❌", N),
    ("🤔", C),
    ("🤷\u200d♀️", C),
    ("?", C),
    ("???", C),
    ("ok 😂", Y),
]


def _positive_cases() -> list[tuple[str, str, Intent]]:
    return [(lang, text, intent) for lang, cases in POSITIVE.items() for text, intent in cases]


def _id(value: object) -> str:
    return str(value) if not isinstance(value, Intent) else value.name


def test_every_language_has_at_least_fifteen_positive_examples() -> None:
    for lang, cases in POSITIVE.items():
        assert len(cases) >= 15, lang
    assert set(POSITIVE) == {"de", "en", "ar", "uk", "ru", "fa", "tr", "cs"}


def test_every_intent_has_at_least_fifteen_examples_across_languages() -> None:
    counts: Counter[Intent] = Counter(intent for _lang, _text, intent in _positive_cases())
    counts.update(intent for _text, intent in ROMANISED_AND_TYPOS + EMOJI)
    counts[NUM] += len(NUMBERS)
    for intent in Intent:
        assert counts[intent] >= 15, (intent, counts[intent])


@pytest.mark.parametrize(("lang", "text", "intent"), _positive_cases(), ids=_id)
def test_conversational_messages(detector: IntentDetector, lang: str, text: str, intent: Intent) -> None:
    result = detector.detect(text)
    assert result is not None, text
    assert result.intent is intent
    assert result.rest == ""


@pytest.mark.parametrize(("text", "intent"), ROMANISED_AND_TYPOS, ids=_id)
def test_romanised_and_misspelled(detector: IntentDetector, text: str, intent: Intent) -> None:
    result = detector.detect(text)
    assert result is not None, text
    assert result.intent is intent


@pytest.mark.parametrize("text", NUMBERS)
def test_bare_numbers(detector: IntentDetector, text: str) -> None:
    assert detector.detect(text) == IntentResult(Intent.NUMBER, None, "")


@pytest.mark.parametrize("text", ["3+2", "3+2 regelung", "Ich bin 19", "B1", "19 Jahre", "7 danke"])
def test_a_number_with_words_is_no_number(detector: IntentDetector, text: str) -> None:
    result = detector.detect(text)
    assert result is None or result.intent is not Intent.NUMBER


@pytest.mark.parametrize(("text", "intent"), EMOJI, ids=_id)
def test_emoji(detector: IntentDetector, text: str, intent: Intent) -> None:
    result = detector.detect(text)
    assert result is not None
    assert result.intent is intent


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hallo", "de"),
        ("hi danke", "de"),
        ("thank you so much", "en"),
        ("مرحبا، كيفك؟", "ar"),
        ("shukran", "ar"),
        ("بدي احكي مع شخص", "ar"),
        ("дякую", "uk"),
        ("хочу поговорити з людиною", "uk"),
        ("спасибо", "ru"),
        ("ok спасибо", "ru"),
        ("خداحافظ", "fa"),
        ("mamnoon", "fa"),
        ("merhaba nasilsin", "tr"),
        ("díky moc", "cs"),
        # shared by several languages: no guess
        ("ok", None),
        ("консультант", None),
        ("salam", None),
        ("👍", None),
    ],
)
def test_language_of_the_phrase(detector: IntentDetector, text: str, lang: str | None) -> None:
    result = detector.detect(text)
    assert result is not None
    assert result.lang == lang


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("nein danke", N),  # declining an offer, not thanking
        ("ja danke", Y),  # accepting an offer
        ("ok danke", T),  # "ok" is weak: thanks decide
        ("ok", Y),
        ("danke, tschüss", B),
        ("hallo, ich will mit einem berater sprechen", A),
        ("nein, ich verstehe das nicht", C),
        ("super", T),
        ("super, danke!", T),
    ],
)
def test_several_intents_in_one_message(detector: IntentDetector, text: str, intent: Intent) -> None:
    result = detector.detect(text)
    assert result is not None
    assert result.intent is intent


def test_weak_phrases_say_so(detector: IntentDetector) -> None:
    ok = detector.detect("ok")
    yes = detector.detect("ja")
    assert ok is not None
    assert ok.weak
    assert yes is not None
    assert not yes.weak
    assert yes.phrase == "ja"


# --------------------------------------------------------------------------- negatives


def _faq_texts() -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    for path in sorted(FAQ_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang, text in data["translations"].items():
            out.append((data["id"], lang, "question", text["question"]))
            out.extend((data["id"], lang, "variant", v) for v in text.get("variants", []))
    return out


# Variants of the entry "how do I talk to an advisor" that ARE the wish for a person.
ADVISOR_VARIANTS = {
    "ich will mit einem menschen reden",
    "berater",
    "echte person bitte",
    "kann mir jemand persönlich helfen",
    "mit mitarbeiter chatten",
    "i want to talk to a human",
    "advisor",
    "real person please",
    "can someone help me personally",
    "chat with staff member",
    "بدي احكي مع انسان حقيقي",
    "مستشار",
    "شخص حقيقي لو سمحت",
    "حدا يساعدني شخصيا",
    "bdi ehki ma3 mostashar",
    "хочу поговорити з людиною",
    "консультант",
    "справжня людина будь ласка",
    "чи може хтось допомогти особисто",
    "khochu hovoryty z konsultantom",
    "хочу поговорить с человеком",
    "живой человек пожалуйста",
    "может кто-то помочь лично",
    "میخواهم با یک آدم واقعی حرف بزنم",
    "مشاور",
    "لطفا یک شخص واقعی",
    "کسی میتواند شخصا کمکم کند",
    "gercek bir insanla konusmak istiyorum",
    "danisman",
    "gercek kisi lutfen",
    "biri bana kisisel yardim edebilir mi",
    "calisanla yazismak istiyorum",
    "chci mluvit s clovekem",
    "poradce",
    "skutecna osoba prosim",
    "muze mi nekdo pomoct osobne",
    "chatovat s pracovnikem",
}


def test_faq_questions_in_all_languages_are_questions(detector: IntentDetector) -> None:
    """Every FAQ question in every language is a question, never an intent."""
    texts = [t for t in _faq_texts() if t[2] == "question"]
    assert {lang for _id, lang, _k, _t in texts} == set(POSITIVE)
    assert len(texts) >= 8 * 40
    wrong = [(i, lang, q, detector.detect(q)) for i, lang, _k, q in texts if detector.detect(q) is not None]
    assert wrong == []


def test_faq_variants_are_questions_except_the_wish_for_a_person(detector: IntentDetector) -> None:
    wrong: list[tuple[str, str, str, IntentResult | None]] = []
    found = set()
    for entry, lang, _kind, text in _faq_texts():
        if _kind != "variant":
            continue
        result = detector.detect(text)
        if entry == "berater-sprechen" and text in ADVISOR_VARIANTS:
            found.add(text)
            if result is None or result.intent is not Intent.ADVISOR:
                wrong.append((entry, lang, text, result))
        elif result is not None:
            wrong.append((entry, lang, text, result))
    assert wrong == []
    assert found == ADVISOR_VARIANTS


QUESTIONS = [
    # a greeting, yes or ok in front of a question
    "Hallo, ich suche eine Ausbildung in Pirna",
    "Hi! I'm 19 and from Syria. How do I get my certificate recognised?",
    "ja, aber wie finde ich ein praktikum?",
    "ok und was kostet anerkennung",
    "Danke! Und noch eine Frage: wie lange dauert das?",
    "danke für die info zur anerkennung",
    "thanks for the info about recognition",
    "hi there, how do I apply for an apprenticeship",
    "السلام عليكم، بدي اسأل عن الاوسبيلدونغ",
    "Привіт! Як мені визнати мій диплом тут?",
    "Здравствуйте, где найти практику?",
    "سلام، چطور میتونم مدرکم رو تایید کنم؟",
    "Merhaba, denklik için ne yapmalıyım?",
    "Dobrý den, kde najdu praxi?",
    # words that are intents elsewhere
    "Morgen habe ich einen Termin",
    "nicht bestanden, was nun?",
    "what is ausbildung",
    "что такое аусбильдунг",
    "що таке ausbildung",
    "شو يعني اوسبيلدونغ",
    "co je ausbildung",
    "azubi ne demek",
    "i don't know what to do",
    "ich brauche hilfe bei der anerkennung",
    "ich bin schwanger",
    "Halle",
    "beraten",
    "haha",
    "😂",
    "😊",
]

# Thanks that a crisis word makes more than thanks: they go to the crisis check and the matcher.
SAVED_BUT_MORE = [
    "you saved my life, yesterday i wanted to kill myself",
    "du hast mein leben gerettet, ich wollte mich umbringen",
    "ти мене врятував, я хотіла вмерти",
]


@pytest.mark.parametrize("text", SAVED_BUT_MORE)
def test_thanks_for_a_saved_life_with_more_said_is_no_intent(detector: IntentDetector, text: str) -> None:
    assert detector.detect(text) is None


# A cry for help one letter away from the thanks for a saved life ("انقذوني" save me,
# "انقذتني" you saved me; "kurtarin" save, "kurtardin" you saved): the verbs of those thanks
# are never matched with a typo, so the cry reaches the crisis check.
PLEAS = [
    "انقذوني",
    "انقذني",
    "hayatimi kurtarin",
    "hayatımı kurtarın",
    "спасите меня",
    "ты меня спаси",
    "врятуйте мене",
    "zachraňte mi život",
    "rettet mein leben",
    "نجاتم بدید",
    "u save my life",
]


@pytest.mark.parametrize("text", PLEAS)
def test_a_cry_for_help_is_never_thanks(detector: IntentDetector, text: str) -> None:
    result = detector.detect(text)
    assert result is None or result.intent is not Intent.THANKS


# Asking ABOUT a kind of counselling or about the advisors is a question, not the wish for one.
COUNSELLING_QUESTIONS = [
    "wo finde ich anerkennungsberatung",
    "Berufsberatung termin",
    "Beratung",
    "berufsberater pirna",
    "wann antwortet der berater",
    "sprechen die berater arabisch",
    "ich will berater werden",
    "Wie kann ich hier mit einer echten Beraterin oder einem echten Berater sprechen?",
    "what does a career counsellor at the Agentur do",
    "career adviser pirna",
    "how can i talk to a human",
    "who is in your team",
    "wer ist in eurem team",
    "I want to talk to someone about my visa",
    "وين بلاقي مستشار للاعتراف",
    "استشارة",
    "امتى بيرد المستشار",
    "де знайти консультанта з визнання",
    "консультація",
    "коли відповість консультант",
    "сколько стоит консультация",
    "профконсультант пирна",
    "когда ответит консультант",
    "مشاوره",
    "وقت مشاوره میخوام",
    "مشاور کی جواب میدهد",
    "danismanlik",
    "meslek danismani",
    "danışman ne zaman cevap verir",
    "poradenstvi",
    "poradce pro uznani",
    "kdy odpovi poradce",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_not_intents(detector: IntentDetector, text: str) -> None:
    assert detector.detect(text) is None


@pytest.mark.parametrize("text", COUNSELLING_QUESTIONS)
def test_asking_about_counselling_is_no_wish_for_an_advisor(detector: IntentDetector, text: str) -> None:
    assert detector.detect(text) is None


@pytest.mark.parametrize("text", ["", " ", "   \n\t ", "\u200b", "\u200b\u202e", "...", "-", "😊😊"])
def test_nothing_to_read(detector: IntentDetector, text: str) -> None:
    assert detector.detect(text) is None
    assert detector.strip(text) == text.strip().replace("\u200b", "").replace("\u202e", "")


def test_invisible_characters_do_not_hide_a_word(detector: IntentDetector) -> None:
    result = detector.detect("dan\u200bke")
    assert result is not None
    assert result.intent is Intent.THANKS
    result = detector.detect("\u202eBerater")
    assert result is not None
    assert result.intent is Intent.ADVISOR


def test_long_messages_are_never_intents(detector: IntentDetector) -> None:
    assert detector.detect("danke " * 2000) is None
    assert detector.detect("hallo " * (MAX_INTENT_CHARS // 6 + 1)) is None


# ------------------------------------------------------------------------------ strip

STRIPPED = [
    ("Hallo, ich suche eine Ausbildung in Pirna", "ich suche eine Ausbildung in Pirna"),
    (
        "Hi! I'm 19 and from Syria. How do I get my certificate recognised?",
        "I'm 19 and from Syria. How do I get my certificate recognised?",
    ),
    ("ja, aber wie finde ich ein praktikum?", "wie finde ich ein praktikum?"),
    ("ok und was kostet anerkennung", "was kostet anerkennung"),
    ("Danke! Und noch eine Frage: wie lange dauert das?", "wie lange dauert das?"),
    ("Wie finde ich ein Praktikum? Danke im Voraus!", "Wie finde ich ein Praktikum?"),
    ("Guten Tag ich suche einen Deutschkurs", "ich suche einen Deutschkurs"),
    (
        "Hallo liebes Team, ich hoffe es geht euch gut. Ich habe eine Frage: wo finde ich einen Deutschkurs?",
        "wo finde ich einen Deutschkurs?",
    ),
    ("Hallo, ich heiße Ahmad und ich suche Arbeit", "ich suche Arbeit"),
    ("Hallo 👋 wo ist das Jobcenter?", "wo ist das Jobcenter?"),
    ("thanks for the info about recognition", "for the info about recognition"),
    ("Hello! Can I work during my Ausbildung? Thanks in advance", "Can I work during my Ausbildung?"),
    ("مرحبا، كيف بعادل شهادتي؟ شكرا", "كيف بعادل شهادتي؟"),
    ("السلام عليكم، بدي اسأل عن الاوسبيلدونغ", "بدي اسأل عن الاوسبيلدونغ"),
    ("Привіт! Як мені визнати мій диплом тут?", "Як мені визнати мій диплом тут?"),
    (
        "Здравствуйте, подскажите пожалуйста, где найти практику? Спасибо заранее",
        "где найти практику?",
    ),
    ("سلام، چطور میتونم مدرکم رو تایید کنم؟ ممنون", "چطور میتونم مدرکم رو تایید کنم؟"),
    ("Merhaba, denklik için ne yapmalıyım? Teşekkürler", "denklik için ne yapmalıyım?"),
    ("Dobrý den, kde najdu praxi? Děkuji", "kde najdu praxi?"),
    # nothing to take away, or only what belongs to the question
    ("Hallo wie geht es weiter nach der Ausbildung", "wie geht es weiter nach der Ausbildung"),
    ("nicht bestanden, was nun?", "nicht bestanden, was nun?"),
    ("Morgen habe ich einen Termin", "Morgen habe ich einen Termin"),
    ("gut bezahlte Ausbildung", "gut bezahlte Ausbildung"),
    (
        "Ich verstehe nicht warum ich keine Ausbildung bekomme",
        "Ich verstehe nicht warum ich keine Ausbildung bekomme",
    ),
    ("ich will mit einem berater sprechen", "ich will mit einem berater sprechen"),
    ("Wo ist das Jobcenter?", "Wo ist das Jobcenter?"),
    # only conversation
    ("Hallo", ""),
    ("Vielen Dank!", ""),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), STRIPPED)
def test_strip(detector: IntentDetector, text: str, expected: str) -> None:
    assert detector.strip(text) == expected


FILLER = (
    "Ich wohne seit zwei Jahren mit meiner Familie in Heidenau und gehe in die neunte Klasse. "
    "Am Wochenende spiele ich Fußball und helfe meinem Onkel im Laden. "
)


def test_ten_thousand_characters(detector: IntentDetector) -> None:
    body = (FILLER * 70).strip()
    text = "Hallo! " + body + " Danke!"
    assert len(text) > 10_000
    assert detector.detect(text) is None
    assert detector.strip(text) == body
    assert detector.strip(body) == body
    started = time.perf_counter()
    for _ in range(20):
        detector.detect(text)
        detector.strip(text)
    assert (time.perf_counter() - started) / 20 < 0.05  # reads only both ends


def test_short_messages_are_fast(detector: IntentDetector) -> None:
    texts = [t for cases in POSITIVE.values() for t, _i in cases] + QUESTIONS
    for text in texts:  # warm the caches (typo look-ups, word frequencies)
        detector.detect(text)
    started = time.perf_counter()
    for _ in range(3):
        for text in texts:
            detector.detect(text)
            detector.strip(text)
    per_message = (time.perf_counter() - started) / (3 * len(texts))
    assert per_message < 0.005  # well under a millisecond normally; generous on a busy machine


# ----------------------------------------------------------------------- the phrase file


def test_default_file_is_shared(detector: IntentDetector) -> None:
    again = IntentDetector.from_file(DEFAULT_PATH)
    assert again.lexicon is detector.lexicon


def test_result_shape() -> None:
    result = IntentResult(Intent.THANKS, "de", "")
    assert dataclasses.is_dataclass(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.intent = Intent.NO  # type: ignore[misc]
    assert [i.name for i in Intent] == [
        "GREETING",
        "THANKS",
        "GOODBYE",
        "ADVISOR",
        "CONFUSED",
        "YES",
        "NO",
        "NUMBER",
    ]


MINIMAL = """\
version: 1
intents:
  greeting: {phrases: {de: [hallo]}}
  thanks: {phrases: {de: [danke]}}
  goodbye: {phrases: {de: [tschüss]}}
  advisor: {phrases: {de: [berater]}, context: {de: [ich, will]}}
  confused: {phrases: {de: ["^was"]}}
  "yes": {phrases: {de: [ja]}, weak: {any: [ok]}}
  "no": {phrases: {de: [nein]}}
filler:
  de: [und]
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_minimal_file_works(tmp_path: Path) -> None:
    detector = IntentDetector.from_file(_write(tmp_path, MINIMAL))
    result = detector.detect("ich will berater")
    assert result is not None
    assert result.intent is Intent.ADVISOR
    assert detector.detect("ok und danke") == IntentResult(Intent.THANKS, "de", "", "danke")
    assert detector.detect("was") is not None
    assert detector.detect("und was") is not None  # filler around a ^ phrase
    assert detector.detect("ja was") is None  # a ^ phrase never counts inside running words


def test_a_phrase_for_a_whole_message_also_counts_as_a_whole_sentence(tmp_path: Path) -> None:
    """ "Was? Versteh ich nicht" is confusion said twice: a ^ phrase between punctuation or
    line breaks stands alone as it does as the whole message; inside running words it
    still does not count."""
    body = MINIMAL.replace(
        'confused: {phrases: {de: ["^was"]}}', 'confused: {phrases: {de: ["^was", "versteh nicht"]}}'
    )
    detector = IntentDetector.from_file(_write(tmp_path, body))
    for text in (
        "Was? Versteh nicht",
        "was?? versteh nicht",
        "was\nversteh nicht",
        "versteh nicht. und was?",
    ):
        result = detector.detect(text)
        assert result is not None, text
        assert result.intent is Intent.CONFUSED
    assert detector.detect("ja was versteh nicht") is None
    assert detector.detect("was? wie lange dauert das") is None  # the rest is a question


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("  greeting: {phrases: {de: [hallo]}}", "  hello: {phrases: {de: [hallo]}}"),
            r"intents\.hello: unknown intent",
        ),
        (('  "yes":', "  yes:"), r"intents\.True: unknown intent \(write it in quotes"),
        (("{de: [ja]}", "{en: [yes]}"), r"intents\.yes\.phrases\.en\[0\]: expected text, got True.*quotes"),
        (("{de: [danke]}", "{xx: [danke]}"), r"intents\.thanks\.phrases\.xx: unknown language"),
        (
            ("{de: [danke]}", "{de: [danke, Danke]}"),
            r"intents\.thanks\.phrases\.de\[1\]: 'Danke' is the same as entry \[0\]",
        ),
        (("{de: [danke]}", '{de: ["danke [dir"]}'), r"intents\.thanks\.phrases\.de\[0\]: 'danke \[dir'"),
        (("{de: [danke]}", '{de: ["* danke"]}'), r"intents\.thanks\.phrases\.de\[0\].*cannot begin with \*"),
        (("{de: [danke]}", '{de: ["danke ^dir"]}'), r"intents\.thanks\.phrases\.de\[0\].*\^ may only stand"),
        (("{de: [danke]}", '{de: ["danke a||b"]}'), r"intents\.thanks\.phrases\.de\[0\].*empty alternative"),
        (
            ("{de: [danke]}", '{de: ["nicht mit bot|dem bot"]}'),
            r"intents\.thanks\.phrases\.de\[0\].*'bot\|dem bot': an alternative is one word.*\[word\]",
        ),
        (
            ("{de: [danke]}", '{de: ["[danke]"]}'),
            r"intents\.thanks\.phrases\.de\[0\].*every word of the phrase is optional",
        ),
        (
            ("{de: [danke]}", "{de: [[danke], dir]}"),
            r"intents\.thanks\.phrases\.de\[0\].*begins with \[ must be put in quotes",
        ),
        (("{de: [danke]}", '{de: ["!!"]}'), r"intents\.thanks\.phrases\.de\[0\].*no letters"),
        (("{de: [danke]}", "{de: []}"), r"intents\.thanks\.phrases\.de: expected a non-empty list"),
        (
            ("context: {de: [ich, will]}", "context: {de: [ich will]}"),
            r"intents\.advisor\.context\.de\[0\]: expected a single word",
        ),
        (("{phrases: {de: [nein]}}", "{phrasen: {de: [nein]}}"), r"intents\.no\.phrasen: unknown key"),
        (('  "no": {phrases: {de: [nein]}}\n', ""), r"intents: missing intent\(s\): no"),
        (("version: 1", "version: 2"), r"version: unsupported version 2"),
        (("filler:", "fillers:"), r"fillers: unknown key"),
        (("  de: [und]", "  de: [und, so nicht]"), r"filler\.de\[1\]: expected a single word"),
    ],
)
def test_file_errors_name_the_file_and_the_entry(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in MINIMAL
    path = _write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(IntentFileError, match=r"broken\.yaml: " + message):
        IntentDetector.from_file(path)


def test_invalid_yaml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(IntentFileError, match=r"broken\.yaml: not valid YAML"):
        IntentDetector.from_file(_write(tmp_path, "version: 1\nintents: [\n"))
    with pytest.raises(IntentFileError, match=r"nowhere\.yaml: cannot read"):
        IntentDetector.from_file(tmp_path / "nowhere.yaml")


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    assert IntentDetector.from_file(path).detect("servus") is None
    path.write_text(MINIMAL.replace("[hallo]", "[hallo, servus]"), encoding="utf-8")
    result = IntentDetector.from_file(path).detect("servus")
    assert result is not None
    assert result.intent is Intent.GREETING


def test_shipped_file_counts() -> None:
    """Every language has phrases for every intent (the report's table comes from here)."""
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    for name, section in data["intents"].items():
        langs = {code.removesuffix("-Latn") for code in section["phrases"]} - {"any"}
        assert langs == set(POSITIVE), name
