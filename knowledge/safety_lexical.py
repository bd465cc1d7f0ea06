"""The safety check's lexical score: how far a window's letter sequences lean to a crisis.

The sentence vectors of multilingual-e5-small know the dialects, slang and transliterations
of young people's messages less well than their standard languages: "jilet aldim bu gece
yapacagim", "zabije me az zjisti", Levantine "بيلمسني". A window's letter sequences (3 to 5
letters of each folded word) do carry them. From the examples the fit counts, per sequence,
how much more often it occurs in crisis examples than in ordinary ones (naive Bayes, each
example weighted by its group's share); a window's score is the sum of its sequences' log
ratios over the square root of their number. The score is one more input of the meaning
networks, which learn how far to trust it beside the vector.

Cross-validated on the examples (the score of each training row computed without that row,
so the networks do not learn to trust a score that has seen its own example), recall at
the fitted alarm rose from 86.0% to 89.9% while false alarms fell from 4.3% to 3.9%; in
Arabic from 77.7% to 86.4%.

Sequences are hashed into 2**BITS buckets (stable across processes: CRC-32), so the fitted
file holds a fixed-size table and no example text.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.safety_text import fold

__all__ = ["BITS", "LexicalScore", "fit_lexical", "fit_lexical_grams", "grams"]

BITS = 17
GRAMS = (3, 4, 5)
# Additive smoothing, in units of the smallest example weight: a sequence seen once in one
# class moves the score, a sequence never seen does not.
SMOOTHING = 1.0
# The score's scale as an input beside the standardised vector (the networks standardise
# every input, so this only keeps the stored mean and scale readable).
SCALE = 0.1

Array = npt.NDArray[np.float64]


def grams(text: str) -> frozenset[int]:
    """The hashed letter sequences of a text's folded words, each word padded with spaces."""
    out: set[int] = set()
    mask = (1 << BITS) - 1
    for word in fold(text).split():
        padded = f" {word} "
        for n in GRAMS:
            for i in range(max(1, len(padded) - n + 1)):
                out.add(zlib.crc32(padded[i : i + n].encode()) & mask)
    return frozenset(out)


@dataclass(frozen=True)
class LexicalScore:
    """Per hashed sequence: log p(sequence | crisis) - log p(sequence | ordinary)."""

    ratios: Array  # shape (2**BITS,)

    def score(self, text: str) -> float:
        return self.score_grams(grams(text))

    def score_grams(self, found: frozenset[int]) -> float:
        """``score`` of a text whose sequences (``grams``) are already known."""
        if not found:
            return 0.0
        return float(self.ratios[list(found)].sum()) / math.sqrt(len(found)) * SCALE

    def column(self, texts: Sequence[str]) -> Array:
        """The scores of ``texts`` as a column, to stand beside their vectors."""
        return np.array([[self.score(t)] for t in texts], dtype=np.float64).reshape(len(texts), 1)


def fit_lexical(texts: Sequence[str], crisis: Sequence[bool], weights: Sequence[float]) -> LexicalScore:
    """Naive Bayes over the texts' sequences (each counted once per text, by its weight)."""
    return fit_lexical_grams([grams(t) for t in texts], crisis, weights)


def fit_lexical_grams(
    found: Sequence[frozenset[int]], crisis: Sequence[bool], weights: Sequence[float]
) -> LexicalScore:
    """``fit_lexical`` for texts whose sequences (``grams``) are already known."""
    size = 1 << BITS
    yes = np.zeros(size)
    no = np.zeros(size)
    total_yes = total_no = 0.0
    for buckets, is_crisis, weight in zip(found, crisis, weights, strict=True):
        at = list(buckets)
        if is_crisis:
            yes[at] += weight
            total_yes += weight
        else:
            no[at] += weight
            total_no += weight
    alpha = SMOOTHING * (min(weights) if len(weights) else 1.0)
    ratios = np.log((yes + alpha) / (total_yes + alpha)) - np.log((no + alpha) / (total_no + alpha))
    # A bucket no text reached says nothing.
    ratios[(yes == 0) & (no == 0)] = 0.0
    return LexicalScore(ratios)
