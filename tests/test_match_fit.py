"""The fitting behind ``benchmarks.matching --fit``: each piece does what it says on data
whose answer is known."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from knowledge import match_crossval as cv
from knowledge.base import KnowledgeBase, documents
from knowledge.match_calibration import WORDS_CAP, confidence, length_feature
from knowledge.match_classifier import EntryClassifier
from knowledge.match_fit import (
    N,
    QueryCandidates,
    answer_threshold,
    fit_logistic,
    fit_signal_weights,
    logistic,
    refine_for_accuracy,
    suggest_threshold,
    top_features,
)
from knowledge.match_fitted import PATH, fitted, parse
from knowledge.match_index import DEFAULT_PARAMS
from knowledge.matcher import Matcher


def _queries(informative: int, n: int = 300, seed: int = 0) -> list[QueryCandidates]:
    """Queries whose right candidate stands out only in signal ``informative``."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = rng.uniform(0, 1, size=(10, N))
        gold = np.zeros(10, dtype=bool)
        gold[0] = True
        x[0, informative] = min(1.0, x[1:, informative].max() + rng.uniform(0.05, 0.3))
        out.append(QueryCandidates(x, x[:, 2].copy(), gold))
    return out


@pytest.mark.parametrize("informative", [0, 2, 5])
def test_signal_weights_find_the_informative_signal(informative: int) -> None:
    w = fit_signal_weights(_queries(informative))
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()
    assert int(np.argmax(w)) == informative
    assert w[informative] > 0.5


def test_refining_for_accuracy_never_lowers_first_places() -> None:
    data = _queries(3, n=200)
    groups = ["a"] * 100 + ["b"] * 100
    start = np.full(N, 1.0 / N)

    def p_at_1(w: np.ndarray) -> float:  # type: ignore[type-arg]
        return float(np.mean([np.argmax(q.x @ w) == 0 for q in data]))

    refined = refine_for_accuracy(data, groups, start)
    assert refined.sum() == pytest.approx(1.0)
    assert p_at_1(refined) >= p_at_1(start) + 0.3
    assert int(np.argmax(refined)) == 3
    # From the logit fit, as the procedure uses it: never worse than where it starts.
    logit = fit_signal_weights(data)
    assert p_at_1(refine_for_accuracy(data, groups, logit)) >= p_at_1(logit) > 0.9


def test_logistic_coefficients_are_never_negative() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, size=(500, 2))
    # the second feature lowers the probability in the data: it is dropped, not negated
    y = (rng.uniform(0, 1, 500) < 0.2 + 0.6 * x[:, 0] - 0.15 * x[:, 1]).astype(float)
    coef = fit_logistic(x, y)
    assert coef[1] > 0
    assert coef[2] == 0


def test_answer_threshold_keeps_the_precision() -> None:
    conf = np.array([0.99, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5])
    right = np.array([1, 1, 1, 1, 0, 1, 0, 0], dtype=float)
    t = answer_threshold(conf, right, 0.8)
    answered = conf >= t
    assert right[answered].mean() >= 0.8
    assert t == pytest.approx(0.7)  # down to 0.7 the answers are 5/6 right
    assert answer_threshold(conf, right, 0.999) == pytest.approx(0.85)
    assert answer_threshold(conf, np.zeros(8), 0.9) == 1.0  # nothing is ever right: never answer


def test_suggest_threshold_is_a_quantile_below_the_ceiling() -> None:
    out_of_scope = np.linspace(0, 1, 101)
    assert suggest_threshold(out_of_scope, 0.9, ceiling=0.95) == pytest.approx(0.9)
    assert suggest_threshold(out_of_scope, 0.9, ceiling=0.5) == pytest.approx(0.5)


def test_folds_are_stratified_by_gold() -> None:
    keys = [f"entry{i % 5}" for i in range(100)]
    folds = cv._fold_of(keys, 5)
    for f in range(5):
        members = [k for k, fold in zip(keys, folds, strict=True) if fold == f]
        assert sorted(set(members)) == [f"entry{i}" for i in range(5)]
        assert len(members) == 20


def test_entry_classifier_separates_clusters() -> None:
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(3, 16)).astype(np.float32)
    rows, labels = [], []
    for label, c in enumerate(centres):
        for _ in range(8):
            v = c + 0.3 * rng.normal(size=16).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
            labels.append(label)
    clf = EntryClassifier(np.array(rows), np.array(labels, dtype=np.int32), 3)
    for label, c in enumerate(centres):
        p = clf.probabilities(c / np.linalg.norm(c))
        assert p.sum() == pytest.approx(1.0, abs=1e-5)
        assert int(np.argmax(p)) == label


