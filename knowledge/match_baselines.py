"""The two reference baselines the benchmark compares the matcher against.

Deliberately plain, as described in shared/bench/matching/README.md:
(a) rapidfuzz ``token_set_ratio`` of the query against each entry's question;
(b) Okapi BM25 (k1=1.5, b=0.75) over question + answer, lower-cased ``\\w+`` tokens
    stemmed with the Snowball stemmer of the entry's language (PyStemmer).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import Stemmer
from rapidfuzz import fuzz, process, utils

from knowledge.normalize import SNOWBALL

_WORD_RE = re.compile(r"\w+")


class TokenSetBaseline:
    def __init__(self, ids: Sequence[str], questions: Sequence[str]) -> None:
        self._ids = list(ids)
        self._questions = list(questions)

    def rank(self, query: str, limit: int = 10) -> list[str]:
        found = process.extract(
            query, self._questions, scorer=fuzz.token_set_ratio, processor=utils.default_process, limit=limit
        )
        return [self._ids[i] for _, _, i in found]


class BM25Baseline:
    def __init__(self, ids: Sequence[str], texts: Sequence[str], lang: str, k1: float = 1.5, b: float = 0.75):
        name = SNOWBALL.get(lang)
        self._stem = Stemmer.Stemmer(name).stemWords if name else (lambda ws: ws)
        self._ids = list(ids)
        self._tf = [Counter(self._tokens(t)) for t in texts]
        self._len = [sum(c.values()) for c in self._tf]
        self._avg = sum(self._len) / max(1, len(self._len))
        df: Counter[str] = Counter()
        for c in self._tf:
            df.update(c.keys())
        n = len(self._tf)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._k1, self._b = k1, b

    def _tokens(self, text: str) -> list[str]:
        return list(self._stem(_WORD_RE.findall(text.lower())))

    def rank(self, query: str, limit: int = 10) -> list[str]:
        q = set(self._tokens(query))
        scores: list[tuple[float, int]] = []
        k1, b, avg = self._k1, self._b, self._avg or 1.0
        for i, tf in enumerate(self._tf):
            s = 0.0
            for t in q:
                f = tf.get(t)
                if f:
                    s += self._idf[t] * f * (k1 + 1) / (f + k1 * (1 - b + b * self._len[i] / avg))
            if s > 0:
                scores.append((s, i))
        scores.sort(key=lambda si: -si[0])
        return [self._ids[i] for _, i in scores[:limit]]
