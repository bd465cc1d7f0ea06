"""The crisis lines the safety reply shows, from ``content/crisis_lines.yaml``.

Each line carries its numbers, hours, the languages it speaks (always, at some times, or
through an interpreter), who it is for, and the sources its facts were checked against.
The dialogs layer turns a line into text in the person's language (``dialogs.helplines``);
nothing here is translated.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from knowledge.model import Language, Slug, Source, Strict
from knowledge.yaml_text import load_yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "content" / "crisis_lines.yaml"

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Purpose = Literal["emergency", "police", "listening", "young", "women", "interpreting", "ukraine", "muslim"]
Group = Literal["danger", "talk", "language"]
# As dialled in Germany: digits in groups, or a leading + for an international form.
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]+( [0-9]+)*$", max_length=24)]


class CrisisLinesError(Exception):
    """The file cannot be used; the message names the file and the problem."""


class Span(Strict):
    """Opening hours on some weekdays, Berlin time."""

    days: tuple[Day, ...] = Field(min_length=1)
    opens: dt.time
    closes: dt.time

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.closes <= self.opens:
            raise ValueError(f"closes ({self.closes}) must come after opens ({self.opens})")
        return self

    def is_open(self, local: dt.datetime) -> bool:
        return DAYS[local.weekday()] in self.days and self.opens <= local.time() < self.closes


class CrisisLine(Strict):
    id: Slug
    name: str = ""
    numbers: tuple[PhoneNumber, ...] = Field(min_length=1)
    purpose: Purpose
    group: Group
    hours: Literal["always"] | tuple[Span, ...]
    free: bool
    speaks: tuple[Language, ...] = Field(min_length=1)
    sometimes: tuple[Language, ...] = ()
    interpreters: tuple[Language, ...] = ()
    for_languages: tuple[Language, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    checked_on: dt.date

    @field_validator("hours")
    @classmethod
    def _some_hours(cls, value: Literal["always"] | tuple[Span, ...]) -> Literal["always"] | tuple[Span, ...]:
        if value != "always" and not value:
            raise ValueError('give at least one span of hours, or "always"')
        return value

    @model_validator(mode="after")
    def _audience(self) -> CrisisLine:
        if self.group == "language" and not self.for_languages:
            raise ValueError("a line of group language needs for_languages")
        if self.group != "language" and self.for_languages:
            raise ValueError("for_languages belongs to lines of group language only")
        return self

    @property
    def always_open(self) -> bool:
        return self.hours == "always"

    def is_open(self, moment: dt.datetime, zone: ZoneInfo) -> bool:
        if self.hours == "always":
            return True
        local = moment.astimezone(zone)
        return any(span.is_open(local) for span in self.hours)

    def reaches(self, lang: str) -> bool:
        """Someone speaking ``lang`` can talk with this line, at least at some times."""
        return lang in (*self.speaks, *self.sometimes, *self.interpreters)


class CrisisLines(Strict):
    lines: tuple[CrisisLine, ...] = Field(min_length=1)
    # Leads no source confirmed yet: for editors, never shown.
    unconfirmed: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _well_formed(self) -> CrisisLines:
        ids = [line.id for line in self.lines]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"ids used twice: {', '.join(doubles)}")
        if not any(line.group == "danger" for line in self.lines):
            raise ValueError("at least one line of group danger (112) is needed")
        return self

    def group(self, group: Group, languages: Collection[str] = ()) -> tuple[CrisisLine, ...]:
        """The lines of ``group`` in file order; language lines only for ``languages``."""
        return tuple(
            line
            for line in self.lines
            if line.group == group
            and (group != "language" or any(lang in line.for_languages for lang in languages))
        )


def load_crisis_lines(path: Path = DEFAULT_PATH) -> CrisisLines:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CrisisLinesError(f"{path}: cannot be read: {exc}") from exc
    try:
        return CrisisLines.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise CrisisLinesError(f"{path}: {problems}") from exc


@functools.cache
def default_crisis_lines() -> CrisisLines:
    """The shipped lines, read once per process."""
    return load_crisis_lines()
