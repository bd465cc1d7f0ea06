"""Searches replayed under other fitted numbers: the fit decides through the bot's own path.

The answer and suggest thresholds must be fitted for what the bot does with a message
(``knowledge.understanding``: its sentences, the one that asks most clearly, two topics
offered), once per cross-validation fold with that fold's signal weights and confidence
model (``benchmarks.matching --fit``). Running the matcher again for every fold and every
threshold tried would take minutes each time, but the entries' signals for a text do not
depend on those numbers. ``SignalMemo`` keeps each (text, language)'s candidates, looked
up once; ``ReplaySearch`` ranks and decides them under given numbers the way
``Matcher.search`` does (both end in ``matcher.settle``). Nothing here runs in the bot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.match_crossval import CANDIDATES, signals
from knowledge.match_fit import KNN, SIGNALS, Array
from knowledge.match_fitted import Fitted
from knowledge.matcher import Document, Matcher, MatchResult, Ranked, settle


@dataclass(frozen=True, slots=True)
class Seen:
    """One text's candidate entries in one language, with their raw signals."""

    lang: str  # the language searched
    ids: tuple[str, ...]
    x: Array  # (candidates, signals) in match_fit.SIGNALS order
    cosine: Array  # the raw best cosine of each
    mashed: bool
    detected: str | None


class SignalMemo:
    """Each (text, language)'s candidates from ``matcher``, looked up once."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._seen: dict[tuple[str, str | None], Seen | None] = {}

    def get(self, text: str, lang: str | None) -> Seen | None:
        """None when the search would not stay in one indexed language (not replayed)."""
        key = (text, lang)
        if key not in self._seen:
            self._seen[key] = self._look(text, lang)
        return self._seen[key]

    def _look(self, text: str, lang: str | None) -> Seen | None:
        m = self.matcher
        detected = m.language_of(text) if m.languages else None
        search_lang = lang if lang is not None else detected
        if search_lang is None or search_lang not in m.languages:
            return None
        cands = m.candidates(text, search_lang, CANDIDATES)
        x, cosine = signals(cands)
        return Seen(search_lang, tuple(c.id for c in cands), x, cosine, m.mashed(text, search_lang), detected)


class ReplaySearch:
    """``KnowledgeBase.search`` under ``numbers``, from remembered signals."""

    def __init__(self, memo: SignalMemo, numbers: Fitted) -> None:
        self.memo = memo
        self.numbers = numbers
        self._weights = {
            regime: np.array([ws.get(name, 0.0) for name in SIGNALS], dtype=np.float64)
            for regime, ws in numbers.ranking.items()
        }

    def __call__(self, text: str, lang: str | None, limit: int = 5) -> MatchResult:
        seen = self.memo.get(text, lang)
        if seen is None:
            return self.memo.matcher.search(text, lang, limit=limit)
        scores = seen.x @ self._weights[self.memo.matcher.regime(seen.lang)]
        order = np.argsort(-scores, kind="stable")[:limit]
        ranked = [
            Ranked(
                Document(seen.ids[i], seen.lang, ""),
                float(scores[i]),
                float(seen.cosine[i]),
                float(seen.x[i, KNN]),
            )
            for i in order
            if scores[i] > 0
        ]
        return settle(ranked, text, seen.mashed, seen.detected, self.numbers)
