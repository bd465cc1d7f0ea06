"""The sentence-vector cache on disk, shared by every process that builds an index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding_cache import CachedEmbedder
from knowledge.match_dense import default_embedder


def test_two_processes_saving_in_turn_keep_each_others_vectors(tmp_path: Path) -> None:
    inner = default_embedder()
    if inner is None:
        pytest.skip("the sentence embedder is not installed")
    path = tmp_path / "embeddings.npz"
    # Both read the (empty) cache before either wrote: two test workers starting together.
    first = CachedEmbedder(inner, path)
    second = CachedEmbedder(inner, path)
    german = first.embed(["Wie finde ich eine Ausbildung?", "Was kostet die Anerkennung?"])
    first.save()
    arabic = second.embed(["كيف أجد تدريبا مهنيا؟", "ما هو Praktikum؟"])
    second.save()

    later = CachedEmbedder(inner, path)
    assert len(later._vectors) == 4
    both = later.embed(["Wie finde ich eine Ausbildung?", "ما هو Praktikum؟"])
    assert not later._dirty  # served from the file, nothing embedded again
    np.testing.assert_allclose(both[0], german[0], atol=1e-6)
    np.testing.assert_allclose(both[1], arabic[1], atol=1e-6)


def test_an_unreadable_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    inner = default_embedder()
    if inner is None:
        pytest.skip("the sentence embedder is not installed")
    path = tmp_path / "embeddings.npz"
    path.write_bytes(b"not a numpy file")
    cache = CachedEmbedder(inner, path)
    cache.embed(["Hallo", "Danke"])
    cache.save()
    assert len(CachedEmbedder(inner, path)._vectors) == 2
