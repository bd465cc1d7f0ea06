"""The interest check (issue 13): its content as typed data, its validation, and its score.

Three files in ``interests/`` of the content folder (see the README there): ``model.yaml``
(the six RIASEC dimensions and the chat's texts), ``statements.yaml`` (the statements, in
the order the chat asks them, and the points of each answer) and ``fields.yaml`` (the
Agentur für Arbeit's occupational fields with their weights and training occupations).

``parse`` turns the three files' data into an ``InterestCheck`` or names every problem in
one sentence with its file and entry; ``score`` works out a result exactly as the README
says: a dimension's score is the sum of its statements' points, a field's score the
weighted mean of the dimension scores, the three best fields win (ties in file order), and
when no dimension has more than "not sure" everywhere would give, there is no clear direction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml

DIMENSIONS: tuple[str, ...] = ("R", "I", "A", "S", "E", "C")
ANSWERS: tuple[str, ...] = ("like", "unsure", "dislike")
FILES: tuple[str, ...] = ("model.yaml", "statements.yaml", "fields.yaml")
FOLDER = "interests"
# The texts the chat needs from model.yaml ``messages``.
MESSAGES: tuple[str, ...] = (
    "intro",
    "answer_like",
    "answer_unsure",
    "answer_dislike",
    "result_intro",
    "result_none",
    "result_disclaimer",
    "next_steps",
    "source_note",
)
MAX_STATEMENT = 70  # German characters: a statement fits a phone screen in a few lines
OCCUPATIONS_PER_FIELD = (3, 5)
MAIN_WEIGHT = 0.8  # every dimension leads (weight ≥ this) in at least one field
OFFICIAL_HOSTS = ("web.arbeitsagentur.de", "planet-beruf.de")
CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

Texts = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Dimension:
    id: str
    name: Texts
    description: Texts


@dataclass(frozen=True, slots=True)
class Statement:
    id: str
    dimension: str
    text: Texts


@dataclass(frozen=True, slots=True)
class GermanLevel:
    level: str
    source: Source


@dataclass(frozen=True, slots=True)
class Occupation:
    id: str
    name: Texts
    kind: str
    duration_years: float | None
    school: str | None  # a key of ``InterestCheck.school_texts``; None: nobody has said yet
    german_level: GermanLevel | None
    url: str | None
    district_source: str | None
    sources: tuple[Source, ...]
    checked_on: dt.date
    verify: bool
    to_verify: tuple[str, ...] = ()

    @property
    def german(self) -> str:
        return self.name["de"]


@dataclass(frozen=True, slots=True)
class OccupationalField:
    id: str
    name: Texts
    description: Texts
    weights: Mapping[str, float]
    occupations: tuple[Occupation, ...]

    def score(self, dimensions: Mapping[str, int]) -> float:
        """``Σ w_d · p_d / Σ w_d``: the weighted mean, so fields with many weights do not win."""
        total = sum(self.weights.values())
        return sum(w * dimensions.get(d, 0) for d, w in self.weights.items()) / total


@dataclass(frozen=True, slots=True)
class Result:
    """Points per dimension and the (up to) three fields that fit best; no fields when the
    answers show no clear direction."""

    scores: Mapping[str, int]
    fields: tuple[OccupationalField, ...]

    @property
    def clear(self) -> bool:
        return bool(self.fields)

    def code(self) -> str:
        """The six scores as digits in R I A S E C order ("604213"), for buttons and storage."""
        return "".join(str(self.scores[d]) for d in DIMENSIONS)


@dataclass(frozen=True, slots=True)
class InterestCheck:
    dimensions: tuple[Dimension, ...]
    statements: tuple[Statement, ...]
    fields: tuple[OccupationalField, ...]
    points: Mapping[str, int]  # like / unsure / dislike
    messages: Mapping[str, Texts]
    kinds: Mapping[str, Texts]
    school_texts: Mapping[str, Texts]
    attribution: str
    checked_on: dt.date
    machine_translated: frozenset[str]
    # The three files' data as read, for storing and exporting the content unchanged.
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def field(self, field_id: str) -> OccupationalField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def dimension(self, dimension_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    @property
    def max_points(self) -> int:
        """The most one dimension can score (every one of its statements liked)."""
        return self.per_dimension * self.points["like"]

    @property
    def per_dimension(self) -> int:
        return len(self.statements) // len(DIMENSIONS)

    def dimension_scores(self, answers: Sequence[str]) -> dict[str, int]:
        """The sum of the points of each dimension's statements; ``answers`` in statement
        order, each one of ``ANSWERS`` (a statement not answered yet counts nothing)."""
        scores = dict.fromkeys(DIMENSIONS, 0)
        for statement, answer in zip(self.statements, answers, strict=False):
            scores[statement.dimension] += self.points[answer]
        return scores

    def result(self, scores: Mapping[str, int], top: int = 3) -> Result:
        """The ``top`` fields with the highest score (equal scores keep the file's order),
        or none when no dimension has more points than "not sure" to all its statements."""
        full = {d: int(scores.get(d, 0)) for d in DIMENSIONS}
        if max(full.values()) <= self.per_dimension * self.points["unsure"]:
            return Result(MappingProxyType(full), ())
        # sorted() is stable; rounding keeps float noise from breaking a tie (6 · 1.6 / 1.6)
        ranked = sorted(self.fields, key=lambda f: -round(f.score(full), 9))
        return Result(MappingProxyType(full), tuple(ranked[:top]))

    def score(self, answers: Sequence[str]) -> Result:
        return self.result(self.dimension_scores(answers))

    def scores_from_code(self, code: str) -> dict[str, int] | None:
        """Scores back from ``Result.code``; None for anything a result cannot have."""
        if len(code) != len(DIMENSIONS) or not code.isdigit():
            return None
        scores = {d: int(c) for d, c in zip(DIMENSIONS, code, strict=True)}
        return scores if max(scores.values()) <= self.max_points else None


def text_in(texts: Texts, lang: str) -> str:
    """The person's language, else German (validation makes sure every language is there)."""
    return texts.get(lang) or texts["de"]


# ---------------------------------------------------------------- validation


class _Checker:
    """Collects problems of one file: each a sentence that names the entry, with its line."""

    def __init__(self, file: str, node: yaml.Node | None, problems: list[tuple[str, int | None, str]]):
        self.file, self.node, self.problems = file, node, problems

    def add(self, where: tuple[int | str, ...], message: str) -> None:
        from knowledge.loader import _node_line  # the loader imports this module

        self.problems.append((self.file, _node_line(self.node, where), message))


def _texts(value: Any, check: _Checker, where: tuple[int | str, ...], what: str) -> Texts:
    if not isinstance(value, Mapping):
        check.add(where, f"{what} should have a text for each language ({', '.join(_LANGS)})")
        return MappingProxyType({})
    missing = [lang for lang in _LANGS if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        check.add(where, f"{what} has no text in {', '.join(missing)}; every text needs all eight languages")
    unknown = [str(k) for k in value if k not in _LANGS]
    if unknown:
        check.add(where, f"{what} has '{', '.join(unknown)}', which is not a supported language")
    return MappingProxyType(
        {k: str(v).strip() for k, v in value.items() if k in _LANGS and isinstance(v, str)}
    )


def _date(value: Any, check: _Checker, where: tuple[int | str, ...], what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        shown = "missing" if value is None else f"'{value}', not a valid date"
        check.add(where, f"{what}: checked_on is {shown}; write the day it was checked as YYYY-MM-DD")
        return dt.date.min


def _web(url: Any, hosts: tuple[str, ...] = ()) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if hosts:
        return parts.scheme == "https" and host in hosts
    return parts.scheme in ("http", "https") and bool(host)


def _sources(value: Any, check: _Checker, where: tuple[int | str, ...], what: str) -> tuple[Source, ...]:
    if value is None or not isinstance(value, list):
        check.add(
            where,
            f"{what} needs 'sources': a list of web pages with url and title (an empty list [] if none)",
        )
        return ()
    found: list[Source] = []
    for index, item in enumerate(value):
        if (
            not isinstance(item, Mapping)
            or not _web(item.get("url"))
            or not str(item.get("title") or "").strip()
        ):
            check.add((*where, index), f"{what}: source {index + 1} needs a web address (url) and a title")
            continue
        found.append(Source(str(item["url"]), str(item["title"])))
    return tuple(found)


_LANGS: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")


def _machine(data: Mapping[str, Any], check: _Checker) -> frozenset[str]:
    value = data.get("machine_translated", [])
    if not isinstance(value, list) or any(v not in _LANGS or v == "de" for v in value):
        check.add(
            ("machine_translated",),
            "machine_translated should list the languages not yet reviewed, out of "
            f"{', '.join(_LANGS[1:])} (German is the source)",
        )
        return frozenset()
    return frozenset(str(v) for v in value)


def _model(data: Mapping[str, Any], check: _Checker) -> tuple[tuple[Dimension, ...], dict[str, Texts], str]:
    dimensions: list[Dimension] = []
    raw = data.get("dimensions")
    if not isinstance(raw, list):
        check.add(("dimensions",), "'dimensions' should list the six dimensions R I A S E C")
        raw = []
    for index, item in enumerate(raw):
        where: tuple[int | str, ...] = ("dimensions", index)
        if not isinstance(item, Mapping) or item.get("id") not in DIMENSIONS:
            got = item.get("id") if isinstance(item, Mapping) else item
            check.add(where, f"dimension {index + 1}: '{got}' is not one of {' '.join(DIMENSIONS)}")
            continue
        did = str(item["id"])
        if any(d.id == did for d in dimensions):
            check.add(where, f"dimension '{did}' appears twice")
            continue
        name = _texts(item.get("name"), check, (*where, "name"), f"the name of dimension '{did}'")
        description = _texts(
            item.get("description"), check, (*where, "description"), f"the description of dimension '{did}'"
        )
        dimensions.append(Dimension(did, name, description))
    missing = [d for d in DIMENSIONS if not any(x.id == d for x in dimensions)]
    if missing and raw:
        check.add(("dimensions",), f"the dimensions {' '.join(missing)} are missing; the model has all six")
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    messages: dict[str, Texts] = {}
    raw_messages = data.get("messages")
    if not isinstance(raw_messages, Mapping):
        check.add(("messages",), f"'messages' should hold the chat's texts: {', '.join(MESSAGES)}")
        raw_messages = {}
    for key in MESSAGES:
        if key not in raw_messages:
            check.add(("messages",), f"the message '{key}' is missing")
            continue
        texts = _texts(raw_messages[key], check, ("messages", key), f"the message '{key}'")
        for lang, text in texts.items():
            bad = [p for p in _PLACEHOLDER.findall(text) if p != "n"]
            if bad or text.count("{") != text.count("}"):
                check.add(
                    ("messages", key, lang),
                    f"the message '{key}' in {lang} has a placeholder other than {{n}}; "
                    "write other braces doubled ({{ }})",
                )
        messages[key] = texts
    licence = data.get("licence")
    attribution = str(licence.get("attribution") or "") if isinstance(licence, Mapping) else ""
    if not attribution.strip():
        check.add(
            ("licence",), "licence.attribution is missing: the CC BY attribution of the O*NET definitions"
        )
    _date(data.get("checked_on"), check, ("checked_on",), "model.yaml")
    return tuple(sorted(dimensions, key=lambda d: order[d.id])), messages, attribution


def _statements(data: Mapping[str, Any], check: _Checker) -> tuple[tuple[Statement, ...], dict[str, int]]:
    points: dict[str, int] = {}
    raw_points = data.get("answers")
    if (
        not isinstance(raw_points, Mapping)
        or set(raw_points) != set(ANSWERS)
        or not all(isinstance(raw_points[a], int) and not isinstance(raw_points[a], bool) for a in ANSWERS)
    ):
        check.add(("answers",), "'answers' should give whole points for like, unsure and dislike")
        points = {"like": 2, "unsure": 1, "dislike": 0}
    else:
        points = {a: int(raw_points[a]) for a in ANSWERS}
        if not points["like"] > points["unsure"] > points["dislike"] >= 0:
            check.add(
                ("answers",),
                "'answers' should give like more points than unsure, unsure more than dislike, "
                "and dislike 0 or more",
            )
    statements: list[Statement] = []
    raw = data.get("statements")
    if not isinstance(raw, list) or not raw:
        check.add(("statements",), "'statements' should list the statements in the order the chat asks them")
        raw = []
    for index, item in enumerate(raw):
        where: tuple[int | str, ...] = ("statements", index)
        if not isinstance(item, Mapping):
            check.add(where, f"statement {index + 1} should have an id, a dimension and a text")
            continue
        sid = str(item.get("id") or "")
        label = f"statement '{sid}'" if sid else f"statement {index + 1}"
        if not _ID.match(sid):
            check.add((*where, "id"), f"{label} needs an id of lower-case letters, digits and dashes")
        elif any(s.id == sid for s in statements):
            check.add((*where, "id"), f"the id '{sid}' is used by two statements")
        dimension = item.get("dimension")
        if dimension not in DIMENSIONS:
            check.add((*where, "dimension"), f"{label}: '{dimension}' is not one of {' '.join(DIMENSIONS)}")
            continue
        text = _texts(item.get("text"), check, (*where, "text"), f"the text of {label}")
        german = text.get("de", "")
        if len(german) > MAX_STATEMENT:
            check.add(
                (*where, "text", "de"),
                f"the German text of {label} has {len(german)} characters; keep it to about {MAX_STATEMENT}",
            )
        if statements and statements[-1].dimension == dimension and index == len(statements):
            check.add(
                (*where, "dimension"),
                f"{label} has the same dimension ({dimension}) as the statement before it; alternate them",
            )
        statements.append(Statement(sid, str(dimension), text))
    counts = {d: sum(1 for s in statements if s.dimension == d) for d in DIMENSIONS}
    if statements and len(set(counts.values())) > 1:
        shown = ", ".join(f"{d} {n}" for d, n in counts.items())
        check.add(("statements",), f"every dimension needs the same number of statements (now {shown})")
    _date(data.get("checked_on"), check, ("checked_on",), "statements.yaml")
    return tuple(statements), points


def _choice_texts(data: Mapping[str, Any], key: str, check: _Checker, what: str) -> dict[str, Texts]:
    raw = data.get(key)
    if not isinstance(raw, Mapping) or not raw:
        check.add((key,), f"'{key}' should name each {what} with its text in every language")
        return {}
    return {str(k): _texts(v, check, (key, str(k)), f"the {what} '{k}'") for k, v in raw.items()}


def _occupation(
    item: Any,
    where: tuple[int | str, ...],
    field_id: str,
    kinds: Mapping[str, Texts],
    schools: Mapping[str, Texts],
    check: _Checker,
) -> Occupation | None:
    if not isinstance(item, Mapping):
        check.add(where, f"an occupation of the field '{field_id}' should be a list of named values")
        return None
    oid = str(item.get("id") or "")
    label = f"the occupation '{oid}'" if oid else f"an occupation of the field '{field_id}'"
    if not _ID.match(oid):
        check.add((*where, "id"), f"{label} needs an id of lower-case letters, digits and dashes")
    name = _texts(item.get("name"), check, (*where, "name"), f"the name of {label}")
    kind = str(item.get("kind") or "")
    if kind not in kinds:
        check.add((*where, "kind"), f"{label}: kind '{kind}' is not one of {', '.join(kinds)} (see 'kinds')")
    duration = item.get("duration_years")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int | float) or not 0.5 <= duration <= 5
    ):
        check.add(
            (*where, "duration_years"), f"{label}: duration_years should be a number of years (or null)"
        )
        duration = None
    school_raw = item.get("school")
    school = school_raw.get("text") if isinstance(school_raw, Mapping) else school_raw
    if school is not None and school not in schools:
        check.add((*where, "school"), f"{label}: school text '{school}' is not a key of 'school_texts'")
        school = None
    level: GermanLevel | None = None
    raw_level = item.get("german_level")
    if raw_level is not None:
        source = raw_level.get("source") if isinstance(raw_level, Mapping) else None
        if (
            not isinstance(raw_level, Mapping)
            or raw_level.get("level") not in CEFR
            or not isinstance(source, Mapping)
            or not _web(source.get("url"))
        ):
            check.add(
                (*where, "german_level"),
                f"{label}: german_level should be null or a CEFR level ({', '.join(CEFR)}) "
                "with a source (level: B1, source: {url: …, title: …})",
            )
        else:
            level = GermanLevel(
                str(raw_level["level"]), Source(str(source["url"]), str(source.get("title") or ""))
            )
    url = item.get("url")
    if url is not None and not _web(url, OFFICIAL_HOSTS):
        check.add(
            (*where, "url"),
            f"{label}: url should be null or an https address on {' or '.join(OFFICIAL_HOSTS)}",
        )
        url = None
    district = item.get("district_source")
    if district is not None and not _web(district):
        check.add((*where, "district_source"), f"{label}: district_source should be null or a web address")
        district = None
    sources = _sources(item.get("sources"), check, (*where, "sources"), label)
    checked_on = _date(item.get("checked_on"), check, (*where, "checked_on"), label)
    to_verify = item.get("to_verify") or []
    if not isinstance(to_verify, list):
        check.add((*where, "to_verify"), f"{label}: to_verify should be a list of what editors must check")
        to_verify = []
    verify = item.get("verify")
    if not isinstance(verify, bool):
        check.add((*where, "verify"), f"{label}: verify should be true or false")
        verify = True
    unconfirmed = [
        name
        for name, value in (("url", url), ("german_level", level), ("district_source", district))
        if value is None and item.get(name) is None
    ]
    if not verify and (unconfirmed or to_verify):
        why = f"{', '.join(unconfirmed)} is null" if unconfirmed else "to_verify is not empty"
        check.add((*where, "verify"), f"{label} needs verify: true, because {why}")
    return Occupation(
        id=oid,
        name=name,
        kind=kind,
        duration_years=float(duration) if duration is not None else None,
        school=str(school) if school is not None else None,
        german_level=level,
        url=str(url) if url is not None else None,
        district_source=str(district) if district is not None else None,
        sources=sources,
        checked_on=checked_on,
        verify=bool(verify),
        to_verify=tuple(str(v) for v in to_verify),
    )


def _fields(
    data: Mapping[str, Any], check: _Checker
) -> tuple[tuple[OccupationalField, ...], dict[str, Texts], dict[str, Texts]]:
    kinds = _choice_texts(data, "kinds", check, "kind of training")
    schools = _choice_texts(data, "school_texts", check, "school text")
    _date(data.get("checked_on"), check, ("checked_on",), "fields.yaml")
    fields: list[OccupationalField] = []
    occupation_ids: dict[str, str] = {}
    raw = data.get("fields")
    if not isinstance(raw, list) or not raw:
        check.add(("fields",), "'fields' should list the occupational fields")
        raw = []
    for index, item in enumerate(raw):
        where: tuple[int | str, ...] = ("fields", index)
        if not isinstance(item, Mapping):
            check.add(where, f"field {index + 1} should be a list of named values")
            continue
        fid = str(item.get("id") or "")
        label = f"the field '{fid}'" if fid else f"field {index + 1}"
        if not _ID.match(fid):
            check.add((*where, "id"), f"{label} needs an id of lower-case letters, digits and dashes")
            continue
        if any(f.id == fid for f in fields):
            check.add((*where, "id"), f"the id '{fid}' is used by two fields")
            continue
        name = _texts(item.get("name"), check, (*where, "name"), f"the name of {label}")
        description = _texts(
            item.get("description"), check, (*where, "description"), f"the description of {label}"
        )
        weights: dict[str, float] = {}
        raw_weights = item.get("dimensions")
        if not isinstance(raw_weights, Mapping) or not raw_weights:
            check.add(
                (*where, "dimensions"), f"{label} needs weights for its dimensions, like {{R: 1.0, C: 0.3}}"
            )
        else:
            for dim, weight in raw_weights.items():
                if dim not in DIMENSIONS:
                    check.add(
                        (*where, "dimensions"), f"{label}: '{dim}' is not one of {' '.join(DIMENSIONS)}"
                    )
                elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                    check.add(
                        (*where, "dimensions"), f"{label}: the weight of {dim} should be a number above 0"
                    )
                else:
                    weights[str(dim)] = float(weight)
        occupations: list[Occupation] = []
        raw_occupations = item.get("occupations")
        count = len(raw_occupations) if isinstance(raw_occupations, list) else 0
        low, high = OCCUPATIONS_PER_FIELD
        if not low <= count <= high:
            check.add((*where, "occupations"), f"{label} has {count} occupations; give {low} to {high}")
        for position, raw_occupation in enumerate(
            raw_occupations if isinstance(raw_occupations, list) else []
        ):
            occupation = _occupation(
                raw_occupation, (*where, "occupations", position), fid, kinds, schools, check
            )
            if occupation is None:
                continue
            if occupation.id in occupation_ids:
                check.add(
                    (*where, "occupations", position, "id"),
                    f"the occupation id '{occupation.id}' is used twice "
                    f"(also in the field '{occupation_ids[occupation.id]}')",
                )
                continue
            occupation_ids[occupation.id] = fid
            occupations.append(occupation)
        if weights:
            fields.append(
                OccupationalField(fid, name, description, MappingProxyType(weights), tuple(occupations))
            )
    leading = {d for f in fields for d, w in f.weights.items() if w >= MAIN_WEIGHT}
    unled = [d for d in DIMENSIONS if d not in leading]
    if fields and unled:
        check.add(
            ("fields",),
            f"no field has a weight of at least {MAIN_WEIGHT} for {' '.join(unled)}; "
            "every dimension needs a field where it leads",
        )
    return tuple(fields), kinds, schools


Problems = list[tuple[str, int | None, str]]


def parse(
    data: Mapping[str, Any], nodes: Mapping[str, yaml.Node | None] | None = None, folder: str = FOLDER
) -> tuple[InterestCheck | None, Problems]:
    """The interest check from the three files' data (``data[file name]``), or None and
    every problem as (file, line, sentence). ``nodes``: the files' YAML, for line numbers."""
    problems: Problems = []
    nodes = nodes or {}
    checkers = {name: _Checker(f"{folder}/{name}", nodes.get(name), problems) for name in FILES}
    parts = {name: data.get(name) for name in FILES}
    for name, part in parts.items():
        if not isinstance(part, Mapping):
            problems.append((f"{folder}/{name}", 1, "the file should contain named fields (key: value)"))
    if problems:
        return None, problems
    model, statements_data, fields_data = (parts[name] for name in FILES)
    assert isinstance(model, Mapping)
    assert isinstance(statements_data, Mapping)
    assert isinstance(fields_data, Mapping)
    dimensions, messages, attribution = _model(model, checkers["model.yaml"])
    statements, points = _statements(statements_data, checkers["statements.yaml"])
    fields, kinds, schools = _fields(fields_data, checkers["fields.yaml"])
    machine = frozenset().union(*(_machine(parts[n], checkers[n]) for n in FILES))  # type: ignore[arg-type]
    if problems:
        return None, problems
    return (
        InterestCheck(
            dimensions=dimensions,
            statements=statements,
            fields=fields,
            points=MappingProxyType(points),
            messages=MappingProxyType(messages),
            kinds=MappingProxyType(kinds),
            school_texts=MappingProxyType(schools),
            attribution=attribution,
            checked_on=_date(fields_data.get("checked_on"), checkers["fields.yaml"], (), "fields.yaml"),
            machine_translated=machine,
            data=MappingProxyType({name: parts[name] for name in FILES}),
        ),
        [],
    )


def texts_for_checks(check: InterestCheck) -> list[tuple[str, str, str]]:
    """(item, language, text) of everything a person reads, for the German-words check."""
    found: list[tuple[str, str, str]] = []

    def add(item: str, texts: Texts) -> None:
        found.extend((item, lang, text) for lang, text in texts.items())

    for dimension in check.dimensions:
        add(
            f"dimension {dimension.id}",
            MappingProxyType(
                {lang: dimension.name[lang] + "\n" + dimension.description[lang] for lang in dimension.name}
            ),
        )
    for key, texts in check.messages.items():
        add(f"message {key}", texts)
    for statement in check.statements:
        add(f"statement {statement.id}", statement.text)
    for key, texts in check.kinds.items():
        add(f"kind {key}", texts)
    for key, texts in check.school_texts.items():
        add(f"school text {key}", texts)
    for occupational_field in check.fields:
        add(
            f"field {occupational_field.id}",
            MappingProxyType(
                {
                    lang: occupational_field.name[lang] + "\n" + occupational_field.description[lang]
                    for lang in occupational_field.name
                }
            ),
        )
    return found
