"""Cross-validated fitting of the matcher's numbers (``python -m benchmarks.matching --fit``).

Data sets, each a list of queries with their candidate entries' signals:

* ``covidqa``: COVID-QA development queries against the official FAQ (de, en);
* ``xsid-1shot``: xSID development utterances against one example per intent;
* ``xsid-kshot``: the same utterances split into K folds; the utterances of the other
  folds are the intents' examples (variants), so every utterance is scored by an
  index that never saw it;
* ``own``: the project's evaluation set (``knowledge/eval/questions``) against the
  shipped content, out-of-scope messages included.

The procedure (signal weights on all data sets, each weighing the same; the confidence
model and the thresholds on ``own``) runs once per fold on the other K-1 folds and is
scored on the held-out fold: those are the cross-validated figures. Run once more on
everything, it gives the shipped numbers (``match_fitted.json``), whose figures on the
same data are reported as "full fit" and are optimistic by construction.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.match_calibration import length_feature
from knowledge.match_fit import (
    SIGNALS as SIGNALS,
)
from knowledge.match_fit import (
    Array,
    QueryCandidates,
    answer_threshold,
    fit_logistic,
    fit_signal_weights,
    logistic,
    refine_for_accuracy,
    suggest_threshold,
    top_features,
)
from knowledge.match_fitted import REGIMES as REGIMES
from knowledge.match_fitted import Confidence, Fitted, fitted
from knowledge.matcher import OUT_OF_SCOPE, Candidate, Document, Matcher
from knowledge.model import LANGUAGES, SOURCE_LANGUAGE

# Candidates per query and signal (Matcher.candidates: the union of each signal's best):
# more than any result shows (5), so that other signal weights can reorder them as a full
# search would (the fit, and the searches replayed in match_replay).
CANDIDATES = 20
# Languages whose confidence has an offset of its own: the same certainty scores lower
# in some (a right first entry scored .43 on average in Arabic, .54 in Czech). German, the
# source language, is the reference.
OFFSET_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
_BASE = 5  # top_features' features before the offsets
# A dozen or more examples per entry: weights of their own (see match_fitted.Fitted).
RICH_FROM = 12.0
TARGET_PRECISION = 0.93  # fitted in-fold; 0.90 gave 0.78-0.86 out of fold, the bot must keep 0.90
NONE_SHARE = 0.9  # out-of-scope messages that should end in "I don't know"


@dataclass(frozen=True, slots=True)
class Row:
    """One query of one data set, with its candidates' signals."""

    dataset: str
    lang: str
    fold: int
    cands: QueryCandidates
    ids: tuple[str, ...]
    gold: frozenset[str]
    decision: str = "answer"  # the expected decision (own set); "answer" elsewhere
    regime: str = "many"  # of the index the query was scored by (match_fitted.regime)
    key: str = ""  # the message's qid (own set): ties its fold to the bot-path fit


@dataclass(slots=True)
class Numbers:
    weights: dict[str, Array]  # per regime
    confidence: Array  # bias, score, margin, cosine, knn, length, then OFFSET_LANGUAGES' offsets
    answer_at: float
    suggest_at: float


