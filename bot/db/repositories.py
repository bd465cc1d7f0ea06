"""SQLAlchemy implementations of the storage interfaces in ``dialogs.ports``.

Every repository works inside the session of the current unit of work; none commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Advisor,
    Case,
    CaseMessage,
    ConversationState,
    Feedback,
    InterestCount,
    OfferFollow,
    OutboxItem,
    Subscription,
    UnansweredQuestion,
    UsageCounter,
    User,
    utcnow,
)
from dialogs.handoff import CaseEvent, CaseState, InvalidTransition, next_state
from dialogs.ports import CaseRecord, HandoffReceipt, HandoffRequest, Storage, StoredData, UserRecord

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
        shared_name=user.shared_name,
    )


def refresh_topic(session: AsyncSession, case_id: int) -> None:
    """Queue the case's topic title and card to be shown anew (the commit wakes the outbox)."""
    session.add(OutboxItem(case_id=case_id, action="refresh", payload={}))
    session.info["outbox"] = True


def upsert(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT with ON CONFLICT support."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


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

    async def share_name(self, user_id: int, name: str | None) -> None:
        """Show (or hide again) the person's first name to advisors; open case cards follow."""
        await self.session.execute(
            update(User).where(User.id == user_id).values(share_name=name is not None, shared_name=name)
        )
        case = await self.session.scalar(
            select(Case.id).where(Case.user_id == user_id, Case.state != CaseState.CLOSED)
        )
        if case is not None:
            refresh_topic(self.session, case)

    async def mark_blocked(self, external_id: int) -> None:
        await self.session.execute(
            update(User).where(User.external_id == external_id).values(blocked_at=utcnow())
        )
        await self._case_reachable(external_id, reachable=False)

    async def mark_unblocked(self, external_id: int) -> None:
        await self.session.execute(
            update(User).where(User.external_id == external_id).values(blocked_at=None)
        )
        await self._case_reachable(external_id, reachable=True)

    async def reachable_again(self, external_id: int) -> None:
        """The person wrote or pressed a button: they no longer block the bot. Writes only
        when they were marked."""
        user = await self.session.scalar(select(User).where(User.external_id == external_id))
        if user is not None and user.blocked_at is not None:
            user.blocked_at = None
        await self._case_reachable(external_id, reachable=True)

    async def _case_reachable(self, external_id: int, *, reachable: bool) -> None:
        """The open case shows in its topic's title whether the person blocks the bot."""
        marked = Case.unreachable_at.is_not(None) if reachable else Case.unreachable_at.is_(None)
        case = await self.session.scalar(
            select(Case)
            .join(User)
            .where(User.external_id == external_id, Case.state != CaseState.CLOSED, marked)
            .limit(1)
        )
        if case is not None:
            case.unreachable_at = None if reachable else utcnow()
            refresh_topic(self.session, case.id)

    async def stored_data(self, user_id: int) -> StoredData:
        user = await self.session.get_one(User, user_id)
        topics = await self.session.scalars(select(Subscription.topic).where(Subscription.user_id == user_id))
        open_cases = await self.session.scalar(
            select(func.count()).select_from(Case).where(Case.user_id == user_id, Case.state != "closed")
        )
        messages = await self.session.scalar(
            select(func.count()).select_from(CaseMessage).join(Case).where(Case.user_id == user_id)
        )
        follows = await self.session.scalars(select(OfferFollow.field).where(OfferFollow.user_id == user_id))
        followed = (*sorted(topics), *(f"offers: {field}" for field in sorted(follows)))
        return StoredData(_record(user), followed, int(open_cases or 0), int(messages or 0))

    async def delete(self, user_id: int) -> None:
        # Cascades remove subscriptions, cases and message pairs. Conversation state is
        # emptied except for the language, so the bot keeps answering in it.
        user = await self.session.get(User, user_id)
        if user is None:
            return
        states = await self.session.scalars(
            select(ConversationState).where(
                ConversationState.key.like(f"%:{user.external_id}:{user.external_id}")
            )
        )
        for state in states:
            state.data = {"lang": user.language} if user.language else {}
        # The relayed copies go with the case topics, which Telegram deletes with all their messages.
        topics = await self.session.execute(
            select(Case.chat_id, Case.thread_id).where(
                Case.user_id == user_id, Case.thread_id.is_not(None), Case.thread_id > 0
            )
        )
        for chat_id, thread_id in topics:
            payload = {"chat_id": chat_id, "thread_id": thread_id}
            self.session.add(OutboxItem(action="delete_topic", payload=payload))
        case_ids = select(Case.id).where(Case.user_id == user_id).scalar_subquery()
        await self.session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(case_ids)))
        await self.session.execute(delete(Case).where(Case.user_id == user_id))
        await self.session.execute(delete(Subscription).where(Subscription.user_id == user_id))
        await self.session.execute(delete(OfferFollow).where(OfferFollow.user_id == user_id))
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


