"""The sentence-vector index: exact for small content, int8 + probed clusters for large."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.match_dense import FULL_SCAN_MAX, DenseIndex, E5Embedder, OwnLoad, Vectors, quantise
from knowledge.matcher import Matcher
from tests.test_matcher import DOCS, KEEP_TERMS, SYNONYMS


def _unit_rows(n: int, dim: int = 64, seed: int = 1) -> Vectors:
    rng = np.random.default_rng(seed)
    # Clustered like real phrasings: a few hundred topics, many near-copies of each.
    centres = rng.normal(size=(max(1, n // 100), dim)).astype(np.float32)
    rows = centres[rng.integers(0, len(centres), n)] + 0.4 * rng.normal(size=(n, dim)).astype(np.float32)
    out: Vectors = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return out


class _TableEmbedder:
    """Vectors from a fixed table, so the test is about the index, not the model."""

    def __init__(self, table: dict[str, Vectors]) -> None:
        self.table = table
        self.dim = len(next(iter(table.values())))
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        return np.stack([self.table[t] for t in texts]).astype(np.float32)

    def embed_windows(self, texts: Sequence[str]) -> Vectors:
        return self.embed(texts)


def test_quantise_keeps_cosines_within_a_few_thousandths() -> None:
    rows = _unit_rows(2_000)
    small, scales = quantise(rows)
    assert small.dtype == np.int8
    assert int(np.abs(small).max()) == 127
    q = rows[7]
    exact = rows @ q
    approx = (small.astype(np.float32) @ q) * scales
    assert float(np.abs(exact - approx).max()) < 0.004


def test_small_index_is_exact_float32() -> None:
    rows = _unit_rows(500)
    index = DenseIndex(rows)
    assert index.centroids is None
    assert index.scales is None
    np.testing.assert_allclose(index.scores(rows[3]), rows @ rows[3], rtol=0, atol=1e-6)


def test_large_index_is_int8_and_finds_the_nearest_rows() -> None:
    n = FULL_SCAN_MAX + 4_000
    rows = _unit_rows(n)
    texts = [f"t{i}" for i in range(n)]
    embedder = _TableEmbedder(dict(zip(texts, rows, strict=True)))
    index = DenseIndex.from_texts(embedder, texts)
    # Embedded in slices, stored as int8 with a scale per row: no full float32 copy.
    assert max(embedder.calls) <= 4096
    assert index.vectors.dtype == np.int8
    assert index.scales is not None
    assert index.centroids is not None
    rng = np.random.default_rng(5)
    hits = 0
    for i in rng.choice(n, 50, replace=False):
        noisy = rows[i] + 0.05 * rng.normal(size=rows.shape[1]).astype(np.float32)
        noisy /= np.linalg.norm(noisy)
        scores = index.scores(noisy)
        exact = rows @ noisy
        scored = scores != 0
        # Only a small share of the rows is read, and what is read is right.
        assert scored.sum() < 0.2 * n
        assert float(np.abs(scores[scored] - exact[scored]).max()) < 0.004
        hits += int(np.argmax(scores) == np.argmax(exact))
    assert hits >= 48


def test_large_index_scores_the_extra_candidates_it_is_given() -> None:
    n = FULL_SCAN_MAX + 1_000
    rows = _unit_rows(n, seed=3)
    small, scales = quantise(rows)
    index = DenseIndex(small, scales)
    q = rows[0]
    far = int(np.argmin(rows @ q))  # in no probed cluster
    assert index.scores(q)[far] == 0
    with_extra = index.scores(q, np.array([far], dtype=np.int64))
    assert with_extra[far] == pytest.approx(float(rows[far] @ q), abs=0.004)


def test_concurrent_searches_give_the_same_results_as_one_at_a_time() -> None:
    """The query engine is shared: searches from several threads must not mix."""
    # No query cache, so every search runs the engine.
    m = Matcher(DOCS, synonyms=SYNONYMS, keep_terms=KEEP_TERMS, embedder=E5Embedder(cache_size=0))
    questions = [(d.question, d.lang) for d in DOCS] * 3
    alone = [m.search(q, lang).matches[:3] for q, lang in questions]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda ql: m.search(ql[0], ql[1]).matches[:3], questions))
    assert together == alone


def test_own_load_is_this_process_cpu_over_about_a_minute() -> None:
    clock = [0.0]
    cpu = [0.0]
    load = OwnLoad(clock=lambda: clock[0], cpu=lambda: cpu[0])
    # An index build: both cores busy for 100 seconds.
    clock[0], cpu[0] = 100.0, 200.0
    assert load.cores_busy() == pytest.approx(2.0)
    # Then a minute and a half of queries on one core, asked once a second.
    for _ in range(90):
        clock[0] += 1.0
        cpu[0] += 1.0
        load.cores_busy()
    assert load.cores_busy() == pytest.approx(1.0, abs=0.05)


def test_a_few_texts_at_once_are_embedded_as_each_alone_and_share_the_query_cache() -> None:
    """The safety check embeds a message's sentences and readings together, right after the
    matcher embedded the message: the same vectors as one at a time, the cache reused both
    ways, and a text too long for the query path's cut is still embedded whole."""
    embedder = E5Embedder()
    short = ["Wie finde ich einen Ausbildungsplatz?", "shcho treba dlia ausbildung"]
    long = " ".join(["Ich habe eine Frage zur Ausbildung in Pirna und zur Berufsschule"] * 4)
    alone = [embedder.embed([t])[0] for t in short]
    together = embedder.embed([*short, long])
    for one, row in zip(alone, together[:2], strict=True):
        assert float(one @ row) > 0.9999
    # The long text whole, not cut to the query path's tokens (which embed([long]) does),
    # and kept out of the cache that path reads.
    whole = embedder.embed([long, "?"])[0]
    assert float(together[2] @ whole) > 0.9999
    assert long not in embedder._cache
    assert float(embedder.embed([long])[0] @ whole) < 0.9999
    # The batch filled the cache for the short texts: a later single query is a hit.
    fresh = E5Embedder()
    fresh.embed(["Danke!", "Hallo zusammen"])
    assert "Hallo zusammen" in fresh._cache
