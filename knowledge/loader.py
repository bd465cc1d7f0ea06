"""Read content files and name every problem with its file, line and a plain sentence.

Loading never half-succeeds: either every file is valid and a ``ContentSnapshot`` comes
back, or the caller gets the full list of problems and keeps serving what it had.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from knowledge import interests as interest_check
from knowledge.interests import InterestCheck
from knowledge.model import (
    LANGUAGES,
    MAX_ANSWER_CHARS,
    STORED,
    Contact,
    Event,
    FaqEntry,
    Glossary,
    Phrasings,
    Synonyms,
)
from knowledge.offers import Offer, offer_problems
from knowledge.towns import TownIndex, TownList
from knowledge.yaml_text import FastSafeLoader

ModelT = TypeVar("ModelT", bound=BaseModel)
# The kind and id of the interest check's stored item (its three files in one body).
INTERESTS = "interests"
log = logging.getLogger(__name__)

# The content folder shipped in the repository (the default wherever a folder is asked for).
SHIPPED_CONTENT = Path(__file__).resolve().parent / "content"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ContentSnapshot:
    faq: Mapping[str, FaqEntry]
    contacts: Mapping[str, Contact]
    events: tuple[Event, ...]
    glossary: Glossary
    synonyms: Synonyms
    # Where each item came from, for messages about it.
    origins: Mapping[str, str] = field(default_factory=dict)
    # Extra matching phrasings per language (``phrasings/<lang>.yaml``).
    phrasings: Mapping[str, Phrasings] = field(default_factory=dict)
    # The line of each FAQ answer in its file, ``(entry id, language) → line``, for messages
    # about an answer (content loaded from a folder; stored content has none).
    answer_lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    # The interest check (``interests/``); None when the folder has none.
    interests: InterestCheck | None = None
    # Internship and training offers of local companies, by id.
    offers: Mapping[str, Offer] = field(default_factory=dict)
    # The district's towns (``towns.yaml``); None when the folder has none.
    towns: TownList | None = None

    @property
    def field_names(self) -> Mapping[str, Mapping[str, str]]:
        """The occupational fields of the interest check, which offers refer to:
        ``{id: {language: name}}``."""
        return _field_names(self.interests)

    def where_answer(self, entry_id: str, lang: str) -> tuple[str, int | None]:
        """The file and line of an FAQ answer, for a ``Problem`` about it."""
        file = self.origins.get(f"faq:{entry_id}", f"faq/{entry_id}.yaml")
        return file, self.answer_lines.get((entry_id, lang))

    def phrasings_of(self, entry_id: str, lang: str) -> tuple[str, ...]:
        extra = self.phrasings.get(lang)
        return extra.phrasings.get(entry_id, ()) if extra is not None else ()

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for item in self.items():
            digest.update(json.dumps(item, sort_keys=True, default=str).encode())
        return digest.hexdigest()[:16]

    def items(self) -> Iterable[dict[str, Any]]:
        """Every item as plain data with its kind, the shape import and export use."""
        for entry in self.faq.values():
            yield {
                "kind": "faq",
                "id": entry.id,
                "body": entry.model_dump(mode="json", exclude_defaults=True),
            }
        for contact in self.contacts.values():
            yield {
                "kind": "contact",
                "id": contact.id,
                "body": contact.model_dump(mode="json", exclude_defaults=True),
            }
        for event in self.events:
            yield {
                "kind": "event",
                "id": event.id,
                "body": event.model_dump(mode="json", exclude_defaults=True),
            }
        for offer in self.offers.values():
            yield {
                "kind": "offer",
                "id": offer.id,
                "body": offer.model_dump(mode="json", exclude_defaults=True),
            }
        if self.towns is not None:
            yield {
                "kind": "towns",
                "id": "towns",
                "body": self.towns.model_dump(mode="json", exclude_defaults=True),
            }
        yield {"kind": "glossary", "id": "glossary", "body": self.glossary.model_dump(mode="json")}
        yield {"kind": "synonyms", "id": "synonyms", "body": self.synonyms.model_dump(mode="json")}
        for lang in sorted(self.phrasings):
            yield {"kind": "phrasings", "id": lang, "body": self.phrasings[lang].model_dump(mode="json")}
        if self.interests is not None:
            yield {"kind": INTERESTS, "id": INTERESTS, "body": dict(self.interests.data)}


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


# ---------------------------------------------------------------- YAML with line numbers


_Base = FastSafeLoader


class ContentLoader(_Base):  # type: ignore[valid-type,misc]
    """Safe YAML that leaves dates as text, so the model names a bad date instead of YAML crashing."""


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def _duplicate_keys(root: yaml.Node) -> list[tuple[int, str, int]]:
    """Keys that appear more than once in one mapping: YAML keeps only the last, silently.
    Each as (line of its second appearance, key, how often it appears)."""
    found: list[tuple[int, str, int]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias points back to a node already looked at
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[tuple[str, str], list[int]] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    lines.setdefault((key.tag, key.value), []).append(key.start_mark.line + 1)
                stack.extend((key, value))
            found.extend((at[1], key, len(at)) for (_tag, key), at in lines.items() if len(at) > 1)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found)


def _twice(key: str, count: int) -> str:
    if count == 2:
        return f"'{key}' appears twice in this mapping; the second would silently replace the first"
    return f"'{key}' appears {count} times in this mapping; the last would silently replace the others"


def _node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    # A block value starts below its key; editors look for the key's line.
                    line = key.start_mark.line + 1
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        if not isinstance(node, yaml.MappingNode):
            line = child.start_mark.line + 1
        node = child
    return line


_TIME_HINT = (
    "'{value}' is not a valid time; write Berlin time with its UTC offset, such as "
    "2027-09-11T10:00+02:00 in summer or 2027-01-22T10:00+01:00 in winter, or only the date "
    "(2027-09-11) when no time is known"
)
# Fields that moved into each language of ``translations``, for a clear sentence when an
# older file still has them at the top.
_PER_LANGUAGE = {
    "description": "description",
    "opening_hours": "opening hours",
    "place": "place",
    "registration": "registration",
    "phone_note": "phone note",
}

_PLAIN = {
    "missing": "the required field '{field}' is missing",
    "extra_forbidden": "'{field}' is not a field this kind of entry has (a typo?)",
    "literal_error": "'{value}' is not allowed here; expected {expected}",
    "date_from_datetime_parsing": "'{value}' is not a valid date; write it as YYYY-MM-DD",
    "date_parsing": "'{value}' is not a valid date; write it as YYYY-MM-DD",
    "date_type": "'{value}' is not a valid date; write it as YYYY-MM-DD",
    "datetime_parsing": _TIME_HINT,
    "datetime_from_date_parsing": _TIME_HINT,
    "datetime_type": _TIME_HINT,
    "url_parsing": "'{value}' is not a web address (it should start with https://)",
    "url_scheme": "'{value}' is not a web address (it should start with https://)",
    "string_too_short": "'{field}' is empty",
    "too_short": "'{field}' needs at least one item",
    "string_pattern_mismatch": "'{value}' is not a valid id: use 2-48 lower-case letters, digits and dashes",
    "string_type": "'{field}' should be text",
    "bool_parsing": "'{field}' should be true or false",
    "int_parsing": "'{field}' should be a whole number",
    "greater_than_equal": "'{field}' should be 1 or more",
    "dict_type": "'{field}' should be a list of named fields",
    "tuple_type": "'{field}' should be a list",
}


_NAMED_LANGUAGE = re.compile(
    r"the (?:German \()?(?P<lang>[a-z]{2})\)? version(?: (?:has|needs) '(?P<field>\w+)')?"
)


def _where(message: str) -> tuple[int | str, ...]:
    """Where a whole-entry problem lies, from the sentence that names it (for its line)."""
    found = _NAMED_LANGUAGE.search(message)
    if found:
        field = found.group("field")
        loc: tuple[int | str, ...] = ("translations", found.group("lang"))
        return (*loc, field) if field and field != "source_revision" else loc
    if message.startswith("ends_at"):
        return ("ends_at",)
    if message.startswith("valid_until"):
        return ("valid_until",)
    return ()


def _plain_message(error: ErrorDetails) -> str:
    loc = error["loc"]
    field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "entry")
    kind = error["type"]
    value = error.get("input")
    if kind == "string_too_long" and field_name == "answer":
        return (
            f"the answer is {len(str(value))} characters long; one Telegram message leaves room "
            f"for {MAX_ANSWER_CHARS}, so shorten it or split it into two entries"
        )
    if kind == "literal_error" and "[key]" in loc:
        return (
            f"'{loc[loc.index('[key]') - 1]}' is not a supported language; use one of {', '.join(LANGUAGES)}"
        )
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden" and len(loc) == 1 and field_name in _PER_LANGUAGE:
        return (
            f"the {_PER_LANGUAGE[field_name]} is text a person reads, so it is written per language: "
            f"move '{field_name}' under translations → de (and translate it under each other language)"
        )
    template = _PLAIN.get(kind)
    if template is None:
        return f"'{field_name}': {error['msg']}"
    expected = str(error.get("ctx", {}).get("expected", ""))
    shown = str(value)[:60] if value is not None else ""
    return template.format(field=field_name, value=shown, expected=expected)


def _follows_on(error: ErrorDetails, errors: list[ErrorDetails]) -> bool:
    """A list "too short" only because its own items were not valid: one cause, one problem."""
    if error["type"] != "too_short":
        return False
    loc = error["loc"]
    return any(other["loc"][: len(loc)] == loc and len(other["loc"]) > len(loc) for other in errors)


def _parse_yaml(text: str, file: str, problems: list[Problem]) -> tuple[bool, Any, yaml.Node | None]:
    """(whether it parsed without problems, its data, its node tree for line numbers)."""
    try:
        loader = ContentLoader(text)
        try:
            node = loader.get_single_node()
            duplicates = _duplicate_keys(node) if node is not None else []
            # With a key twice, whatever the model says could be a follow-on of the lost value.
            data = loader.construct_document(node) if node is not None and not duplicates else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(file, line, f"the file is not valid YAML ({reason})"))
        return False, None, None
    if duplicates:
        problems.extend(Problem(file, line, _twice(key, count)) for line, key, count in duplicates)
        return False, None, node
    return True, data, node


def _validate(
    model: type[ModelT], text: str, file: str, problems: list[Problem]
) -> tuple[ModelT | None, yaml.Node | None]:
    parsed, data, node = _parse_yaml(text, file, problems)
    if not parsed:
        return None, node
    if not isinstance(data, dict):
        problems.append(
            Problem(file, 1, "the file should contain named fields (key: value), not a list or text")
        )
        return None, node
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        errors = exc.errors()
        for error in errors:
            if _follows_on(error, errors):
                continue
            loc = tuple(p for p in error["loc"] if p != "[key]")
            message = _plain_message(error)
            problems.append(Problem(file, _node_line(node, loc or _where(message)), message))
        return None, node


# ---------------------------------------------------------------- the content folder


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read(path: Path, root: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(_relative(path, root), None, "the file is not UTF-8 text; save it as UTF-8"))
    except OSError as exc:
        problems.append(Problem(_relative(path, root), None, f"the file cannot be read ({exc.strerror})"))
    return None


def _id_in(node: yaml.Node | None) -> str | None:
    """The id a file gives itself, read from its YAML even when the item is not valid."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def _load_folder(
    model: type[ModelT],
    folder: Path,
    root: Path,
    problems: list[Problem],
    invalid: set[str] | None = None,
) -> list[tuple[ModelT, str, yaml.Node | None]]:
    """The valid items of a folder. ``invalid`` collects the ids of those that exist but are
    not valid, so references to them are not reported again (one problem per cause)."""
    items: list[tuple[ModelT, str, yaml.Node | None]] = []
    if not folder.is_dir():
        return items
    for path in sorted(folder.iterdir()):
        name = _relative(path, root)
        if path.suffix not in (".yaml", ".yml"):
            if not path.name.startswith(".") and path.name != "README.md":
                problems.append(Problem(name, None, "only .yaml files belong in this folder"))
            continue
        text = _read(path, root, problems)
        item, node = _validate(model, text, name, problems) if text is not None else (None, None)
        if item is None:
            if invalid is not None:
                invalid.update(i for i in (path.stem, _id_in(node)) if i)
            continue
        item_id = getattr(item, "id", "")
        if item_id != path.stem:
            problems.append(
                Problem(name, _node_line(node, ("id",)), f"the id '{item_id}' differs from the file name")
            )
        items.append((item, name, node))
    return items


