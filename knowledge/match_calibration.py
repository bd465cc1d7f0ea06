"""Turn a ranking into probabilities and a decision.

The confidence of a match is a logistic function of four features: its score, its
margin over the next match, its best embedding cosine to any phrasing of the entry,
and its share of the nearest phrasings' votes. A clear winner with a high score that
several examples agree on is probably right; two close candidates mean the question
is ambiguous; a low cosine to every example means the question is about something
the knowledge base does not cover. Lower-ranked matches get the same function of
their own features, scaled so the confidences of a result never sum to more than one.

The coefficients and both thresholds are fitted (``python -m benchmarks.matching --fit``)
and stored in ``match_fitted.json``; the fit and its cross-validated figures are
described there and in ``benchmarks.matching``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from knowledge.match_fitted import Fitted, fitted


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def confidence(score: float, margin: float, dense: float, knn: float, numbers: Fitted | None = None) -> float:
    c = (numbers or fitted()).confidence
    return _logistic(c.bias + c.score * score + c.margin * margin + c.dense * dense + c.knn * knn)


def confidences(features: Sequence[tuple[float, float, float]], numbers: Fitted | None = None) -> list[float]:
    """Calibrated probability for each ranked match (best first): ``(score, dense, knn)``.
    ``numbers``: the shipped fit by default (another one while fitting, see match_replay)."""
    out: list[float] = []
    remaining = 1.0
    for i, (score, dense, knn) in enumerate(features):
        nxt = features[i + 1][0] if i + 1 < len(features) else 0.0
        c = min(confidence(score, score - nxt, dense, knn, numbers), remaining)
        out.append(c)
        remaining = max(0.0, remaining - c)
    return out


def decide(top_confidence: float | None, numbers: Fitted | None = None) -> str:
    """ "answer", "suggest" or "none" (values of ``matcher.Decision``)."""
    f = numbers or fitted()
    if top_confidence is None:
        return "none"
    if top_confidence >= f.answer_at:
        return "answer"
    if top_confidence >= f.suggest_at:
        return "suggest"
    return "none"
