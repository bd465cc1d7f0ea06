"""The content model: FAQ entries, contacts, events, glossary and synonyms.

Editors keep one entry per YAML file. German is the source language: its translation
carries a ``revision`` that an editor raises when the meaning changes; every other
translation records the ``source_revision`` it was made from, so a changed German text
marks the other languages stale. Machine-made translations say so until reviewed.
"""

from __future__ import annotations

import datetime as dt
import html.entities
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Literal, TypeVar, cast
from zoneinfo import ZoneInfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")
SOURCE_LANGUAGE = "de"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "fa"})
# The script each language is written in (names as knowledge.safety_text.script_of gives them).
SCRIPT_OF_LANGUAGE: Mapping[str, str] = {
    **dict.fromkeys(("de", "en", "tr", "cs"), "latin"),
    **dict.fromkeys(("ar", "fa"), "arabic"),
    **dict.fromkeys(("ru", "uk"), "cyrillic"),
}
# Event times are Berlin times; their UTC offset must be Berlin's on that day.
BERLIN = ZoneInfo("Europe/Berlin")
# The topic of help in a crisis: its entries answer what the safety check alarms on.
CRISIS_TOPIC = "crisis"
TOPICS: tuple[str, ...] = (
    "training",
    "internship",
    "counselling",
    "recognition",
    "german",
    "events",
    "residence",
    CRISIS_TOPIC,
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

# The checks on how editors write (markup, phone numbers, e-mail addresses) apply to what
# is written now. Content that was imported before a check existed still loads when it is
# validated with ``context=STORED``, so a stricter check never takes served content down.
STORED: Mapping[str, bool] = MappingProxyType({"stored": True})


def _stored(info: ValidationInfo) -> bool:
    return isinstance(info.context, Mapping) and bool(info.context.get("stored"))


# ---------------------------------------------------------------- plain text

# Content is sent as plain text (escaped into Telegram's HTML), so markup an editor copies
# from a web page or a chat shows up literally: the tags of HTML, its codes (&nbsp;), and
# Markdown (each pattern with what it is and what to write instead).
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|center|code|del|div|em|font|h[1-6]|hr|i|img|ins|li|mark|ol|p"
    r"|pre|s|small|span|strike|strong|sub|sup|table|td|th|tr|tt|u|ul)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|(?P<name>[A-Za-z][A-Za-z0-9]{1,31}));")
_MARKDOWN: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\*\*[^\s*](?:[^*\n]*[^\s*])?\*\*"), "Markdown bold", "write it without the asterisks"),
    (
        re.compile(r"(?<!\w)__[^\s_](?:[^_\n]*[^\s_])?__(?!\w)"),
        "Markdown bold",
        "write it without the underscores",
    ),
    (re.compile(r"\[[^\[\]\n]+\]\(\s*[^()\s]+\s*\)"), "a Markdown link", "write the web address itself"),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S[^\n]*", re.MULTILINE), "a Markdown heading", "leave out the '#'"),
    (re.compile(r"`[^`\n]+`"), "Markdown code", "write it without the backticks"),
)
# How the messages name a field.
_FIELD_NAMES = {
    "variants": "variant",
    "opening_hours": "opening hours",
    "phone_note": "phone note",
    "address_note": "address note",
}


def _shown(found: str) -> str:
    return found if len(found) <= 40 else found[:39] + "…"


def markup_in(text: str) -> str | None:
    """The first HTML or Markdown in ``text`` and what to write instead; None for plain text.

    A lone "*" (a footnote), "<5", "3 < 4", bullets ("-", "•") and emoji are plain text."""
    found: list[tuple[int, str, str]] = []
    tag = _HTML_TAG.search(text)
    if tag:
        found.append((tag.start(), f"the HTML tag '{_shown(tag.group(0))}'", "write plain text without tags"))
    for entity in _HTML_ENTITY.finditer(text):
        name = entity.group("name")
        if name is None or f"{name};" in html.entities.html5:
            code = _shown(entity.group(0))
            found.append((entity.start(), f"the HTML code '{code}'", "write the character itself"))
            break
    for pattern, what, instead in _MARKDOWN:
        match = pattern.search(text)
        if match:
            found.append((match.start(), f"{what} ('{_shown(match.group(0))}')", instead))
    if not found:
        return None
    _at, what, instead = min(found)
    return f"{what}, which Telegram would show to young people as it is; {instead}"