class SqlOfferFollows:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def fields(self, user_id: int) -> dict[str, str | None]:
        rows = await self.session.execute(
            select(OfferFollow.field, OfferFollow.town).where(OfferFollow.user_id == user_id)
        )
        return {str(field): town for field, town in rows.all()}

    async def follow(self, user_id: int, field: str, town: str | None) -> None:
        insert = upsert(self.session)
        await self.session.execute(
            insert(OfferFollow)
            .values(user_id=user_id, field=field, town=town, created_at=utcnow())
            .on_conflict_do_update(index_elements=["user_id", "field"], set_={"town": town})
        )

    async def unfollow(self, user_id: int, field: str) -> None:
        await self.session.execute(
            delete(OfferFollow).where(OfferFollow.user_id == user_id, OfferFollow.field == field)
        )


class SqlFeedback:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rate(self, entry_id: str, language: str, helpful: bool) -> None:
        self.session.add(Feedback(entry_id=entry_id, language=language, helpful=helpful))

    async def unanswered(
        self, text: str, language: str, reason: str, entry_id: str | None, written_in: str | None = None
    ) -> None:
        self.session.add(
            UnansweredQuestion(
                text=text, language=language, reason=reason, entry_id=entry_id, written_in=written_in
            )
        )


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

    async def count_interest(self, measure: str, language: str, key: str = "") -> None:
        await _count_interests(self.session, {(_month(), language, measure, key): 1})


async def _count_interests(session: AsyncSession, pending: Mapping[tuple[str, str, str, str], int]) -> None:
    insert = upsert(session)
    for (month, language, measure, key), n in sorted(pending.items()):
        statement = insert(InterestCount).values(
            month=month, language=language[:5], measure=measure, key=key[:48], count=n
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["month", "language", "measure", "key"],
                set_={"count": InterestCount.count + n},
            )
        )


def _month() -> str:
    return dt.date.today().strftime("%Y-%m")


class StatsBuffer:
    """Usage counters gathered in memory and written in one short transaction now and then.

    Every question bumps a shared counter row; writing it in each update's transaction would
    make concurrent updates queue on that row's lock. A crash loses seconds of statistics.
    """

    def __init__(self, observe: Callable[[str, str], None] | None = None) -> None:
        self.counts: Counter[tuple[dt.date, str, str]] = Counter()
        self.interests: Counter[tuple[str, str, str, str]] = Counter()
        # Told of every count as it happens (the Prometheus metrics of the running bot).
        self.observe = observe

    async def count(self, kind: str, key: str) -> None:
        self.counts[(dt.date.today(), kind, key[:80])] += 1
        if self.observe is not None:
            self.observe(kind, key[:80])

    async def count_interest(self, measure: str, language: str, key: str = "") -> None:
        self.interests[(_month(), language, measure, key)] += 1

    async def flush(self, sessions: async_sessionmaker[AsyncSession]) -> int:
        pending, self.counts = self.counts, Counter()
        interests, self.interests = self.interests, Counter()
        if not pending and not interests:
            return 0
        try:
            await self._write(sessions, pending, interests)
        except BaseException:
            self.counts.update(pending)  # keep them for the next round
            self.interests.update(interests)
            raise
        return len(pending) + len(interests)

    @staticmethod
    async def _write(
        sessions: async_sessionmaker[AsyncSession],
        pending: Counter[tuple[dt.date, str, str]],
        interests: Counter[tuple[str, str, str, str]],
    ) -> None:
        async with sessions.begin() as session:
            await _count_interests(session, interests)
            insert = upsert(session)
            for (day, kind, key), n in sorted(pending.items()):
                statement = insert(UsageCounter).values(day=day, kind=kind, key=key, count=n)
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["day", "kind", "key"], set_={"count": UsageCounter.count + n}
                    )
                )


