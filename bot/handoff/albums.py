"""Albums: several photos, videos, documents or audio files sent at once go on as one album.

Telegram delivers an album as separate messages sharing a ``media_group_id``, all within
about a second. Each part is queued in the outbox the moment it comes (in the unit of work
of its update), due ``WINDOW`` later, so nothing is lost if the process stops meanwhile.
The first part due takes the other parts queued by then along into one ``sendMediaGroup``
(caption kept); they are marked done in the same transaction that pairs the copies.

The outbox sends the items of one case in order, so while the first part waits for the
window nothing later of that case overtakes it, and no other worker takes a part.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.types import (
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    MediaUnion,
    Message,
    MessageEntity,
)
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CaseMessage, OutboxItem, utcnow
from bot.handoff.outbox import LOCK, enqueue

WINDOW = dt.timedelta(seconds=1)
MAX_PARTS = 10  # Telegram's limit for one album
# The person's album into the case's topic, and an advisor's album to the person.
ALBUM_IN, ALBUM_OUT = "album_in", "album_out"

_INPUT: dict[str, type[InputMediaPhoto | InputMediaVideo | InputMediaDocument | InputMediaAudio]] = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}


def album_part(message: Message) -> dict[str, Any] | None:
    """What ``sendMediaGroup`` needs of one album message: its album, kind, file and caption.
    None for a message that is not part of an album."""
    if message.media_group_id is None or message.animation is not None:
        return None
    for kind in _INPUT:
        media = getattr(message, kind)
        if not media:
            continue
        file = media[-1] if isinstance(media, list) else media  # photos: the largest size
        part: dict[str, Any] = {"album": message.media_group_id, "kind": kind, "file_id": file.file_id}
        if message.caption:
            part["caption"] = message.caption
            part["caption_entities"] = [
                entity.model_dump(mode="json", exclude_none=True) for entity in message.caption_entities or []
            ]
        if message.has_media_spoiler:
            part["spoiler"] = True
        return part
    return None


def enqueue_part(
    session: AsyncSession, action: str, payload: dict[str, Any], case_id: int, now: dt.datetime | None = None
) -> None:
    """Queue one part, due when the rest of its album has had time to come."""
    enqueue(session, action, payload, case_id, due=(now or utcnow()) + WINDOW)


def input_media(part: dict[str, Any]) -> MediaUnion:
    """One part as ``sendMediaGroup`` takes it: the caption as it was written, with its entities."""
    entities = [MessageEntity.model_validate(e) for e in part.get("caption_entities", [])]
    options: dict[str, Any] = {
        "media": part["file_id"],
        "caption": part.get("caption"),
        "caption_entities": entities or None,
        "parse_mode": None,
    }
    if part.get("spoiler") and part["kind"] in ("photo", "video"):
        options["has_spoiler"] = True
    return _INPUT[part["kind"]](**options)


async def gather(sessions: async_sessionmaker[AsyncSession], item: OutboxItem) -> list[OutboxItem]:
    """``item`` and the other parts of its album queued so far, in the order they were
    sent, at most ``MAX_PARTS``. The others are locked with ``item`` (the worker holds it)."""
    async with sessions.begin() as session:
        pending = await session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.case_id == item.case_id,
                OutboxItem.action == item.action,
                OutboxItem.status == "pending",
                OutboxItem.id > item.id,
            )
            .order_by(OutboxItem.id)
        )
        others = [other for other in pending if other.payload.get("album") == item.payload.get("album")]
        others = others[: MAX_PARTS - 1]
        if others:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_([other.id for other in others]))
                .values(locked_until=utcnow() + LOCK)
            )
    return sorted([item, *others], key=lambda part: int(part.payload["message_id"]))


async def release(
    sessions: async_sessionmaker[AsyncSession], parts: list[OutboxItem], item: OutboxItem
) -> None:
    """The album was not sent: its other parts wait with ``item`` for the next attempt."""
    others = [part.id for part in parts if part.id != item.id]
    if others:
        async with sessions.begin() as session:
            unlock = update(OutboxItem).where(OutboxItem.id.in_(others)).values(locked_until=None)
            await session.execute(unlock)


async def delivered(
    sessions: async_sessionmaker[AsyncSession],
    parts: list[OutboxItem],
    item: OutboxItem,
    pairs: list[CaseMessage],
) -> None:
    """Record the copies and mark the other parts done (``item`` is the worker's to mark)."""
    async with sessions.begin() as session:
        session.add_all(pairs)
        others = [part.id for part in parts if part.id != item.id]
        if others:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(others))
                .values(status="done", locked_until=None, attempts=OutboxItem.attempts + 1)
            )
