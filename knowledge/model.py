"""The content model: FAQ entries, contacts, events, glossary and synonyms.

Editors keep one entry per YAML file. German is the source language: its translation
carries a ``revision`` that an editor raises when the meaning changes; every other
translation records the ``source_revision`` it was made from, so a changed German text
marks the other languages stale. Machine-made translations say so until reviewed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, model_validator

LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")
SOURCE_LANGUAGE = "de"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "fa"})
TOPICS: tuple[str, ...] = (
    "training",
    "internship",
    "counselling",
    "recognition",
    "german",
    "events",
    "residence",
    "crisis",
)
# One Telegram message holds 4,096 characters; an answer leaves room for the source line.
MAX_ANSWER_CHARS = 3500

Language = Literal["de", "en", "ar", "uk", "ru", "fa", "tr", "cs"]
Topic = Literal[
    "training", "internship", "counselling", "recognition", "german", "events", "residence", "crisis"
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,47}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ReviewStatus = Literal["draft", "reviewed", "needs_verification"]


T = TypeVar("T")


def in_language(mapping: Mapping[Language, T], lang: str) -> T | None:
    """Look up a per-language value by any code; unknown codes simply have none."""
    return cast("Mapping[str, T]", mapping).get(lang)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    url: HttpUrl
    title: Text


class FaqTranslation(Strict):
    question: Text
    variants: tuple[Text, ...] = ()
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANSWER_CHARS)
    ]
    # German (source) only: raised by editors when the meaning changes.
    revision: int | None = Field(default=None, ge=1)
    # Every other language: the German revision this translation was made from.
    source_revision: int | None = Field(default=None, ge=1)
    machine_translated: bool = False


class FaqEntry(Strict):
    id: Slug
    topic: Topic
    tags: tuple[Text, ...] = ()
    # "district" for the whole Landkreis, or a town name such as "Pirna".
    region: Text = "district"
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    review_by: dt.date
    review_status: ReviewStatus = "draft"
    contacts: tuple[Slug, ...] = ()
    translations: dict[Language, FaqTranslation]

    @model_validator(mode="after")
    def _source_language_present(self) -> FaqEntry:
        german = in_language(self.translations, SOURCE_LANGUAGE)
        if german is None:
            raise ValueError("the German (de) version is missing; it is the source of every translation")
        if german.revision is None:
            raise ValueError("the German (de) version needs a 'revision' number")
        for lang, tr in self.translations.items():
            if lang != SOURCE_LANGUAGE and tr.source_revision is None:
                raise ValueError(
                    f"the {lang} version needs 'source_revision' (the German revision it was made from)"
                )
        return self

    @property
    def source_revision(self) -> int:
        german = in_language(self.translations, SOURCE_LANGUAGE)
        assert german is not None  # guaranteed by the validator
        assert german.revision is not None
        return german.revision

    def is_stale(self, lang: str) -> bool:
        tr = in_language(self.translations, lang)
        if tr is None or lang == SOURCE_LANGUAGE:
            return False
        return (tr.source_revision or 0) < self.source_revision


class Contact(Strict):
    id: Slug
    organisation: Text
    # Per-language short description of what this office does for young people.
    description: dict[Language, Text] = Field(default_factory=dict)
    address: Text | None = None
    town: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    website: HttpUrl | None = None
    opening_hours: Text | None = None
    languages: tuple[Language, ...] = ()
    topics: tuple[Topic, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    # True when an address, phone or e-mail could not be confirmed from a source.
    needs_verification: bool = False


class EventText(Strict):
    title: Text
    description: Text
    source_revision: int | None = Field(default=None, ge=1)
    machine_translated: bool = False


class Event(Strict):
    id: Slug
    topic: Topic = "events"
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: Text
    town: Text | None = None
    languages: tuple[Language, ...] = ()
    registration: Text | None = None
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    needs_verification: bool = False
    translations: dict[Language, EventText]

    @model_validator(mode="after")
    def _check(self) -> Event:
        if SOURCE_LANGUAGE not in self.translations:
            raise ValueError("the German (de) version is missing")
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("ends_at lies before starts_at")
        return self


class GlossaryTerm(Strict):
    term: Text
    # Plain-language explanation per language; the term itself stays as it is everywhere.
    explanations: dict[Language, Text]
    # Other spellings and transliterations young people type ("ausbildunk", "аусбилдунг").
    spellings: tuple[Text, ...] = ()


class Glossary(Strict):
    terms: tuple[GlossaryTerm, ...]


class SynonymGroup(Strict):
    # Words that mean the same for matching, in any language; the first is the canonical.
    words: tuple[Text, ...] = Field(min_length=2)


class Synonyms(Strict):
    groups: tuple[SynonymGroup, ...]
