"""Content in the database: all-or-nothing imports with history, and hot reload.

The database holds what is served, so every bot process serves the same content and an
import reaches running bots without a restart. A broken import changes nothing. Every
imported state of an item is kept in full (``bot.content_versions``), and a changed German
FAQ text counts the entry's revision up by itself.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content_versions import keep_served_state, new_revision, record_version
from bot.db.models import ContentItem, ContentRevision
from dialogs.content_checks import load_checked
from knowledge.base import KnowledgeBase
from knowledge.embedding_cache import CachedEmbedder
from knowledge.index_cache import IndexCache
from knowledge.loader import ContentSnapshot, snapshot_from_items
from knowledge.match_dense import default_embedder
from knowledge.model import LANGUAGES, SOURCE_LANGUAGE, Event
from knowledge.offers import Offer

log = logging.getLogger(__name__)


# Several assemblies in one process (tests, benchmarks) share the knowledge base built
# from the same content instead of building the same index again.
_KNOWLEDGE: dict[str, KnowledgeBase] = {}


def knowledge_for(embedding_cache: Path, snapshot: ContentSnapshot) -> KnowledgeBase:
    key = f"{embedding_cache}:{snapshot.fingerprint}"
    if key not in _KNOWLEDGE:
        inner = default_embedder()
        embedder = CachedEmbedder(inner, embedding_cache) if inner is not None else None
        _KNOWLEDGE.clear()  # keep one: new content replaces it
        indexes = IndexCache(index_folder(embedding_cache))
        _KNOWLEDGE[key] = KnowledgeBase(snapshot, embedder=embedder, index_cache=indexes)
    return _KNOWLEDGE[key]


def index_folder(embedding_cache: Path) -> Path:
    """Where the built matcher indexes are kept: derived data like the vectors, beside them."""
    return embedding_cache.with_name("indexes")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed (or, as a preview, would change)."""

    revision_id: int | None
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    # Changed items with translations: the languages whose texts differ ("de", "uk", …).
    languages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Changed items: the other fields that differ (checked_on, sources, …).
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # FAQ entries whose German text changed: (stored revision, revision now served).
    # The import counts the revision up itself, so their translations become outdated.
    revised: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # FAQ entries whose German text changed but kept their revision (a minor import).
    kept: tuple[str, ...] = ()
    # FAQ entries whose served German revision is not the one their file says: the
    # revision served, for writing it into the file.
    counted: Mapping[str, int] = field(default_factory=dict)
    # The latest content revision when this was worked out (a preview is applied only
    # while it is still the latest).
    based_on: int | None = None
    preview: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


class ImportConflict(Exception):
    """The served content changed after the preview; nothing was imported."""


def _key(item: dict[str, Any]) -> str:
    return f"{item['kind']}:{item['id']}"


_GERMAN_TEXTS = ("question", "variants", "answer")


def _german(body: Mapping[str, Any]) -> dict[str, Any]:
    translations = body.get("translations")
    german = translations.get(SOURCE_LANGUAGE) if isinstance(translations, Mapping) else None
    return dict(german) if isinstance(german, Mapping) else {}


def _german_texts(body: Mapping[str, Any]) -> tuple[object, ...]:
    german = _german(body)
    return tuple(german.get(name) or ([] if name == "variants" else None) for name in _GERMAN_TEXTS)


