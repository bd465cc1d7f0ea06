"""The per-language search index behind ``Matcher``.

Every language gets its own index, so document frequencies (and thus what counts as a
rare, telling word) are those of that language. Three signals are combined:

* **words** - BM25F over the fields title (question + variants), tags and answer, on
  stemmed, folded keys plus derived keys (consonant skeletons, glossary and synonym
  labels). Query words unknown to the index are expanded to close index words with
  rapidfuzz (typos), and Latin words are also read as romanised Cyrillic for ru/uk.
* **characters** - TF-IDF cosine over character 3-4-grams of each title phrasing (the
  question and every variant separately, best one counts). This catches typos, missing
  umlauts, compounds ("Schutzausrüstung" vs "Schutz") and stems the stemmer missed.
* **meaning** - cosine of sentence embeddings (``match_dense``) of the query and each
  title phrasing, for paraphrases that share no words.

Each signal is on a fixed 0..1 scale (not normalised per query), so the mixed score is
comparable across queries and can be calibrated into a probability.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from knowledge.match_background import informativeness, preload
from knowledge.match_classifier import MAX_CELLS as CLASSIFIER_MAX_CELLS
from knowledge.match_classifier import EntryClassifier
from knowledge.match_dense import FULL_SCAN_MAX, DenseIndex, Embedder, Vectors, quantise
from knowledge.match_fitted import fitted
from knowledge.match_lexicon import KeepTerms, Synonyms
from knowledge.match_postings import FloatArray, IntArray, Postings, TripleBuffer
from knowledge.match_translit import latin_to_cyrillic, skeleton
from knowledge.normalize import fold_word, normalize, term_key, tokenize


@dataclass(frozen=True, slots=True)
class Params:
    """Ranking parameters. BM25 textbook values and round numbers for the lexical
    machinery; the four signal weights (and the vote's k and temperature) are fitted by
    ``python -m benchmarks.matching --fit`` and read from ``match_fitted.json`` (see
    ``knowledge.match_fitted``): the defaults here are only the values before any fit."""

    k1: float = 1.2
    title_weight: float = 1.0
    tags_weight: float = 0.5
    answer_weight: float = 0.2
    title_b: float = 0.4
    answer_b: float = 0.75
    skeleton_weight: float = 0.3  # consonant-frame match: weak evidence on its own
    glossary_weight: float = 1.0
    synonym_weight: float = 0.8
    translit_weight: float = 0.9
    background: bool = True  # scale query words by general-language informativeness
    fuzzy_min_ratio: float = 80.0
    fuzzy_limit: int = 3
    ngram_min: int = 3
    ngram_max: int = 4  # 5-grams cost a third more postings for no gain on the dev data
    word_mix: float = 0.5  # words vs characters when picking a large index's dense candidates
    # Weights of the four signals in the final score (they sum to 1).
    w_words: float = 0.325
    w_chars: float = 0.325
    w_dense: float = 0.35
    w_knn: float = 0.0
    w_proto: float = 0.0
    w_cls: float = 0.0
    knn_k: int = 10  # nearest phrasings that vote
    knn_temperature: float = 0.02  # cosine difference that divides a vote by e
    dense_floor: float = 0.7  # cosine treated as "unrelated"
    dense_lexical_candidates: int = 200  # large indexes: lexical top-k always get a cosine
    posting_budget: int = 400_000  # per signal and query; see Postings.accumulate


def fitted_params(regime: str = "many", **overrides: Any) -> Params:
    """Params with the fitted signal weights of ``match_fitted.json`` for a regime."""
    ranking = {k: v for k, v in fitted().ranking[regime].items() if k in Params.__dataclass_fields__}
    base = Params()
    values: dict[str, Any] = {**ranking, **overrides}
    values["knn_k"] = int(values.get("knn_k", base.knn_k))
    return replace(base, **values)


DEFAULT_PARAMS = fitted_params()
_CYRILLIC_LANGS = frozenset({"ru", "uk"})


@dataclass(frozen=True, slots=True)
class TextSource:
    """What the index needs from one document."""

    title: Sequence[str]  # question first, then variants
    tags: Sequence[str]
    answer: str


def _word_terms(
    tokens: Sequence[str], lang: str, keep: KeepTerms, syn: Synonyms, skeletons: bool = True
) -> Counter[str]:
    """Index terms of a token sequence, with derived terms."""
    keys = [term_key(t, lang) for t in tokens]
    out: Counter[str] = Counter(keys)
    for tok in tokens:
        if skeletons:
            skel = skeleton(fold_word(tok))
            if len(skel) >= 3:
                out["~" + skel] += 1
        if keep:
            for label in keep.labels(tok):
                out[label] += 1
    if syn:
        for label in syn.labels(tokens, keys, lang):
            out[label] += 1
    return out


def char_ngrams(text: str, nmin: int, nmax: int) -> Counter[str]:
    """Character n-grams inside each word, padded with spaces so word edges count."""
    grams: Counter[str] = Counter()
    for word in text.split():
        padded = f" {word} "
        for n in range(nmin, nmax + 1):
            if len(padded) < n:
                if n == nmin:
                    grams[padded] += 1
                break
            for i in range(len(padded) - n + 1):
                grams[padded[i : i + n]] += 1
    return grams


def _bm25_idf(df: npt.NDArray[np.int64], n: int) -> FloatArray:
    return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)


def _length(texts: Sequence[str]) -> int:
    # Whitespace words as a cheap, consistent proxy for token counts in BM25 length
    # normalisation: it lets one pass compute the averages before tokenising.
    return sum(len(t.split()) for t in texts)


@dataclass(frozen=True, slots=True)
class Signals:
    """Per-document signals for one query (arrays over the documents of one language)."""

    words: FloatArray  # BM25F share of a perfect match
    chars: FloatArray  # best character n-gram cosine over the title phrasings
    dense: FloatArray | None  # best raw embedding cosine over the title phrasings
    knn: FloatArray | None  # share of the nearest phrasings' soft votes
    proto: FloatArray | None  # cosine to the entry's prototype (mean of its phrasings' vectors)
    cls: FloatArray | None  # the entry classifier's probability (the vote share above its size)


class LangIndex:
    def __init__(
        self,
        lang: str,
        sources: Sequence[TextSource],
        keep: KeepTerms,
        syn: Synonyms,
        params: Params = DEFAULT_PARAMS,
        embedder: Embedder | None = None,
    ) -> None:
        self.lang = lang
        self.params = params
        self.keep = keep
        self.syn = syn
        self.n_docs = n = len(sources)
        p = params
        if p.background:
            preload(lang)

        # ---- word-level BM25F: one merged posting per (term, document) ----
        field_spec = (
            ("title", p.title_weight, p.title_b),
            ("tags", p.tags_weight, p.title_b),
            ("answer", p.answer_weight, p.answer_b),
        )
        lengths = {
            "title": np.array([_length(s.title) for s in sources], dtype=np.float32),
            "tags": np.array([_length(s.tags) for s in sources], dtype=np.float32),
            "answer": np.array([_length([s.answer]) for s in sources], dtype=np.float32),
        }
        avg = {name: float(v.mean()) if n else 0.0 for name, v in lengths.items()}
        words_buf = TripleBuffer()
        surface: dict[str, str] = {}  # folded surface word -> term key, for fuzzy lookup
        unit_rows: list[int] = []
        unit_texts: list[str] = []
        char_buf = TripleBuffer()
        for row, src in enumerate(sources):
            per_field = {
                "title": [t for text in src.title for t in tokenize(text, lang)],
                "tags": [t for text in src.tags for t in tokenize(text, lang)],
                "answer": tokenize(src.answer, lang) if src.answer else [],
            }
            merged: dict[str, float] = {}
            for name, weight, b in field_spec:
                toks = per_field[name]
                if not toks or avg[name] <= 0:
                    continue
                norm = weight / (1.0 - b + b * float(lengths[name][row]) / avg[name])
                # Skeletons only for titles and tags: in long answers they mostly collide.
                for term, tf in _word_terms(toks, lang, keep, syn, name != "answer").items():
                    merged[term] = merged.get(term, 0.0) + tf * norm
                for tok in toks:
                    if not tok.isdigit():
                        f = fold_word(tok, lang)
                        if f not in surface:
                            surface[f] = term_key(tok, lang)
            if merged:
                words_buf.add(row, merged)
            for text in src.title:
                grams = char_ngrams(normalize(text, lang), p.ngram_min, p.ngram_max)
                if grams:
                    char_buf.add(len(unit_rows), {g: 1.0 + math.log(c) for g, c in grams.items()})
                    unit_rows.append(row)
                    unit_texts.append(text)

        words = Postings.from_buffer(words_buf)
        del words_buf
        # BM25 saturation per (term, doc), then idf per term: impact-ordered postings.
        words.weights = (words.weights * (p.k1 + 1) / (p.k1 + words.weights)).astype(np.float32)
        self.word_idf = _bm25_idf(words.dfs(), n)
        words.scale_terms(self.word_idf)
        self.words = words
        self.max_idf = float(_bm25_idf(np.zeros(1, dtype=np.int64), n)[0]) if n else 1.0

        # ---- character n-grams over title phrasings ----
        self.n_units = len(unit_rows)
        self.unit_doc = np.array(unit_rows, dtype=np.int32)
        # Units of one document are contiguous: start offsets allow a fast max per doc.
        self.doc_unit_start = np.searchsorted(self.unit_doc, np.arange(n)).astype(np.int64)
        self.doc_has_unit = np.bincount(self.unit_doc, minlength=n) > 0
        chars = Postings.from_buffer(char_buf)
        del char_buf
        self.char_idf = (np.log((self.n_units + 1) / (chars.dfs() + 1)) + 1.0).astype(np.float32)
        self.char_unseen_idf = float(np.log(self.n_units + 1) + 1.0)
        chars.scale_terms(self.char_idf)
        if self.n_units:
            sq = np.bincount(
                chars.rows, weights=chars.weights.astype(np.float64) ** 2, minlength=self.n_units
            )
            norms = np.sqrt(np.maximum(sq, 1e-12)).astype(np.float32)
            chars.weights /= norms[chars.rows]
        self.chars = chars
        self._names: list[str] | None = None

        # ---- sentence embeddings of the same title phrasings ----
        self.embedder = embedder
        self.dense = (
            DenseIndex.from_texts(embedder, unit_texts) if embedder is not None and unit_texts else None
        )
        self.prototypes = self._prototypes() if self.dense is not None else None
        self.classifier = (
            EntryClassifier(self.dense.rows(slice(None)), self.unit_doc, n)
            if self.dense is not None and n > 1 and self.n_units * n <= CLASSIFIER_MAX_CELLS
            else None
        )

        # ---- fuzzy lookup of unknown words, bucketed by first letter and length ----
        # (typos rarely hit the first letter; the buckets keep lookups fast at 50k entries)
        self.surface = surface
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in surface:
            self._buckets.setdefault((word[0], len(word)), []).append(word)

    def __getstate__(self) -> dict[str, object]:
        """Stored (``knowledge.index_cache``) without what the matcher shares between its
        languages and hands back through ``attach``: the embedder's engine cannot be
        stored, the lexicons need not be."""
        return {**self.__dict__, "keep": None, "syn": None, "embedder": None}

    def attach(self, keep: KeepTerms, syn: Synonyms, embedder: Embedder | None) -> LangIndex:
        """A loaded index gets the matcher's lexicons and embedder back, and its word
        frequencies are loaded now, as a build would, not during the first question."""
        self.keep, self.syn, self.embedder = keep, syn, embedder
        if self.params.background:
            preload(self.lang)
        return self

    def _prototypes(self) -> DenseIndex:
        """Each entry's prototype: the normalised mean of its phrasings' vectors. With
        many phrasings per entry (examples), the cosine to the prototype is the few-shot
        classifier that one odd example cannot sway."""
        assert self.dense is not None
        sums = np.zeros((self.n_docs, self.dense.vectors.shape[1]), dtype=np.float32)
        for start in range(0, self.n_units, 8192):
            stop = min(start + 8192, self.n_units)
            np.add.at(sums, self.unit_doc[start:stop], self.dense.rows(slice(start, stop)))
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        if self.n_docs <= FULL_SCAN_MAX:
            return DenseIndex(sums, cluster=False)
        vectors, scales = quantise(sums)
        return DenseIndex(vectors, scales, cluster=False)

    # ------------------------------------------------------------------ query side

    def _fuzzy(self, word: str) -> list[tuple[str, float]]:
        """Index keys of words within a small edit distance of ``word`` (with similarity)."""
        if len(word) < 4 or not word.isalpha():
            return []
        p = self.params
        slack = 1 if len(word) < 8 else 2
        candidates: list[str] = []
        for length in range(len(word) - slack, len(word) + slack + 1):
            candidates.extend(self._buckets.get((word[0], length), ()))
        if not candidates:
            return []
        found = process.extract(
            word, candidates, scorer=fuzz.ratio, score_cutoff=p.fuzzy_min_ratio, limit=p.fuzzy_limit
        )
        return [(self.surface[c], s / 100.0) for c, s, _ in found]

    def query_terms(self, query: str) -> list[list[tuple[str, float]]]:
        """For each query word, the index terms that may stand for it, with weights."""
        lang, p = self.lang, self.params
        tokens = tokenize(query, lang)
        keys = [term_key(t, lang) for t in tokens]
        vocab = self.words.vocab
        # A synonym is another way to match the word it was found at, not an extra word.
        synonyms: dict[int, list[str]] = {}
        for i, label in self.syn.positions(tokens, keys, lang) if self.syn else ():
            synonyms.setdefault(i, []).append(label)
        out: list[list[tuple[str, float]]] = []
        seen: set[str] = set()
        for i, (tok, key) in enumerate(zip(tokens, keys, strict=True)):
            if key in seen:
                continue
            seen.add(key)
            info = informativeness(tok, lang) if p.background else 1.0
            alts: list[tuple[str, float]] = [(key, 1.0)]
            folded = fold_word(tok, lang)
            if lang in _CYRILLIC_LANGS and folded.isascii() and folded.isalpha():
                cyr = latin_to_cyrillic(folded)
                ckey = term_key(cyr, lang)
                alts.append((ckey, p.translit_weight))
                if ckey not in vocab:
                    alts.extend((k, p.translit_weight * s * s) for k, s in self._fuzzy(fold_word(cyr, lang)))
            if key not in vocab and not tok.isdigit():
                alts.extend((k, s * s) for k, s in self._fuzzy(folded))
            skel = skeleton(folded)
            if len(skel) >= 3:
                alts.append(("~" + skel, p.skeleton_weight))
            for label in self.keep.labels(tok) if self.keep else ():
                alts.append((label, p.glossary_weight))
            alts.extend((label, p.synonym_weight) for label in synonyms.get(i, ()))
            out.append([(t, w * info) for t, w in alts])
        return out

    def word_scores(self, alternatives: list[list[tuple[str, float]]]) -> FloatArray:
        """BM25F score per document, divided by what a perfect match would score (0..1)."""
        p = self.params
        vocab, idf = self.words.vocab, self.word_idf
        weights: dict[str, float] = {}
        ideal = 0.0
        for alts in alternatives:
            best = 0.0
            for term, w in alts:
                if w > weights.get(term, 0.0):
                    weights[term] = w
                tid = vocab.get(term)
                term_idf = float(idf[tid]) if tid is not None else 0.0
                best = max(best, w * term_idf)
            # An unknown word counts like a rare one: it is information we could not match.
            ideal += (best if best > 0 else self.max_idf) * (p.k1 + 1)
        if not weights or ideal <= 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        raw = self.words.accumulate(weights.items(), self.n_docs, p.posting_budget)
        out: FloatArray = np.minimum(raw / np.float32(ideal), np.float32(1.0)).astype(np.float32)
        return out

    def query_grams(self, query: str) -> tuple[IntArray, FloatArray]:
        """The query's character n-grams known to the index (term ids) and their weights
        in the query's unit TF-IDF vector (unknown n-grams count in the norm)."""
        p = self.params
        text = normalize(query, self.lang)
        if self.lang in _CYRILLIC_LANGS:
            # Romanised Russian/Ukrainian: compare in Cyrillic.
            text = " ".join(latin_to_cyrillic(w) if w.isascii() and w.isalpha() else w for w in text.split())
            text = " ".join(fold_word(w, self.lang) for w in text.split())
        grams = char_ngrams(text, p.ngram_min, p.ngram_max)
        vocab, idf = self.chars.vocab, self.char_idf
        ids: list[int] = []
        weights: list[float] = []
        norm2 = 0.0
        for g, c in grams.items():
            tid = vocab.get(g)
            w = (1.0 + math.log(c)) * (float(idf[tid]) if tid is not None else self.char_unseen_idf)
            norm2 += w * w
            if tid is not None:
                ids.append(tid)
                weights.append(w)
        norm = math.sqrt(norm2) or 1.0
        return np.array(ids, dtype=np.int32), (np.array(weights, dtype=np.float32) / np.float32(norm))

    def char_scores(self, query: str, grams: tuple[IntArray, FloatArray] | None = None) -> FloatArray:
        """Best cosine between the query's character n-grams and any title phrasing."""
        terms, weights = grams if grams is not None else self.query_grams(query)
        if not len(terms) or not self.n_units:
            return np.zeros(self.n_docs, dtype=np.float32)
        names = self._term_names()
        units = self.chars.accumulate(
            ((names[t], float(w)) for t, w in zip(terms, weights, strict=True)),
            self.n_units,
            self.params.posting_budget,
        )
        return self._per_doc_max(units)

    def _term_names(self) -> list[str]:
        if self._names is None:
            self._names = [""] * len(self.chars.vocab)
            for name, tid in self.chars.vocab.items():
                self._names[tid] = name
        return self._names

    def _per_doc_max(self, units: FloatArray) -> FloatArray:
        out = np.zeros(self.n_docs, dtype=np.float32)
        if self.n_units:
            out[self.doc_has_unit] = np.maximum.reduceat(units, self.doc_unit_start[self.doc_has_unit])
        return out

    def unit_cosines(self, query_vector: Vectors, lexical: FloatArray | None = None) -> FloatArray:
        """Cosine between the query and every title phrasing (0 for phrasings a large
        index did not probe). In a large index the lexically best documents are always
        among the scored candidates."""
        assert self.dense is not None
        extra = None
        if lexical is not None and self.dense.centroids is not None:
            k = min(self.params.dense_lexical_candidates, self.n_docs)
            top_docs = np.argpartition(-lexical, k - 1)[:k]
            chosen = np.zeros(self.n_docs, dtype=bool)
            chosen[top_docs] = True
            extra = np.flatnonzero(chosen[self.unit_doc]).astype(np.int64)
        return self.dense.scores(query_vector, extra)

    def knn_votes(self, units: FloatArray) -> FloatArray:
        """Soft vote of the query's nearest phrasings: each of the ``knn_k`` nearest
        phrasings votes for its document with weight exp((cos - best) / knn_temperature);
        a document's share of the votes (0..1). Phrasings are examples: an entry that
        several of the nearest examples belong to is a better answer than one that a
        single example happens to resemble."""
        p = self.params
        out = np.zeros(self.n_docs, dtype=np.float32)
        if not len(units):
            return out
        k = min(p.knn_k, len(units))
        near = np.argpartition(-units, k - 1)[:k]
        cos = units[near].astype(np.float64)
        weights = np.exp((cos - cos.max()) / p.knn_temperature)
        np.add.at(out, self.unit_doc[near], (weights / weights.sum()).astype(np.float32))
        return out

    def signals(self, query: str, query_vector: Vectors | None = None, reading: str | None = None) -> Signals:
        """Every signal of every document for one query, each on a fixed 0..1 scale.
        ``reading``: the query romanised, read back in this language's script
        (``knowledge.romanised``); each lexical signal is the better of the two."""
        words = self.word_scores(self.query_terms(query))
        chars = self.char_scores(query, self.query_grams(query))
        if reading is not None:
            words = np.maximum(words, self.word_scores(self.query_terms(reading)))
            chars = np.maximum(chars, self.char_scores(reading, self.query_grams(reading)))
        if query_vector is None or self.dense is None or self.prototypes is None:
            return Signals(words, chars, None, None, None, None)
        lexical = (self.params.word_mix * words + (1.0 - self.params.word_mix) * chars).astype(np.float32)
        units = self.unit_cosines(query_vector, lexical)
        dense = self._per_doc_max(units)
        knn = self.knn_votes(units)
        cls = self.classifier.probabilities(query_vector) if self.classifier is not None else knn
        return Signals(words, chars, dense, knn, self._proto_cosines(query_vector, dense), cls)

    def _proto_cosines(self, query_vector: Vectors, dense: FloatArray) -> FloatArray:
        """Cosine to each prototype; a large index scores only the entries whose best
        phrasing is among the ``dense_lexical_candidates`` closest."""
        assert self.prototypes is not None
        q = query_vector.reshape(-1).astype(np.float32)
        if self.n_docs <= FULL_SCAN_MAX:
            return self.prototypes.scores(q)
        k = min(self.params.dense_lexical_candidates, self.n_docs)
        cand = np.argpartition(-dense, k - 1)[:k].astype(np.int64)
        out = np.zeros(self.n_docs, dtype=np.float32)
        out[cand] = self.prototypes.dot(cand, q)
        return out

    def combine(self, sig: Signals) -> FloatArray:
        """Final ranking score per document: the weighted signals (weights sum to 1)."""
        p = self.params
        if sig.dense is None or sig.knn is None or sig.proto is None or sig.cls is None:
            # Words only (no embedder): the lexical weights, rescaled to sum to 1.
            lexical_total = p.w_words + p.w_chars
            out: FloatArray = ((p.w_words * sig.words + p.w_chars * sig.chars) / lexical_total).astype(
                np.float32
            )
            return out
        total: FloatArray = (
            p.w_words * sig.words
            + p.w_chars * sig.chars
            + p.w_dense * rescale_dense(sig.dense, p.dense_floor)
            + p.w_knn * sig.knn
            + p.w_proto * rescale_dense(sig.proto, p.dense_floor)
            + p.w_cls * sig.cls
        ).astype(np.float32)
        return total

    def scores(self, query: str, query_vector: Vectors | None = None) -> FloatArray:
        return self.combine(self.signals(query, query_vector))


def rescale_dense(dense: FloatArray, floor: float) -> FloatArray:
    """e5 cosines of unrelated texts sit around 0.7-0.8: map floor..1 to 0..1."""
    out: FloatArray = np.clip((dense - floor) / (1.0 - floor), 0.0, 1.0).astype(np.float32)
    return out
