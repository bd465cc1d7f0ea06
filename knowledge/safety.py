"""Recognise emergency messages (self-harm, violence, abuse, exploitation, a minor in danger).

The phrases live in ``knowledge/content/safety.yaml`` so that editors can extend them; the
pattern syntax is documented at the top of that file. Matching works on words, not on raw
characters: the message and every pattern go through the same normalisation (below), the
message is cut into words, and each pattern is a short sequence of words that must appear in
order, close to each other, within one sentence.

Normalisation (deliberately self-contained, independent of ``knowledge.normalize``):

* zero-width, bidi control and other invisible format characters are removed, so
  ``umbr<ZWJ>ingen`` and ``<RLO>kill myself`` are read as plain words;
* NFKC (full-width letters, Arabic presentation forms), Turkish ``İ``/``ı`` → ``i``, casefold;
* combining marks are dropped: ``ä→a``, ``ř→r``, ``ş→s``, ``ё→е``, ``й→и``, ``ї→і``, Arabic
  harakat, hamza carriers (``أ إ آ → ا``, ``ؤ → و``, ``ئ → ي``); tatweel and apostrophes go;
* Arabic/Farsi letter variants are unified (``ی ى → ي``, ``ک → ك``, ``ة ۀ → ه``), ``ґ → г``;
* German ``ae oe ue`` become ``a o u`` (so ``schlaegt``, ``schlägt`` and ``schlagt`` agree);
* runs of the same letter shrink to one (``hilfeeee → hilfe``, ``passport → pasport``);
* the Farsi verb prefix ``می``/``نمی`` is joined to its verb whatever the user typed
  (space, ZWNJ or nothing).

Because both sides are folded the same way, the folding only has to be consistent, not
linguistically exact. When several categories match, the most urgent wins (order of
:data:`CATEGORY_PRIORITY`); within a category the earliest match in the message wins.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CATEGORY_PRIORITY",
    "DEFAULT_PATH",
    "CrisisCategory",
    "CrisisDetector",
    "CrisisSignal",
    "SafetyFileError",
    "fold",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "content" / "safety.yaml"

# The supported languages; ``<code>-Latn`` holds transliterations into Latin letters and
# reports ``<code>``; ``any`` holds language-neutral patterns and reports ``None``.
_LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")
_LATIN_SUFFIX = "-Latn"
_ANY = "any"
_LANGUAGE_KEYS: frozenset[str] = frozenset(
    (*_LANGUAGES, *(code + _LATIN_SUFFIX for code in _LANGUAGES), _ANY)
)

DEFAULT_MAX_GAP = 2
MAX_GAP_LIMIT = 12
MIN_WILDCARD_CHARS = 3
MAX_TERMS = 24
_TERM_SLOTS = 32  # pattern terms are indexed as pattern_number * _TERM_SLOTS + term_number


class CrisisCategory(enum.StrEnum):
    SELF_HARM = "self_harm"
    VIOLENCE = "violence"
    ABUSE = "abuse"
    EXPLOITATION = "exploitation"
    MINOR_IN_DANGER = "minor_in_danger"


# Most urgent first: when one message matches several categories, the first one wins.
CATEGORY_PRIORITY: tuple[CrisisCategory, ...] = (
    CrisisCategory.SELF_HARM,
    CrisisCategory.ABUSE,
    CrisisCategory.VIOLENCE,
    CrisisCategory.MINOR_IN_DANGER,
    CrisisCategory.EXPLOITATION,
)


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    category: CrisisCategory
    language: str | None
    phrase: str  # the pattern that matched, as written in the file (not the user's text)


class SafetyFileError(ValueError):
    """The safety phrase file is malformed; the message names the file and the entry."""


# --------------------------------------------------------------------------- normalisation

# Invisible format characters: soft hyphen, combining grapheme joiner, Arabic letter mark,
# Hangul fillers, Mongolian variation selectors, zero-width space/joiners, LRM/RLM, bidi
# embeddings/overrides/isolates, word joiner, invisible operators, variation selectors, BOM,
# interlinear annotation, tag characters.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# Combining marks of the Latin, Cyrillic and Arabic scripts (after NFD).
_MARKS_RE = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_BEFORE_CASEFOLD = str.maketrans(
    {
        "İ": "i",
        "ı": "i",
        "\u0640": None,  # tatweel
        "'": None,
        "\u2019": None,
        "\u2018": None,
        "\u02bc": None,
        "\u02bb": None,
        "`": None,
        "\u00b4": None,
        "\u2032": None,
    }
)
_AFTER_MARKS = str.maketrans(
    {
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Farsi yeh -> Arabic yeh
        "\u06d2": "\u064a",  # yeh barree
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u06aa": "\u0643",  # swash kaf
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06d5": "\u0647",  # ae (left of heh with yeh above)
        "\u06c1": "\u0647",  # heh goal
        "\u0671": "\u0627",  # alef wasla
        "\u0491": "\u0433",  # ґ -> г
    }
)
_REPEAT_RE = re.compile(r"([^\W\d_])\1+")
# Farsi/Dari present and negated-present prefix, typed apart from its verb.
_FARSI_PREFIX_RE = re.compile(r"(?<![^\W_])(\u0646?\u0645\u064a)\s+(?=[^\W\d_])")
_FARSI_PREFIXES = frozenset({"\u0645\u064a", "\u0646\u0645\u064a"})
_WORD_RE = re.compile(r"[^\W_]+")
# Sentence ends: ! ? ; Arabic question mark and full stop, line breaks, a single full stop
# (an ellipsis "..." or "…" does not end the sentence).
_BARRIER_RE = re.compile(r"[!?;\n\u061f\u06d4\u3002]|(?<!\.)\.(?!\.)")


def fold(text: str) -> str:
    """The folded form of ``text`` that patterns are matched against (see module doc)."""
    text = _INVISIBLE_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_BEFORE_CASEFOLD).casefold()
    if not text.isascii():
        text = _MARKS_RE.sub("", unicodedata.normalize("NFD", text))
        text = text.translate(_AFTER_MARKS)
        text = _FARSI_PREFIX_RE.sub(r"\1", text)
    text = _REPEAT_RE.sub(r"\1", text)
    if "ae" in text or "oe" in text or "ue" in text:
        text = text.replace("ae", "a").replace("oe", "o").replace("ue", "u")
        text = _REPEAT_RE.sub(r"\1", text)
    return text


@dataclass(frozen=True, slots=True)
class _Words:
    """A message cut into folded words, with sentence and clause boundaries."""

    words: tuple[str, ...]
    sentence: tuple[int, ...]  # sentence number of each word; patterns do not cross sentences
    clause_end: frozenset[int]  # words followed by punctuation (or the end of the message)
    clause_start: frozenset[int]  # words preceded by punctuation (or the start of the message)


def _split(text: str) -> _Words:
    folded = fold(text)
    words: list[str] = []
    sentence: list[int] = []
    ends: set[int] = set()
    starts: set[int] = {0}
    current = 0
    previous_end = 0
    for match in _WORD_RE.finditer(folded):
        if words:
            gap = folded[previous_end : match.start()]
            if gap != " " and not gap.isspace():
                ends.add(len(words) - 1)
                starts.add(len(words))
                if _BARRIER_RE.search(gap):
                    current += 1
            elif "\n" in gap:
                ends.add(len(words) - 1)
                starts.add(len(words))
                current += 1
        words.append(match.group())
        sentence.append(current)
        previous_end = match.end()
    if words:
        ends.add(len(words) - 1)
    return _Words(tuple(words), tuple(sentence), frozenset(ends), frozenset(starts))


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class _Term:
    """One word position of a pattern: alternatives, each exact or with ``*`` wildcards."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    infixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Pattern:
    category: CrisisCategory
    language: str | None
    phrase: str
    terms: tuple[_Term, ...]
    gaps: tuple[int, ...]  # gaps[k]: most words allowed between term k-1 and term k
    at_start: bool
    at_end: bool
    negations: frozenset[str]
    rank: tuple[int, int]  # (category priority, position in the file)
    key: str = field(compare=False)  # the folded pattern, to find duplicates