def _fold_of(keys: Sequence[str], k: int, seed: int = 0) -> list[int]:
    """Stratified fold numbers: the queries of each gold entry spread over the folds."""
    rng = random.Random(seed)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        by_key[key].append(i)
    out = [0] * len(keys)
    offset = 0
    for key in sorted(by_key):
        members = by_key[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            out[i] = (offset + j) % k
        offset += len(members)
    return out


def _regime(phrasings_per_entry: float) -> str:
    if phrasings_per_entry >= RICH_FROM:
        return "rich"
    return "many" if phrasings_per_entry >= fitted().many_from else "few"


def signals(cands: Sequence[Candidate]) -> tuple[Array, Array]:
    """The candidates' raw signals, a row each in ``match_fit.SIGNALS`` order, and the raw
    best cosine of each: what the fit weighs and what the confidence reads."""
    x = np.array([[c.words, c.chars, c.dense, c.knn, c.proto, c.cls] for c in cands], dtype=np.float64)
    return x.reshape(-1, len(SIGNALS)), np.array([c.cosine for c in cands], dtype=np.float64)


def rows_for(
    name: str,
    matcher: Matcher,
    queries: Sequence[tuple[str, str, frozenset[str], str]],
    folds: Sequence[int],
    weight: float,
    keys: Sequence[str] | None = None,
) -> list[Row]:
    """Candidates of each (text, lang, gold, decision) query under ``matcher``."""
    out = []
    names = keys if keys is not None else [""] * len(queries)
    for (text, lang, gold, decision), fold, key in zip(queries, folds, names, strict=True):
        cands = matcher.candidates(text, lang, CANDIDATES)
        if not cands:
            continue
        x, cosine = signals(cands)
        qc = QueryCandidates(x, cosine, np.array([c.id in gold for c in cands]), weight, length_feature(text))
        ids = tuple(c.id for c in cands)
        regime = _regime(matcher.phrasings_per_entry(lang))
        out.append(Row(name, lang, fold, qc, ids, gold, decision, regime, key))
    return out


def kshot_folds(
    docs: Sequence[Document], keys: Sequence[tuple[str, str, str]], k: int
) -> Iterator[tuple[list[Document], list[int]]]:
    """k-shot folds: for each fold, the entries with the other folds' queries added as
    examples (variants), and the indexes of the fold's own queries. ``keys``: each
    query's (text, lang, gold entry id)."""
    folds = _fold_of([f"{lang}:{gold}" for _, lang, gold in keys], k)
    for f in range(k):
        examples: dict[tuple[str, str], list[str]] = defaultdict(list)
        for (text, lang, gold), fold in zip(keys, folds, strict=True):
            if fold != f:
                examples[(lang, gold)].append(text)
        fold_docs = [replace(d, variants=(*d.variants, *examples[(d.lang, d.id)])) for d in docs]
        yield fold_docs, [i for i, fold in enumerate(folds) if fold == f]


def ranks(ranked: Sequence[str], gold: frozenset[str]) -> tuple[float, float]:
    """P@1 and the reciprocal rank within the first 10 of one ranking."""
    p1 = 1.0 if ranked and ranked[0] in gold else 0.0
    rr = next((1.0 / (i + 1) for i, e in enumerate(ranked[:10]) if e in gold), 0.0)
    return p1, rr


def kshot_rows(
    name: str,
    docs: Sequence[Document],
    queries: Sequence[tuple[str, str, frozenset[str], str]],
    k: int,
    make_matcher: Callable[[Sequence[Document]], Matcher],
) -> list[Row]:
    """xSID-style k-shot: each fold's queries against entries whose examples are the
    other folds' queries."""
    out: list[Row] = []
    keys = [(text, lang, min(gold)) for text, lang, gold, _ in queries]
    for f, (fold_docs, held) in enumerate(kshot_folds(docs, keys, k)):
        matcher = make_matcher(fold_docs)
        out += rows_for(name, matcher, [queries[i] for i in held], [f] * len(held), 1.0 / len(queries))
    return out


# ------------------------------------------------------------------ the procedure


def fit(rows: Sequence[Row]) -> Numbers:
    """Signal weights on every data set; confidence and thresholds on ``own``."""
    weights = {}
    for regime in REGIMES:
        part = [r for r in rows if r.regime == regime]
        logit = fit_signal_weights([r.cands for r in part])
        weights[regime] = refine_for_accuracy([r.cands for r in part], [r.dataset for r in part], logit)
    # Conversational messages never reach the matcher (the intents step answers them),
    # so they are no examples of what the confidence and the thresholds must sort.
    own = [r for r in rows if r.dataset == "own" and r.decision != "intent"] or list(rows)
    # The confidence and both thresholds are fitted as if there were no out-of-scope
    # examples: they must hold in a knowledge base without them, and for the next
    # unanswerable message, which may be about a topic none of them covers. Messages
    # ranked closest to those examples then end in "I don't know" on top of that.
    plain = [_without_out_of_scope(r) for r in own]
    feats, right = _top(plain, weights)
    coef = fit_logistic(feats, right, signed=range(_BASE, _BASE + len(OFFSET_LANGUAGES)))
    conf = logistic(coef, feats)
    answer_at = answer_threshold(conf, right, TARGET_PRECISION)
    out_of_scope = np.array([c for c, r in zip(conf, plain, strict=True) if r.decision == "none"])
    suggest_at = suggest_threshold(out_of_scope, NONE_SHARE, ceiling=answer_at - 0.05)
    return Numbers(weights, coef, answer_at, suggest_at)


def as_fitted(numbers: Numbers) -> Fitted:
    """The numbers in the form the matcher reads (``match_fitted.Fitted``)."""
    c = numbers.confidence
    return Fitted(
        ranking={
            regime: {name: float(w) for name, w in zip(SIGNALS, ws, strict=True)}
            for regime, ws in numbers.weights.items()
        },
        many_from=fitted().many_from,
        rich_from=RICH_FROM,
        confidence=Confidence(
            bias=float(c[0]),
            score=float(c[1]),
            margin=float(c[2]),
            dense=float(c[3]),
            knn=float(c[4]),
            length=float(c[5]),
            offsets=_offsets(c),
        ),
        answer_at=numbers.answer_at,
        suggest_at=numbers.suggest_at,
    )


def _rounded(value: float | dict[str, float]) -> float | dict[str, float]:
    """A coefficient, or each of a dict's, to the four places ``match_fitted.json`` keeps."""
    if isinstance(value, dict):
        return {k: round(v, 4) for k, v in value.items()}
    return round(value, 4)


def _offsets(confidence: Array) -> dict[str, float]:
    return {lang: float(v) for lang, v in zip(OFFSET_LANGUAGES, confidence[1 + _BASE :], strict=True)}


def _with_language(feats: Array, lang: str) -> Array:
    """``top_features``' features and the one-hot column of the message's language."""
    return np.concatenate([feats, [1.0 if lang == other else 0.0 for other in OFFSET_LANGUAGES]])


def _rejected(row: Row, weights: dict[str, Array]) -> bool:
    best, _ = top_features(row.cands, weights[row.regime])
    return row.ids[best] == OUT_OF_SCOPE


def _without_out_of_scope(row: Row) -> Row:
    keep = [i for i, e in enumerate(row.ids) if e != OUT_OF_SCOPE]
    if len(keep) == len(row.ids) or not keep:
        return row
    c = row.cands
    cands = QueryCandidates(c.x[keep], c.cosine[keep], c.gold[keep], c.weight, c.length)
    return replace(row, cands=cands, ids=tuple(row.ids[i] for i in keep))


def _top(rows: Sequence[Row], weights: dict[str, Array]) -> tuple[Array, Array]:
    feats, right = [], []
    for r in rows:
        best, f = top_features(r.cands, weights[r.regime])
        feats.append(_with_language(f, r.lang))
        right.append(1.0 if r.cands.gold[best] else 0.0)
    return np.array(feats).reshape(-1, _BASE + len(OFFSET_LANGUAGES)), np.array(right)


@dataclass(slots=True)
class Tally:
    n: int = 0
    ranked: int = 0
    p1: float = 0.0
    rr: float = 0.0
    decisions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    answer_right: int = 0
    suggest_has_gold: int = 0
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    expected_hit: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, row: Row, numbers: Numbers) -> None:
        w = numbers.weights[row.regime]
        rejected = _rejected(row, numbers.weights)
        row = _without_out_of_scope(row)
        order = np.argsort(-(row.cands.x @ w), kind="stable")[:10]
        ranked = [row.ids[i] for i in order]
        best, feats = top_features(row.cands, w)
        conf = float(logistic(numbers.confidence, _with_language(feats, row.lang)[None, :])[0])
        decision = (
            "none"
            if rejected
            else "answer"
            if conf >= numbers.answer_at
            else "suggest"
            if conf >= numbers.suggest_at
            else "none"
        )
        right = row.ids[best] in row.gold
        self.n += 1
        if row.gold:  # ranking figures only for messages the knowledge base answers
            p1, rr = ranks(ranked, row.gold)
            self.ranked += 1
            self.p1 += p1
            self.rr += rr
        self.decisions[decision] += 1
        self.answer_right += decision == "answer" and right
        self.suggest_has_gold += decision == "suggest" and any(e in row.gold for e in ranked[:3])
        self.expected[row.decision] += 1
        hit = {
            "answer": decision == "answer" and right,
            "two": decision in ("answer", "suggest") and any(e in row.gold for e in ranked[:3]),
            "suggest": decision in ("answer", "suggest") and any(e in row.gold for e in ranked[:3]),
            "none": decision == "none",
            "intent": decision == "none",
        }[row.decision]
        self.expected_hit[row.decision] += hit

    def summary(self) -> dict[str, Any]:
        n = max(1, self.n)
        answers = self.decisions.get("answer", 0)
        out: dict[str, Any] = {
            "n": self.n,
            "p_at_1": round(self.p1 / max(1, self.ranked), 4),
            "mrr_at_10": round(self.rr / max(1, self.ranked), 4),
            "answer_share": round(answers / n, 4),
            "answer_precision": round(self.answer_right / max(1, answers), 4),
            "suggest_share": round(self.decisions.get("suggest", 0) / n, 4),
            "none_share": round(self.decisions.get("none", 0) / n, 4),
        }
        for kind, total in sorted(self.expected.items()):
            if set(self.expected) != {"answer"}:
                out[f"{kind}_ok"] = round(self.expected_hit[kind] / max(1, total), 4)
        return out


