"""Find the FAQ entry that answers a free-text question, and say how sure we are.

The dialogs layer builds one ``Matcher`` from the knowledge base and calls ``search``
for every message. Ranking happens inside one language (``knowledge.match_index``);
``knowledge.match_calibration`` turns the ranking into a probability and a decision:
answer directly, offer "did you mean" suggestions, or admit not knowing.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from knowledge.index_cache import IndexCache, cache_key
from knowledge.language import detect_language, warm_up
from knowledge.match_background import known_word
from knowledge.match_calibration import confidences, decide, length_feature
from knowledge.match_dense import Embedder, Vectors, default_embedder, embedder_name
from knowledge.match_fitted import Fitted, regime
from knowledge.match_index import LangIndex, Params, TextSource, fitted_params, rescale_dense
from knowledge.match_lexicon import KeepTerms, Synonyms
from knowledge.model import SOURCE_LANGUAGE
from knowledge.romanised import native_query


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
    dense: float = 0.0  # best embedding cosine between the query and a phrasing of the entry
    knn: float = 0.0  # the entry's share of the nearest phrasings' votes


@dataclass(frozen=True, slots=True)
class Ranked:
    doc: Document
    score: float
    dense: float
    knn: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry's raw signals for one query (see ``LangIndex.signals``)."""

    id: str
    words: float
    chars: float
    dense: float  # rescaled to 0..1 as the ranking uses it
    knn: float
    proto: float  # rescaled like dense
    cls: float  # the entry classifier's probability
    cosine: float  # the raw best cosine