_GAP_RE = re.compile(r"~(\d+)")


def _parse(
    raw: str,
    *,
    category: CrisisCategory,
    language: str | None,
    negations: frozenset[str],
    max_gap: int,
    rank: tuple[int, int],
) -> _Pattern:
    """Compile one pattern; raises ValueError with a reason an editor can act on."""
    parts = fold(raw).split()
    at_start = bool(parts) and parts[0] == "^"
    if at_start:
        parts = parts[1:]
    at_end = bool(parts) and parts[-1] == "$"
    if at_end:
        parts = parts[:-1]
    terms: list[_Term] = []
    gaps: list[int] = []
    pending: int | None = None
    for part in parts:
        gap = _GAP_RE.fullmatch(part)
        if gap is not None:
            if not terms:
                raise ValueError(f"'{part}' must stand between two words, not at the start")
            if pending is not None:
                raise ValueError(f"two gap markers in a row before '{part}'")
            pending = int(gap.group(1))
            if pending > MAX_GAP_LIMIT:
                raise ValueError(f"gap '{part}' is larger than ~{MAX_GAP_LIMIT}")
            continue
        if part in ("^", "$"):
            raise ValueError(f"'{part}' may only stand at the very start (^) or end ($)")
        terms.append(_term(part))
        gaps.append(0 if len(terms) == 1 else (max_gap if pending is None else pending))
        pending = None
    if pending is not None:
        raise ValueError("a gap marker '~N' must be followed by a word")
    if not terms:
        raise ValueError("the pattern has no words")
    if len(terms) > MAX_TERMS:
        raise ValueError(f"the pattern has more than {MAX_TERMS} words")
    return _Pattern(
        category=category,
        language=language,
        phrase=raw,
        terms=tuple(terms),
        gaps=tuple(gaps),
        at_start=at_start,
        at_end=at_end,
        negations=negations,
        rank=rank,
        key=("^ " if at_start else "") + " ".join(parts) + (" $" if at_end else ""),
    )


