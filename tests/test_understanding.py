"""A message, not a question: intents first, then the sentences that ask, on the shipped
content with the real embedder (the same ``KnowledgeBase`` the bot builds)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.intents import Intent
from knowledge.matcher import Decision, Match, MatchResult
from knowledge.message import Piece
from knowledge.romanised import native_query
from knowledge.understanding import Kind, Understander, _choose_result, _Scored

RECOGNITION = "anerkennung-berufsabschluss"
UK_STORY = (
    "Привіт! Мені 22 роки, я з Харкова. У мене є диплом бакалавра з економіки, "
    "я закінчила університет у 2021 році. Зараз живу в Пірні з мамою і братом. "
    "Як мені визнати мій диплом тут?"
)
FILLER_DE = (
    "Ich wohne seit zwei Jahren mit meiner Familie in Heidenau und gehe in die neunte Klasse. "
    "Am Wochenende spiele ich Fußball und helfe meinem Onkel im Laden. "
)


@pytest.fixture(scope="module")
def understander(knowledge: KnowledgeBase) -> Understander:
    return Understander(knowledge)


def test_several_sentences_are_understood_like_their_question(understander: Understander) -> None:
    alone = understander.understand("Як мені визнати мій диплом тут?", "uk")
    story = understander.understand(UK_STORY, "uk")
    assert story.kind is Kind.ANSWER
    assert story.top is not None
    assert alone.top is not None
    assert story.top.id == alone.top.id == RECOGNITION
    assert "визнати" in story.question


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_ten_thousand_characters_are_understood_like_the_question(
    understander: Understander, where: str
) -> None:
    question = "Wie kann ich meinen Berufsabschluss aus Syrien anerkennen lassen?"
    filler = FILLER_DE * 70
    text = {
        "start": question + " " + filler,
        "middle": filler[: len(filler) // 2] + " " + question + " " + filler[len(filler) // 2 :],
        "end": filler + " " + question,
    }[where]
    assert len(text) > 10_000
    u = understander.understand(text, "de")
    assert u.kind is Kind.ANSWER
    assert u.top is not None
    assert u.top.id == RECOGNITION


def test_two_questions_offer_both(understander: Understander) -> None:
    u = understander.understand(
        "Ich suche einen Praktikumsplatz in Pirna für die Sommerferien. "
        "Und wie kann ich meinen Berufsabschluss aus dem Iran anerkennen lassen?",
        "de",
    )
    assert u.kind is Kind.TWO
    assert u.top is not None
    assert u.second is not None
    assert {u.top.id, u.second.id} >= {RECOGNITION}
    assert u.top.id != u.second.id


def _scored(start: int, asking: float, entry: str, confidence: float) -> _Scored:
    match = Match(entry, "en", confidence, confidence)
    result = MatchResult((match,), Decision.ANSWER if confidence >= 0.8 else Decision.SUGGEST, "en")
    return _Scored(Piece(f"sentence at {start}", start, asking), result, "en")


def test_a_long_message_is_answered_by_the_sentence_that_asks() -> None:
    # Too long to be matched whole: "My German is B1 now." (a question word's 0.2) resembles
    # the German-level entry more than the question with its question mark resembles its own.
    told = _scored(300, 0.2, "deutsch-niveau-ausbildung", 0.99)
    asked = _scored(360, 0.9, RECOGNITION, 0.9)
    assert _choose_result([told, asked]) is asked
    # Without a question mark anywhere, a sentence with a question word still asks.
    plain = _scored(360, 0.0, RECOGNITION, 0.95)
    assert _choose_result([told, plain]) is told
    # A short message matched whole: any sentence with a question word that reaches a
    # better decision still takes over, as before.
    whole = _scored(-1, 0.9, RECOGNITION, 0.7)
    assert _choose_result([whole, told, asked]) is told


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("Hallo", "de", Intent.GREETING),
        ("مرحبا، كيفك؟", "ar", Intent.GREETING),
        ("дякую", "uk", Intent.THANKS),
        ("شكرا كتير", "ar", Intent.THANKS),
        ("Berater", "de", Intent.ADVISOR),
        ("консультант", "ru", Intent.ADVISOR),
        ("مستشار", "ar", Intent.ADVISOR),
        ("I want to talk to a real person", "en", Intent.ADVISOR),
        ("7", "de", Intent.NUMBER),
    ],
)
def test_conversational_messages_are_intents(
    understander: Understander, text: str, lang: str, intent: Intent
) -> None:
    u = understander.understand(text, lang)
    assert u.kind is Kind.INTENT
    assert u.intent is not None
    assert u.intent.intent is intent


def test_a_greeting_before_the_question_is_not_the_answer(understander: Understander) -> None:
    u = understander.understand("Hallo! Wie kann ich meinen Berufsabschluss anerkennen lassen?", "de")
    assert u.kind is Kind.ANSWER
    assert u.top is not None
    assert u.top.id == RECOGNITION


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Wo kann ich in Pirna den Führerschein machen und was kostet das?", "de"),
        ("which football club in freital trains on saturdays", "en"),
    ],
)
def test_out_of_scope_is_not_answered(understander: Understander, text: str, lang: str) -> None:
    assert understander.understand(text, lang).kind in (Kind.NONE, Kind.SUGGEST)


@pytest.mark.parametrize("text", ["", "   ", "👍👍", "?!", "\u200b\u202e"])
def test_nothing_to_read(understander: Understander, text: str) -> None:
    u = understander.understand(text, "de")
    assert u.kind in (Kind.EMPTY, Kind.INTENT)


def test_a_romanised_question_is_embedded_closer_to_its_own_script(knowledge: KnowledgeBase) -> None:
    """Russian in Latin letters from a Russian speaker: the matcher's query vector moves
    toward the Cyrillic question, which the embedder reads far better."""
    matcher = knowledge.matcher
    text = "u menja attestat iz Kharkiva, kak priznat?"
    as_written = matcher._query_vector(text, None)
    with_reading = matcher._query_vector(text, native_query(text, "ru"))
    cyrillic = matcher._query_vector("у меня аттестат из Харькова, как признать?", None)
    assert as_written is not None
    assert with_reading is not None
    assert cyrillic is not None
    assert float(with_reading @ cyrillic) > float(as_written @ cyrillic) + 0.05


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        # a German term in the person's own script
        ("что такое Teilqualifizierung", "ru"),
        ("فرم Erklärung zum Beschäftigungsverhältnis را کی پر میکند", "fa"),
        # too few words to tell, typos and German terms
        ("bewerbung yazmak yardim", "tr"),
        ("duldung kvuli praci 30 mesicu", "cs"),
        # the chosen language in Latin letters
        ("shu ya3ni ausbildung w kam bakhod", "ar"),
    ],
)
def test_the_answer_stays_in_the_chosen_language_unless_the_message_is_clearly_another(
    understander: Understander, text: str, chosen: str
) -> None:
    """Only a message clearly written in another language brings the answer (and the offer
    to switch) in that language; lingua took these for German, Czech or English."""
    assert understander.understand(text, chosen).lang in (chosen, None)


def test_a_whole_question_in_another_language_is_answered_in_it(understander: Understander) -> None:
    u = understander.understand("Wie viel Geld bekomme ich in der Ausbildung im ersten Jahr?", "en")
    assert u.lang == "de"


@pytest.mark.parametrize(
    ("text", "lang", "entry"),
    [
        ("chand pool migiram dar ausbildung", "fa", "ausbildung-verguetung"),
        ("shu hiye el ausbildung", "ar", "ausbildung-dual"),
    ],
)
def test_a_romanised_question_is_also_read_word_by_word_in_its_script(
    knowledge: KnowledgeBase, text: str, lang: str, entry: str
) -> None:
    """Finglish and Arabizi share few words with the entries' phrasings in their script:
    the lexical signals also read the question in that script and keep the better."""
    matcher = knowledge.matcher
    index = matcher._indexes[lang]
    at = [d.id for d in matcher._docs[lang]].index(entry)
    as_written = index.signals(text, None)
    both = index.signals(text, None, native_query(text, lang))
    assert both.words[at] > as_written.words[at] + 0.05
    assert (both.words >= as_written.words).all()
    assert (both.chars >= as_written.chars).all()


def test_the_best_match_alone_is_as_sure_as_in_a_list(knowledge: KnowledgeBase) -> None:
    """The confidence weighs the margin to the runner-up: asked for the best match only,
    the matcher still ranks the runner-up, so one match is not sure for want of a rival."""
    for text, lang in [
        ("Ich dachte es gibt eine Grenze nach unten", "de"),
        ("wie lange dauert eine ausbildung", "de"),
        ("ana ta3ban ktir", "ar"),
    ]:
        one = knowledge.search(text, lang, limit=1)
        five = knowledge.search(text, lang, limit=5)
        assert len(one.matches) <= 1
        assert one.decision is five.decision
        if one.matches:
            assert one.matches[0] == five.matches[0]


def _ranked(start: int, asking: float, *matches: tuple[str, float]) -> _Scored:
    result = MatchResult(
        tuple(Match(entry, "uk", c, c) for entry, c in matches),
        Decision.ANSWER if matches[0][1] >= 0.8 else Decision.SUGGEST,
        "uk",
    )
    return _Scored(Piece(f"sentence at {start}", start, asking), result, "uk")


def test_the_sentence_the_whole_message_answers_is_no_second_topic() -> None:
    # "Мені 22 … Як визнати диплом? І ще: чи можна паралельно робити практику в фірмі?"
    # The whole message: recognition. "Як визнати диплом?" alone ranks the costs of
    # recognition first and recognition second: it asks what the answer already answers,
    # so the second topic is the internship sentence.
    whole = _ranked(-1, 0.9, (RECOGNITION, 0.99), ("anerkennung-kosten", 0.01))
    diploma = _ranked(49, 0.9, ("anerkennung-kosten", 0.93), (RECOGNITION, 0.07))
    internship = _ranked(68, 0.8, ("freiwilliges-praktikum", 0.88), ("praktikum-finden", 0.12))
    second = Understander._second_topic(whole, [whole, diploma, internship])
    assert second is internship
    # Without the internship sentence there is no second topic at all.
    assert Understander._second_topic(whole, [whole, diploma]) is None


def test_a_second_question_on_a_neighbouring_entry_is_still_offered() -> None:
    # "How do I get my qualification recognised? And what does recognition cost?"
    whole = _ranked(-1, 0.9, (RECOGNITION, 0.97), ("anerkennung-kosten", 0.03))
    how = _ranked(0, 0.9, (RECOGNITION, 0.95), ("anerkennung-kosten", 0.05))
    cost = _ranked(50, 0.9, ("anerkennung-kosten", 0.9), (RECOGNITION, 0.1))
    assert Understander._second_topic(whole, [whole, how, cost]) is cost


def test_a_story_with_a_diploma_question_and_an_internship_question_offers_both(
    understander: Understander,
) -> None:
    u = understander.understand(
        "Привіт! Мені 22, я з Харкова, маю бакалавра з економіки. Як визнати диплом? "
        "І ще: чи можна паралельно робити практику в фірмі?",
        "uk",
    )
    assert u.kind is Kind.TWO
    assert u.top is not None
    assert u.second is not None
    assert u.top.id == RECOGNITION
    assert u.second.id in {"freiwilliges-praktikum", "praktikum-finden"}
