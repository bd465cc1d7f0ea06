"""A typed message is read once: its safety check and its understanding in one step."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.db.repositories import SqlHandoff, sql_storage
from dialogs import reading
from dialogs.context import Turn
from dialogs.replies import Incoming
from knowledge.understanding import Kind, Understander


@pytest.fixture
async def turn(app: App) -> AsyncIterator[Turn]:
    async with app.sessions.begin() as session:
        storage = sql_storage(session, SqlHandoff(session), None)
        incoming = Incoming.message(4242, "x", "de")
        yield Turn(incoming, app.environment(), storage, None, {"lang": "de"}, dt.datetime.now(dt.UTC))


async def test_the_understanding_made_with_the_safety_check_is_used_once(turn: Turn) -> None:
    text = "Wie finde ich einen Ausbildungsplatz in Pirna?"
    assert await reading.screen(turn, text) is None
    kept = turn.read_ahead[(text, "de")]
    assert kept.kind is Kind.ANSWER
    assert await reading.understand(turn, text) is kept
    assert not turn.read_ahead
    # Asked again (another step of the turn), the message is understood anew, alike.
    again = await reading.understand(turn, text)
    assert again is not kept
    assert again.top == kept.top


async def test_no_understanding_is_made_for_an_alarm(turn: Turn) -> None:
    signal = await reading.screen(turn, "Ich will nicht mehr leben, heute Nacht bringe ich mich um.")
    assert signal is not None
    assert not signal.concern
    assert not turn.read_ahead


async def test_a_text_read_in_another_language_is_not_taken_for_this_one(turn: Turn) -> None:
    """The person switched language during the turn: the kept reading was for the old one."""
    text = "Wo gibt es Deutschkurse?"
    await reading.screen(turn, text)
    turn.state["lang"] = "en"
    assert (text, "de") in turn.read_ahead
    understood = await reading.understand(turn, text)
    assert (text, "de") in turn.read_ahead
    assert understood.kind in (Kind.ANSWER, Kind.SUGGEST, Kind.TWO)


async def test_an_ordinary_question_taken_for_a_crisis_by_the_meaning_model_opens_no_case(turn: Turn) -> None:
    """A slangy question about the Ausbildung is answered, not treated as a crisis: the
    meaning model alone judged it self-harm (0.69) when this test was written. At most a
    concern (the answer, then where to get help); the understanding is kept for the answer."""
    text = (
        "digga erklär mal wie das mit der lehre hier läuft, wie viele jahre dauert das "
        "und kriegt man am ende ein richtiges papier"
    )
    signal = await reading.screen(turn, text)
    assert signal is None or signal.concern
    assert turn.read_ahead[(text, "de")].kind is Kind.ANSWER


async def test_the_safety_check_asks_the_knowledge_base_only_about_plain_answers(turn: Turn) -> None:
    knowledge = turn.knowledge
    assert knowledge.answers_plainly("Wie viel Geld bekomme ich in der Ausbildung im ersten Jahr?", "de")
    # The crisis topic's own entries never count as ordinary, nor does what it cannot answer.
    assert not knowledge.answers_plainly("Ich will nicht mehr leben", "de")
    assert not knowledge.answers_plainly("Wann spielt Dynamo Dresden am Samstag?", "de")


async def test_a_thanks_or_greeting_is_ordinary_but_a_farewell_or_a_plea_is_not(turn: Turn) -> None:
    """A Farsi thanks (literally "thanks a lot, stay alive") took the meaning model for a
    death wish and opened an urgent case; it is a thanks and nothing else."""
    understander = Understander(turn.knowledge, reading.intents())
    assert understander.ordinary("تشکر زیاد، زنده باشی", "fa")
    assert understander.ordinary("Hallo!", "de")
    assert not understander.ordinary("goodbye everyone", "en")
    assert not understander.ordinary("ich brauche hilfe", "de")
    assert not understander.ordinary("thank you for everything", "en")
    signal = await reading.screen(turn, "تشکر زیاد، زنده باشی")
    assert signal is None or signal.concern
