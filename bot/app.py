"""The one assembly point: settings → engine → stores → services → conversation.

The console chat, the Telegram bot, the benchmarks and the tests all start here, so they
run the same code on the same kind of storage.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.content import ContentService, knowledge_for
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import prepare_database
from bot.db.models import ConversationState
from bot.db.repositories import SqlHandoff, StatsBuffer, sql_storage
from bot.handoff import albums
from bot.handoff.outbox import enqueue
from dialogs import reading
from dialogs.context import Environment
from dialogs.conversation import handle
from dialogs.i18n import Catalogs
from dialogs.office_hours import OfficeHours
from dialogs.replies import Incoming, Outcome
from knowledge.safety import CrisisDetector

log = logging.getLogger(__name__)

TOWNS = (
    "Pirna",
    "Freital",
    "Heidenau",
    "Dippoldiswalde",
    "Sebnitz",
    "Neustadt in Sachsen",
    "Bad Schandau",
    "Königstein",
    "Stolpen",
    "Altenberg",
    "Glashütte",
    "Wilsdruff",
    "Bad Gottleuba-Berggießhübel",
    "Dohna",
    "Rabenau",
    "Tharandt",
    "Hohnstein",
    "Stadt Wehlen",
    "Liebstadt",
    "Geising",
)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    content: ContentService
    catalogs: Catalogs
    crisis: CrisisDetector
    office: OfficeHours
    # Called after each committed unit of work (the outbox worker wakes up).
    on_commit: list[Callable[[], None]] = field(default_factory=list)
    # Set by the Telegram runner: usage counters are gathered in memory and flushed now and then.
    stats_buffer: StatsBuffer | None = None

    def committed(self, session: AsyncSession | None = None) -> None:
        """After a commit: wake the outbox worker if this unit of work queued anything."""
        if session is not None and not session.info.pop("outbox", False):
            return
        for callback in self.on_commit:
            callback()

    def environment(self) -> Environment:
        return Environment(
            knowledge=self.content.knowledge,
            catalogs=self.catalogs,
            crisis=self.crisis,
            zone=self.settings.zone,
            office=self.office,
            default_language=self.settings.default_language,
            towns=TOWNS,
            reopen_window=dt.timedelta(hours=self.settings.reopen_hours),
        )

    async def handle(
        self,
        incoming: Incoming,
        state: dict[str, Any],
        session: AsyncSession,
        now: dt.datetime | None = None,
        album: dict[str, Any] | None = None,
    ) -> tuple[Outcome, dict[int, str]]:
        """One turn inside the caller's unit of work (the session is committed by the caller).

        Returns the outcome and the ids of cases opened (or turned urgent) in this turn, which
        the transport announces to the advisors once the unit of work is committed.
        ``album``: the incoming message is part of an album (``bot.handoff.albums.album_part``).
        """
        handoff = SqlHandoff(session)
        storage = sql_storage(session, handoff, self.stats_buffer)
        outcome = await handle(incoming, self.environment(), storage, state, now)
        for case_id, reason in handoff.opened.items():
            enqueue(session, "announce", {"reason": reason}, case_id)
        if outcome.relay_case is not None:
            for message_id in outcome.relay_messages:
                payload = {
                    "from_chat_id": incoming.chat_id,
                    "message_id": message_id,
                    "reply_to": incoming.reply_to,
                }
                if album is not None and message_id == incoming.message_id:
                    albums.enqueue_part(session, albums.ALBUM_IN, {**payload, **album}, outcome.relay_case)
                else:
                    enqueue(session, "relay_in", payload, outcome.relay_case)
        return outcome, handoff.opened

    async def turn_in(
        self,
        session: AsyncSession,
        incoming: Incoming,
        state_key: str,
        now: dt.datetime | None = None,
        album: dict[str, Any] | None = None,
    ) -> Outcome:
        """A turn with its conversation state kept in the same unit of work (the database)."""
        row = await session.get(ConversationState, state_key)
        state: dict[str, Any] = dict(row.data) if row is not None else {}
        outcome, _opened = await self.handle(incoming, state, session, now, album)
        if row is None:
            session.add(ConversationState(key=state_key, data=state))
        else:
            row.data = state
        return outcome

    async def turn(self, incoming: Incoming, state_key: str, now: dt.datetime | None = None) -> Outcome:
        """A whole unit of work: load state, run the turn, save state, commit."""
        async with self.sessions.begin() as session:
            outcome = await self.turn_in(session, incoming, state_key, now)
        self.committed(session)
        return outcome

    async def state_of(self, state_key: str) -> dict[str, Any] | None:
        async with self.sessions() as session:
            data = await session.scalar(
                select(ConversationState.data).where(ConversationState.key == state_key)
            )
            return dict(data) if data is not None else None

    async def close(self) -> None:
        await self.engine.dispose()


async def build_app(settings: Settings, *, migrate_database: bool = True) -> App:
    engine = create_engine(settings.database_url)
    try:
        if migrate_database:
            await prepare_database(engine, settings)
        sessions = create_session_factory(engine)
        content = ContentService(sessions, build=partial(knowledge_for, settings.embedding_cache))
        await content.start(settings.content_dir)
    except BaseException:
        await engine.dispose()
        raise
    today = dt.datetime.now(settings.zone).date()
    reading.warm_up()
    return App(
        settings=settings,
        engine=engine,
        sessions=sessions,
        content=content,
        catalogs=Catalogs(),
        crisis=CrisisDetector.default(),
        office=(
            OfficeHours.for_saxony(settings.office_hours, settings.zone, today)
            if settings.public_holidays
            else OfficeHours(settings.office_hours, settings.zone)
        ),
    )
