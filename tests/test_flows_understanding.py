"""Conversations driven by what people type: intents, several sentences, and what the
editors learn from what went unanswered."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Case, UnansweredQuestion, UsageCounter
from tests.support.chat import ChatClient


async def _unanswered(chat: ChatClient) -> list[UnansweredQuestion]:
    async with chat.app.sessions() as session:
        return list((await session.scalars(select(UnansweredQuestion))).all())


async def test_greeting_thanks_and_goodbye_get_short_replies_without_advisor_offer(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("hallooo")
    assert "Hallo! Ich bin Wegweiser" in chat.text
    await chat.send("شكرا كتير")
    assert "Gern geschehen" in chat.text
    assert not any("Berater" in label or "Beratung" in label for label in chat.labels)
    await chat.send("tschüss")
    assert "Tschüss" in chat.text
    assert await _unanswered(chat) == []


async def test_asking_for_a_person_in_words_offers_the_advisor_and_yes_takes_it(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("I want to talk to a real person")
    assert "person from our team" in chat.text
    assert any("advisor" in label.lower() for label in chat.labels)
    await chat.send("yes")
    async with chat.app.sessions() as session:
        assert len((await session.scalars(select(Case))).all()) == 1


async def test_a_bare_number_is_not_a_question(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("42")
    assert "number alone" in chat.text
    assert await _unanswered(chat) == []


async def test_several_sentences_get_the_answer_of_their_question(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send(
        "Hi! I'm 22 and I came from Kharkiv last year. I have a bachelor's degree in economics. "
        "How can I get my foreign vocational qualification recognised here?"
    )
    assert "Anerkennung" in chat.text or "recogni" in chat.text.lower()
    assert any("Helpful" in label for label in chat.labels)


async def test_unanswered_records_the_language_it_was_written_in(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("Wo kann ich in Freital am Wochenende Basketball spielen?")
    await chat.send("أين يمكنني أن ألعب كرة السلة في فرايتال يوم السبت؟")
    rows = await _unanswered(chat)
    assert [r.written_in for r in rows if r.reason == "no_match"] == ["de", "ar"]
    assert {r.language for r in rows} == {"de"}  # the chosen language is kept beside it


async def test_none_of_these_is_recorded_for_the_editors(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("papiere")
    if not any("Keine" in label for label in chat.labels):
        # the matcher answered or gave up: press the data the list's last button carries
        await chat.press_data("adv:none_of_these")
    else:
        await chat.press(next(label for label in chat.labels if "Keine" in label))
    rows = await _unanswered(chat)
    assert [r.reason for r in rows][-1:] == ["none_of_these"]


async def test_none_of_these_is_counted_for_the_statistics(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("lohn")  # a "did you mean" list at the time of writing
    if any("Keins davon" in label for label in chat.labels):
        await chat.press("Keins davon")
    else:  # the matcher was refitted and answers it now: press what the list's last button carries
        await chat.press_data("adv:none_of_these")
    async with chat.app.sessions() as session:
        rows = (await session.scalars(select(UsageCounter).where(UsageCounter.kind == "question"))).all()
    counts = {r.key: r.count for r in rows}
    assert counts["none_of_these"] == 1
    assert sum(counts.values()) == 2  # the question's own outcome, and the choice of none
    assert "an unser Team weitergegeben" in chat.text  # and the advisor is asked for, as before


async def test_a_town_named_is_counted_for_the_statistics(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("Praktikum in Pirna")
    async with chat.app.sessions() as session:
        rows = (await session.scalars(select(UsageCounter).where(UsageCounter.kind == "town"))).all()
    assert [(r.key, r.count) for r in rows] == [("Pirna", 1)]


async def test_a_crisis_at_the_end_of_a_long_message_gets_the_help_numbers(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    story = (
        "Hallo, ich wohne seit zwei Jahren in Pirna und mache gerade ein Praktikum in einer Werkstatt. "
        "Meine Familie ist noch in Syrien, ich telefoniere jeden Sonntag mit meiner Mutter. "
    ) * 6
    text = story + "Ich kann nicht mehr schlafen und ich will nicht mehr leben."
    assert len(text) > 1_100
    await chat.send(text)
    assert "112" in chat.text
    assert "116 111" in chat.text
    async with chat.app.sessions() as session:
        cases = (await session.scalars(select(Case))).all()
    assert [c.urgent for c in cases] == [True]


async def test_emoji_alone_are_thanks_or_a_greeting(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("🙏")
    assert "Gern geschehen" in chat.text
    await chat.send("?!")
    assert "in Worten" in chat.text or "Thema" in chat.text


async def test_a_german_term_in_an_english_question_is_no_reason_to_switch_to_german(
    chat: ChatClient,
) -> None:
    """ "Ausbildung" is kept in every language: the English answer comes without the offer
    to switch the language to German (lingua takes the sentence for German)."""
    await chat.onboard("English")
    await chat.send("How much do I earn in an Ausbildung?")
    assert "training allowance" in chat.text
    assert "Deutsch" not in chat.labels
    assert "Sprache wechseln" not in chat.text


async def test_a_town_and_typos_do_not_make_a_german_question_english(chat: ChatClient) -> None:
    """Without its German term, "Wo gbit es ausbildunksplätze in Pirna" left "Wo gbit es in
    Pirna", which lingua took for English: the German speaker was offered English. A town's
    name says nothing of the language."""
    await chat.onboard("Deutsch")
    await chat.send("Wo gbit es ausbildunksplätze in Pirna")
    assert "Ausbildungsplatz" in chat.text
    assert "English" not in chat.labels


async def test_a_question_in_german_from_an_english_speaker_offers_german(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("Wie viel Geld bekomme ich in der Ausbildung im ersten Jahr?")
    assert "Deutsch" in chat.labels