class Decision(enum.Enum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: tuple[Match, ...]  # ranked, best first
    decision: Decision
    detected_lang: str | None  # language detected from the query text (None if unsure)


def _phrasings_per_entry(docs: Sequence[Document]) -> float:
    return sum(1 + len(d.variants) for d in docs) / max(1, len(docs))


_WORD_RE = re.compile(r"\w+")
# Words a message keeps without its glossary terms for its language to be told.
_MIN_WORDS_TO_TELL = 5


def _enough_words(text: str) -> bool:
    """Words enough (numbers aside) for a text's language to be told."""
    return sum(1 for w in _WORD_RE.findall(text) if w.isalpha()) >= _MIN_WORDS_TO_TELL


# Entries below this score share nothing with the query worth showing.
_MIN_SCORE = 0.02

# The id of a pseudo-entry made of messages the network does not answer (housing, driving
# licences, homework): ranked first, it means "I don't know"; it is never shown. Entry
# ids are slugs, so it cannot clash with one.
OUT_OF_SCOPE = "~out-of-scope"


def settle(
    ranked: Sequence[Ranked], query: str, mashed: bool, detected: str | None, numbers: Fitted | None = None
) -> MatchResult:
    """A ranking (best first) of ``query`` made a result: confidences and the decision.
    ``mashed``: the query is no word at all (``Matcher.mashed``). ``numbers``: the shipped
    fit by default; the fit replays searches under other numbers (``knowledge.match_replay``)."""
    rejected = bool(ranked) and ranked[0].doc.id == OUT_OF_SCOPE
    # The confidence is judged among the entries alone, as the fit judged it, so it
    # means the same in a knowledge base without out-of-scope examples.
    kept = [r for r in ranked if r.doc.id != OUT_OF_SCOPE]
    lang = kept[0].doc.lang if kept else None
    confs = confidences([(r.score, r.dense, r.knn) for r in kept], length_feature(query), numbers, lang)
    matches = tuple(
        Match(r.doc.id, r.doc.lang, r.score, conf, r.dense, r.knn)
        for r, conf in zip(kept, confs, strict=True)
        if r.score >= _MIN_SCORE
    )
    if rejected or mashed:
        return MatchResult(matches, Decision.NONE, detected)
    decision = Decision(decide(matches[0].confidence if matches else None, numbers))
    return MatchResult(matches, decision, detected)


class Matcher:
    def __init__(
        self,
        documents: Iterable[Document],
        *,
        synonyms: Sequence[Sequence[str]] = (),
        keep_terms: Iterable[str] = (),
        names: Iterable[str] = (),
        params: Params | None = None,
        embedder: Embedder | bool | None = True,
        index_cache: IndexCache | None = None,
    ) -> None:
        """``embedder``: True for the default sentence embedder (if installed), False or
        None for lexical matching only, or an ``Embedder`` of your own. ``params``: by
        default the fitted ones of each language's regime (``examples_per_entry``).
        ``index_cache``: where built indexes are stored and found again (see
        ``knowledge.index_cache``); an embedder of your own must then be named by
        ``embedder_name`` for what it computes."""
        if embedder is True:
            embedder = default_embedder()
        elif embedder is False:
            embedder = None
        self._embedder: Embedder | None = embedder
        by_lang: dict[str, list[Document]] = defaultdict(list)
        for doc in documents:
            by_lang[doc.lang].append(doc)
        keep_terms, synonyms = tuple(keep_terms), tuple(tuple(g) for g in synonyms)
        keep = KeepTerms(keep_terms)
        self._keep = keep
        # Place names say nothing of the language a message is written in ("Pirna").
        self._names = frozenset(n.casefold() for n in names if n.strip() and " " not in n.strip())
        syn = Synonyms(synonyms)
        self._docs: dict[str, list[Document]] = dict(by_lang)
        self._out_of_scope: dict[str, int] = {
            lang: i for lang, docs in by_lang.items() for i, d in enumerate(docs) if d.id == OUT_OF_SCOPE
        }
        self._indexes: dict[str, LangIndex] = {}
        for lang, docs in by_lang.items():
            sources = [TextSource((d.question, *d.variants), d.tags, d.answer) for d in docs]
            lang_params = params or fitted_params(regime(_phrasings_per_entry(docs)))

            def build(
                lang: str = lang, sources: list[TextSource] = sources, p: Params = lang_params
            ) -> LangIndex:
                return LangIndex(lang, sources, keep, syn, p, self._embedder)

            if index_cache is None:
                self._indexes[lang] = build()
                continue
            key = cache_key((lang, sources, keep_terms, synonyms, lang_params, embedder_name(self._embedder)))
            stored = index_cache.load_or_build(f"matcher-{lang}", key, LangIndex, build)
            self._indexes[lang] = stored.attach(keep, syn, self._embedder)
        warm_up()  # language models load now, not during the first user's message
        if self._embedder is not None and self._indexes:
            # Likewise the engine's first pass (thread team, lazily touched weights).
            self._embedder.embed(["Wie finde ich einen Ausbildungsplatz?"])

    def regime(self, lang: str) -> str:
        return regime(self.phrasings_per_entry(lang))

    def phrasings_per_entry(self, lang: str) -> float:
        return _phrasings_per_entry(self._docs.get(lang, []))

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._indexes)

    def _rank(
        self, lang: str, query: str, reading: str | None, qvec: Vectors | None, limit: int
    ) -> list[Ranked]:
        index = self._indexes[lang]
        sig = index.signals(query, qvec, reading)
        total = index.combine(sig)
        k = min(limit, len(total))
        if k <= 0:
            return []
        top = np.argpartition(-total, k - 1)[:k] if k < len(total) else np.arange(len(total))
        top = top[np.argsort(-total[top], kind="stable")]
        docs = self._docs[lang]
        return [
            Ranked(
                docs[i],
                float(total[i]),
                float(sig.dense[i]) if sig.dense is not None else 0.0,
                float(sig.knn[i]) if sig.knn is not None else 0.0,
            )
            for i in top
            if total[i] > 0
        ]

    def _query_vector(self, query: str, reading: str | None) -> Vectors | None:
        """The query's sentence vector; ``reading``: its native-script reading, if any."""
        if self._embedder is None or not query.strip() or not self._indexes:
            return None
        vector: Vectors = self._embedder.embed([query])[0]
        if reading is not None:
            # Russian, Ukrainian, Arabic or Persian typed in Latin letters: the embedder
            # reads it poorly, so the query's meaning is the mean of it as written (German
            # terms, names) and its native-script reading (knowledge.romanised). Tried:
            # the reading alone found 3 more of the evaluation set's 57 romanised messages
            # and lost 1 Arabic one on rank; the mean 4 more and none lost.
            both = vector + self._embedder.embed([reading])[0]
            vector = both / float(np.linalg.norm(both))
        return vector

    def search(self, query: str, lang: str | None, limit: int = 10, embed: bool = True) -> MatchResult:
        """Rank entries for ``query``; within ``lang`` if it has entries, else all languages.
        ``embed=False`` skips the sentence embedding: a cheap first look (its confidences
        are not calibrated), for choosing which parts of a long message to match fully."""
        # One step after the other, in the calling thread. Running the query's forward
        # pass on a second thread while this one scores words looked cheaper, but its
        # OpenMP threads and this thread then fight over two cores: p99 25 ms against
        # 15 ms one after the other (dev queries, idle 2-core machine).
        detected = self.language_of(query) if self._indexes else None
        search_lang = lang if lang is not None else detected
        # The confidence reads the margin to the runner-up: rank it even when only the
        # best is asked for (alone, the best had no rival and every match was sure), and
        # one more, in case the out-of-scope pseudo-entry is among them.
        wanted, limit = limit, max(limit, 2) + 1
        langs = [search_lang] if search_lang in self._indexes else list(self._indexes)
        reading = native_query(query, search_lang)
        qvec = self._query_vector(query, reading) if embed else None
        if len(langs) == 1:
            ranked = self._rank(langs[0], query, reading, qvec, limit)
        else:
            # Unknown language: rank in every language, keep each entry's best version.
            best: dict[str, Ranked] = {}
            for code in langs:
                for r in self._rank(code, query, reading, qvec, limit):
                    if r.doc.id not in best or r.score > best[r.doc.id].score:
                        best[r.doc.id] = r
            ranked = sorted(best.values(), key=lambda r: r.score, reverse=True)[:limit]
        result = settle(ranked, query, self.mashed(query, search_lang), detected)
        return result if len(result.matches) <= wanted else replace(result, matches=result.matches[:wanted])

    def language_of(self, query: str) -> str | None:
        """The language ``query`` is written in, among ours, or None when unsure. German is
        told without the glossary's terms: young people keep "Ausbildung" or "Jobcenter" in
        every language, and lingua took "How much do I earn in an Ausbildung?" for German
        (the English person was then offered to switch to German)."""
        detected = detect_language(query, self.languages)
        if detected != SOURCE_LANGUAGE or not (self._keep or self._names):
            return detected
        rest = self._without_kept_terms(query)
        if rest == query:
            return detected
        # Without its German terms, a message of a few words is too short to tell.
        return detect_language(rest, self.languages) if _enough_words(rest) else None

    def tells_language(self, query: str) -> bool:
        """Whether ``query`` says enough to tell its language: five words besides the
        glossary's terms and numbers ("chasstkova kvalifikatsiia tq", "bewerbung azmak
        yardim" or "what is mbe cuonsellig" do not; lingua took them for Czech, German and
        German)."""
        return _enough_words(self._without_kept_terms(query))

    def _without_kept_terms(self, query: str) -> str:
        """``query`` without the glossary's terms and the district's place names, the
        words that say nothing of the language it is written in."""
        if not (self._keep or self._names):
            return query
        return _WORD_RE.sub(
            lambda m: (
                "" if m.group().casefold() in self._names or self._keep.labels(m.group()) else m.group()
            ),
            query,
        )

    def mashed(self, query: str, lang: str | None) -> bool:
        """One "word" that is no word of any language here nor close to one in the
        entries ("asdfgh", "ججججج"): its sentence vector and letter groups still resemble
        some entry, but nobody asked anything."""
        words = _WORD_RE.findall(query.casefold())
        if len(words) != 1 or words[0].isdigit():
            return False
        langs = {*self._indexes, *([lang] if lang else [])}
        return self.word_score(query, lang) == 0.0 and not known_word(words[0], langs)

    def word_score(self, query: str, lang: str | None) -> float:
        """The best word-level (BM25F) score of any entry in ``lang`` (0..1; every
        language when ``lang`` has no entries): a cheap first look at a sentence."""
        langs = [lang] if lang in self._indexes else list(self._indexes)
        best = 0.0
        for code in langs:
            index = self._indexes[code]
            scores = index.word_scores(index.query_terms(query))
            if code in self._out_of_scope:
                scores[self._out_of_scope[code]] = 0.0  # a fresh array: no copy needed
            if len(scores):
                best = max(best, float(scores.max()))
        return best

    def candidates(self, query: str, lang: str, limit: int = 20) -> list[Candidate]:
        """The entries of one language among the ``limit`` best by any one signal, with
        each raw signal: what the benchmark fits the signal weights on (``benchmarks.
        matching --fit``). Chosen by each signal on its own, not by the weights in use, so
        the entries a fit sees do not depend on the numbers it replaces: fitting twice
        gives the same numbers."""
        index = self._indexes.get(lang)
        if index is None:
            return []
        reading = native_query(query, lang)
        sig = index.signals(query, self._query_vector(query, reading), reading)
        k = min(limit, index.n_docs)
        if k <= 0:
            return []
        zeros = np.zeros(index.n_docs, dtype=np.float32)
        dense = sig.dense if sig.dense is not None else zeros
        knn = sig.knn if sig.knn is not None else zeros
        proto = sig.proto if sig.proto is not None else zeros
        cls = sig.cls if sig.cls is not None else zeros
        pool: set[int] = set()
        for signal in (sig.words, sig.chars, dense, knn, proto, cls):
            pool.update(int(i) for i in np.argpartition(-signal, k - 1)[:k] if signal[i] > 0)
        top = sorted(pool) or [int(i) for i in np.argpartition(-index.combine(sig), k - 1)[:k]]
        docs = self._docs[lang]
        return [
            Candidate(
                docs[i].id,
                float(sig.words[i]),
                float(sig.chars[i]),
                float(rescale_dense(dense[i : i + 1], index.params.dense_floor)[0]),
                float(knn[i]),
                float(rescale_dense(proto[i : i + 1], index.params.dense_floor)[0]),
                float(cls[i]),
                float(dense[i]),
            )
            for i in top
        ]