def _count_revision(
    stored: Mapping[str, Any], new: dict[str, Any], minor: bool
) -> tuple[int, int, int, bool]:
    """Set the German revision of the FAQ entry ``new`` the way the system counts it and
    return (stored revision, the file's, the new one, whether the German text changed).

    The revision never goes down. A changed German text raises it by one above the stored
    revision (unless the file's is already higher, or the import is minor), whatever the
    file says, so the translations made from the older text become outdated."""
    before = int(_german(stored).get("revision") or 1)
    german = new["translations"][SOURCE_LANGUAGE]
    in_file = int(german.get("revision") or 1)
    text_changed = _german_texts(stored) != _german_texts(new)
    revision = max(in_file, before)
    if text_changed and not minor and in_file <= before:
        revision = before + 1
    german["revision"] = revision
    return before, in_file, revision, text_changed


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The languages whose texts differ and the other fields that differ."""
    old_tr, new_tr = old.get("translations") or {}, new.get("translations") or {}
    languages = tuple(
        lang for lang in LANGUAGES if lang in {*old_tr, *new_tr} and old_tr.get(lang) != new_tr.get(lang)
    )
    names = [k for k in (*old, *(k for k in new if k not in old)) if k != "translations"]
    return languages, tuple(k for k in names if old.get(k) != new.get(k))


async def import_snapshot(
    session: AsyncSession,
    snapshot: ContentSnapshot,
    author: str,
    source: str,
    *,
    minor: bool = False,
    preview: bool = False,
    expected: ImportResult | None = None,
) -> ImportResult:
    """Replace the served content with ``snapshot`` inside the caller's transaction.

    A changed German FAQ text counts the entry's revision up (``minor`` keeps it: a typo
    fix). Every added, changed and removed item is kept in full as a version, so any
    import can be undone. ``preview`` works out the result without changing anything;
    ``expected`` (a preview) is applied only if the served content is still what the
    preview saw, else ``ImportConflict`` is raised.
    """
    based_on = await latest_revision(session)
    rows = {f"{r.kind}:{r.item_id}": r for r in await session.scalars(select(ContentItem))}
    new = {_key(item): item for item in snapshot.items()}
    revised: dict[str, tuple[int, int]] = {}
    kept: list[str] = []
    counted: dict[str, int] = {}
    for key in sorted(set(new) & set(rows)):
        if new[key]["kind"] != "faq":
            continue  # contacts and events carry no German revision to count
        before, in_file, after, text_changed = _count_revision(rows[key].body, new[key]["body"], minor)
        if text_changed and after > before:
            revised[key] = (before, after)
        elif text_changed:
            kept.append(key)
        if after != in_file:
            counted[key] = after
    added = sorted(set(new) - set(rows))
    removed = sorted(set(rows) - set(new))
    changed = sorted(k for k in set(new) & set(rows) if rows[k].body != new[k]["body"])
    languages: dict[str, tuple[str, ...]] = {}
    fields: dict[str, tuple[str, ...]] = {}
    for key in changed:
        languages[key], fields[key] = _differences(rows[key].body, new[key]["body"])
    result = ImportResult(
        None,
        tuple(added),
        tuple(changed),
        tuple(removed),
        languages,
        fields,
        {k: v for k, v in revised.items() if k in changed},
        tuple(k for k in kept if k in changed),
        counted,
        based_on,
        preview,
    )
    if expected is not None and (
        expected.based_on != based_on
        or (expected.added, expected.changed, expected.removed)
        != (result.added, result.changed, result.removed)
    ):
        raise ImportConflict("the served content changed after the preview")
    if preview or result.unchanged:
        return result
    revision = await new_revision(session, author, source, added=added, changed=changed, removed=removed)
    note = f"import of {source}"
    for key in removed:
        row = rows[key]
        await keep_served_state(session, row, "as served before the next import")
        await record_version(
            session, row.kind, row.item_id, None, author=author, revision_id=revision.id, note=note
        )
        await session.delete(row)
    for key in changed:
        row = rows[key]
        await keep_served_state(session, row, "as served before the next import")
        row.body = new[key]["body"]
        row.revision_id = revision.id
        await record_version(
            session, row.kind, row.item_id, row.body, author=author, revision_id=revision.id, note=note
        )
    for key in added:
        item = new[key]
        session.add(
            ContentItem(kind=item["kind"], item_id=item["id"], body=item["body"], revision_id=revision.id)
        )
        await record_version(
            session, item["kind"], item["id"], item["body"], author=author, revision_id=revision.id, note=note
        )
    return replace(result, revision_id=revision.id)


async def import_folder(
    sessions: async_sessionmaker[AsyncSession],
    folder: Path,
    author: str | None = None,
    *,
    minor: bool = False,
    preview: bool = False,
) -> ImportResult:
    """Validate the whole folder first (raises ``ContentError``), then apply it in one transaction.

    Nothing here asks: removals happen without a question (``wegweiser kb import`` asks
    the editor first; the bot's start-up import fills an empty database). Answers too long
    for one Telegram message with their contacts are refused like any other problem."""
    snapshot = load_checked(folder)
    async with sessions.begin() as session:
        return await import_snapshot(
            session, snapshot, author or getpass.getuser(), str(folder), minor=minor, preview=preview
        )


async def fill_if_empty(sessions: async_sessionmaker[AsyncSession], folder: Path) -> None:
    """A new database gets the folder's content (the bot's and the admin's start-up)."""
    async with sessions() as session:
        revision = await latest_revision(session)
    if revision is not None:
        return
    try:
        result = await import_folder(sessions, folder, author="start-up")
    except IntegrityError:
        # Several workers started together on a new database: one of them imported first.
        async with sessions() as session:
            if await latest_revision(session) is None:
                raise
        log.info("another process imported the content folder first")
        return
    log.info("imported the content folder: %d items", len(result.added))


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
        # Told about offers that a newly loaded revision adds (news to the fields' followers).
        self.on_new_offers: Callable[[list[Offer]], Awaitable[object]] | None = None

    @property
    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            raise RuntimeError("content has not been loaded yet")
        return self._knowledge

    async def start(self, folder: Path) -> None:
        """Serve what the database holds; a new database gets the folder's content first."""
        await fill_if_empty(self._sessions, folder)
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
        if previous is not None and self.on_new_offers is not None:
            new_offers = [o for o in snapshot.offers.values() if o.id not in previous.snapshot.offers]
            if new_offers:
                await self.on_new_offers(new_offers)
        return True

    async def watch(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh()
            except Exception:
                log.exception("content refresh failed; still serving the last good content")
