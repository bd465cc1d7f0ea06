"""Keep message texts only as long as a case needs them (``RETENTION_DAYS``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, cast, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Case,
    CaseMessage,
    ConversationState,
    OutboxItem,
    ProcessedUpdate,
    UnansweredQuestion,
    utcnow,
)
from dialogs.crisis import KEEP_PENDING, PENDING

# Telegram redelivers an update within hours, never after days.
UPDATE_MEMORY = dt.timedelta(days=2)
# A worker that died between an update's commit and its replies is replaced within
# minutes; its replies are kept that long for the redelivered update, not longer.
REPLY_MEMORY = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Purged:
    case_texts: int
    message_pairs: int
    unanswered: int
    updates: int
    outbox: int
    held_messages: int = 0


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def purge(session: AsyncSession, retention: dt.timedelta, now: dt.datetime | None = None) -> Purged:
    """Forget texts of cases closed longer than ``retention`` ago and other old traces."""
    cutoff = (now or utcnow()) - retention
    old_cases = select(Case.id).where(Case.state == "closed", Case.closed_at < cutoff).scalar_subquery()
    texts = await session.execute(
        update(Case)
        .where(Case.id.in_(old_cases), Case.question.is_not(None) | Case.interest_result.is_not(None))
        .values(question=None, interest_result=None)
        .execution_options(synchronize_session=False)
    )
    pairs = await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(old_cases)))
    unanswered = await session.execute(
        delete(UnansweredQuestion).where(UnansweredQuestion.created_at < cutoff)
    )
    updates = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < (now or utcnow()) - UPDATE_MEMORY)
    )
    await session.execute(
        update(ProcessedUpdate)
        .where(
            ProcessedUpdate.replies.is_not(None),
            ProcessedUpdate.processed_at < (now or utcnow()) - REPLY_MEMORY,
        )
        .values(replies=None)
        .execution_options(synchronize_session=False)
    )
    # Outbox items hold message texts too: delivered ones are not needed after a day.
    outbox = await session.execute(
        delete(OutboxItem).where(
            ((OutboxItem.status == "done") & (OutboxItem.created_at < (now or utcnow()) - UPDATE_MEMORY))
            | ((OutboxItem.status == "failed") & (OutboxItem.created_at < cutoff))
        )
    )
    held = await _forget_held_messages(session, (now or utcnow()) - KEEP_PENDING)
    return Purged(_count(texts), _count(pairs), _count(unanswered), _count(updates), _count(outbox), held)


async def _forget_held_messages(session: AsyncSession, cutoff: dt.datetime) -> int:
    """A crisis message kept for a consent that never came (``dialogs.crisis``) goes after a day."""
    rows = await session.scalars(
        select(ConversationState).where(
            ConversationState.updated_at < cutoff, cast(ConversationState.data, String).like(f"%{PENDING}%")
        )
    )
    forgotten = 0
    for row in rows:
        if PENDING in row.data:
            row.data = {k: v for k, v in row.data.items() if k not in (PENDING, "after_consent")}
            forgotten += 1
    return forgotten
