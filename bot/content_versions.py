"""The full history of every content item: each published state is kept as a version.

Imports and the web admin's publish both go through :func:`record_version`, so the
history holds every state in full, whoever changed it and however, and any version can be
restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContentItem, ContentRevision, ContentVersion


async def last_number(session: AsyncSession, kind: str, item_id: str) -> int:
    number = await session.scalar(
        select(func.max(ContentVersion.number)).where(
            ContentVersion.kind == kind, ContentVersion.item_id == item_id
        )
    )
    return number or 0


async def record_version(
    session: AsyncSession,
    kind: str,
    item_id: str,
    body: dict[str, Any] | None,
    *,
    author: str,
    revision_id: int | None,
    note: str = "",
    language: str = "",
) -> ContentVersion:
    """Keep ``body`` as the item's next version; ``None`` records that the item was removed
    (the version then keeps the last body, so a removal can be undone)."""
    number = await last_number(session, kind, item_id)
    removed = body is None
    if body is None:
        previous = await version(session, kind, item_id, number) if number else None
        body = dict(previous.body) if previous is not None else {}
    row = ContentVersion(
        kind=kind,
        item_id=item_id,
        number=number + 1,
        body=body,
        removed=removed,
        language=language,
        author=author[:100],
        note=note[:300],
        revision_id=revision_id,
    )
    session.add(row)
    await session.flush()
    return row


async def version(session: AsyncSession, kind: str, item_id: str, number: int) -> ContentVersion | None:
    return await session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.item_id == item_id, ContentVersion.number == number
        )
    )


async def versions(session: AsyncSession, kind: str, item_id: str) -> list[ContentVersion]:
    """Newest first."""
    rows = await session.scalars(
        select(ContentVersion)
        .where(ContentVersion.kind == kind, ContentVersion.item_id == item_id)
        .order_by(ContentVersion.number.desc())
    )
    return list(rows)


async def new_revision(
    session: AsyncSession,
    author: str,
    source: str,
    *,
    added: Sequence[str] = (),
    changed: Sequence[str] = (),
    removed: Sequence[str] = (),
) -> ContentRevision:
    """A content revision (running bots reload when a new one appears), flushed for its id."""
    revision = ContentRevision(
        author=author[:100],
        source=source[:300],
        changes={"added": list(added), "changed": list(changed), "removed": list(removed)},
    )
    session.add(revision)
    await session.flush()
    return revision


async def keep_served_state(session: AsyncSession, row: ContentItem, note: str) -> None:
    """Before an item changes: items served before versions were kept get their served
    state as a version, so the history holds the state before the change in full."""
    number = await last_number(session, row.kind, row.item_id)
    last = await version(session, row.kind, row.item_id, number) if number else None
    if last is not None and not last.removed and last.body == row.body:
        return
    served_by = await session.get(ContentRevision, row.revision_id)
    await record_version(
        session,
        row.kind,
        row.item_id,
        dict(row.body),
        author=served_by.author if served_by is not None else "unknown",
        revision_id=row.revision_id,
        note=note,
    )