def _load_single(model: type[ModelT], path: Path, root: Path, problems: list[Problem]) -> ModelT | None:
    if not path.exists():
        problems.append(Problem(_relative(path, root), None, "the file is missing"))
        return None
    text = _read(path, root, problems)
    if text is None:
        return None
    item, _node = _validate(model, text, _relative(path, root), problems)
    return item


def _unique(
    items: list[tuple[ModelT, str, yaml.Node | None]], problems: list[Problem]
) -> dict[str, tuple[ModelT, str, yaml.Node | None]]:
    seen: dict[str, tuple[ModelT, str, yaml.Node | None]] = {}
    for item, name, node in items:
        item_id = str(getattr(item, "id", ""))
        if item_id in seen:
            problems.append(
                Problem(
                    name,
                    _node_line(node, ("id",)),
                    f"the id '{item_id}' is already used in {seen[item_id][1]}",
                )
            )
            continue
        seen[item_id] = (item, name, node)
    return seen


def _check_phrasings(
    phrasings: Mapping[str, tuple[Phrasings, str, yaml.Node | None]],
    faq: Mapping[str, tuple[FaqEntry, str, yaml.Node | None]],
    problems: list[Problem],
    invalid_faq: Iterable[str] = (),
) -> dict[str, Phrasings]:
    """The phrasings of entries that exist. Those of an entry that is gone (deleted) are left
    out with a warning, so deleting an entry never blocks the content; those of an entry
    that is not valid (``invalid_faq``) quietly, as the entry has its own problem.
    The same phrasing under two entries confuses the matcher: that is a problem."""
    invalid = set(invalid_faq)
    kept: dict[str, Phrasings] = {}
    for lang, (extra, name, node) in phrasings.items():
        owner: dict[str, str] = {}
        for entry_id, texts in extra.phrasings.items():
            line = _node_line(node, ("phrasings", entry_id))
            if entry_id not in faq:
                if entry_id not in invalid:
                    log.warning("%s:%s: no FAQ entry '%s'; its phrasings are left out", name, line, entry_id)
                continue
            for text in texts:
                key = " ".join(text.casefold().split())
                other = owner.setdefault(key, entry_id)
                if other != entry_id:
                    problems.append(
                        Problem(name, line, f"'{text}' stands under both '{other}' and '{entry_id}'")
                    )
        for text in extra.out_of_scope:
            under = owner.get(" ".join(text.casefold().split()))
            if under is not None:
                at = _node_line(node, ("out_of_scope",))
                problems.append(Problem(name, at, f"'{text}' is both out of scope and under '{under}'"))
        known = {k: v for k, v in extra.phrasings.items() if k in faq}
        kept[lang] = (
            extra if len(known) == len(extra.phrasings) else extra.model_copy(update={"phrasings": known})
        )
    return kept