def _plain(value: str, info: ValidationInfo) -> str:
    if _stored(info):
        return value
    found = markup_in(value)
    if found is not None:
        name = info.field_name or "text"
        raise ValueError(f"the {_FIELD_NAMES.get(name, name)} contains {found}")
    return value


# Text a person reads: plain, without HTML or Markdown.
PlainText = Annotated[Text, AfterValidator(_plain)]


# ---------------------------------------------------------------- addresses and numbers

# Digits and what separates them; commas (or semicolons) between several numbers.
_NOT_A_NUMBER = re.compile(r"[^\d\s+()/.\-–,;]")
# The harmonised European numbers of social value (116 111, 116 117, 116 016, …), free
# from any phone; the phone-number library knows only some of them.
_SOCIAL_VALUE = re.compile(r"116\d{3}")


def _callable_numbers(number: str) -> list[str]:
    """A written number as the numbers it stands for: "03501 46 8130/38" is 03501 46 8130
    and 03501 46 8138 (an alternative ending); "03501/468130" is one number."""
    head, *endings = (part.strip() for part in number.split("/"))
    digits = re.sub(r"\D", "", head)
    if endings and len(digits) >= 6 and all(e.isdigit() and len(e) <= 3 for e in endings):
        plus = "+" if head.startswith("+") else ""
        return [head, *(plus + digits[: -len(e)] + e for e in endings)]
    return [number]


def _callable_in_germany(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, "DE")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(parsed) or phonenumbers.is_valid_short_number(parsed):
        return True
    return parsed.country_code == 49 and _SOCIAL_VALUE.fullmatch(str(parsed.national_number)) is not None


def _phone(value: str, info: ValidationInfo) -> str:
    """One number or several separated by commas, as Germans write them: 03501 515-0,
    +49 3501 515-0, 0800 111 0 111, 116 111, 03501 46 8130/38."""
    if _stored(info):
        return value
    if _NOT_A_NUMBER.search(value):
        raise ValueError(
            f"the phone number '{_shown(value)}' has letters or signs in it; write only the number here "
            "(several separated by commas) and put words in 'phone_note'"
        )
    for number in (n.strip() for n in re.split(r"[,;]", value)):
        if not all(_callable_in_germany(n) for n in _callable_numbers(number)):
            raise ValueError(
                f"'{_shown(number)}' is not a phone number that can be called in Germany; check the digits "
                "and write it like 03501 515-0, +49 3501 515-0 or 116 111"
            )
    return value


def _email(value: str, info: ValidationInfo) -> str:
    if _stored(info):
        return value
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"'{_shown(value)}' is not a valid e-mail address: {exc}") from None
    return value


_WEB = re.compile(r"\s*https?://", re.IGNORECASE)


def _no_spaces(value: object) -> object:
    """A web address with a space would be taken with the space made %20: mostly a typo.
    (Text that is no web address at all is left to the address check to name.)"""
    if isinstance(value, str) and _WEB.match(value) and any(ch.isspace() for ch in value.strip()):
        raise ValueError(
            f"'{_shown(value.strip())}' has a space in it, and a web address has none; "
            "copy the address again from the browser's address bar"
        )
    return value


PhoneNumbers = Annotated[Text, AfterValidator(_phone)]
Email = Annotated[Text, AfterValidator(_email)]
WebAddress = Annotated[HttpUrl, BeforeValidator(_no_spaces)]


T = TypeVar("T")


