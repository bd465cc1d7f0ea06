"""New events reach the people who follow their topic, each in their own language."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

from sqlalchemy import select

from bot.app import App
from bot.db.models import Subscription, User
from bot.handoff.outbox import enqueue
from dialogs.i18n import N_
from dialogs.render import event_text
from knowledge.model import Event

log = logging.getLogger(__name__)


async def announce_events(app: App, events: Sequence[Event]) -> int:
    """Queue one message per new event and follower (the outbox paces and retries them)."""
    queued = 0
    async with app.sessions.begin() as session:
        for event in events:
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
    if queued:
        app.committed()
        log.info("queued %d event announcements", queued)
    return queued
