"""The knowledge base the conversations read: a validated snapshot plus its matcher."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from knowledge.embedding_cache import CachedEmbedder
from knowledge.index_cache import IndexCache
from knowledge.loader import ContentSnapshot, upcoming
from knowledge.match_dense import Embedder
from knowledge.matcher import OUT_OF_SCOPE, Decision, Document, Matcher, MatchResult
from knowledge.model import (
    CRISIS_TOPIC,
    SOURCE_LANGUAGE,
    Contact,
    Event,
    FaqEntry,
    FaqTranslation,
    in_language,
)
from knowledge.offers import NearOffer, offers_near
from knowledge.towns import Town, TownIndex

T = TypeVar("T")

# One thread for searches: they are CPU-bound, and the embedder is not shared between threads.
_SEARCHES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")

# When an entry lacks the person's language: English for everyone but German speakers.
FALLBACK_ORDER = ("en", "de")


@dataclass(frozen=True, slots=True)
class Localised:
    entry: FaqEntry
    lang: str
    text: FaqTranslation
    # True when the text is in another language than the one asked for.
    fallback: bool


def documents(snapshot: ContentSnapshot) -> Iterator[Document]:
    for entry in snapshot.faq.values():
        for lang, tr in entry.translations.items():
            yield Document(
                id=entry.id,
                lang=lang,
                question=tr.question,
                variants=(*tr.variants, *snapshot.phrasings_of(entry.id, lang)),
                answer=tr.answer,
                tags=entry.tags,
            )
    for code, extra in snapshot.phrasings.items():
        if extra.out_of_scope:
            first, *rest = extra.out_of_scope
            yield Document(id=OUT_OF_SCOPE, lang=code, question=first, variants=tuple(rest))


class KnowledgeBase:
    def __init__(
        self,
        snapshot: ContentSnapshot,
        embedder: Embedder | bool | None = True,
        index_cache: IndexCache | None = None,
    ) -> None:
        """``embedder``: True for the default sentence embedder, False/None for words only.
        ``index_cache``: where the matcher's built indexes are kept between starts."""
        self.snapshot = snapshot
        keep_terms = [t.term for t in snapshot.glossary.terms]
        synonyms = [list(g.words) for g in snapshot.synonyms.groups]
        # Spellings of a glossary term are synonyms of the term in every language.
        synonyms += [[t.term, *t.spellings] for t in snapshot.glossary.terms if t.spellings]
        towns = snapshot.towns.towns if snapshot.towns is not None else ()
        self.matcher = Matcher(
            documents(snapshot),
            synonyms=synonyms,
            keep_terms=keep_terms,
            names=[name for town in towns for name in (town.name, *town.spellings)],
            embedder=embedder,
            index_cache=index_cache,
        )
        if isinstance(embedder, CachedEmbedder):
            embedder.save()
        self.towns = TownIndex(towns)

    @property
    def fingerprint(self) -> str:
        return self.snapshot.fingerprint

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self.snapshot.faq.get(entry_id)

    def contact(self, contact_id: str) -> Contact | None:
        return self.snapshot.contacts.get(contact_id)

    def search(self, text: str, lang: str | None, limit: int = 5) -> MatchResult:
        return self.matcher.search(text, lang, limit=limit)

    def answers_plainly(self, text: str, lang: str | None) -> bool:
        """Whether ``text`` is an ordinary question, for the safety check (``CrisisDetector.
        screen``): it gets a direct answer from an entry outside the crisis topic, and no
        crisis entry is the runner-up ("the neighbours' children have been alone for two
        days" was answered with the training allowance for living away from home, with
        the crisis entry second)."""
        result = self.search(text, lang, limit=2)
        if result.decision is not Decision.ANSWER or not result.matches:
            return False
        entries = [self.entry(m.id) for m in result.matches]
        return all(e is not None and e.topic != CRISIS_TOPIC for e in entries)

    async def search_async(self, text: str, lang: str | None, limit: int = 5) -> MatchResult:
        """The same search off the event loop, so other people's updates go on meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_SEARCHES, self.matcher.search, text, lang, limit)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run CPU-bound work on the knowledge base (a search, understanding a message)
        off the event loop, on the one search thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_SEARCHES, fn, *args)

    def localise(self, entry: FaqEntry, lang: str) -> Localised:
        own = in_language(entry.translations, lang)
        if own is not None:
            return Localised(entry, lang, own, fallback=False)
        for other in (*FALLBACK_ORDER, SOURCE_LANGUAGE):
            text = in_language(entry.translations, other)
            if text is not None:
                return Localised(entry, other, text, fallback=True)
        raise LookupError(entry.id)  # unreachable: the model requires a German version

    def in_topic(self, topic: str) -> list[FaqEntry]:
        return [e for e in self.snapshot.faq.values() if e.topic == topic]

    def contacts_for(self, topic: str | None = None, town: str | None = None) -> list[Contact]:
        found = [c for c in self.snapshot.contacts.values() if topic is None or topic in c.topics]
        if town:
            local = [c for c in found if c.town and c.town.casefold() == town.casefold()]
            # Offices for the whole district still help people from every town.
            regional = [c for c in found if not c.town or c.town.casefold() != town.casefold()]
            return local + regional
        return found

    def upcoming_events(self, now: dt.datetime) -> list[Event]:
        return upcoming(self.snapshot.events, now)

    def offers_near(self, fields: list[str], origin: Town, today: dt.date) -> list[NearOffer]:
        """Current offers in ``fields``, nearest to ``origin`` first."""
        return offers_near(self.snapshot.offers.values(), fields, origin, self.towns, today)
