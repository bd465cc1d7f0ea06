"""Reading the anonymous report tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import UnansweredQuestion, utcnow
from knowledge.reports import Question


async def unanswered_questions(session: AsyncSession, days: int) -> list[Question]:
    since = utcnow() - dt.timedelta(days=days)
    rows = await session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.created_at >= since))
    return [Question(r.text, r.language, r.reason, r.created_at) for r in rows]