def check_snapshot(
    faq: Mapping[str, tuple[FaqEntry, str, yaml.Node | None]],
    contacts: Mapping[str, Any],
    problems: list[Problem],
    invalid_contacts: Iterable[str] = (),
) -> None:
    """Checks across files: references, dates and languages. A contact that exists but is
    not valid (``invalid_contacts``) has its own problem; the entries naming it get none."""
    invalid = set(invalid_contacts)
    for entry, name, node in faq.values():
        for index, ref in enumerate(entry.contacts):
            if ref not in contacts and ref not in invalid:
                problems.append(
                    Problem(
                        name, _node_line(node, ("contacts", index)), f"the contact '{ref}' does not exist"
                    )
                )
        if entry.review_by < entry.checked_on:
            problems.append(
                Problem(name, _node_line(node, ("review_by",)), "review_by lies before checked_on")
            )
        for lang, tr in entry.translations.items():
            if tr.source_revision is not None and tr.source_revision > entry.source_revision:
                problems.append(
                    Problem(
                        name,
                        _node_line(node, ("translations", lang, "source_revision")),
                        f"the {lang} version names German revision {tr.source_revision}, "
                        f"but the German text is at revision {entry.source_revision}",
                    )
                )


def _load_interests(root: Path, problems: list[Problem]) -> InterestCheck | None:
    """The interest check of ``interests/`` (its three files), or None when there is no such
    folder; its problems join the others."""
    folder = root / interest_check.FOLDER
    if not folder.is_dir():
        return None
    data: dict[str, Any] = {}
    nodes: dict[str, yaml.Node | None] = {}
    for name in interest_check.FILES:
        path = folder / name
        if not path.exists():
            problems.append(Problem(_relative(path, root), None, "the file is missing"))
            continue
        text = _read(path, root, problems)
        parsed, found, node = (
            _parse_yaml(text, _relative(path, root), problems) if text is not None else (False, None, None)
        )
        if not parsed:
            continue
        data[name] = found
        nodes[name] = node
    if len(data) < len(interest_check.FILES):
        return None
    check, named = interest_check.parse(data, nodes, _relative(folder, root))
    problems.extend(Problem(file, line, message) for file, line, message in named)
    return check


