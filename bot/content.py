"""Content in the database: all-or-nothing imports with history, and hot reload.

The database holds what is served, so every bot process serves the same content and an
import reaches running bots without a restart. A broken import changes nothing.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ContentItem, ContentRevision
from knowledge.base import KnowledgeBase
from knowledge.loader import ContentSnapshot, load_content, snapshot_from_items
from knowledge.model import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportResult:
    revision_id: int | None
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _key(item: dict[str, Any]) -> str:
    return f"{item['kind']}:{item['id']}"


async def import_snapshot(
    session: AsyncSession, snapshot: ContentSnapshot, author: str, source: str
) -> ImportResult:
    """Replace the served content with ``snapshot`` inside the caller's transaction."""
    rows = {f"{r.kind}:{r.item_id}": r for r in await session.scalars(select(ContentItem))}
    new = {_key(item): item for item in snapshot.items()}
    added = sorted(set(new) - set(rows))
    removed = sorted(set(rows) - set(new))
    changed = sorted(k for k in set(new) & set(rows) if rows[k].body != new[k]["body"])
    if not (added or removed or changed):
        return ImportResult(None, (), (), ())
    revision = ContentRevision(
        author=author[:100],
        source=source[:300],
        changes={"added": added, "changed": changed, "removed": removed},
    )
    session.add(revision)
    await session.flush()
    for key in removed:
        await session.delete(rows[key])
    for key in changed:
        rows[key].body = new[key]["body"]
        rows[key].revision_id = revision.id
    for key in added:
        item = new[key]
        session.add(
            ContentItem(kind=item["kind"], item_id=item["id"], body=item["body"], revision_id=revision.id)
        )
    return ImportResult(revision.id, tuple(added), tuple(changed), tuple(removed))


async def import_folder(
    sessions: async_sessionmaker[AsyncSession], folder: Path, author: str | None = None
) -> ImportResult:
    """Validate the whole folder first (raises ``ContentError``), then apply it in one transaction."""
    snapshot = load_content(folder)
    async with sessions.begin() as session:
        return await import_snapshot(session, snapshot, author or getpass.getuser(), str(folder))


async def latest_revision(session: AsyncSession) -> int | None:
    return await session.scalar(select(func.max(ContentRevision.id)))


async def load_snapshot(session: AsyncSession) -> ContentSnapshot | None:
    rows = (await session.scalars(select(ContentItem))).all()
    if not rows:
        return None
    return snapshot_from_items({"kind": r.kind, "id": r.item_id, "body": r.body} for r in rows)


async def clear_content(session: AsyncSession) -> None:
    await session.execute(delete(ContentItem))


class ContentService:
    """Holds the knowledge base being served and swaps in new content when it appears."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        build: Callable[[ContentSnapshot], KnowledgeBase] = KnowledgeBase,
    ) -> None:
        self._sessions = sessions
        self._build = build
        self._knowledge: KnowledgeBase | None = None
        self._revision: int | None = None
        self._lock = asyncio.Lock()
        # Told about events that a newly loaded revision adds (announcements to followers).
        self.on_new_events: Callable[[list[Event]], Awaitable[object]] | None = None

    @property
    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            raise RuntimeError("content has not been loaded yet")
        return self._knowledge

    async def start(self, folder: Path) -> None:
        """Serve what the database holds; a new database gets the folder's content first."""
        async with self._sessions() as session:
            revision = await latest_revision(session)
        if revision is None:
            result = await import_folder(self._sessions, folder, author="start-up")
            log.info("imported the content folder: %d items", len(result.added))
        await self.refresh(force=True)

    async def refresh(self, force: bool = False) -> bool:
        """Reload when an import happened since the last load; keep the old content on failure."""
        async with self._lock:
            async with self._sessions() as session:
                revision = await latest_revision(session)
                if not force and revision == self._revision:
                    return False
                try:
                    snapshot = await load_snapshot(session)
                except ValueError:
                    log.exception(
                        "stored content revision %s is invalid; keeping the last good content", revision
                    )
                    return False
            if snapshot is None:
                return False
            knowledge = await asyncio.to_thread(self._build, snapshot)
            previous = self._knowledge
            self._knowledge, self._revision = knowledge, revision
            log.info("serving content revision %s (%d FAQ entries)", revision, len(snapshot.faq))
        if previous is not None and self.on_new_events is not None:
            known = {e.id for e in previous.snapshot.events}
            fresh = [e for e in snapshot.events if e.id not in known]
            if fresh:
                await self.on_new_events(fresh)
        return True

    async def watch(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh()
            except Exception:
                log.exception("content refresh failed; still serving the last good content")