def _term(part: str) -> _Term:
    exact: set[str] = set()
    prefixes: set[str] = set()
    suffixes: set[str] = set()
    infixes: set[str] = set()
    for alternative in part.split("|"):
        leading = alternative.startswith("*")
        trailing = alternative.endswith("*") and len(alternative) > 1
        core = alternative[1 if leading else 0 : len(alternative) - 1 if trailing else None]
        if not core:
            raise ValueError(f"empty alternative in '{part}'")
        if not _WORD_RE.fullmatch(core):
            raise ValueError(
                f"'{alternative}' in '{part}' is not a single word; write several words separated by "
                "spaces, use only letters and digits, and '*' only at the start or end"
            )
        if core in _FARSI_PREFIXES:
            raise ValueError(f"'{core}' must be written together with its verb (e.g. میخوام)")
        if (leading or trailing) and len(core) < MIN_WILDCARD_CHARS:
            raise ValueError(
                f"'{alternative}' is too short for a wildcard after normalisation (at least "
                f"{MIN_WILDCARD_CHARS} letters; doubled letters count once)"
            )
        if leading and trailing:
            infixes.add(core)
        elif leading:
            suffixes.add(core)
        elif trailing:
            prefixes.add(core)
        else:
            exact.add(core)
    return _Term(frozenset(exact), tuple(sorted(prefixes)), tuple(sorted(suffixes)), tuple(sorted(infixes)))


# --------------------------------------------------------------------------- the detector


