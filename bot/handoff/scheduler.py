"""Office hours for the handoff: announce cases that waited overnight, remind untaken ones."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from html import escape

from sqlalchemy import select

from bot.db.models import Case
from bot.db.retention import purge
from bot.handoff.outbox import enqueue
from bot.handoff.service import HandoffService
from dialogs.handoff import CaseState
from dialogs.i18n import N_

log = logging.getLogger(__name__)


async def tick(handoff: HandoffService, now: dt.datetime) -> int:
    """One round; returns how many announcements and reminders were queued."""
    app = handoff.app
    if not app.office.is_open(now):
        return 0
    remind = dt.timedelta(minutes=app.settings.remind_minutes)
    queued = 0
    async with app.sessions.begin() as session:
        # A case still waiting for its topic is announced when the topic is made (the card).
        waiting = (
            await session.scalars(
                select(Case)
                .where(Case.state == CaseState.WAITING, Case.thread_id.is_not(None))
                # Several workers run this round: each case is taken by one of them
                # (PostgreSQL; SQLite has one writer anyway).
                .with_for_update(skip_locked=True)
            )
        ).all()
        for case in waiting:
            mentions = await handoff.mentions(session, case)
            if case.announced_at is None:
                text = "⏰ " + escape(handoff._(N_("This case is waiting for an advisor."))) + " " + mentions
                case.announced_at = now
            elif case.announced_at < now - remind and (
                case.reminded_at is None or case.reminded_at < now - remind
            ):
                text = (
                    "🔔 "
                    + escape(handoff._(N_("Reminder: nobody has taken this case yet.")))
                    + " "
                    + mentions
                )
                case.reminded_at = now
            else:
                continue
            enqueue(session, "to_topic", {"text": text.strip()}, case.id)
            queued += 1
    return queued


async def run(handoff: HandoffService, every: float = 60.0) -> None:
    """Office hours every minute; the retention purge every hour."""
    rounds = 0
    retention = dt.timedelta(days=handoff.app.settings.retention_days)
    while True:
        try:
            await tick(handoff, dt.datetime.now(dt.UTC))
            if rounds % 60 == 0:
                async with handoff.app.sessions.begin() as session:
                    purged = await purge(session, retention)
                log.info("retention purge: %s", purged)
        except Exception:
            log.exception("scheduled round failed")
        rounds += 1
        await asyncio.sleep(every)
