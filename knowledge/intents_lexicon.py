"""The phrase file of the intent detector: reading, checking and compiling it.

``load_lexicon(path)`` reads ``content/intents.yaml`` (its shape and the phrase syntax are
documented at the top of that file), checks every entry and raises ``IntentFileError``
naming the file and the entry (``intents.thanks.phrases.de[3]``) on the first mistake.
The result is a ``Lexicon``: patterns of folded words indexed by their first word, and the
word sets the detector looks words up in.
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.intents_text import clean_text, tokenize
from knowledge.yaml_text import load_yaml

__all__ = [
    "ANY",
    "LANGUAGES",
    "PRIORITY",
    "WILDCARD",
    "Intent",
    "IntentFileError",
    "Lexicon",
    "Pattern",
    "Tag",
    "load_lexicon",
]

LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")
ANY = "any"
_LATIN_SUFFIX = "-Latn"
_LANGUAGE_KEYS: frozenset[str] = frozenset((*LANGUAGES, *(c + _LATIN_SUFFIX for c in LANGUAGES), ANY))
WILDCARD = "*"
MAX_EXPANSIONS = 256
MAX_PATTERN_WORDS = 12


class Intent(enum.Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ADVISOR = "advisor"
    CONFUSED = "confused"
    YES = "yes"
    NO = "no"
    NUMBER = "number"


# When one message holds several intents, the first one here wins ("nein danke" is no,
# "hallo, ich will einen Berater" asks for the advisor).
PRIORITY: tuple[Intent, ...] = (
    Intent.ADVISOR,
    Intent.CONFUSED,
    Intent.GOODBYE,
    Intent.NO,
    Intent.YES,
    Intent.THANKS,
    Intent.GREETING,
)
_FILE_INTENTS: dict[str, Intent] = {i.value: i for i in PRIORITY}
_INTENT_KEYS = ("phrases", "weak", "context")
_TOP_KEYS = ("version", "intents", "filler", "question_words", "distinct")


class IntentFileError(ValueError):
    """The intent phrase file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Tag:
    """One meaning of a pattern: it says ``intent`` (weakly or not) in ``lang``."""

    intent: Intent
    weak: bool
    lang: str | None
    source: str  # the phrase as written in the file


@dataclass(slots=True)
class Pattern:
    words: tuple[str, ...]  # folded words; WILDCARD stands for any one word
    alone: bool  # counts only as the whole message
    tags: list[Tag] = field(default_factory=list)

    @property
    def langs(self) -> frozenset[str]:
        return frozenset(t.lang for t in self.tags if t.lang is not None)


@dataclass(frozen=True, slots=True)
class Lexicon:
    by_first: Mapping[str, tuple[Pattern, ...]]  # longest first
    context: Mapping[str, frozenset[Intent]]
    context_langs: Mapping[str, frozenset[str]]
    filler: frozenset[str]
    question_words: frozenset[str]
    distinct: frozenset[str]
    exact: frozenset[str]  # phrase words never matched with a typo
    phrase_words: frozenset[str]

    @property
    def known(self) -> frozenset[str]:
        return self.phrase_words | self.context.keys() | self.filler | self.question_words | self.distinct


# ------------------------------------------------------------------------------- parsing


def _fold_alternative(text: str) -> list[str]:
    """The folded words of one alternative ("geht's" -> ["gehts"], "па-па" -> two words)."""
    return [t.key for t in tokenize(clean_text(text))]


def _split_slots(phrase: str) -> list[tuple[bool, list[str]]]:
    """'wie geht's|gehts [dir]' -> [(False, ['wie']), (False, ["geht's", 'gehts']), (True, ['dir'])]."""
    slots: list[tuple[bool, list[str]]] = []
    for part in phrase.split():
        optional = part.startswith("[") or part.endswith("]")
        if optional:
            if not (part.startswith("[") and part.endswith("]")) or len(part) < 3:
                raise ValueError(f"'{part}': an optional word is written [word] or [a|b], without spaces")
            part = part[1:-1]
        if "[" in part or "]" in part:
            raise ValueError(f"'{part}': brackets only go around a whole word")
        if "^" in part:
            raise ValueError(f"'{part}': ^ may only stand at the very start of the phrase")
        alternatives = part.split("|")
        if any(not a for a in alternatives):
            raise ValueError(f"'{part}': empty alternative")
        slots.append((optional, alternatives))
    return slots


