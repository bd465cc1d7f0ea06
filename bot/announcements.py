"""New events and offers reach the people who follow their topic or field, each in their own language."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Sequence
from html import escape

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.app import App
from bot.db.models import AnnouncedEvent, AnnouncedOffer, OfferFollow, Subscription, User
from bot.handoff.outbox import enqueue
from dialogs.i18n import N_
from dialogs.offer_render import offer_text
from dialogs.render import event_text
from knowledge.model import Event
from knowledge.offers import NearOffer, Offer
from knowledge.towns import distance_km

log = logging.getLogger(__name__)


async def announce_events(app: App, events: Sequence[Event]) -> int:
    """Queue one message per new event and follower (the outbox paces and retries them).

    Every worker process sees a new content revision arrive; the event's row in
    ``announced_events`` lets only one of them announce it (the others' commit conflicts).
    """
    return await _once(app, "event", _announce(app, events))


async def announce_offers(app: App, offers: Sequence[Offer]) -> int:
    """Queue one message per new offer and person following one of its fields, once per
    offer (``announced_offers``), in each person's language with the distance from their town."""
    return await _once(app, "offer", _announce_offers(app, offers))


async def _once(app: App, what: str, work: Awaitable[int]) -> int:
    try:
        queued = await work
    except IntegrityError:
        log.info("new %ss were announced by another process", what)
        return 0
    if queued:
        app.committed()
        log.info("queued %d %s announcements", queued, what)
    return queued


async def _announce_offers(app: App, offers: Sequence[Offer]) -> int:
    queued = 0
    knowledge = app.content.knowledge
    today = dt.datetime.now(app.settings.zone).date()
    async with app.sessions.begin() as session:
        done = set(
            await session.scalars(
                select(AnnouncedOffer.offer_id).where(AnnouncedOffer.offer_id.in_([o.id for o in offers]))
            )
        )
        for offer in offers:
            town = knowledge.towns.named(offer.town)
            if offer.id in done or town is None or not offer.current(today):
                continue
            session.add(AnnouncedOffer(offer_id=offer.id))
            rows = await session.execute(
                select(User.external_id, User.language, OfferFollow.town)
                .join(OfferFollow, OfferFollow.user_id == User.id)
                .where(OfferFollow.field.in_(offer.fields), User.blocked_at.is_(None))
                .order_by(User.id, OfferFollow.field)
            )
            told: set[int] = set()
            for chat_id, language, home in rows:
                if chat_id in told:
                    continue  # one message per person, however many of the offer's fields they follow
                told.add(chat_id)
                lang = language or app.settings.default_language
                origin = knowledge.towns.get(home or "") or town
                near = NearOffer(offer, town, distance_km(origin, town))
                heading = "🔔 " + escape(app.catalogs.translate(lang, N_("New offer:")))
                body = offer_text(near, lang, app.catalogs, knowledge.snapshot.field_names, today)
                enqueue(session, "send", {"chat_id": chat_id, "text": heading + "\n\n" + body})
                queued += 1
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
