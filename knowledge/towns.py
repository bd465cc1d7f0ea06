"""The towns and municipalities of the district, where they lie, and how people type them.

``towns.yaml`` lists every Gemeinde of the Landkreis with its coordinates and the
spellings young people use (without umlauts, in Cyrillic or Arabic letters). Offers name
their town from this list; the bot orders offers by great-circle distance from the town a
person names, and understands that name with typos and in other scripts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator
from rapidfuzz.distance import Levenshtein

from knowledge.match_translit import skeleton
from knowledge.model import PlainText, Slug, Source, Strict, Text
from knowledge.normalize import normalize

EARTH_RADIUS_KM = 6371.0088
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Town(Strict):
    id: Slug
    # The official name, as offers and the bot write it.
    name: PlainText
    kind: Literal["stadt", "gemeinde"]
    lat: Latitude
    lon: Longitude
    # Inhabitants as the source gives them (for the list of the biggest towns); None: unknown.
    population: int | None = Field(default=None, ge=1)
    # Other ways people write it: without umlauts, in other scripts, former towns now part of it.
    spellings: tuple[Text, ...] = ()
    # Where the coordinates come from.
    source: Source | None = None
    # True while the coordinates are not confirmed by ``source``.
    verify: bool = False
    editor_note: Text | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Town:
        if self.source is None and not self.verify:
            raise ValueError(
                f"the town '{self.name}' has no source for its coordinates; "
                "add 'source' or set 'verify: true'"
            )
        return self


class TownList(Strict):
    """``towns.yaml``: the district's towns and municipalities."""

    district: Text
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    towns: tuple[Town, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TownList:
        ids: set[str] = set()
        names: set[str] = set()
        for town in self.towns:
            if town.id in ids or town.name.casefold() in names:
                raise ValueError(f"the town '{town.name}' ({town.id}) is listed twice")
            ids.add(town.id)
            names.add(town.name.casefold())
        return self


def distance_km(a: Town, b: Town) -> float:
    """Great-circle distance (haversine) between two towns, in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class _Key:
    town: Town
    words: str  # normalised, words separated by one space
    compact: str  # the same without spaces
    skeleton: str


def _skeleton(words: str) -> str:
    return "".join(skeleton(w) for w in words.split())


class TownIndex:
    """Finds the town a person means: exact, then with a typo or two, then in another script."""

    def __init__(self, towns: Iterable[Town]) -> None:
        self.towns: tuple[Town, ...] = tuple(towns)
        self._by_id = {t.id: t for t in self.towns}
        keys: list[_Key] = []
        for town in self.towns:
            for written in (town.name, *town.spellings):
                words = normalize(written)
                if words:
                    keys.append(_Key(town, words, words.replace(" ", ""), _skeleton(words)))
        # Longer names first: "Neustadt in Sachsen" before a town called "Neustadt".
        self._keys = sorted(keys, key=lambda k: -len(k.words))
        # Exact spellings, the first town to claim one keeps it; and names as written.
        self._by_words: dict[str, Town] = {}
        for key in keys:
            self._by_words.setdefault(key.words, key.town)
        self._as_written: dict[str, Town] = {t.name: t for t in self.towns}

    def get(self, town_id: str) -> Town | None:
        return self._by_id.get(town_id)

    def named(self, name: str) -> Town | None:
        """The town whose name or spelling is exactly ``name`` (case and umlauts aside)."""
        return self._as_written.get(name) or self._by_words.get(normalize(name))

    def biggest(self, count: int) -> list[Town]:
        ranked = sorted((t for t in self.towns if t.population), key=lambda t: -(t.population or 0))
        return ranked[:count]

    def find(self, text: str) -> Town | None:
        """The town a short message names, or None. Whole words first, then each run of up to
        three words against every spelling with a small edit distance, then by the consonant
        frame across scripts (Пирна, بيرنا → Pirna)."""
        words = normalize(text)
        if not words:
            return None
        padded = f" {words} "
        for key in self._keys:
            if f" {key.words} " in padded:
                return key.town
        tokens = words.split()
        grams = [" ".join(tokens[i : i + n]) for n in (3, 2, 1) for i in range(len(tokens) - n + 1)]
        best: tuple[float, Town] | None = None
        for gram in grams:
            compact = gram.replace(" ", "")
            if len(compact) < 4:
                continue
            for key in self._keys:
                allowed = 1 if len(key.compact) <= 6 else 2
                distance = Levenshtein.distance(compact, key.compact, score_cutoff=allowed)
                if distance <= allowed:
                    score = distance / len(key.compact)
                    if best is None or score < best[0]:
                        best = (score, key.town)
        if best is not None:
            return best[1]
        for gram in grams:
            frame = _skeleton(gram)
            if len(frame) < 3:
                continue
            for key in self._keys:
                if key.skeleton == frame:
                    return key.town
        return None

    def nearest_first(self, origin: Town, towns: Sequence[Town]) -> list[tuple[Town, float]]:
        """``towns`` with their distance from ``origin``, nearest first (ties by name)."""
        measured = [(town, distance_km(origin, town)) for town in towns]
        return sorted(measured, key=lambda pair: (pair[1], pair[0].name))