def evaluate(rows: Iterable[Row], numbers: Numbers, tallies: dict[tuple[str, str], Tally]) -> None:
    for r in rows:
        tallies[(r.dataset, r.lang)].add(r, numbers)


def crossvalidate(rows: Sequence[Row], k: int) -> tuple[dict[str, Any], list[Numbers]]:
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    fitted = []
    for f in range(k):
        numbers = fit([r for r in rows if r.fold != f])
        fitted.append(numbers)
        evaluate((r for r in rows if r.fold == f), numbers, tallies)
    return _table(tallies), fitted


def full_fit(rows: Sequence[Row]) -> tuple[dict[str, Any], Numbers]:
    numbers = fit(rows)
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    evaluate(rows, numbers, tallies)
    return _table(tallies), numbers


def _table(tallies: dict[tuple[str, str], Tally]) -> dict[str, Any]:
    out: dict[str, Any] = defaultdict(dict)
    for (dataset, lang), t in sorted(tallies.items()):
        out[dataset][lang] = t.summary()
    return dict(out)


def assign_folds(rows: list[Row], k: int) -> list[Row]:
    """Rows of fixed-index data sets get stratified folds (k-shot rows keep theirs)."""
    keyed = [f"{r.dataset}:{r.lang}:{min(r.gold) if r.gold else r.decision}" for r in rows]
    folds = _fold_of(keyed, k, seed=1)
    return [
        r if r.dataset.endswith("kshot") else replace(r, fold=f) for r, f in zip(rows, folds, strict=True)
    ]