def in_language(mapping: Mapping[Language, T], lang: str) -> T | None:
    """Look up a per-language value by any code; unknown codes simply have none."""
    return cast("Mapping[str, T]", mapping).get(lang)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    url: WebAddress
    title: Text


class FaqTranslation(Strict):
    question: PlainText
    variants: tuple[PlainText, ...] = ()
    answer: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANSWER_CHARS),
        AfterValidator(_plain),
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


class TranslatedText(Strict):
    """How one language's text of an item stands to the German source."""

    # German only (optional): counted up by the web admin when the German text changes.
    revision: int | None = Field(default=None, ge=1)
    # Every language but German: the German revision this text was made from (optional).
    source_revision: int | None = Field(default=None, ge=1)
    machine_translated: bool = False


class ContactText(TranslatedText):
    """What a person reads on a contact card, in one language."""

    # A short description of what this office does for young people.
    description: PlainText
    opening_hours: PlainText | None = None
    # Said after the phone number: "free service number", "switchboard of the district office".
    phone_note: PlainText | None = None
    # Said after the address: "postal address of the district office".
    address_note: PlainText | None = None


# The fields of ContactText and EventText a person reads; the other languages have them
# exactly when German has them.
CONTACT_TEXT_FIELDS = ("description", "opening_hours", "phone_note", "address_note")
EVENT_TEXT_FIELDS = ("title", "description", "place", "registration")


def _same_fields(translations: Mapping[Language, BaseModel], fields: tuple[str, ...]) -> None:
    """Every language fills the fields German fills, and no others."""
    german = in_language(translations, SOURCE_LANGUAGE)
    if german is None:
        raise ValueError(
            "the German (de) version under 'translations' is missing; it is the source of every translation"
        )
    for lang, text in translations.items():
        if lang == SOURCE_LANGUAGE:
            continue
        for name in fields:
            has_de, has_lang = getattr(german, name) is not None, getattr(text, name) is not None
            if has_de and not has_lang:
                raise ValueError(
                    f"the {lang} version lacks '{name}', which the German version has; "
                    "translate it, so nobody reads German in another language"
                )
            if has_lang and not has_de:
                raise ValueError(f"the {lang} version has '{name}', but the German version has none")


