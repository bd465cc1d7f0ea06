"""Fitting the matcher's numbers: signal weights, the confidence model, the thresholds.

Used by ``python -m benchmarks.matching --fit`` (which also cross-validates the same
procedure); nothing here runs while the bot answers. Plain numpy: three small models.

* **Signal weights**: a conditional logit over each query's candidate entries. The
  score of a candidate is ``w . x`` (x = words, chars, dense, knn, proto, cls; all 0..1) and the
  probability of the right entry is the softmax of ``scale * score`` over the
  candidates. Weights are kept positive (``w = exp(theta)``) and normalised to sum to
  one, so the score stays on the fixed 0..1 scale the confidence model reads.
* **Confidence**: logistic regression of "the top entry is right" on the top entry's
  score, margin, raw cosine and vote share and the query's length
  (``match_calibration.length_feature``), with non-negative coefficients (more evidence
  must never lower the confidence).
* **Thresholds**: ANSWER from the lowest confidence at which the direct answers of the
  fitting data are right at least ``target_precision`` of the time; SUGGEST at the
  confidence below which ``none_share`` of the out-of-scope messages fall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
SIGNALS = ("w_words", "w_chars", "w_dense", "w_knn", "w_proto", "w_cls")
N = len(SIGNALS)
KNN = SIGNALS.index("w_knn")


@dataclass(frozen=True, slots=True)
class QueryCandidates:
    """One query's candidates: ``x`` rows (words, chars, dense, knn), the raw cosine of
    each, and which rows are right (none for an out-of-scope message)."""

    x: Array  # (n_candidates, N): the signals in SIGNALS order
    cosine: Array  # (n_candidates,)
    gold: npt.NDArray[np.bool_]  # (n_candidates,)
    weight: float = 1.0
    length: float = 0.0  # match_calibration.length_feature of the query


def fit_signal_weights(data: Sequence[QueryCandidates], iters: int = 400, ridge: float = 1e-3) -> Array:
    """Positive weights (summing to 1) that put the right candidate first most often."""
    usable = [q for q in data if q.gold.any() and len(q.x) > 1]
    if not usable:
        return np.full(N, 1.0 / N)
    width = max(len(q.x) for q in usable)
    x = np.zeros((len(usable), width, N))
    mask = np.zeros((len(usable), width), dtype=bool)
    gold = np.zeros((len(usable), width))
    weights = np.array([q.weight for q in usable])
    weights = weights / weights.sum()
    for i, q in enumerate(usable):
        n = len(q.x)
        x[i, :n], mask[i, :n] = q.x, True
        gold[i, :n] = q.gold / q.gold.sum()
    # theta = log weights; log_scale = log of the softmax sharpness. Adam on the mean
    # negative log-likelihood.
    params = np.concatenate([np.log(np.full(N, 1.0 / N)), [np.log(10.0)]])
    m, v = np.zeros_like(params), np.zeros_like(params)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, iters + 1):
        w, scale = np.exp(params[:N]), np.exp(params[N])
        wn = w / w.sum()
        s = x @ wn
        z = np.where(mask, scale * s, -np.inf)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        # d(-loglik)/d(score) per candidate = scale * (p - gold)
        d_s = scale * (p - gold) * weights[:, None]
        d_wn = np.einsum("qc,qcf->f", d_s, x)
        # wn = w / sum(w): chain through the normalisation and w = exp(theta)
        d_w = (d_wn - (d_wn @ wn)) / w.sum()
        grad = np.empty_like(params)
        grad[:N] = d_w * w + ridge * params[:N]
        grad[N] = float(np.sum((p - gold) * s[:, :] * weights[:, None] * scale, where=mask))
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        params -= lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
    w = np.exp(params[:N])
    out: Array = w / w.sum()
    return out


def refine_for_accuracy(
    data: Sequence[QueryCandidates], groups: Sequence[str], start: Array, step: float = 0.04, passes: int = 6
) -> Array:
    """Coordinate search on the simplex from ``start`` for the weights with the best mean
    P@1 over ``groups`` (data sets; each counts the same), MRR breaking ties. The logit
    fit optimises likelihood, which can trade one data set's first places for another's
    probabilities; this puts first places first."""
    usable = [(q, g) for q, g in zip(data, groups, strict=True) if q.gold.any()]
    if not usable:
        return start
    width = max(len(q.x) for q, _ in usable)
    x = np.full((len(usable), width, start.size), 0.0)
    valid = np.zeros((len(usable), width), dtype=bool)
    gold = np.zeros((len(usable), width), dtype=bool)
    for i, (q, _) in enumerate(usable):
        x[i, : len(q.x)], valid[i, : len(q.x)], gold[i, : len(q.x)] = q.x, True, q.gold
    names = sorted({g for _, g in usable})
    member = np.array([[g == name for _, g in usable] for name in names], dtype=np.float64)
    member /= member.sum(axis=1, keepdims=True)

    def objective(w: Array) -> float:
        s = np.where(valid, x @ w, -np.inf)
        best_gold = np.where(gold, s, -np.inf).max(axis=1)
        rank = (s > best_gold[:, None]).sum(axis=1)  # 0 = a right entry is first
        per_group = member @ np.stack([(rank == 0).astype(np.float64), 1.0 / (rank + 1)], axis=1)
        return float(per_group[:, 0].mean() + 0.1 * per_group[:, 1].mean())

    w: Array = start / start.sum()
    best = objective(w)
    for _ in range(passes):
        improved = False
        for i in range(w.size):
            for delta in (step, -step):
                trial = w.copy()
                trial[i] = max(0.0, trial[i] + delta)
                if trial.sum() <= 0:
                    continue
                trial /= trial.sum()
                value = objective(trial)
                if value > best + 1e-9:
                    w, best, improved = trial, value, True
        if not improved:
            step /= 2
    return w


def fit_logistic(
    x: Array, y: Array, weights: Array | None = None, iters: int = 50, signed: Sequence[int] = ()
) -> Array:
    """Weighted logistic regression by Newton's method with a tiny ridge (intercept
    first). A coefficient that comes out negative is dropped and the rest refitted,
    except those of the ``signed`` columns (offsets, which may go either way)."""
    sw = np.ones(len(y)) if weights is None else weights
    active = list(range(x.shape[1]))
    while True:
        xb = np.hstack([np.ones((len(x), 1)), x[:, active]])
        w = np.zeros(xb.shape[1])
        for _ in range(iters):
            p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -50, 50)))
            grad = xb.T @ (sw * (p - y)) + 1e-3 * w
            hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + 1e-3 * np.eye(len(w))
            w -= np.linalg.solve(hess, grad)
        negative = [a for a, coef in zip(active, w[1:], strict=True) if coef < 0 and a not in signed]
        if not negative:
            full = np.zeros(x.shape[1] + 1)
            full[0] = w[0]
            for a, coef in zip(active, w[1:], strict=True):
                full[a + 1] = coef
            return full
        active = [a for a in active if a not in negative]


def top_features(q: QueryCandidates, w: Array) -> tuple[int, Array]:
    """The best candidate under ``w`` and its confidence features
    (score, margin, raw cosine, vote share, the query's length)."""
    s = q.x @ w
    order = np.argsort(-s, kind="stable")
    best = int(order[0])
    second = float(s[order[1]]) if len(order) > 1 else 0.0
    return best, np.array([s[best], s[best] - second, q.cosine[best], q.x[best, KNN], q.length])


def logistic(coef: Array, feats: Array) -> Array:
    z = coef[0] + feats @ coef[1:]
    out: Array = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
    return out


def answer_threshold(conf: Array, right: Array, target_precision: float, floor: float = 0.5) -> float:
    """Lowest confidence from which the answers are right at least ``target_precision``
    of the time (scanning down from the most confident); never below ``floor``."""
    order = np.argsort(-conf, kind="stable")
    hits = np.cumsum(right[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(precision >= target_precision)
    if not len(ok):
        return 1.0
    # The last position where the running precision still holds: answer down to there.
    return max(floor, float(conf[order[ok[-1]]]))


def suggest_threshold(conf_out_of_scope: Array, none_share: float, ceiling: float) -> float:
    """The confidence below which ``none_share`` of out-of-scope messages fall."""
    if not len(conf_out_of_scope):
        return min(0.3, ceiling)
    return float(min(np.quantile(conf_out_of_scope, none_share), ceiling))