class SqlHandoff:
    """Cases in the database; the Telegram side creates topics and relays (``bot.handoff``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Cases opened, reopened or turned urgent in this unit of work → why, for the transport.
        self.opened: dict[int, str] = {}

    async def open_case(self, user_id: int) -> Case | None:
        return await self.session.scalar(
            select(Case)
            .where(Case.user_id == user_id, Case.state != CaseState.CLOSED)
            .order_by(Case.id.desc())
            .limit(1)
        )

    async def latest_case(self, user_id: int) -> CaseRecord | None:
        case = await self.session.scalar(
            select(Case).where(Case.user_id == user_id).order_by(Case.id.desc()).limit(1)
        )
        if case is None:
            return None
        advisor = await self.session.get(Advisor, case.advisor_id) if case.advisor_id else None
        return CaseRecord(
            case.id,
            case.state,
            case.closed_at,
            urgent=case.urgent,
            advisor_name=advisor.display_name if advisor else None,
            created_at=case.created_at,
            muted=case.muted_at is not None,
        )

    async def close(self, case_id: int, user_id: int) -> bool:
        case = await self.session.get(Case, case_id)
        if case is None or case.user_id != user_id:
            return False
        try:
            case.state = next_state(CaseState(case.state), CaseEvent.CLOSE)
        except InvalidTransition:
            return False
        case.closed_at = utcnow()
        # The topic hears it first, then its title and card show the case closed.
        self.session.add(OutboxItem(case_id=case.id, action="person_closed", payload={}))
        refresh_topic(self.session, case.id)
        return True

    async def reopen(self, case_id: int) -> None:
        case = await self.session.get_one(Case, case_id)
        case.state = next_state(CaseState(case.state), CaseEvent.REOPEN)
        case.closed_at = None
        case.advisor_id = None
        self.opened[case.id] = "reopened"

    async def rate(self, case_id: int, user_id: int, helpful: bool) -> bool:
        case = await self.session.get(Case, case_id)
        if case is None or case.user_id != user_id or case.state != CaseState.CLOSED:
            return False
        case.rating = 1 if helpful else 0
        return True

    async def request(self, request: HandoffRequest) -> HandoffReceipt:
        case = await self.open_case(request.user.id)
        if case is not None:
            muted = case.muted_at is not None
            # Safety first: a muted person's crisis raises the alarm even on an urgent case.
            if request.urgent and (not case.urgent or muted):
                case.urgent = True
                self.opened[case.id] = "urgent"
            if request.interest_result:
                # Asked about the interest check during an open case: its card shows the result.
                case.interest_result = dict(request.interest_result)
                refresh_topic(self.session, case.id)
            return HandoffReceipt(case.id, opened=False, muted=muted)
        case = Case(
            user_id=request.user.id,
            reason=request.reason,
            topic=request.topic,
            language=request.user.language or "de",
            urgent=request.urgent,
            question=request.question[:2000] or None,
            bot_answer=request.bot_answer or None,
            interest_result=dict(request.interest_result) if request.interest_result else None,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(case)
        except IntegrityError:
            # Another process opened this person's case a moment ago: join it.
            existing = await self.open_case(request.user.id)
            assert existing is not None
            return HandoffReceipt(existing.id, opened=False)
        self.opened[case.id] = "new"
        return HandoffReceipt(case.id, opened=True)


def sql_storage(
    session: AsyncSession, handoff: SqlHandoff | None = None, stats: StatsBuffer | None = None
) -> Storage:
    return Storage(
        users=SqlUsers(session),
        subscriptions=SqlSubscriptions(session),
        feedback=SqlFeedback(session),
        stats=stats or SqlStats(session),
        handoff=handoff or SqlHandoff(session),
        offer_follows=SqlOfferFollows(session),
    )