class CrisisDetector:
    """Finds the most urgent crisis phrase in a message, or nothing.

    Every pattern word is indexed (exact words in a dict, prefixes and suffixes in dicts by
    length), so a message costs one lookup round per *distinct* word. A pattern is only
    tried when each of its words occurs somewhere in the message, and then only from the
    positions of its first word.
    """

    __slots__ = ("_cache", "_exact", "_infixes", "_patterns", "_prefixes", "_suffixes")

    _CACHE_LIMIT = 50_000

    def __init__(self, patterns: Iterable[_Pattern]) -> None:
        self._patterns: tuple[_Pattern, ...] = tuple(sorted(patterns, key=lambda p: p.rank))
        self._exact: dict[str, list[int]] = {}
        self._prefixes: dict[int, dict[str, list[int]]] = {}
        self._suffixes: dict[int, dict[str, list[int]]] = {}
        self._infixes: list[tuple[str, int]] = []
        for number, pattern in enumerate(self._patterns):
            for k, term in enumerate(pattern.terms):
                code = number * _TERM_SLOTS + k
                for word in term.exact:
                    self._exact.setdefault(word, []).append(code)
                for prefix in term.prefixes:
                    self._prefixes.setdefault(len(prefix), {}).setdefault(prefix, []).append(code)
                for suffix in term.suffixes:
                    self._suffixes.setdefault(len(suffix), {}).setdefault(suffix, []).append(code)
                self._infixes.extend((infix, code) for infix in term.infixes)
        # Folded word -> the pattern terms it matches, shared across messages.
        self._cache: dict[str, frozenset[int]] = {}

    @classmethod
    def from_file(cls, path: Path) -> CrisisDetector:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SafetyFileError(f"{path}: not valid YAML: {exc}") from exc
        return cls(_load(data, str(path)))

    @classmethod
    def default(cls) -> CrisisDetector:
        return _default()

    def __len__(self) -> int:
        return len(self._patterns)

    def detect(self, text: str) -> CrisisSignal | None:
        message = _split(text)
        if not message.words:
            return None
        matched = [self._terms_of(word) for word in message.words]
        seen: dict[int, set[int]] = {}
        for codes in set(matched):
            for code in codes:
                seen.setdefault(code // _TERM_SLOTS, set()).add(code % _TERM_SLOTS)
        viable = sorted(number for number, ks in seen.items() if len(ks) == len(self._patterns[number].terms))
        best: tuple[int, int, int] | None = None  # (priority, position, file order)
        for number in viable:
            pattern = self._patterns[number]
            if best is not None and pattern.rank[0] > best[0]:
                break
            first = number * _TERM_SLOTS
            for position, codes in enumerate(matched):
                if best is not None and (pattern.rank[0], position) >= best[:2]:
                    break
                if first in codes and _matches(pattern, first, message, matched, position):
                    best = (pattern.rank[0], position, number)
                    break
        if best is None:
            return None
        found = self._patterns[best[2]]
        return CrisisSignal(found.category, found.language, found.phrase)

    def _terms_of(self, word: str) -> frozenset[int]:
        codes = self._cache.get(word)
        if codes is not None:
            return codes
        found: list[int] = list(self._exact.get(word, ()))
        size = len(word)
        for length, table in self._prefixes.items():
            if length <= size:
                found.extend(table.get(word[:length], ()))
        for length, table in self._suffixes.items():
            if length <= size:
                found.extend(table.get(word[-length:], ()))
        found.extend(code for infix, code in self._infixes if infix in word)
        codes = frozenset(found)
        if len(self._cache) >= self._CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = codes
        return codes


def _matches(
    pattern: _Pattern, first: int, message: _Words, matched: list[frozenset[int]], position: int
) -> bool:
    if pattern.at_start and position not in message.clause_start:
        return False
    return _extend(pattern, first, message, matched, 1, position)


def _extend(
    pattern: _Pattern, first: int, message: _Words, matched: list[frozenset[int]], k: int, position: int
) -> bool:
    """Can terms k.. of the pattern follow the word at ``position``?"""
    if k == len(pattern.terms):
        return not pattern.at_end or position in message.clause_end
    code = first + k
    sentence = message.sentence
    stop = min(len(matched), position + 2 + pattern.gaps[k])
    for j in range(position + 1, stop):
        if sentence[j] != sentence[position]:
            break
        if code in matched[j] and _extend(pattern, first, message, matched, k + 1, j):
            return True
        if message.words[j] in pattern.negations:
            break  # "I don't want to die": a negation between two words breaks the phrase
    return False


@functools.cache
def _default() -> CrisisDetector:
    return CrisisDetector.from_file(DEFAULT_PATH)


# --------------------------------------------------------------------------- the file


_TOP_KEYS = frozenset({"version", "max_gap", "negations", "categories"})


def _load(data: Any, source: str) -> list[_Pattern]:
    """Validate the file's shape and compile its patterns."""

    def fail(where: str, message: str) -> SafetyFileError:
        return SafetyFileError(f"{source}: {where}: {message}")

    if not isinstance(data, Mapping):
        raise fail(
            "top level", "expected a mapping with 'categories' (and optionally 'max_gap', 'negations')"
        )
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        raise fail(
            "top level", f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_TOP_KEYS))}"
        )
    if data.get("version", 1) != 1:
        raise fail("version", f"unsupported version {data.get('version')!r}; this code reads version 1")
    max_gap = data.get("max_gap", DEFAULT_MAX_GAP)
    if isinstance(max_gap, bool) or not isinstance(max_gap, int) or not 0 <= max_gap <= MAX_GAP_LIMIT:
        raise fail("max_gap", f"expected a whole number from 0 to {MAX_GAP_LIMIT}, got {max_gap!r}")

    negations: dict[str, frozenset[str]] = {}
    raw_negations = data.get("negations", {}) or {}
    if not isinstance(raw_negations, Mapping):
        raise fail("negations", "expected a mapping of language to a list of words")
    for language, words in raw_negations.items():
        where = f"negations.{language}"
        if language not in _LANGUAGE_KEYS:
            raise fail(where, f"unknown language; allowed: {', '.join(sorted(_LANGUAGE_KEYS))}")
        if not isinstance(words, list):
            raise fail(where, "expected a list of words")
        folded: set[str] = set()
        for i, word in enumerate(words):
            if not isinstance(word, str) or not _WORD_RE.fullmatch(fold(word)):
                raise fail(f"{where}[{i}]", f"expected a single word, got {word!r}")
            folded.add(fold(word))
        negations[language] = frozenset(folded)
    every_negation = frozenset().union(*negations.values()) if negations else frozenset()

    categories = data.get("categories")
    if not isinstance(categories, Mapping):
        raise fail("categories", "missing, or not a mapping of category to languages")
    known = {c.value: c for c in CrisisCategory}
    for name in categories:
        if name not in known:
            raise fail(f"categories.{name}", f"unknown category; allowed: {', '.join(known)}")
    missing = [name for name in known if name not in categories]
    if missing:
        raise fail("categories", f"missing category(ies): {', '.join(missing)}")

    patterns: list[_Pattern] = []
    for name, by_language in categories.items():
        category = known[name]
        priority = CATEGORY_PRIORITY.index(category)
        if not isinstance(by_language, Mapping) or not by_language:
            raise fail(f"categories.{name}", "expected a mapping of language to a list of patterns")
        for language, entries in by_language.items():
            where = f"categories.{name}.{language}"
            if language not in _LANGUAGE_KEYS:
                raise fail(where, f"unknown language; allowed: {', '.join(sorted(_LANGUAGE_KEYS))}")
            if not isinstance(entries, list) or not entries:
                raise fail(where, "expected a non-empty list of patterns")
            reported = None if language == _ANY else language.removesuffix(_LATIN_SUFFIX)
            negation = every_negation if language == _ANY else negations.get(language, frozenset())
            seen: dict[str, int] = {}
            for i, entry in enumerate(entries):
                if not isinstance(entry, str) or not entry.strip():
                    raise fail(f"{where}[{i}]", f"expected a non-empty text, got {entry!r}")
                try:
                    pattern = _parse(
                        entry,
                        category=category,
                        language=reported,
                        negations=negation,
                        max_gap=max_gap,
                        rank=(priority, len(patterns)),
                    )
                except ValueError as exc:
                    raise fail(f"{where}[{i}] {entry!r}", str(exc)) from None
                if pattern.key in seen:
                    raise fail(
                        f"{where}[{i}] {entry!r}", f"same as entry [{seen[pattern.key]}] after normalisation"
                    )
                seen[pattern.key] = i
                patterns.append(pattern)
    return patterns
