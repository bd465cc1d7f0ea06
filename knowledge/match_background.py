"""How telling a word is in general language, from ``wordfreq`` (data inside the wheel).

Inverse document frequency only knows the knowledge base: with a handful of entries, or
short ones, "the", "am" and "alarm" all look equally rare. General word frequencies are a
better prior for what a question is about, and unlike stopword lists they are graded
and exist for all eight of our languages. A query word's weight is scaled by

    clip((ZIPF_COMMON - zipf) / (ZIPF_COMMON - ZIPF_RARE), FLOOR, 1)

with zipf = log10(occurrences per billion words): "the" (7.7) counts ~0.1,
"tomorrow" (5.0) ~0.6, "alarm" (4.3) ~0.8, anything rarer than ZIPF_RARE fully.
Only the "small" lists are loaded (~30-60k words per language, ~7 MB each), lazily.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Iterable

ZIPF_COMMON = 7.5
ZIPF_RARE = 3.5
FLOOR = 0.1


@functools.lru_cache(maxsize=16)
def _zipf_table(lang: str) -> dict[str, float] | None:
    try:
        wordfreq = importlib.import_module("wordfreq")  # ships no type information
    except ImportError:
        return None
    try:
        freqs = wordfreq.get_frequency_dict(lang, wordlist="small")
    except (LookupError, OSError, ValueError):
        return None
    return {str(w): math.log10(f) + 9.0 for w, f in freqs.items() if f > 0}


def preload(lang: str) -> None:
    """Load ``lang``'s table now (index build) rather than on the first query."""
    _zipf_table(lang)


def informativeness(word: str, lang: str) -> float:
    """0.1..1: how much a (cleaned, lower-case) word tells about the question's topic."""
    if word.isdigit():
        # Times, counts and dates fill a question's slots; they rarely name its topic.
        return 0.3
    table = _zipf_table(lang)
    if table is None:
        return 1.0
    zipf = table.get(word)
    if zipf is None:
        return 1.0
    return min(1.0, max(FLOOR, (ZIPF_COMMON - zipf) / (ZIPF_COMMON - ZIPF_RARE)))


def known_word(word: str, langs: Iterable[str]) -> bool:
    """Whether a (lower-case) word occurs in general language in one of ``langs``."""
    return any(word in (_zipf_table(lang) or {}) for lang in langs)
