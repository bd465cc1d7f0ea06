"""Reading the anonymous report tables and the content history for the editors' reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContentRevision, UnansweredQuestion, utcnow
from knowledge.reports import Question


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


async def unanswered_questions(
    session: AsyncSession, days: int, now: dt.datetime | None = None
) -> list[Question]:
    """The questions of the last ``days`` days nobody marked handled, oldest first."""
    since = (now or utcnow()) - dt.timedelta(days=days)
    rows = await session.scalars(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.created_at >= since, UnansweredQuestion.handled_at.is_(None))
        .order_by(UnansweredQuestion.created_at, UnansweredQuestion.id)
    )
    # The language a question was written in, where recognised: an Arabic question asked
    # with German chosen belongs with the Arabic ones.
    return [
        Question(r.text, r.written_in or r.language, r.reason, _aware(r.created_at), r.entry_id) for r in rows
    ]


async def latest_content_revision(session: AsyncSession) -> ContentRevision | None:
    """The last import (who, when, what), or None before the first."""
    return await session.scalar(select(ContentRevision).order_by(ContentRevision.id.desc()).limit(1))


async def mark_handled(
    session: AsyncSession, texts: set[str], days: int, now: dt.datetime | None = None
) -> int:
    """Mark the open questions of the last ``days`` days with these wordings handled."""
    moment = now or utcnow()
    rows = await session.scalars(
        select(UnansweredQuestion).where(
            UnansweredQuestion.created_at >= moment - dt.timedelta(days=days),
            UnansweredQuestion.handled_at.is_(None),
            UnansweredQuestion.text.in_(sorted(texts)),
        )
    )
    marked = 0
    for row in rows:
        row.handled_at = moment
        marked += 1
    return marked
