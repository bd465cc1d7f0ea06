"""The case state machine, and one topic per case even when two processes race for it."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.db.models import Case
from bot.db.repositories import SqlHandoff, SqlUsers
from bot.handoff.service import HandoffService
from bot.telegram.runner import create_bot
from dialogs.handoff import (
    CaseEvent,
    CaseState,
    CaseView,
    InvalidTransition,
    card_text,
    is_internal_note,
    next_state,
    reopens,
    topic_title,
)
from dialogs.i18n import Catalogs
from dialogs.ports import HandoffRequest
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.support.chat import ChatClient


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (CaseState.WAITING, CaseEvent.TAKE, CaseState.TAKEN),
        (CaseState.TAKEN, CaseEvent.TAKE, CaseState.TAKEN),
        (CaseState.TAKEN, CaseEvent.RELEASE, CaseState.WAITING),
        (CaseState.WAITING, CaseEvent.CLOSE, CaseState.CLOSED),
        (CaseState.TAKEN, CaseEvent.CLOSE, CaseState.CLOSED),
        (CaseState.CLOSED, CaseEvent.REOPEN, CaseState.WAITING),
    ],
)
def test_allowed_transitions(state: CaseState, event: CaseEvent, after: CaseState) -> None:
    assert next_state(state, event) is after


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (CaseState.CLOSED, CaseEvent.TAKE),
        (CaseState.CLOSED, CaseEvent.CLOSE),
        (CaseState.WAITING, CaseEvent.REOPEN),
    ],
)
def test_refused_transitions(state: CaseState, event: CaseEvent) -> None:
    with pytest.raises(InvalidTransition):
        next_state(state, event)


def test_reopen_window() -> None:
    closed = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)
    window = dt.timedelta(hours=24)
    assert reopens(closed, closed + dt.timedelta(hours=23), window)
    assert not reopens(closed, closed + dt.timedelta(hours=25), window)
    assert not reopens(None, closed, window)


@pytest.mark.parametrize(
    ("text", "note"), [("!intern", True), ("  ! intern", True), ("Hallo!", False), (None, False)]
)
def test_internal_notes(text: str | None, note: bool) -> None:
    assert is_internal_note(text) is note


def test_topic_title_shows_number_pseudonym_language_topic_and_state() -> None:
    view = CaseView(7, "Blue Fox 123", "ar", "training", CaseState.TAKEN, True, "", "")
    assert topic_title(view) == "🚨 💬 · #7 · Blue Fox 123 · AR · training"
    assert topic_title(replace(view, unreachable=True)) == "⛔ 🚨 💬 · #7 · Blue Fox 123 · AR · training"
    assert topic_title(replace(view, muted=True)).startswith("🔇 🚨 💬 · #7")
    long = CaseView(7, "x" * 300, "ar", None, CaseState.WAITING, False, "", "")
    assert len(topic_title(long)) <= 128


async def test_two_processes_racing_create_one_topic(fake: FakeTelegram, app: App, database_url: str) -> None:
    group = fake.add_forum_group("Beratung")
    chat = ChatClient(app)
    await chat.onboard("English")
    await chat.send("/advisor")
    async with app.sessions() as session:
        case_id = await session.scalar(select(Case.id))
    assert case_id is not None
    settings = make_settings(
        database_url, bot_token=fake.token, telegram_api_url=fake.url, advisor_chat_id=group.id
    )
    # A second process: its own engine and sessions on the same database.
    other = await build_app(settings)
    first_app = replace(app, settings=settings)
    bots = [create_bot(settings), create_bot(settings)]
    try:
        services = [HandoffService(first_app, bots[0]), HandoffService(other, bots[1])]
        threads = await asyncio.gather(*(s.ensure_topic(case_id) for s in services for _ in range(3)))
    finally:
        for bot in bots:
            await bot.session.close()
        await other.close()
    assert len(set(threads)) == 1
    assert len(fake.calls_to("createForumTopic")) == 1


async def test_two_requests_at_once_open_one_case(app: App) -> None:
    chat = ChatClient(app)
    await chat.onboard("English")
    async with app.sessions() as session:
        user = await SqlUsers(session).get(chat.chat_id)
    assert user is not None
    request = HandoffRequest(user=user, reason="menu", topic=None, question="", bot_answer="")

    async def open_case() -> int:
        async with app.sessions.begin() as session:
            return (await SqlHandoff(session).request(request)).case_id

    ids = await asyncio.gather(*(open_case() for _ in range(4)), return_exceptions=True)
    assert len({i for i in ids if isinstance(i, int)}) == 1, ids
    async with app.sessions() as session:
        assert len((await session.scalars(select(Case))).all()) == 1


def test_card_shows_the_name_only_when_shared() -> None:
    catalogs = Catalogs()
    hidden = CaseView(3, "Calm Owl 512", "fa", "recognition", CaseState.WAITING, False, "<b>Frage</b>", "")
    shown = replace(hidden, shared_name="Reza")
    assert "Reza" not in card_text(hidden, catalogs, "en")
    assert "not shared" in card_text(hidden, catalogs, "en")
    assert "Reza" in card_text(shown, catalogs, "en")
    assert "&lt;b&gt;Frage" in card_text(hidden, catalogs, "en"), "what the person wrote is escaped"
