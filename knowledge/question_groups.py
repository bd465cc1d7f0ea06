"""Unanswered questions that probably ask the same thing in different languages.

Within one language, ``knowledge.reports.group_questions`` groups wordings by their
words. Across languages the words differ, so the sentence embedding decides; but
multilingual-e5-small's cosines are coarse: on the shipped content the same entry's
questions in two languages have a median cosine of 0.84 and different entries 0.80,
and "Is there a football club in Freital?" against "... a gym in Freital?" scores 0.915.
So groups are never merged by the embedding: two groups in different languages are
*linked* ("probably the same question") only when each is the other's nearest group
and their cosine is at least ``LINK_AT``. Editors see the link and decide.

The vectors are computed for the report and dropped; nothing is cached or stored
(these are people's questions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge.match_dense import Embedder

# Direct translations of short questions scored 0.86-0.94 here; 99% of pairs of
# different content questions stay below 0.88.
LINK_AT = 0.87


def cross_language_links(
    examples: Sequence[str], languages: Sequence[str], embedder: Embedder, threshold: float = LINK_AT
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, cosine) of examples in different languages that are each other's
    nearest example in another language, at ``threshold`` or above; i < j."""
    if len(examples) < 2:
        return []
    vectors = embedder.embed(list(examples))
    sims = vectors @ vectors.T
    langs = np.array(languages)
    sims[langs[:, None] == langs[None, :]] = -1.0  # only across languages
    nearest = np.argmax(sims, axis=1)
    links = []
    for i, j in enumerate(nearest):
        j = int(j)
        if i < j and int(nearest[j]) == i and sims[i, j] >= threshold:
            links.append((i, j, round(float(sims[i, j]), 3)))
    return links
