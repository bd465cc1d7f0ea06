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
from knowledge.understanding import Kind


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
