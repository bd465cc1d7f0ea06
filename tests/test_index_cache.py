"""Built matcher indexes on disk: found again only for the same content and code, rebuilt
when damaged, and a loaded index answers exactly as a freshly built one."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.config import Settings
from knowledge.base import KnowledgeBase, documents
from knowledge.embedding_cache import CachedEmbedder
from knowledge.index_cache import KEEP_PER_NAME, IndexCache, cache_key
from knowledge.loader import ContentSnapshot
from knowledge.match_dense import default_embedder
from knowledge.matcher import Document, Matcher

QUESTIONS = [
    "wie finde ich eine ausbildung",
    "Ich habe mein Abschluss aus Syrien, wer erkennt das an?",
    "praktikum in pirna in den ferien",
    "Kann ich in Tschechien wohnen und hier eine Ausbildung machen?",
    "wo ist ein deutschkurs",
]


def german(snapshot: ContentSnapshot) -> list[Document]:
    return [d for d in documents(snapshot) if d.lang == "de"]


def ranking(matcher: Matcher, query: str) -> list[tuple[str, float, float]]:
    found = matcher.search(query, "de")
    return [(m.id, round(m.score, 6), round(m.confidence, 6)) for m in found.matches]


def test_a_loaded_index_answers_as_a_fresh_build(knowledge: KnowledgeBase, tmp_path: Path) -> None:
    inner = default_embedder()
    if inner is None:
        pytest.skip("the sentence embedder is not installed")
    # The phrasings' vectors from the cache the ``knowledge`` fixture filled.
    embedder = CachedEmbedder(inner, Settings.model_fields["embedding_cache"].get_default())
    docs = german(knowledge.snapshot)
    cache = IndexCache(tmp_path)
    fresh = Matcher(docs, embedder=embedder)
    first = Matcher(docs, embedder=embedder, index_cache=cache)  # builds and stores
    (stored,) = tmp_path.iterdir()
    assert stored.name.startswith("matcher-de-")
    written = stored.stat().st_ino
    loaded = Matcher(docs, embedder=embedder, index_cache=cache)  # loads
    assert [p.stat().st_ino for p in tmp_path.iterdir()] == [written]  # not written again
    for question in QUESTIONS:
        assert ranking(loaded, question) == ranking(fresh, question) == ranking(first, question)


def test_other_content_gets_its_own_index(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    docs = [
        Document("ausbildung", "de", "Wie finde ich eine Ausbildung?", ("Ausbildungsplatz suchen",)),
        Document("praktikum", "de", "Wie finde ich ein Praktikum?", ("Praktikumsplatz suchen",)),
    ]
    Matcher(docs, embedder=False, index_cache=cache)
    Matcher(docs, embedder=False, index_cache=cache, synonyms=[["Ausbildung", "Lehre"]])
    changed = [*docs[:1], Document("praktikum", "de", "Wo mache ich ein Praktikum?")]
    answered = Matcher(changed, embedder=False, index_cache=cache)
    assert len(list(tmp_path.glob("matcher-de-*.pickle"))) == 3
    assert answered.search("Wo mache ich ein Praktikum?", "de").matches[0].id == "praktikum"


def test_a_damaged_file_is_rebuilt_and_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = IndexCache(tmp_path)
    builds: list[str] = []

    def build() -> list[str]:
        builds.append("built")
        return ["index"]

    key = cache_key(("de", "content"))
    assert cache.load_or_build("matcher-de", key, list, build) == ["index"]
    path = tmp_path / f"matcher-de-{key}.pickle"
    path.write_bytes(path.read_bytes()[:10])  # a crash, a full disk, a copy cut short
    with caplog.at_level(logging.WARNING):
        assert cache.load_or_build("matcher-de", key, list, build) == ["index"]
    assert "unreadable" in caplog.text
    assert cache.load_or_build("matcher-de", key, list, build) == ["index"]
    assert builds == ["built", "built"]  # the replaced file served the third call

    # A file holding something other than what was asked for is not served either.
    assert cache.load_or_build("matcher-de", key, dict, lambda: {"fresh": 1}) == {"fresh": 1}


def test_an_unwritable_folder_only_costs_the_build(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = IndexCache(blocked / "indexes")
    assert cache.load_or_build("matcher-de", "k", list, lambda: [1]) == [1]


def test_the_most_recently_used_indexes_are_kept(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path, keep=KEEP_PER_NAME)
    for n in range(KEEP_PER_NAME):
        cache.load_or_build("matcher-de", f"old{n}", list, lambda n=n: [n])
        os.utime(tmp_path / f"matcher-de-old{n}.pickle", (1_000_000 + n, 1_000_000 + n))
    assert cache.load_or_build("matcher-de", "old0", list, list) == [0]  # used again: newest now
    cache.load_or_build("matcher-en", "k", list, list)  # another name is pruned on its own
    for n in range(3):
        cache.load_or_build("matcher-de", f"new{n}", list, list)
    kept = {p.name.removeprefix("matcher-de-").removesuffix(".pickle") for p in tmp_path.glob("matcher-de-*")}
    assert kept == {"old0", *(f"old{n}" for n in range(4, KEEP_PER_NAME)), "new0", "new1", "new2"}
    assert (tmp_path / "matcher-en-k.pickle").exists()


def test_the_key_follows_every_part() -> None:
    base = cache_key(("de", ("a", "b"), 1.0))
    assert base == cache_key(("de", ("a", "b"), 1.0))
    assert base != cache_key(("de", ("a", "b"), 1.5))
    assert base != cache_key(("de", ("a",), 1.0))
    assert base != cache_key(("de", ("ab",), 1.0))
