"""Internship and training offers of local companies (``content/offers/<id>.yaml``).

An offer names its company and town, the occupational fields it belongs to (ids of the
Agentur für Arbeit's fields, ``content/interests/fields.yaml``), what kind of place it is,
the languages spoken in the team, how to get in touch, and from when until when it holds.
``welcome`` records that the company agreed with the network to be shown as welcoming
young people with a migration background, and when it agreed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from babel import Locale
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from knowledge.model import (
    SOURCE_LANGUAGE,
    Email,
    Language,
    PhoneNumbers,
    PlainText,
    Slug,
    Source,
    Strict,
    Text,
    TranslatedText,
    WebAddress,
    _plain,
    _same_fields,
    in_language,
)
from knowledge.towns import Town, TownIndex, distance_km

OfferKind = Literal["schulpraktikum", "freiwilliges_praktikum", "einstiegsqualifizierung", "ausbildung"]
OFFER_KINDS: tuple[str, ...] = (
    "schulpraktikum",
    "freiwilliges_praktikum",
    "einstiegsqualifizierung",
    "ausbildung",
)
MAX_DESCRIPTION_CHARS = 600

# Two-letter ISO 639-1 codes (as the Unicode CLDR knows them): a team may speak any language.
ISO_LANGUAGES: frozenset[str] = frozenset(
    code for code in map(str, Locale("en").languages) if len(code) == 2 and code.isalpha()
)


def _team_language(code: str) -> str:
    if code not in ISO_LANGUAGES:
        raise ValueError(
            f"'{code}' is not a language code; "
            "write the two-letter ISO 639-1 code, such as de, en, ar, pl or vi"
        )
    return code


TeamLanguage = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True), AfterValidator(_team_language)
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION_CHARS),
    AfterValidator(_plain),
]


class OfferContact(Strict):
    """How to get in touch, as the company gave it."""

    person: PlainText | None = None
    phone: PhoneNumbers | None = None
    email: Email | None = None
    url: WebAddress | None = None

    @model_validator(mode="after")
    def _reachable(self) -> OfferContact:
        if self.phone is None and self.email is None and self.url is None:
            raise ValueError(
                "the contact has no phone, e-mail or web address; young people need at least one way to apply"
            )
        return self


class Welcome(Strict):
    """The company agreed with the network to be marked as welcoming young migrants."""

    agreed_on: dt.date
    # For editors only: who agreed, how it was recorded.
    editor_note: Text | None = None


class OfferText(TranslatedText):
    description: Description


class Offer(Strict):
    id: Slug
    company: PlainText
    # The name of a town in ``towns.yaml`` (checked with the content, see ``offer_problems``).
    town: Text
    fields: tuple[Slug, ...] = Field(min_length=1)
    kind: OfferKind
    team_languages: tuple[TeamLanguage, ...] = Field(min_length=1)
    contact: OfferContact
    valid_from: dt.date
    valid_until: dt.date
    welcome: Welcome | None = None
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    needs_verification: bool = False
    editor_note: Text | None = None
    translations: dict[Language, OfferText]

    @model_validator(mode="after")
    def _check(self) -> Offer:
        _same_fields(self.translations, ("description",))
        if self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until ({self.valid_until.isoformat()}) lies before valid_from "
                f"({self.valid_from.isoformat()})"
            )
        if len(set(self.fields)) != len(self.fields):
            raise ValueError("an occupational field is named twice under 'fields'")
        return self

    def current(self, today: dt.date) -> bool:
        """Not expired: shown until the end of ``valid_until``."""
        return self.valid_until >= today


def offer_problems(
    offer: Offer, towns: TownIndex, field_ids: Iterable[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    """What an offer names that the content does not have: each as (where, sentence)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    known = set(field_ids)
    if towns.named(offer.town) is None:
        close = towns.find(offer.town)
        hint = f" (did you mean '{close.name}'?)" if close is not None else ""
        found.append(
            (
                ("town",),
                f"the town '{offer.town}' is not one of the district's towns in towns.yaml{hint}; "
                "write its name as listed there",
            )
        )
    for index, field_id in enumerate(offer.fields):
        if field_id not in known:
            found.append(
                (
                    ("fields", index),
                    f"'{field_id}' is not an occupational field id; use one of {', '.join(sorted(known))}",
                )
            )
    return found


@dataclass(frozen=True, slots=True)
class NearOffer:
    offer: Offer
    town: Town
    km: float


def offers_near(
    offers: Iterable[Offer], fields: Iterable[str], origin: Town, towns: TownIndex, today: dt.date
) -> list[NearOffer]:
    """The current offers in any of ``fields``, nearest town first, then the longest valid.
    Expired offers are left out."""
    wanted = set(fields)
    found: list[NearOffer] = []
    for offer in offers:
        town = towns.named(offer.town)
        if town is None or not offer.current(today) or not wanted.intersection(offer.fields):
            continue
        found.append(NearOffer(offer, town, distance_km(origin, town)))
    return sorted(found, key=lambda n: (round(n.km, 1), -n.offer.valid_until.toordinal(), n.offer.id))


def offer_text_in(offer: Offer, lang: str) -> OfferText:
    """The person's language, else English, else the German source."""
    for code in (lang, "en", SOURCE_LANGUAGE):
        text = in_language(offer.translations, code)
        if text is not None:
            return text
    raise LookupError(lang)  # unreachable: the model requires German


def field_names_in(names: Mapping[str, Mapping[str, str]], field_id: str, lang: str) -> str:
    """A field's name in ``lang`` (German when missing, the id when unknown)."""
    per_language = names.get(field_id, {})
    return per_language.get(lang) or per_language.get(SOURCE_LANGUAGE) or field_id
