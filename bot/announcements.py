"""New events reach the people who follow their topic, each in their own language."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.app import App
from bot.db.models import AnnouncedEvent, Subscription, User
from bot.handoff.outbox import enqueue
from dialogs.i18n import N_
from dialogs.render import event_text
from knowledge.model import Event

log = logging.getLogger(__name__)


async def announce_events(app: App, events: Sequence[Event]) -> int:
    """Queue one message per new event and follower (the outbox paces and retries them).

    Every worker process sees a new content revision arrive; the event's row in
    ``announced_events`` lets only one of them announce it (the others' commit conflicts).
    """
    try:
        queued = await _announce(app, events)
    except IntegrityError:
        log.info("new events were announced by another process")
        return 0
    if queued:
        app.committed()
        log.info("queued %d event announcements", queued)
    return queued


async def _announce(app: App, events: Sequence[Event]) -> int:
    queued = 0
    async with app.sessions.begin() as session:
        done = set(
            await session.scalars(
                select(AnnouncedEvent.event_id).where(AnnouncedEvent.event_id.in_([e.id for e in events]))
            )
        )
        for event in events:
            if event.id in done:
                continue
            session.add(AnnouncedEvent(event_id=event.id))
            followers = await session.execute(
                select(User.external_id, User.language)
                .join(Subscription, Subscription.user_id == User.id)
                .where(Subscription.topic.in_((event.topic, "events")), User.blocked_at.is_(None))
                .distinct()
            )
            for chat_id, language in followers:
                lang = language or app.settings.default_language
                heading = "🔔 " + escape(app.catalogs.translate(lang, N_("New event:")))
                text = heading + "\n\n" + event_text(event, lang, app.catalogs, app.settings.zone)
                enqueue(session, "send", {"chat_id": chat_id, "text": text})
                queued += 1
    return queued
