"""Message texts are kept only as long as a case needs them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Case, CaseMessage, OutboxItem, UnansweredQuestion, utcnow
from bot.db.retention import purge
from tests.support.chat import ChatClient


async def test_old_texts_go_and_recent_ones_stay(app: App) -> None:
    chat = ChatClient(app)
    await chat.onboard("English")
    await chat.send("qwxz vbnm plokij")  # an unanswered question
    await chat.send("/advisor")
    now = utcnow()
    async with app.sessions.begin() as session:
        case = await session.scalar(select(Case))
        assert case is not None
        case.question = "a question with details"
        case.state, case.closed_at = "closed", now - dt.timedelta(days=100)
        session.add(CaseMessage(case_id=case.id, direction="in", user_message_id=1, group_message_id=2))
        session.add(
            UnansweredQuestion(
                text="old", language="en", reason="no_match", created_at=now - dt.timedelta(days=100)
            )
        )
        session.add(
            OutboxItem(
                action="to_person",
                payload={"text": "x"},
                status="done",
                created_at=now - dt.timedelta(days=3),
            )
        )
    async with app.sessions.begin() as session:
        purged = await purge(session, dt.timedelta(days=90), now)
    assert purged.case_texts == 1
    assert purged.message_pairs == 1
    assert purged.unanswered == 1
    assert purged.outbox >= 1
    async with app.sessions() as session:
        case = await session.scalar(select(Case))
        assert case is not None
        assert case.question is None
        assert await session.scalar(select(func.count()).select_from(CaseMessage)) == 0
        remaining = (await session.scalars(select(UnansweredQuestion.text))).all()
        assert remaining == ["qwxz vbnm plokij"], "a recent question stays for the editors' report"
