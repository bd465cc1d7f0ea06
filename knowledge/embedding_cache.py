"""Remember the sentence vectors of content phrasings across builds and restarts.

Embedding every phrasing of every entry takes tens of seconds; the phrasings rarely change.
Only batches (content) are stored: a single text is a person's question and is neither
kept in memory nor written to disk.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.match_dense import Embedder, Vectors

log = logging.getLogger(__name__)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class CachedEmbedder:
    def __init__(self, inner: Embedder, path: Path | None = None) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.path = path
        self._vectors: dict[str, Vectors] = {}
        self._dirty = False
        if path is not None and path.exists():
            self._vectors = self._read(path)

    def _read(self, path: Path) -> dict[str, Vectors]:
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            log.warning("ignoring an unreadable embedding cache at %s", path)
            return {}
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            return {}
        return {str(k): v for k, v in zip(keys, vectors, strict=True)}

    def embed(self, texts: Sequence[str]) -> Vectors:
        if len(texts) <= 1:
            return self.inner.embed(texts)
        keys = [_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        if missing:
            fresh = self.inner.embed([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                self._vectors[keys[i]] = vector
            self._dirty = True
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32, copy=False)

    def embed_windows(self, texts: Sequence[str]) -> Vectors:
        """Parts of people's messages: never kept."""
        return self.inner.embed_windows(texts)

    def save(self) -> None:
        """Write the cache atomically, so a crash never leaves half a file, and keep what
        other processes (test workers, a second bot) wrote since we read it: the last
        writer no longer drops their vectors, which each new process would embed again."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            for key, vector in self._read(self.path).items():
                self._vectors.setdefault(key, vector)
        keys = np.array(list(self._vectors), dtype="U32")
        vectors = np.stack(list(self._vectors.values())).astype(np.float32)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        try:
            np.savez(tmp, keys=keys, vectors=vectors)
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._dirty = False
