"""SQLAlchemy implementations of the storage interfaces in ``dialogs.ports``.

Every repository works inside the session of the current unit of work; none commits.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Case,
    CaseMessage,
    ConversationState,
    Feedback,
    Subscription,
    UnansweredQuestion,
    UsageCounter,
    User,
    utcnow,
)
from dialogs.ports import HandoffRequest, Storage, StoredData, UserRecord

_ADJECTIVES = ("Blue", "Green", "Quiet", "Bright", "Swift", "Calm", "Brave", "Kind", "Clever", "Sunny")
_NOUNS = ("Fox", "Owl", "River", "Falcon", "Birch", "Otter", "Comet", "Maple", "Heron", "Lynx")


def make_pseudonym() -> str:
    """A friendly name advisors can use that says nothing about the person."""
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_NOUNS)} {secrets.randbelow(900) + 100}"


def _record(user: User) -> UserRecord:
    return UserRecord(
        id=user.id,
        external_id=user.external_id,
        pseudonym=user.pseudonym,
        language=user.language,
        consent_at=user.consent_at,
        created_at=user.created_at,
        urgent_at=user.urgent_at,
        share_name=user.share_name,
        blocked_at=user.blocked_at,
    )


def upsert(session: AsyncSession):  # type: ignore[no-untyped-def]
    """The dialect's INSERT with ON CONFLICT support."""
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


class SqlUsers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, external_id: int) -> UserRecord | None:
        user = await self.session.scalar(select(User).where(User.external_id == external_id))
        return _record(user) if user else None

    async def create(self, external_id: int, language: str) -> UserRecord:
        user = User(
            external_id=external_id, pseudonym=make_pseudonym(), language=language, consent_at=utcnow()
        )
        self.session.add(user)
        await self.session.flush()
        return _record(user)

    async def set_language(self, user_id: int, language: str) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(language=language))

    async def flag_urgent(self, user_id: int) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(urgent_at=utcnow()))

    async def mark_blocked(self, external_id: int) -> None:
        await self.session.execute(
            update(User).where(User.external_id == external_id).values(blocked_at=utcnow())
        )

    async def mark_unblocked(self, external_id: int) -> None:
        await self.session.execute(
            update(User).where(User.external_id == external_id).values(blocked_at=None)
        )

    async def stored_data(self, user_id: int) -> StoredData:
        user = await self.session.get_one(User, user_id)
        topics = await self.session.scalars(select(Subscription.topic).where(Subscription.user_id == user_id))
        open_cases = await self.session.scalar(
            select(func.count()).select_from(Case).where(Case.user_id == user_id, Case.state != "closed")
        )
        messages = await self.session.scalar(
            select(func.count()).select_from(CaseMessage).join(Case).where(Case.user_id == user_id)
        )
        return StoredData(_record(user), tuple(sorted(topics)), int(open_cases or 0), int(messages or 0))

    async def delete(self, user_id: int) -> None:
        # Cascades remove subscriptions, cases and message pairs; conversation state goes too.
        user = await self.session.get(User, user_id)
        if user is None:
            return
        await self.session.execute(
            delete(ConversationState).where(
                ConversationState.key.like(f"%:{user.external_id}:{user.external_id}%")
            )
        )
        case_ids = select(Case.id).where(Case.user_id == user_id).scalar_subquery()
        await self.session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(case_ids)))
        await self.session.execute(delete(Case).where(Case.user_id == user_id))
        await self.session.execute(delete(Subscription).where(Subscription.user_id == user_id))
        await self.session.execute(delete(User).where(User.id == user_id))


class SqlSubscriptions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def topics(self, user_id: int) -> set[str]:
        rows = await self.session.scalars(select(Subscription.topic).where(Subscription.user_id == user_id))
        return set(rows)

    async def subscribe(self, user_id: int, topic: str) -> None:
        insert = upsert(self.session)
        await self.session.execute(
            insert(Subscription)
            .values(user_id=user_id, topic=topic, created_at=utcnow())
            .on_conflict_do_nothing()
        )

    async def unsubscribe(self, user_id: int, topic: str) -> None:
        await self.session.execute(
            delete(Subscription).where(Subscription.user_id == user_id, Subscription.topic == topic)
        )


class SqlFeedback:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rate(self, entry_id: str, language: str, helpful: bool) -> None:
        self.session.add(Feedback(entry_id=entry_id, language=language, helpful=helpful))

    async def unanswered(self, text: str, language: str, reason: str, entry_id: str | None) -> None:
        self.session.add(UnansweredQuestion(text=text, language=language, reason=reason, entry_id=entry_id))


class SqlStats:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self, kind: str, key: str) -> None:
        insert = upsert(self.session)
        statement = insert(UsageCounter).values(day=dt.date.today(), kind=kind, key=key[:80], count=1)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["day", "kind", "key"], set_={"count": UsageCounter.count + 1}
            )
        )


class SqlHandoff:
    """Opens cases in the database; the Telegram side announces them in the advisors' group."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.opened: list[int] = []

    async def open_case(self, user_id: int) -> Case | None:
        return await self.session.scalar(
            select(Case)
            .where(Case.user_id == user_id, Case.state != "closed")
            .order_by(Case.id.desc())
            .limit(1)
        )

    async def has_open_case(self, user_id: int) -> bool:
        return await self.open_case(user_id) is not None

    async def request(self, request: HandoffRequest) -> str:
        case = await self.open_case(request.user.id)
        if case is not None:
            if request.urgent and not case.urgent:
                case.urgent = True
                self.opened.append(case.id)
            return "existing"
        case = Case(
            user_id=request.user.id,
            reason=request.reason,
            topic=request.topic,
            language=request.user.language or "de",
            urgent=request.urgent,
            question=request.question[:2000] or None,
            bot_answer=request.bot_answer or None,
        )
        self.session.add(case)
        await self.session.flush()
        self.opened.append(case.id)
        return "opened"


def sql_storage(session: AsyncSession, handoff: SqlHandoff | None = None) -> Storage:
    return Storage(
        users=SqlUsers(session),
        subscriptions=SqlSubscriptions(session),
        feedback=SqlFeedback(session),
        stats=SqlStats(session),
        handoff=handoff or SqlHandoff(session),
    )
