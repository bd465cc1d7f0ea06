"""Turn a ranking into probabilities and a decision.

The confidence of a match is a logistic function of five features: its score, its
margin over the next match, its best embedding cosine to any phrasing of the entry,
its share of the nearest phrasings' votes, and the length of the text matched. A clear
winner with a high score that several examples agree on is probably right; two close
candidates mean the question is ambiguous; a low cosine to every example means the
question is about something the knowledge base does not cover. Lower-ranked matches
get the same function of their own features, scaled so the confidences of a result
never sum to more than one.

Length, because the scores of a long message are lower at the same certainty: its
words and its sentence vector are spread over greetings, age, town and story, while
the entry's phrasings are short questions. Without it, the right entry ranked first
for a message of three sentences was too often held below the answer threshold. The
words are counted up to ``WORDS_CAP``, so that a very long message does not earn
confidence by length alone; the cap was chosen by cross-validation on the evaluation
set (20 to 40 words did equally well; more, or none, did worse).

The coefficients and both thresholds are fitted (``python -m benchmarks.matching --fit``)
and stored in ``match_fitted.json``; the fit and its cross-validated figures are
described there and in ``benchmarks.matching``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from knowledge.match_fitted import Fitted, fitted

WORDS_CAP = 30
_WORD = re.compile(r"\w+")


def length_feature(text: str) -> float:
    """log(1 + the words of ``text``, counted up to ``WORDS_CAP``)."""
    words = 0
    for _ in _WORD.finditer(text):
        words += 1
        if words >= WORDS_CAP:
            break
    return math.log1p(words)


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def confidence(
    score: float,
    margin: float,
    dense: float,
    knn: float,
    length: float,
    numbers: Fitted | None = None,
    lang: str | None = None,
) -> float:
    """``length``: ``length_feature`` of the text matched; ``lang``: the language it was
    matched in (scores of one certainty differ between languages)."""
    c = (numbers or fitted()).confidence
    return _logistic(
        c.bias
        + c.score * score
        + c.margin * margin
        + c.dense * dense
        + c.knn * knn
        + c.length * length
        + c.offsets.get(lang or "", 0.0)
    )


def confidences(
    features: Sequence[tuple[float, float, float]],
    length: float,
    numbers: Fitted | None = None,
    lang: str | None = None,
) -> list[float]:
    """Calibrated probability for each ranked match (best first): ``(score, dense, knn)``;
    ``length``: ``length_feature`` of the text matched; ``lang``: the language matched
    in. ``numbers``: the shipped fit by default (another one while fitting, see
    match_replay)."""
    out: list[float] = []
    remaining = 1.0
    for i, (score, dense, knn) in enumerate(features):
        nxt = features[i + 1][0] if i + 1 < len(features) else 0.0
        c = min(confidence(score, score - nxt, dense, knn, length, numbers, lang), remaining)
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