def to_json(
    numbers: Numbers,
    cv: dict[str, Any],
    full: dict[str, Any],
    sources: dict[str, str],
    bot_path: dict[str, Any] | None = None,
) -> str:
    conf = as_fitted(numbers).confidence
    data = {
        "ranking": {
            "many_from": fitted().many_from,
            "rich_from": RICH_FROM,
            **{
                regime: {name: round(float(w), 4) for name, w in zip(SIGNALS, ws, strict=True)}
                for regime, ws in numbers.weights.items()
            },
        },
        "confidence": {f.name: _rounded(getattr(conf, f.name)) for f in fields(Confidence)},
        "thresholds": {"answer": round(numbers.answer_at, 4), "suggest": round(numbers.suggest_at, 4)},
        "provenance": {
            "fitted_on": dt.date.today().isoformat(),
            "command": "python -m benchmarks.matching --fit",
            "data": sources,
            "procedure": (
                "signal weights: conditional logit over all data sets, each weighing the same; "
                "confidence: logistic regression on the own evaluation set; thresholds: answer where "
                f"direct answers are right >= {TARGET_PRECISION}, suggest where {NONE_SHARE} of "
                "out-of-scope messages fall below"
                + (", both through the bot's decision path (knowledge.match_decisions)" if bot_path else "")
            ),
            "cross_validated": cv,
            "full_fit": full,
            **({"bot_path": bot_path} if bot_path else {}),
        },
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
