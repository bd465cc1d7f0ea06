"""Is a word common in a language? wordfreq's answer, without loading its whole lists.

The safety check and the romanised-text reader ask whether a word is at least as common as
a threshold (``wordfreq.zipf_frequency(word, lang) >= zipf``, with zipf from 2.5 up) in
our eight languages. wordfreq answers from a dictionary of every word of a language,
built on first use from its packed list: 0.3 to 0.5 seconds a language, 3.5 seconds for
the eight, in every bot process, webhook worker and command, before its first message.

Here only the words at or above ``FLOOR`` are kept (670,000 of the eight lists' 3.4
million), in wordfreq's own order, stored once in the user's cache folder
(``index_cache.cache_folder``; keyed by the wordfreq version, the floor and the languages)
and read again in a fifth of a second. A word is looked up as wordfreq would: its tokens by
``wordfreq.lossy_tokenize``; a word that is one token without digits is answered here,
anything else (several tokens, numbers) by wordfreq itself. wordfreq's lists hold a word's
frequency in buckets of a hundredth of a zipf, so a word in bucket ``i`` has zipf
``9 - i/100`` exactly as ``zipf_frequency`` rounds it.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from knowledge.index_cache import IndexCache, cache_folder, library_version

__all__ = ["FLOOR", "LANGUAGES", "common", "load"]

# The lowest threshold asked for (the safety check's known words).
FLOOR = 2.5
LANGUAGES = ("de", "en", "tr", "cs", "ru", "uk", "ar", "fa")
_TOP_ZIPF = 9.0  # bucket 0 of a wordfreq list

# Per language: the words at or above FLOOR, most common first, and how many of them are
# in buckets 0..i (ends[i]).
_Table = tuple[list[str], list[int]]


def _wordfreq() -> Any:
    return importlib.import_module("wordfreq")  # ships no type information


def _key() -> str:
    return f"{library_version('wordfreq')}-{FLOOR}-{'.'.join(LANGUAGES)}"


def cache_path() -> Path:
    return cache_folder() / f"words-{_key()}.pickle"


@functools.cache
def load() -> Mapping[str, _Table]:
    """The tables, from the cache file or built from wordfreq (and stored for next time)."""
    return IndexCache(cache_folder()).load_or_build(
        "words", _key(), dict, lambda: {lang: _build(lang) for lang in LANGUAGES}
    )


def _build(lang: str) -> _Table:
    buckets = _wordfreq().get_frequency_list(lang, "best")
    last = _bucket(FLOOR)
    words: list[str] = []
    ends: list[int] = []
    for bucket in buckets[: last + 1]:
        words.extend(bucket)
        ends.append(len(words))
    return words, ends


def _bucket(zipf: float) -> int:
    """The last bucket of a wordfreq list whose words have at least ``zipf``."""
    return math.floor(round((_TOP_ZIPF - zipf) * 100, 6))


@functools.cache
def _at_least(lang: str, zipf: float) -> frozenset[str]:
    words, ends = load()[lang]
    bucket = _bucket(zipf)
    return frozenset(words[: ends[min(bucket, len(ends) - 1)]] if ends else ())


def common(word: str, lang: str, zipf: float) -> bool:
    """``wordfreq.zipf_frequency(word, lang) >= zipf``, for ``zipf`` at least ``FLOOR``."""
    wordfreq = _wordfreq()
    if lang not in LANGUAGES or zipf < FLOOR:
        return bool(wordfreq.zipf_frequency(word, lang) >= zipf)
    tokens = wordfreq.lossy_tokenize(word, lang)
    if not tokens:
        return False
    if len(tokens) == 1 and not any(ch.isdigit() for ch in tokens[0]):
        return tokens[0] in _at_least(lang, zipf)
    return bool(wordfreq.zipf_frequency(word, lang) >= zipf)
