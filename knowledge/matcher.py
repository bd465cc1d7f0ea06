"""Find the FAQ entry that answers a free-text question, and say how sure we are.

The dialogs layer builds one ``Matcher`` from the knowledge base and calls ``search``
for every message. Ranking happens inside one language (``knowledge.match_index``);
``knowledge.match_calibration`` turns the ranking into a probability and a decision:
answer directly, offer "did you mean" suggestions, or admit not knowing.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.language import detect_language, warm_up
from knowledge.match_calibration import confidences, decide
from knowledge.match_dense import Embedder, Vectors, default_embedder
from knowledge.match_index import DEFAULT_PARAMS, LangIndex, Params, TextSource
from knowledge.match_lexicon import KeepTerms, Synonyms
from knowledge.match_postings import FloatArray


@dataclass(frozen=True, slots=True)
class Document:
    id: str  # entry id (several Documents of different lang share an id)
    lang: str  # "de", "en", ...
    question: str
    variants: tuple[str, ...] = ()
    answer: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    lang: str
    score: float  # raw ranking score
    confidence: float  # calibrated 0..1: estimated probability that this is the right entry


class Decision(enum.Enum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: tuple[Match, ...]  # ranked, best first
    decision: Decision
    detected_lang: str | None  # language detected from the query text (None if unsure)


# Entries below this score share nothing with the query worth showing.
_MIN_SCORE = 0.02


class Matcher:
    def __init__(
        self,
        documents: Iterable[Document],
        *,
        synonyms: Sequence[Sequence[str]] = (),
        keep_terms: Iterable[str] = (),
        params: Params = DEFAULT_PARAMS,
        embedder: Embedder | bool | None = True,
    ) -> None:
        """``embedder``: True for the default sentence embedder (if installed), False or
        None for lexical matching only, or an ``Embedder`` of your own."""
        if embedder is True:
            embedder = default_embedder()
        elif embedder is False:
            embedder = None
        self._embedder: Embedder | None = embedder
        by_lang: dict[str, list[Document]] = defaultdict(list)
        for doc in documents:
            by_lang[doc.lang].append(doc)
        keep = KeepTerms(keep_terms)
        syn = Synonyms(synonyms)
        self._docs: dict[str, list[Document]] = dict(by_lang)
        self._indexes: dict[str, LangIndex] = {
            lang: LangIndex(
                lang,
                [TextSource((d.question, *d.variants), d.tags, d.answer) for d in docs],
                keep,
                syn,
                params,
                self._embedder,
            )
            for lang, docs in by_lang.items()
        }
        self._params = params
        warm_up()  # language models load now, not during the first user's message
        if self._embedder is not None and self._indexes:
            # Likewise the engine's first pass (thread team, lazily touched weights).
            self._embedder.embed(["Wie finde ich einen Ausbildungsplatz?"])

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._indexes)

    def _rank(
        self, lang: str, lexical: FloatArray, qvec: Vectors | None, limit: int
    ) -> list[tuple[Document, float]]:
        total = self._indexes[lang].combine(lexical, qvec)
        k = min(limit, len(total))
        if k <= 0:
            return []
        top = np.argpartition(-total, k - 1)[:k] if k < len(total) else np.arange(len(total))
        top = top[np.argsort(-total[top], kind="stable")]
        docs = self._docs[lang]
        return [(docs[i], float(total[i])) for i in top if total[i] > 0]

    def search(self, query: str, lang: str | None, limit: int = 10) -> MatchResult:
        """Rank entries for ``query``; within ``lang`` if it has entries, else all languages."""
        # One step after the other, in the calling thread. Running the query's forward
        # pass on a second thread while this one scores words looked cheaper, but its
        # OpenMP threads and this thread then fight over two cores: p99 25 ms against
        # 15 ms one after the other (dev queries, idle 2-core machine).
        detected = detect_language(query, self.languages) if self._indexes else None
        search_lang = lang if lang is not None else detected
        langs = [search_lang] if search_lang in self._indexes else list(self._indexes)
        lexical = {code: self._indexes[code].lexical_scores(query) for code in langs}
        qvec = (
            self._embedder.embed([query])[0]
            if self._embedder is not None and query.strip() and self._indexes
            else None
        )
        if len(langs) == 1:
            ranked = self._rank(langs[0], lexical[langs[0]], qvec, limit)
        else:
            # Unknown language: rank in every language, keep each entry's best version.
            best: dict[str, tuple[Document, float]] = {}
            for code in langs:
                for doc, score in self._rank(code, lexical[code], qvec, limit):
                    if doc.id not in best or score > best[doc.id][1]:
                        best[doc.id] = (doc, score)
            ranked = sorted(best.values(), key=lambda ds: ds[1], reverse=True)[:limit]
        scores = [s for _, s in ranked]
        confs = confidences(scores)
        matches = tuple(
            Match(doc.id, doc.lang, score, conf)
            for (doc, score), conf in zip(ranked, confs, strict=True)
            if score >= _MIN_SCORE
        )
        decision = Decision(decide(matches[0].confidence if matches else None))
        return MatchResult(matches, decision, detected)
