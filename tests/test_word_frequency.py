"""The word tables answer as wordfreq does, load from their cache file, and survive a
damaged or unwritable cache folder."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import wordfreq

from knowledge import word_frequency
from knowledge.word_frequency import FLOOR, LANGUAGES, common


@pytest.fixture
def fresh_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The tables read again, from a cache folder of the test's own."""
    monkeypatch.setenv("HOME", str(tmp_path))
    word_frequency.load.cache_clear()
    word_frequency._at_least.cache_clear()
    yield tmp_path
    word_frequency.load.cache_clear()
    word_frequency._at_least.cache_clear()


def _around_the_thresholds(lang: str) -> list[str]:
    """Words of wordfreq's list just above and below each threshold asked about, and words
    wordfreq splits, folds or numbers."""
    buckets = wordfreq.get_frequency_list(lang, "best")
    rng = random.Random(lang)
    words: list[str] = []
    for zipf in (FLOOR, 3.0, 4.0):
        at = round((9 - zipf) * 100)
        for bucket in (at - 1, at, at + 1):
            if bucket < len(buckets):  # the shorter lists end before zipf 3 (tr, fa)
                words += rng.sample(buckets[bucket], min(25, len(buckets[bucket])))
    return [*words, "hallo", "kurs2", "zwei worte", "", "İstanbul", "ICH", "مُحَمَّد", "2024", "schön-heit"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_answers_as_wordfreq_does(lang: str) -> None:
    for word in _around_the_thresholds(lang):
        for zipf in (FLOOR, 3.0, 4.0):
            assert common(word, lang, zipf) == (wordfreq.zipf_frequency(word, lang) >= zipf), (word, zipf)


def test_below_the_floor_or_in_another_language_wordfreq_answers() -> None:
    assert common("hallo", "de", 1.0) == (wordfreq.zipf_frequency("hallo", "de") >= 1.0)
    assert common("bonjour", "fr", 3.0) == (wordfreq.zipf_frequency("bonjour", "fr") >= 3.0)


def test_the_tables_are_stored_once_and_read_again(fresh_tables: Path) -> None:
    built = word_frequency.load()
    stored = word_frequency.cache_path()
    assert stored.is_relative_to(fresh_tables)
    assert stored.exists()
    word_frequency.load.cache_clear()
    assert word_frequency.load() == built
    assert common("wohnung", "de", 4.0)


def test_a_damaged_cache_file_is_built_again(fresh_tables: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = word_frequency.cache_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x05 not a pickle")
    assert common("wohnung", "de", 4.0)
    assert "rebuilding the unreadable stored words-" in caplog.text
    word_frequency.load.cache_clear()
    assert set(word_frequency.load()) == set(LANGUAGES)  # the rebuilt file replaced it


def test_a_cache_folder_that_cannot_be_written_only_costs_the_build(
    fresh_tables: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (fresh_tables / ".cache").mkdir()
    (fresh_tables / ".cache" / "wegweiser").write_text("a file where the folder should be")
    assert common("wohnung", "de", 4.0)
    assert "cannot store words-" in caplog.text