def parse_phrase(phrase: str) -> tuple[bool, list[tuple[str, ...]], frozenset[str]]:
    """(alone, the word sequences the phrase stands for, words marked '=' exact)."""
    text = phrase.strip()
    alone = text.startswith("^")
    if alone:
        text = text[1:].strip()
    if not text:
        raise ValueError("the phrase has no words")
    slots = _split_slots(text)
    for (_, alternatives), (_, following) in itertools.pairwise(slots):
        if len(alternatives) > 1 and len(following) == 1 and following[0] in alternatives:
            # "nicht mit bot|dem bot" reads "nicht mit bot bot" or "nicht mit dem bot".
            raise ValueError(
                f"'{'|'.join(alternatives)} {following[0]}': an alternative is one word; for "
                "words that may be left out write [word], or write two phrases"
            )
    choices: list[list[tuple[str, ...]]] = []
    exact: set[str] = set()
    for optional, alternatives in slots:
        options: list[tuple[str, ...]] = [()] if optional else []
        for alt in alternatives:
            if alt == WILDCARD:
                options.append((WILDCARD,))
                continue
            if WILDCARD in alt:
                raise ValueError(f"'{alt}': * stands alone for one whole word")
            is_exact = alt.startswith("=")
            folded = _fold_alternative(alt[1:] if is_exact else alt)
            if not folded:
                raise ValueError(f"'{alt}' has no letters, digits or emoji")
            if is_exact:
                exact.update(folded)
            options.append(tuple(folded))
        choices.append(options)
    count = 1
    for options in choices:
        count *= len(options)
    if count > MAX_EXPANSIONS:
        raise ValueError(f"the alternatives make {count} phrases; at most {MAX_EXPANSIONS}, split it")
    sequences: list[tuple[str, ...]] = []
    for combo in itertools.product(*choices):
        words = tuple(w for part in combo for w in part)
        if not words:
            raise ValueError("every word of the phrase is optional")
        if words[0] == WILDCARD:
            raise ValueError("a phrase cannot begin with * (any word)")
        if all(w == WILDCARD for w in words):
            raise ValueError("the phrase needs at least one real word")
        if len(words) > MAX_PATTERN_WORDS:
            raise ValueError(f"the phrase has more than {MAX_PATTERN_WORDS} words")
        if words not in sequences:
            sequences.append(words)
    return alone, sequences, frozenset(exact)


# ------------------------------------------------------------------------------- loading


def _lang_of(key: str) -> str | None:
    if key == ANY:
        return None
    return key.removesuffix(_LATIN_SUFFIX)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> IntentFileError:
        return IntentFileError(f"{self.source}: {where}: {message}")

    def languages(self, where: str, value: Any) -> Iterable[tuple[str, str, list[str]]]:
        """(language key, where, entries) for a mapping of language to a list of text."""
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping of language to a list")
        for lang, entries in value.items():
            here = f"{where}.{lang}"
            if lang not in _LANGUAGE_KEYS:
                allowed = ", ".join(sorted(_LANGUAGE_KEYS))
                raise self.fail(here, f"unknown language; allowed: {allowed}")
            if not isinstance(entries, list) or not entries:
                raise self.fail(here, "expected a non-empty list")
            seen: dict[str, int] = {}
            for i, entry in enumerate(entries):
                if not isinstance(entry, str) or not entry.strip():
                    hint = ""
                    if isinstance(entry, bool):
                        hint = " (YAML reads yes/no/on/off/true/false as a truth value: put it in quotes)"
                    elif isinstance(entry, list):
                        hint = " (a phrase that begins with [ must be put in quotes)"
                    raise self.fail(f"{here}[{i}]", f"expected text, got {entry!r}{hint}")
                norm = " ".join(entry.split()).casefold()
                if norm in seen:
                    raise self.fail(f"{here}[{i}]", f"{entry!r} is the same as entry [{seen[norm]}]")
                seen[norm] = i
            yield lang, here, entries

    def words(self, where: str, value: Any) -> list[tuple[str, str | None]]:
        """Single words per language -> [(folded word, language)]."""
        out: list[tuple[str, str | None]] = []
        for lang, here, entries in self.languages(where, value):
            for i, entry in enumerate(entries):
                folded = _fold_alternative(entry)
                if len(folded) != 1 or any(ch in entry for ch in "[]|^*="):
                    raise self.fail(f"{here}[{i}]", f"expected a single word, got {entry!r}")
                out.append((folded[0], _lang_of(lang)))
        return out