def _field_names(interests: InterestCheck | None) -> dict[str, dict[str, str]]:
    return {f.id: dict(f.name) for f in interests.fields} if interests is not None else {}


def check_offers(
    offers: Mapping[str, tuple[Offer, str, yaml.Node | None]],
    towns: TownList | None,
    field_names: Mapping[str, object],
    problems: list[Problem],
) -> None:
    """Each offer's town is one of the district's and its fields exist."""
    if offers and towns is None:
        problems.append(
            Problem("towns.yaml", None, "the file is missing, and the offers name their towns from it")
        )
        return
    index = TownIndex(towns.towns if towns is not None else ())
    for offer, name, node in offers.values():
        for loc, message in offer_problems(offer, index, field_names):
            problems.append(Problem(name, _node_line(node, loc), message))


def read_content(root: Path) -> tuple[ContentSnapshot, list[Problem]]:
    """Everything in the content folder that is valid, and every problem found.

    The snapshot holds only what loaded (an empty glossary or synonyms when theirs did not),
    so checks that need a snapshot can report their problems together with these."""
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem(str(root), None, "the content folder does not exist"))
        return ContentSnapshot({}, {}, (), Glossary(terms=()), Synonyms(groups=())), problems
    invalid_faq: set[str] = set()
    faq = _unique(_load_folder(FaqEntry, root / "faq", root, problems, invalid_faq), problems)
    invalid_contacts: set[str] = set()
    contacts = _unique(_load_folder(Contact, root / "contacts", root, problems, invalid_contacts), problems)
    events = _unique(_load_folder(Event, root / "events", root, problems), problems)
    glossary = _load_single(Glossary, root / "glossary.yaml", root, problems)
    synonyms = _load_single(Synonyms, root / "synonyms.yaml", root, problems)
    phrasings = _unique(_load_folder(Phrasings, root / "phrasings", root, problems), problems)
    interests = _load_interests(root, problems)
    check_snapshot(faq, contacts, problems, invalid_contacts)
    offers = _unique(_load_folder(Offer, root / "offers", root, problems), problems)
    towns = (
        _load_single(TownList, root / "towns.yaml", root, problems)
        if (root / "towns.yaml").exists()
        else None
    )
    check_offers(offers, towns, _field_names(interests), problems)
    extra_phrasings = _check_phrasings(phrasings, faq, problems, invalid_faq)
    if not faq and not problems:
        problems.append(Problem(_relative(root / "faq", root), None, "there are no FAQ entries"))
    origins = (
        {f"faq:{k}": v[1] for k, v in faq.items()}
        | {f"contact:{k}": v[1] for k, v in contacts.items()}
        | {f"event:{k}": v[1] for k, v in events.items()}
        | {f"offer:{k}": v[1] for k, v in offers.items()}
    )
    answer_lines: dict[tuple[str, str], int] = {
        (entry_id, str(lang)): line
        for entry_id, (entry, _name, node) in faq.items()
        for lang in entry.translations
        if (line := _node_line(node, ("translations", lang, "answer"))) is not None
    }
    snapshot = ContentSnapshot(
        faq={k: v[0] for k, v in faq.items()},
        contacts={k: v[0] for k, v in contacts.items()},
        events=tuple(sorted((v[0] for v in events.values()), key=lambda e: e.starts_at)),
        glossary=glossary or Glossary(terms=()),
        synonyms=synonyms or Synonyms(groups=()),
        origins=origins,
        phrasings=extra_phrasings,
        answer_lines=answer_lines,
        interests=interests,
        offers={k: v[0] for k, v in offers.items()},
        towns=towns,
    )
    return snapshot, problems