def test_length_feature_counts_words_up_to_the_cap() -> None:
    assert length_feature("") == 0.0
    assert length_feature("wie lange dauert eine ausbildung?") == pytest.approx(math.log1p(5))
    assert length_feature("كم سنة مدة التدريب المهني") == pytest.approx(math.log1p(5))
    capped = math.log1p(WORDS_CAP)
    assert length_feature(" ".join(["wort"] * WORDS_CAP)) == pytest.approx(capped)
    # A message of 10,000 characters earns no more than one of WORDS_CAP words.
    assert length_feature("hallo " * 2000) == pytest.approx(capped)


def test_the_confidence_is_fitted_on_the_query_length_too() -> None:
    """Where a long query's right entry scores lower than a short one's, the fit gives
    length a positive coefficient, and the same score is then surer in a long query."""
    rng = np.random.default_rng(3)
    queries = []
    for _ in range(600):
        words = int(rng.integers(2, 40))
        right = rng.uniform() < 0.7
        # Scores fall with length whether or not the top entry is right.
        score = (0.7 if right else 0.45) - 0.01 * min(words, WORDS_CAP) + rng.normal(0, 0.05)
        x = np.zeros((3, N))
        x[:, 0] = [score, score - 0.1, score - 0.2]
        gold = np.array([right, not right, False])
        queries.append(QueryCandidates(x, x[:, 0].copy(), gold, 1.0, length_feature("w " * words)))
    w = np.eye(N)[0]
    feats = np.array([top_features(q, w)[1] for q in queries])
    right = np.array([float(q.gold[top_features(q, w)[0]]) for q in queries])
    coef = fit_logistic(feats, right)
    assert coef[5] > 0
    short, long = feats[0].copy(), feats[0].copy()
    short[4], long[4] = length_feature("w " * 3), length_feature("w " * 30)
    assert logistic(coef, long[None, :])[0] > logistic(coef, short[None, :])[0]


def test_the_candidates_a_fit_sees_do_not_depend_on_the_weights_it_replaces(knowledge: KnowledgeBase) -> None:
    """Each signal names its own best entries: refitting from other numbers sees the same
    candidates, so fitting twice gives the same numbers."""
    german = [d for d in documents(knowledge.snapshot) if d.lang == "de"]
    words_first = replace(
        DEFAULT_PARAMS, w_words=0.9, w_chars=0.02, w_dense=0.02, w_knn=0.02, w_proto=0.02, w_cls=0.02
    )
    vectors_first = replace(
        DEFAULT_PARAMS, w_words=0.02, w_chars=0.02, w_dense=0.02, w_knn=0.02, w_proto=0.9, w_cls=0.02
    )
    embedder = knowledge.matcher._embedder
    one = Matcher(german, params=words_first, embedder=embedder)
    other = Matcher(german, params=vectors_first, embedder=embedder)
    for query in (
        "wie finde ich einen ausbildungsplatz in pirna",
        "bekomme ich geld im praktikum",
        "fussballverein",
    ):
        assert one.candidates(query, "de", 5) == other.candidates(query, "de", 5)
        assert len(one.candidates(query, "de", 5)) >= 5


def test_a_language_offset_may_lower_the_confidence_where_evidence_features_may_not() -> None:
    """In one language the same score is right less often: its offset comes out negative
    and is kept, while a negative evidence coefficient is still dropped."""
    rng = np.random.default_rng(3)
    score = rng.uniform(0, 1, 4000)
    other = rng.integers(0, 2, 4000).astype(float)
    noise = rng.uniform(0, 1, 4000)
    truth = 1.0 / (1.0 + np.exp(-(-2.0 + 6.0 * score - 1.5 * other - 1.0 * noise)))
    right = (rng.uniform(0, 1, 4000) < truth).astype(float)
    x = np.column_stack([score, noise, other])
    coef = fit_logistic(x, right, signed=[2])
    assert coef[1] == pytest.approx(6.0, abs=0.8)
    assert coef[2] == 0.0  # evidence never lowers the confidence
    assert coef[3] == pytest.approx(-1.5, abs=0.4)
    assert fit_logistic(x, right)[3] == 0.0  # unsigned, the offset would be dropped too


def test_the_confidence_reads_the_offset_of_the_language_matched_in() -> None:
    shipped = fitted()
    numbers = replace(shipped, confidence=replace(shipped.confidence, offsets={"ar": 1.0, "cs": -1.0}))
    args = (0.5, 0.1, 0.8, 0.3, 2.0)
    german = confidence(*args, numbers=numbers, lang="de")
    assert (
        confidence(*args, numbers=numbers, lang="ar") > german > confidence(*args, numbers=numbers, lang="cs")
    )
    assert confidence(*args, numbers=numbers) == german  # no language: no offset
    data = json.loads(PATH.read_text(encoding="utf-8"))
    data["confidence"]["offsets"] = {"ar": 1.0}
    assert parse(data).confidence.offsets == {"ar": 1.0}