class Contact(Strict):
    id: Slug
    # A name: it stays as it is in every language.
    organisation: PlainText
    # Names, numbers and addresses stay as they are in every language; what a person reads
    # about them is in ``translations``.
    address: PlainText | None = None
    town: Text | None = None
    # One number or several, separated by commas.
    phone: PhoneNumbers | None = None
    email: Email | None = None
    website: WebAddress | None = None
    languages: tuple[Language, ...] = ()
    topics: tuple[Topic, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    # True when an address, phone, e-mail or opening hours could not be confirmed from a source.
    needs_verification: bool = False
    # For editors only, never shown: what is uncertain and what to do about it.
    editor_note: Text | None = None
    translations: dict[Language, ContactText]

    @model_validator(mode="after")
    def _check(self) -> Contact:
        _same_fields(self.translations, CONTACT_TEXT_FIELDS)
        return self


class EventText(TranslatedText):
    """What a person reads about an event, in one language."""

    title: PlainText
    description: PlainText
    # Where it takes place, in words (names stay as they are); required in German.
    place: PlainText | None = None
    registration: PlainText | None = None


def berlin_offsets(local: dt.datetime) -> tuple[dt.timedelta, ...]:
    """The UTC offsets Berlin has at this wall-clock time (two in the hour clocks go back)."""
    naive = local.replace(tzinfo=None)
    offsets: list[dt.timedelta] = []
    for fold in (0, 1):
        offset = naive.replace(tzinfo=BERLIN, fold=fold).utcoffset()
        if offset is not None and offset not in offsets:
            offsets.append(offset)
    return tuple(offsets)


def _offset_text(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Event(Strict):
    id: Slug
    topic: Topic = "events"
    # Berlin time with its UTC offset (+01:00 in winter, +02:00 in summer), or only a date
    # (YYYY-MM-DD) when no time is known: then ``all_day`` is set and no time is shown.
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    all_day: bool = False
    town: Text | None = None
    languages: tuple[Language, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date
    # True while the date or details are not confirmed by a source.
    needs_verification: bool = False
    # For editors only, never shown.
    editor_note: Text | None = None
    translations: dict[Language, EventText]

    @model_validator(mode="before")
    @classmethod
    def _dates_without_time(cls, data: object) -> object:
        """``starts_at: 2027-04-22`` means the day is known, the time is not."""
        if not isinstance(data, Mapping):
            return data
        shaped = dict(data)
        for key in ("starts_at", "ends_at"):
            value = shaped.get(key)
            day: dt.date | None = None
            if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
                try:
                    day = dt.date.fromisoformat(value.strip())
                except ValueError:
                    continue  # the datetime parser names the bad date
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                day = value
            if day is not None:
                shaped[key] = dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)
                shaped["all_day"] = True
        return shaped

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _berlin_offset(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return value
        wall = value.replace(tzinfo=None).isoformat(timespec="minutes")
        expected = berlin_offsets(value)
        if value.utcoffset() is None:
            raise ValueError(
                f"'{wall}' has no UTC offset, so nobody knows which time is meant; write Berlin time "
                f"with its offset: {wall}{_offset_text(expected[0])} "
                "(+01:00 in winter, +02:00 in summer), or only the date when no time is known"
            )
        offset = value.utcoffset()
        assert offset is not None
        if offset not in expected:
            season = "summer" if expected[0] > dt.timedelta(hours=1) else "winter"
            raise ValueError(
                f"'{wall}{_offset_text(offset)}' has the UTC offset {_offset_text(offset)}, but on "
                f"{value.date().isoformat()} Berlin is at {_offset_text(expected[0])} ({season} time); "
                f"write {wall}{_offset_text(expected[0])}"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> Event:
        _same_fields(self.translations, EVENT_TEXT_FIELDS)
        german = in_language(self.translations, SOURCE_LANGUAGE)
        if german is not None and german.place is None:
            raise ValueError("the German (de) version needs 'place': where the event takes place")
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("ends_at lies before starts_at")
        return self

    @property
    def over_at(self) -> dt.datetime:
        """When the event is over: its end, or for a day without time the end of that day."""
        last = self.ends_at or self.starts_at
        if not self.all_day:
            return last
        day = last.astimezone(BERLIN).date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)


class GlossaryTerm(Strict):
    term: Text
    # Plain-language explanation per language; the term itself stays as it is everywhere.
    explanations: dict[Language, Text]
    # The approved short explanation that follows the term in brackets the first time a
    # text uses it: "Ausbildung (vocational training)".
    short: dict[Language, Text] = Field(default_factory=dict)
    # Other spellings and transliterations young people type ("ausbildunk", "аусбилдунг").
    spellings: tuple[Text, ...] = ()


class Glossary(Strict):
    terms: tuple[GlossaryTerm, ...]
    # Names that stay as they are in every language without explanation: organisations,
    # towns, places and programmes ("Diakonie Pirna", "Schau rein!").
    names: tuple[Text, ...] = ()


class SynonymGroup(Strict):
    # Words that mean the same for matching, in any language; the first is the canonical.
    words: tuple[Text, ...] = Field(min_length=2)


class Synonyms(Strict):
    groups: tuple[SynonymGroup, ...]


Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Phrasings(Strict):
    """More ways young people ask for each entry, in one language (``phrasings/<lang>.yaml``).
    They teach the matcher only, like an entry's ``variants``, and are never shown."""

    id: Language
    phrasings: dict[Slug, tuple[Phrase, ...]]
    # Messages about what the network does not answer (a flat, a driving licence, homework):
    # the matcher learns to say "I don't know" to their like rather than pick an entry.
    out_of_scope: tuple[Phrase, ...] = ()