def load_content(root: Path) -> ContentSnapshot:
    """Load and check the whole content folder; raise ``ContentError`` listing every problem."""
    snapshot, problems = read_content(root)
    if problems:
        raise ContentError(problems)
    return snapshot


def _per_language(body: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """An item stored before texts became per-language: its German texts move into
    ``translations.de`` (and a per-language description into each language)."""
    shaped = dict(body)
    translations: dict[str, dict[str, Any]] = {
        lang: dict(text) for lang, text in (shaped.pop("translations", None) or {}).items()
    }
    legacy: dict[str, Any] = {}
    for name in fields:
        value = shaped.pop(name, None)
        if isinstance(value, Mapping):
            for lang, text in value.items():
                translations.setdefault(lang, {})[name] = text
        elif value is not None:
            translations.setdefault("de", {})[name] = value
            legacy[name] = value
    # The old files had these in German only; every language shows them as before until the
    # folder is imported again.
    for text in translations.values():
        for name, value in legacy.items():
            text.setdefault(name, value)
    shaped["translations"] = translations
    return shaped


def upgrade_stored(kind: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """Stored items of an older shape, in today's shape (a database imported before)."""
    if kind == "contact" and ("description" in body or "opening_hours" in body):
        return _per_language(body, ("description", "opening_hours"))
    if kind == "event" and "place" in body:
        return _per_language(body, ("place", "registration"))
    return body


def snapshot_from_items(items: Iterable[Mapping[str, Any]]) -> ContentSnapshot:
    """Rebuild a snapshot from stored items (the database), validating each again.

    Checks on how editors write (``knowledge.model.STORED``) were made when the items were
    imported; one added since must not stop the bots from serving what is stored."""
    faq: dict[str, FaqEntry] = {}
    contacts: dict[str, Contact] = {}
    events: list[Event] = []
    glossary = Glossary(terms=())
    synonyms = Synonyms(groups=())
    phrasings: dict[str, Phrasings] = {}
    interests: InterestCheck | None = None
    offers: dict[str, Offer] = {}
    towns: TownList | None = None
    for item in items:
        kind = item["kind"]
        body = upgrade_stored(kind, item["body"])
        if kind == "faq":
            entry = FaqEntry.model_validate(body, context=STORED)
            faq[entry.id] = entry
        elif kind == "contact":
            contact = Contact.model_validate(body, context=STORED)
            contacts[contact.id] = contact
        elif kind == "event":
            events.append(Event.model_validate(body, context=STORED))
        elif kind == "glossary":
            glossary = Glossary.model_validate(body, context=STORED)
        elif kind == "synonyms":
            synonyms = Synonyms.model_validate(body, context=STORED)
        elif kind == "phrasings":
            extra = Phrasings.model_validate(body, context=STORED)
            phrasings[extra.id] = extra
        elif kind == INTERESTS:
            interests, found = interest_check.parse(body)
            if interests is None:
                raise ValueError(f"the stored interest check is not valid: {found[0][2]}")
        elif kind == "offer":
            offer = Offer.model_validate(body, context=STORED)
            offers[offer.id] = offer
        elif kind == "towns":
            towns = TownList.model_validate(body, context=STORED)
    return ContentSnapshot(
        faq=faq,
        contacts=contacts,
        events=tuple(sorted(events, key=lambda e: e.starts_at)),
        glossary=glossary,
        synonyms=synonyms,
        phrasings=phrasings,
        interests=interests,
        offers=offers,
        towns=towns,
    )


def upcoming(events: Iterable[Event], now: dt.datetime) -> list[Event]:
    """Events not over yet (a day without time lasts until its end)."""
    return [e for e in events if e.over_at >= now]
