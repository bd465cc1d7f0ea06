"""Turn ranking scores into probabilities and a decision.

``confidence`` of the top match is a logistic function of two features of the ranking:
the top score and its margin over the runner-up. A clear winner with a high score is
probably right; two close candidates mean the question is ambiguous. Lower-ranked
matches get the same function applied to their own score and their margin over the
next one, scaled so the confidences of a result never sum to more than one.

The coefficients were fitted once by weighted logistic regression on the development
queries of both benchmark data sets (``python -m knowledge.bench --fit-calibration``
with covidqa_faq, covidqa_faq_full and xsid_faq and their dev queries), pooled over
languages, each data set weighted equally, plus off-topic examples (one data set's
queries against the other's FAQ) weighing half as much as the answerable ones: a chat
bot gets many greetings and unrelated questions. Coefficients are constrained to be
non-negative. The margin carries most of the information; the top score alone
separates less across data sets (short intent examples score low but are often right;
long FAQs with near-duplicates score high and are often wrong) but is what tells
off-topic messages apart. ECE on the fitting data: 0.10. The benchmark reports the
calibration error on whatever data it runs.

Thresholds: ANSWER from p >= 0.7 (86% of those answers were right on the dev data);
below SUGGEST_AT (0.3) we say we don't know, which turned away 90% of the off-topic
examples while keeping answers or suggestions for 57% of the answerable ones (most
of the rest are xSID intents whose single example shares few words with the query).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# logit(p) = BIAS + W_SCORE * top + W_MARGIN * (top - second)
BIAS = -2.18
W_SCORE = 2.31
W_MARGIN = 14.28

# Decision thresholds on the top match's confidence.
ANSWER_AT = 0.7
SUGGEST_AT = 0.3


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def top_confidence(top: float, second: float) -> float:
    return _logistic(BIAS + W_SCORE * top + W_MARGIN * (top - second))


def confidences(scores: Sequence[float]) -> list[float]:
    """Calibrated probability for each ranked score (best first)."""
    out: list[float] = []
    remaining = 1.0
    for i, s in enumerate(scores):
        nxt = scores[i + 1] if i + 1 < len(scores) else 0.0
        c = min(top_confidence(s, nxt), remaining)
        out.append(c)
        remaining = max(0.0, remaining - c)
    return out


def decide(top_confidence: float | None) -> str:
    """ "answer", "suggest" or "none" (values of ``matcher.Decision``)."""
    if top_confidence is None:
        return "none"
    if top_confidence >= ANSWER_AT:
        return "answer"
    if top_confidence >= SUGGEST_AT:
        return "suggest"
    return "none"