def load_lexicon(path: Path) -> Lexicon:
    source = str(path)
    reader = _Reader(source)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IntentFileError(f"{source}: cannot read the file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise IntentFileError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise reader.fail("top level", "expected a mapping with version, intents, filler, ...")
    unknown = [str(k) for k in data if k not in _TOP_KEYS]
    if unknown:
        raise reader.fail(", ".join(unknown), f"unknown key; allowed: {', '.join(_TOP_KEYS)}")
    if data.get("version") != 1:
        raise reader.fail(
            "version", f"unsupported version {data.get('version')!r}; this code reads version 1"
        )
    intents = data.get("intents")
    if not isinstance(intents, dict):
        raise reader.fail("intents", "missing, or not a mapping of intent to phrases")
    for name in intents:
        if name not in _FILE_INTENTS:
            hint = " (write it in quotes: YAML reads yes/no as true/false)" if isinstance(name, bool) else ""
            raise reader.fail(f"intents.{name}", f"unknown intent{hint}; allowed: {', '.join(_FILE_INTENTS)}")
    missing = [n for n in _FILE_INTENTS if n not in intents]
    if missing:
        raise reader.fail("intents", f"missing intent(s): {', '.join(missing)}")

    patterns: dict[tuple[tuple[str, ...], bool], Pattern] = {}
    context: dict[str, set[Intent]] = defaultdict(set)
    context_langs: dict[str, set[str]] = defaultdict(set)
    exact: set[str] = set()
    for name, section in intents.items():
        intent = _FILE_INTENTS[name]
        where = f"intents.{name}"
        if not isinstance(section, dict):
            raise reader.fail(where, f"expected a mapping with {', '.join(_INTENT_KEYS)}")
        for key in section:
            if key not in _INTENT_KEYS:
                raise reader.fail(f"{where}.{key}", f"unknown key; allowed: {', '.join(_INTENT_KEYS)}")
        if "phrases" not in section:
            raise reader.fail(where, "missing phrases")
        for kind in ("phrases", "weak"):
            if kind not in section:
                continue
            for lang, here, entries in reader.languages(f"{where}.{kind}", section[kind]):
                for i, entry in enumerate(entries):
                    try:
                        alone, sequences, marked = parse_phrase(entry)
                    except ValueError as exc:
                        raise reader.fail(f"{here}[{i}]", f"{entry!r}: {exc}") from None
                    exact |= marked
                    tag = Tag(intent, kind == "weak", _lang_of(lang), entry.strip())
                    for words in sequences:
                        pattern = patterns.setdefault((words, alone), Pattern(words, alone))
                        pattern.tags.append(tag)
        if "context" in section:
            for word, word_lang in reader.words(f"{where}.context", section["context"]):
                context[word].add(intent)
                if word_lang is not None:
                    context_langs[word].add(word_lang)

    filler = {w for w, _ in reader.words("filler", data["filler"])} if "filler" in data else set()
    question_words = (
        {w for w, _ in reader.words("question_words", data["question_words"])}
        if "question_words" in data
        else set()
    )
    distinct = {w for w, _ in reader.words("distinct", data["distinct"])} if "distinct" in data else set()
    phrase_words = {w for words, _alone in patterns for w in words if w != WILDCARD}
    by_first: dict[str, list[Pattern]] = defaultdict(list)
    for pattern in patterns.values():
        by_first[pattern.words[0]].append(pattern)
    return Lexicon(
        by_first={k: tuple(sorted(v, key=lambda p: (-len(p.words), p.alone))) for k, v in by_first.items()},
        context={k: frozenset(v) for k, v in context.items()},
        context_langs={k: frozenset(v) for k, v in context_langs.items()},
        filler=frozenset(filler),
        question_words=frozenset(question_words),
        distinct=frozenset(distinct),
        exact=frozenset(exact),
        phrase_words=frozenset(phrase_words),
    )
