"""The matcher's fitted numbers, read from ``match_fitted.json`` beside this module.

``python -m benchmarks.matching --fit`` writes that file: the four signal weights of the
ranking, the confidence model and the two decision thresholds, each fitted on the
development data and the project's own evaluation set, with the cross-validated
figures of the same procedure recorded under ``provenance``. Keeping the numbers in
data keeps the code free of magic constants and lets a refit be reviewed as a diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parent / "match_fitted.json"
REGIMES = ("few", "many", "rich")

# Before any fit: the ranking of the previous release and its confidence model.
_DEFAULTS: dict[str, Any] = {
    "ranking": {
        "many_from": 4.0,
        "rich_from": 12.0,
        "few": {"w_words": 0.325, "w_chars": 0.325, "w_dense": 0.35},
        "many": {"w_words": 0.325, "w_chars": 0.325, "w_dense": 0.35},
        "rich": {"w_words": 0.325, "w_chars": 0.325, "w_dense": 0.35},
    },
    "confidence": {"bias": -2.18, "score": 2.31, "margin": 14.28, "dense": 0.0, "knn": 0.0},
    "thresholds": {"answer": 0.7, "suggest": 0.3},
}


@dataclass(frozen=True, slots=True)
class Confidence:
    """logit(p) = bias + score*top + margin*(top - next) + dense*cosine + knn*vote share
    + length*log(1 + words), the words of the text matched counted up to
    ``match_calibration.WORDS_CAP`` (0 in fits made before it was a feature), + the
    offset of the language matched in (German, the source language, has none)."""

    bias: float
    score: float
    margin: float
    dense: float
    knn: float
    length: float = 0.0
    offsets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fitted:
    # Signal weights per regime: "few" phrasings per entry (about one: the question),
    # "many" (the question and a handful of variants, like the shipped content) or "rich"
    # (a dozen or more examples per entry: the index is a classifier's training set). An
    # index is "many" from ``many_from`` phrasings per entry on average, "rich" from
    # ``rich_from``.
    ranking: dict[str, dict[str, float]]
    many_from: float
    rich_from: float
    confidence: Confidence
    answer_at: float
    suggest_at: float


def parse(data: dict[str, Any]) -> Fitted:
    ranking = {
        r: {k: float(v) for k, v in data["ranking"][r].items()} for r in REGIMES if r in data["ranking"]
    }
    ranking.setdefault("rich", ranking["many"])
    conf = data["confidence"]
    return Fitted(
        ranking=ranking,
        many_from=float(data["ranking"]["many_from"]),
        rich_from=float(data["ranking"].get("rich_from", float("inf"))),
        confidence=Confidence(
            bias=float(conf["bias"]),
            score=float(conf["score"]),
            margin=float(conf["margin"]),
            dense=float(conf["dense"]),
            knn=float(conf["knn"]),
            length=float(conf.get("length", 0.0)),
            offsets={str(k): float(v) for k, v in conf.get("offsets", {}).items()},
        ),
        answer_at=float(data["thresholds"]["answer"]),
        suggest_at=float(data["thresholds"]["suggest"]),
    )


@lru_cache(maxsize=1)
def fitted() -> Fitted:
    if PATH.exists():
        return parse(json.loads(PATH.read_text(encoding="utf-8")))
    return parse(_DEFAULTS)


def regime(phrasings_per_entry: float) -> str:
    f = fitted()
    if phrasings_per_entry >= f.rich_from:
        return "rich"
    return "many" if phrasings_per_entry >= f.many_from else "few"
