"""Recognise emergency messages (self-harm, violence, abuse, exploitation, a minor in danger).

Two layers look at the WHOLE message, sentence by sentence (long run-on sentences in
overlapping windows), and the most urgent category found anywhere wins (order of
:data:`CATEGORY_PRIORITY`):

1. Patterns (``knowledge/content/safety.yaml``, written by editors; syntax at the top of that
   file): short word sequences that must appear in order, close together, within one
   sentence, not broken by a negation. Message and patterns are folded alike
   (``knowledge.safety_text``), and a message word stands for a pattern word when it is the
   same, a typo of it, another form with the same stem, or its transliteration from Latin
   letters into Cyrillic or Arabic script (``knowledge.safety_lexicon``). Bounded: one
   look-up per distinct word (cached), patterns tried only when all their words occur.
2. Meaning (``knowledge.safety_meaning``, optional): with an embedder, each sentence that no
   pattern matched is embedded and scored by a small model fitted on the example messages in
   ``knowledge/content/safety_examples.yaml``, so paraphrases without the listed words are
   caught and idioms ("this homework is killing me") are not. Without an embedder (tests,
   tools) the patterns work alone. Long messages embed at most a fixed number of windows,
   those with the most crisis words first, so a 10,000-character message stays fast. Each
   sentence is a chance of a false alarm, so a message of several is held to a stricter
   alarm, except its last sentence, judged as the message of one sentence it would have
   been had the person pressed Enter before it: a long message comes to its point at its
   end. The category of a crisis comes from a head fitted on crisis examples alone. With
   ``romanised_readings`` (default :data:`ROMANISED_READINGS`), a sentence in Latin letters
   that stands for Arabic, Farsi, Russian or Ukrainian ("ana bade mout", "mikham bemiram",
   "hochu umeret") is also read in that language's script (``knowledge.romanised``), since
   the embedder reads romanised text poorly.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from knowledge.match_dense import Embedder
from knowledge.romanised import arabizi_spelled, native_reading
from knowledge.safety_base import CATEGORY_PRIORITY, CrisisCategory, CrisisSignal, SafetyFileError
from knowledge.safety_lexicon import TERM_SLOTS, Lexicon, Term
from knowledge.safety_meaning import EXAMPLES_PATH, FITTED_PATH, MeaningModel, load_examples
from knowledge.safety_text import (
    FARSI_PREFIXES,
    FINGLISH_VERB_RE,
    ROMANISED_WORDS,
    WORD_RE,
    Words,
    fold,
    split,
    warm_up,
    windows,
)
from knowledge.yaml_text import load_yaml

__all__ = [
    "CATEGORY_PRIORITY",
    "DEFAULT_PATH",
    "EXAMPLES_PATH",
    "CrisisCategory",
    "CrisisDetector",
    "CrisisSignal",
    "SafetyFileError",
    "fold",
]

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parent / "content" / "safety.yaml"

# The supported languages; ``<code>-Latn`` holds transliterations into Latin letters and
# reports ``<code>``; ``any`` holds language-neutral patterns and reports ``None``.
_LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")
_LATIN_SUFFIX = "-Latn"
_ANY = "any"
_LANGUAGE_KEYS: frozenset[str] = frozenset(
    (*_LANGUAGES, *(code + _LATIN_SUFFIX for code in _LANGUAGES), _ANY)
)

# Whether the meaning layer also reads romanised sentences in their native script (see
# knowledge.romanised and the module doc). On: with the shipped model (fitted on messages as
# written) crisis recall rose 85.6% -> 88.5% on the evaluation set, near-miss false alarms
# 3.5% -> 4.1% (romanised idioms like "the exam is killing me"): safety.yaml's rule is that
# we would rather ask once too often than miss a crisis.
ROMANISED_READINGS = True

DEFAULT_MAX_GAP = 2
MAX_GAP_LIMIT = 12
MIN_WILDCARD_CHARS = 3
MAX_TERMS = 24
# Words that follow a negation ("not ... anymore"), folded; see _Pattern.wants_negation.
_NEGATIVE_POLARITY = (
    "anymore alive mehr больше більше už artık dige digeh دیگه دیگر ba2a baqa عاد bolshe bilshe"
)
NEGATIVE_POLARITY = frozenset(fold(w) for w in _NEGATIVE_POLARITY.split())


# --------------------------------------------------------------------------- patterns


# Whether a part of a message is an ordinary question (see ``CrisisDetector.screen``).
Ordinary = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class _Pattern:
    category: CrisisCategory
    language: str | None
    phrase: str
    terms: tuple[Term, ...]
    gaps: tuple[int, ...]  # gaps[k]: most words allowed between term k-1 and term k
    at_start: bool
    at_end: bool
    negations: frozenset[str]
    rank: tuple[int, int]  # (category priority, position in the file)
    romanised: bool  # written in Latin letters for a language with another script (<code>-Latn)
    # Holds a word that only follows a negation ("anymore", "mehr", "больше"): then a
    # negation right before the phrase is part of it ("I don't want to live anymore").
    wants_negation: bool
    blockers: frozenset[str]  # words that cancel a match in the same clause
    key: str = field(compare=False)  # the folded pattern, to find duplicates
    resolution: Resolution | None = None  # "I had such thoughts, I'm fine now"
    # From the file's ``concerns``: a cry for help alone ("save me"), which gets where to
    # find help under the usual answer (``CrisisDetector.screen``), never an alarm.
    concern: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    """Words of one language that tell a crisis from a past one the person has left behind:
    a ``past`` marker in the sentence of the phrase ("früher", "hatte", "були", "eskiden"),
    then a later clause with a ``now`` and a ``well`` word ("jetzt geht es mir gut", "зараз
    все добре", "şimdi iyiyim"), no ``recent`` word anywhere ("gestern", "вчера", "dün": a
    recent act is no past one) and no negation before the well word ("jetzt nicht gut")."""

    past: frozenset[str]
    recent: frozenset[str]
    now: frozenset[str]
    well: frozenset[str]

    def __or__(self, other: Resolution) -> Resolution:
        return Resolution(
            self.past | other.past, self.recent | other.recent, self.now | other.now, self.well | other.well
        )


_GAP_RE = re.compile(r"~(\d+)")


def _parse(
    raw: str,
    *,
    category: CrisisCategory,
    language: str | None,
    negations: frozenset[str],
    max_gap: int,
    rank: tuple[int, int],
    romanised: bool = False,
    blockers: frozenset[str] = frozenset(),
    resolution: Resolution | None = None,
    concern: bool = False,
) -> _Pattern:
    """Compile one pattern; raises ValueError with a reason an editor can act on."""
    parts = fold(raw).split()
    at_start = bool(parts) and parts[0] == "^"
    if at_start:
        parts = parts[1:]
    at_end = bool(parts) and parts[-1] == "$"
    if at_end:
        parts = parts[:-1]
    terms: list[Term] = []
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
        romanised=romanised,
        wants_negation=any(word in NEGATIVE_POLARITY for term in terms for word in term.exact),
        blockers=blockers,
        key=("^ " if at_start else "") + " ".join(parts) + (" $" if at_end else ""),
        resolution=resolution,
        concern=concern,
    )


def _term(part: str) -> Term:
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
        if not WORD_RE.fullmatch(core):
            raise ValueError(
                f"'{alternative}' in '{part}' is not a single word; write several words separated by "
                "spaces, use only letters and digits, and '*' only at the start or end"
            )
        if core in FARSI_PREFIXES:
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
    return Term(frozenset(exact), tuple(sorted(prefixes)), tuple(sorted(suffixes)), tuple(sorted(infixes)))


# --------------------------------------------------------------------------- the detector


class CrisisDetector:
    """Finds the most urgent crisis in a message, or nothing (see the module doc).

    ``CrisisDetector(patterns)`` and ``from_file(path)`` use the patterns alone;
    ``from_file(path, embedder=...)`` and ``default()`` add the meaning layer when an
    embedder is available.
    """

    __slots__ = (
        "_cache",
        "_embedder",
        "_lexicon",
        "_meaning",
        "_patterns",
        "_readings",
        "_translit_cache",
    )

    _CACHE_LIMIT = 50_000
    # Meaning layer: words per window for run-on sentences, and the most windows embedded
    # per message (those with the most crisis words first).
    WINDOW_WORDS = 14
    WINDOW_STRIDE = 7
    MAX_WINDOWS = 16
    MIN_WINDOW_WORDS = 3

    def __init__(
        self,
        patterns: Iterable[_Pattern],
        *,
        embedder: Embedder | None = None,
        meaning: MeaningModel | None = None,
        romanised_readings: bool = ROMANISED_READINGS,
    ) -> None:
        self._patterns: tuple[_Pattern, ...] = tuple(sorted(patterns, key=lambda p: p.rank))
        self._lexicon = Lexicon(
            (number * TERM_SLOTS + k, pattern.language, term)
            for number, pattern in enumerate(self._patterns)
            for k, term in enumerate(pattern.terms)
        )
        # Folded word -> the pattern terms it matches, shared across messages.
        self._cache: dict[str, tuple[frozenset[int], frozenset[int]]] = {}
        self._translit_cache: dict[tuple[str, frozenset[str]], frozenset[int]] = {}
        self._readings = romanised_readings
        if meaning is not None and embedder is not None and meaning.dim != embedder.dim:
            log.warning("safety meaning model ignored: it was fitted for another embedder")
            meaning = None
        self._meaning = meaning if embedder is not None else None
        self._embedder = embedder if self._meaning is not None else None
        warm_up()

    @classmethod
    def from_file(
        cls,
        path: Path,
        *,
        embedder: Embedder | None = None,
        examples: Path | None = None,
        fitted: Path | None = None,
        romanised_readings: bool = ROMANISED_READINGS,
    ) -> CrisisDetector:
        """Patterns from ``path``; with an embedder also the meaning layer, whose example
        file (``examples``) is validated and whose fitted model (``fitted``) is loaded."""
        try:
            data = load_yaml(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SafetyFileError(f"{path}: not valid YAML: {exc}") from exc
        patterns = _load(data, str(path))
        meaning: MeaningModel | None = None
        if embedder is not None:
            example_set = load_examples(examples or EXAMPLES_PATH)
            meaning = MeaningModel.load(fitted or FITTED_PATH)
            if meaning is not None and not meaning.fits(example_set):
                log.warning(
                    "the safety examples changed since the meaning model was fitted; "
                    "run 'python -m knowledge.safety_fit' to refit it"
                )
        return cls(patterns, embedder=embedder, meaning=meaning, romanised_readings=romanised_readings)

    @classmethod
    def default(cls) -> CrisisDetector:
        """The shipped patterns and, when the embedder is installed, the meaning layer."""
        return _default()

    @property
    def has_meaning(self) -> bool:
        return self._meaning is not None

    def __len__(self) -> int:
        return len(self._patterns)

    # ------------------------------------------------------------------ detection

    def detect(self, text: str, ordinary: Ordinary | None = None) -> CrisisSignal | None:
        """An alarm: the message needs the crisis reply and an urgent case."""
        return self._detect(text, concern=False, ordinary=ordinary)

    def screen(self, text: str, ordinary: Ordinary | None = None) -> CrisisSignal | None:
        """An alarm, or else a concern (``signal.concern``): the meaning model finds the
        message close to a crisis but not sure enough for an alarm.

        ``ordinary`` tells whether a part of the message is an ordinary question: one the
        knowledge base answers directly, with an entry outside the crisis topic
        (``KnowledgeBase.answers_plainly``). The meaning model, trained on crisis messages
        and near-misses, is sure of crises it has never seen the like of ("digga erklär
        mal wie das mit der lehre hier läuft, wie viele jahre dauert das": self-harm,
        0.69); an alarm of the meaning model alone on such a part is a concern. Patterns
        are never overruled."""
        return self._detect(text, concern=True, ordinary=ordinary)

    def _detect(self, text: str, concern: bool, ordinary: Ordinary | None = None) -> CrisisSignal | None:
        message = split(text)
        if not message.words:
            return None
        written, matched = self._word_codes(message)
        joking = _joking_sentences(message)
        # Patterns matched as written rank before those matched through a typo, another
        # word form or a transliteration (which may find a neighbour language's pattern).
        found_hits = [(p, 0, pos, n) for p, pos, n in self._pattern_hits(message, written, joking)]
        found_hits += [(p, 1, pos, n) for p, pos, n in self._pattern_hits(message, matched, joking)]
        hits = [h for h in found_hits if not self._patterns[h[3]].concern]
        # A cry for help alone ("save me"): where to find help, when nothing is surer.
        worry = (
            min((h for h in found_hits if self._patterns[h[3]].concern), default=None) if concern else None
        )
        worried = None if worry is None else replace(self._signal(worry[3]), concern=True)
        best: tuple[tuple[int, int, int], CrisisSignal] | None = None
        for priority, loose, position, number in hits:
            if best is None or (priority, loose, position) < best[0]:
                best = ((priority, loose, position), self._signal(number))
        if self._meaning is None or (best is not None and best[0][0] == 0):
            return worried if best is None else best[1]
        covered = {message.sentence[position] for _, _, position, _ in hits}
        meant, window = self._meaning_signal(message, covered, joking, concern) or (None, "")
        if meant is not None and not meant.concern and ordinary is not None and ordinary(window):
            meant = replace(meant, concern=True) if concern else None
        if meant is not None:
            priority = CATEGORY_PRIORITY.index(meant.category)
            if best is None and meant.concern and worried is not None:
                return worried
            if best is None or (priority < best[0][0] and not meant.concern):
                return meant
        return worried if best is None else best[1]

    def _signal(self, number: int) -> CrisisSignal:
        found = self._patterns[number]
        return CrisisSignal(found.category, found.language, found.phrase)

    def _word_codes(self, message: Words) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
        """The pattern terms each word stands for: as written, and with typos, word forms and
        transliterations; the latter only in sentences that do not read as German, English,
        Turkish or Czech (so "bitte Mut" is not "بدي موت")."""
        pairs = [self._terms_of(word) for word in message.words]
        written = [pair[0] for pair in pairs]
        native = [pair[1] for pair in pairs]
        romanised = _romanised_sentences(message)
        if not romanised:
            return written, native
        loose = [
            codes | self._translit_of(word, romanised[message.sentence[i]])
            if message.sentence[i] in romanised
            else codes
            for i, (word, codes) in enumerate(zip(message.words, native, strict=True))
        ]
        return written, loose

    def _pattern_hits(
        self, message: Words, matched: list[frozenset[int]], joking: set[int]
    ) -> list[tuple[int, int, int]]:
        """(priority, position, pattern number): each pattern's first match per sentence.
        Threats in a sentence that laughs ("my mum will kill me 😂") are hyperbole."""
        seen: dict[int, set[int]] = {}
        for codes in set(matched):
            for code in codes:
                seen.setdefault(code // TERM_SLOTS, set()).add(code % TERM_SLOTS)
        viable = sorted(number for number, ks in seen.items() if len(ks) == len(self._patterns[number].terms))
        hits: list[tuple[int, int, int]] = []
        done: set[tuple[int, int, bool]] = set()  # (sentence, priority, concern) already found
        for number in viable:
            pattern = self._patterns[number]
            first = number * TERM_SLOTS
            for position, codes in enumerate(matched):
                sentence = message.sentence[position]
                if (sentence, pattern.rank[0], pattern.concern) in done or first not in codes:
                    continue
                if sentence in joking and pattern.category in _JOKING_CATEGORIES:
                    continue
                if _matches(pattern, first, message, matched, position):
                    hits.append((pattern.rank[0], position, number))
                    done.add((sentence, pattern.rank[0], pattern.concern))
        return hits

    def _terms_of(self, word: str) -> tuple[frozenset[int], frozenset[int]]:
        """(codes as written, codes with typos and word forms) of a folded word, cached."""
        codes = self._cache.get(word)
        if codes is None:
            written = frozenset(self._lexicon.written(word))
            codes = (written, written | self._lexicon.native(word))
            if len(self._cache) >= self._CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = codes
        return codes

    def _translit_of(self, word: str, targets: frozenset[str]) -> frozenset[int]:
        key = (word, targets)
        codes = self._translit_cache.get(key)
        if codes is None:
            codes = frozenset(self._lexicon.transliterated(word, targets))
            if len(self._translit_cache) >= self._CACHE_LIMIT:
                self._translit_cache.clear()
            self._translit_cache[key] = codes
        return codes

    # ------------------------------------------------------------------ meaning layer

    def meaning_windows(self, text: str) -> list[str]:
        """The windows of a message the meaning layer reads, most telling first: what the
        fit embeds for an example is what the detector embeds for a message."""
        message = split(text)
        chosen = sorted(self._window_candidates(message, set()))[: self.MAX_WINDOWS]
        return [window for *_, window in chosen]

    def _window_candidates(self, message: Words, covered: set[int]) -> list[tuple[int, int, int, str]]:
        """(-crisis words, -sentence, order, window) of each sentence the patterns did not
        cover: the whole sentence and, when it runs on, overlapping windows (a sentence
        vector blurs what a long sentence says at its end); for a romanised sentence the
        same of its native reading."""
        candidates: list[tuple[int, int, int, str]] = []
        seen: set[str] = set()
        romanised = _romanised_sentences(message) if self._readings else {}
        for number, sentence in enumerate(message.sentences):
            if number in covered or sentence in seen:
                continue
            seen.add(sentence)
            parts = self._sentence_windows(sentence)
            # A sentence in Latin letters for Arabic, Farsi, Russian or Ukrainian is also
            # read in that language's script, which the embedder knows far better.
            reading = native_reading(sentence, romanised[number]) if number in romanised else None
            if reading is not None and reading != sentence:
                parts += self._sentence_windows(reading)
            for order, window in enumerate(parts):
                words = WORD_RE.findall(fold(window))
                cues = sum(1 for w in words if self._cue(w))
                # A word or two without a crisis word ("cestina", "ok danke") carries too
                # little meaning for the vectors: the patterns judge those alone.
                if len(words) < self.MIN_WINDOW_WORDS and not cues:
                    continue
                if len(words) < 2 and len(message.sentences) > 1:
                    continue
                candidates.append((-cues, -number, order, window))
        return candidates

    def _cue(self, word: str) -> bool:
        """Whether a folded word is a word of an alarm pattern (of any form). The words of a
        concern pattern are none: a lone "save me" would otherwise be judged by the meaning
        layer as a crisis word."""
        return any(not self._patterns[code // TERM_SLOTS].concern for code in self._terms_of(word)[1])

    def _sentence_windows(self, sentence: str) -> list[str]:
        """The whole sentence and, when it runs on, its overlapping windows."""
        if len(sentence.split()) > self.WINDOW_WORDS:
            return [sentence, *windows(sentence, self.WINDOW_WORDS, self.WINDOW_STRIDE)]
        return [sentence]

    def native_reading(self, text: str) -> str | None:
        """The message with each romanised sentence written in its language's script (see
        ``knowledge.romanised``), or None when no sentence is romanised: what the fit also
        learns from, so that the model knows the readings the detector embeds."""
        message = split(text)
        romanised = _romanised_sentences(message) if self._readings else {}
        readings = [
            (native_reading(sentence, romanised[number]) if number in romanised else None) or sentence
            for number, sentence in enumerate(message.sentences)
        ]
        changed = readings != list(message.sentences)
        return " ".join(readings) if changed else None

    def _meaning_signal(
        self, message: Words, covered: set[int], joking: set[int], concern: bool = False
    ) -> tuple[CrisisSignal, str] | None:
        """The most urgent sentence by meaning, and the window that found it (for
        ``screen``'s ``ordinary``; never part of the signal). A sentence's category is that
        of its first alarming window, the whole sentence first, since a fragment of a
        sentence can mean something else than the sentence."""
        assert self._meaning is not None
        assert self._embedder is not None
        candidates = self._window_candidates(message, covered)
        if not candidates:
            return None
        # Each sentence is a chance of a false alarm: the more, the stricter; but a long
        # message tends to come to its point at its end: its last sentence judged has an
        # alarm of its own (MeaningModel.threshold_closing, that of one sentence).
        sentences = len(message.sentences)
        closing = max(-c[1] for c in candidates)

        def limit(number: int, concern: bool) -> float:
            assert self._meaning is not None
            return self._meaning.limits(sentences, concern, closing=number == closing)

        # Over budget: the last sentence's windows, then those with the most crisis words,
        # then the later sentences.
        chosen = sorted(candidates, key=lambda c: (-c[1] != closing, c))[: self.MAX_WINDOWS]
        chosen.sort(key=lambda c: (-c[1], c[2]))
        # One batch: a forward pass per window costs more than one over all of them.
        texts = [c[3] for c in chosen]
        judged = self._meaning.classify(
            self._meaning.inputs(self._embedder.embed_windows(texts), texts),
            min(limit(-c[1], concern) for c in chosen),
        )
        found: dict[int, tuple[CrisisCategory, float, str]] = {}  # sentence -> first alarm
        for (_, negated, _, window), alarm in zip(chosen, judged, strict=True):
            number = -negated
            alarm_from = limit(number, False)
            if number in found and found[number][1] >= alarm_from:
                continue  # a concern found first in a sentence still yields to an alarm in it
            if alarm is None or alarm[1] < limit(number, concern):
                continue
            if number in joking and alarm[0] in _JOKING_CATEGORIES:
                continue
            if number not in found or alarm[1] >= alarm_from:
                found[number] = (alarm[0], alarm[1], window)
        if not found:
            return None
        alarms = [f for number, f in found.items() if f[1] >= limit(number, False)]
        category, probability, window = min(
            alarms or found.values(), key=lambda f: (CATEGORY_PRIORITY.index(f[0]), -f[1])
        )
        signal = CrisisSignal(
            category,
            _language_of(window),
            f"meaning: {category.value}",
            layer="meaning",
            confidence=round(probability, 3),
            concern=not alarms,
        )
        return signal, window


# Laughter: "haha", "lol", "xD", "хаха", "ههههه", "خخخ", laughing emoji.
_LAUGHTER_RE = re.compile(
    r"(?:\b(?:a?(?:ha){2,}h?|(?:he){2,}|lol|lmao|xd+|jaja\w*)\b)|(?:(?:ха|ах){2,})|ه{3,}|خ{3,}"
    "|[\U0001f602\U0001f923\U0001f605\U0001f606\U0001f639\U0001f604\U0001f601\U0001f61c\U0001f648]",
    re.IGNORECASE,
)
# A threat in a laughing sentence is hyperbole ("Mama bringt mich um 😅", "we slaughtered
# them 5:0 😂"); self-harm is never dismissed by laughter ("i want to die lol" may be meant).
_JOKING_CATEGORIES = frozenset(CATEGORY_PRIORITY) - {CrisisCategory.SELF_HARM}


def _joking_sentences(message: Words) -> set[int]:
    return {i for i, sentence in enumerate(message.sentences) if _LAUGHTER_RE.search(sentence)}


def _romanised_sentences(message: Words) -> dict[int, frozenset[str]]:
    """Sentences in Latin letters that stand for Arabic ("ar"), Farsi ("fa") or Russian and
    Ukrainian ("slavic"): no letters with accents (those are Czech, Turkish, German), and a
    fifth of the words being that language's romanised function words (or Finglish verbs,
    "mikhabam"), or (Arabic) a word mixing letters with Arabizi digits ("3ayez", "7ali"; not
    a language level: "b2" in a Czech or Ukrainian sentence made it Arabic)."""
    latin: dict[int, list[str]] = {}
    for word, sentence in zip(message.words, message.sentence, strict=True):
        if word.isascii() and any(ch.isalpha() for ch in word):
            latin.setdefault(sentence, []).append(word)
    found: dict[int, frozenset[str]] = {}
    for sentence, words in latin.items():
        if _ACCENTED_LATIN_RE.search(message.sentences[sentence]):
            continue
        hits = {
            target: sum(1 for w in words if w in vocabulary) for target, vocabulary in ROMANISED_WORDS.items()
        }
        hits["fa"] += sum(1 for w in words if w not in ROMANISED_WORDS["fa"] and FINGLISH_VERB_RE.match(w))
        targets = {target for target, n in hits.items() if n and n * 5 >= len(words)}
        if any(arabizi_spelled(w) for w in words):
            targets.add("ar")
        if targets:
            found[sentence] = frozenset(targets)
    return found


_ACCENTED_LATIN_RE = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def _language_of(text: str) -> str | None:
    from knowledge.language import detect_language

    try:
        return detect_language(text)
    except Exception:  # the language is a nicety; never let it cost the alarm
        return None


def _matches(
    pattern: _Pattern, first: int, message: Words, matched: list[frozenset[int]], position: int
) -> bool:
    if pattern.at_start and position not in message.clause_start:
        return False
    if not pattern.wants_negation and _negated_before(pattern, message, position):
        return False
    end = _extend(pattern, first, message, matched, 1, position)
    if end < 0:
        return False
    if pattern.language == "tr" and (
        _turkish_negated_within(pattern, message, position, end) or _turkish_negation_after(message, end)
    ):
        return False
    if pattern.language == "de" and not pattern.wants_negation and _german_negation_after(message, end):
        return False
    if pattern.resolution is not None and _resolved(pattern, pattern.resolution, message, position, end):
        return False
    return not (pattern.blockers and _blocked(pattern, message, position, end))


WELL_LOOK_BACK = 2


def _resolved(pattern: _Pattern, resolution: Resolution, message: Words, position: int, end: int) -> bool:
    """Told as past and left behind (see :class:`Resolution`): "Раньше у меня были мысли о
    суициде, но сейчас всё хорошо" is no alarm; "... вчера ..., сейчас всё хорошо" is."""
    words = message.words
    if any(word in resolution.recent for word in words):
        return False
    sentence = message.sentence[position]
    if not any(
        words[j] in resolution.past for j in range(len(words)) if message.sentence[j] == sentence and j <= end
    ):
        return False
    clause_start = end + 1
    for j in range(end + 1, len(words)):
        if j in message.clause_start:
            clause_start = j
        if words[j] not in resolution.well:
            continue
        if any(words[k] in pattern.negations for k in range(max(clause_start, j - WELL_LOOK_BACK), j)):
            continue
        after = words[j + 1] if j + 1 < len(words) and j not in message.clause_end else ""
        if after in _GERMAN_NEGATIONS_AFTER or after.startswith("degil"):
            continue  # "jetzt geht es mir gut nicht", "iyi değilim"
        clause_end = j
        while clause_end < len(words) - 1 and clause_end not in message.clause_end:
            clause_end += 1
        if any(words[k] in resolution.now for k in range(clause_start, clause_end + 1)):
            return True
    return False


# Words that open a new clause: the look-back for a negation stops there ("I can't sleep
# and I want to die" is not negated by "can't").
_CLAUSE_OPENERS_TEXT = (
    "and und but aber or oder because weil denn so also then dann и і й а но але та или або "
    "потому бо ve ama veya çünkü a ale nebo protože و ولكن لكن بس لأن او اما ولی چون یا "
    "i im ich я ja ben já ana انا من man"
)
_CLAUSE_OPENERS = frozenset(fold(w) for w in _CLAUSE_OPENERS_TEXT.split())
LOOK_BACK = 3


def _negated_before(pattern: _Pattern, message: Words, position: int) -> bool:
    """A negation up to three words before the phrase, in the same clause: "не хочу умирать",
    "ما بدي أذي حالي", "I'm not going to kill myself", "nechci se zabít"."""
    if position in message.clause_start or message.words[position] in _CLAUSE_OPENERS:
        return False
    sentence = message.sentence[position]
    for j in range(position - 1, max(-1, position - 1 - LOOK_BACK), -1):
        word = message.words[j]
        if message.sentence[j] != sentence or word in _CLAUSE_OPENERS:
            return False
        if word in pattern.negations:
            return True
        if j in message.clause_start:
            return False
    return False


# Turkish negates inside the verb, which follows its object: "kendime zarar vermek
# istemiyorum", "kendimi öldürmeyi düşünmüyorum" (folded: no dots or cedillas).
_TURKISH_NEGATIVE_RE = re.compile(
    r"(m[iu]yor\w*|m[iu]yo[mz]?|me[iy]ecek\w*|ma[iy]acak\w*|med[iu]\w*|mad[iu]\w*|me[mz]|ma[mz]|memek|mamak)$"
    r"|^degil"
)


# German puts "nicht" after the verb of a main clause: "Mein Vater schlägt mich nicht",
# "er bedroht mich nie"; but "schlägt mich nicht nur" (not only) is still an alarm.
_GERMAN_NEGATIONS_AFTER = frozenset({"nicht", "nich", "net", "ned", "nie", "niemals"})
_GERMAN_NOT_ONLY = frozenset({"nur", "blos", "bloss", "einfach"})


def _german_negation_after(message: Words, end: int) -> bool:
    after = end + 1
    if after >= len(message.words) or end in message.clause_end:
        return False
    if (
        message.sentence[after] != message.sentence[end]
        or message.words[after] not in _GERMAN_NEGATIONS_AFTER
    ):
        return False
    following = after + 1
    return not (
        after not in message.clause_end
        and following < len(message.words)
        and message.words[following] in _GERMAN_NOT_ONLY
    )


# A matched Turkish verb may itself be negated: "beni dövmüyor" (he does not beat me), "beni
# dövmedi", "dövmeyecek", "dövmez". Only forms that read as a negation whatever the context:
# "öldürmem" may be "I won't kill" or "my killing" ("kendimi öldürmem lazım"), so it stays.
_TURKISH_NEGATED_VERB_RE = re.compile(
    r"(m[iu]yor\w*|m[iu]yo[mz]?|me[iy]ece[kg]\w*|ma[iy]aca[kg]\w*|med[iu]\w*|mad[iu]\w*|mez|maz|memek|mamak)$"
)


def _turkish_negated_within(pattern: _Pattern, message: Words, position: int, end: int) -> bool:
    """A negated verb inside the phrase, unless the pattern names that very form ("artık
    yaşamak istemiyorum")."""
    if pattern.wants_negation:
        return False
    written = frozenset().union(*(term.exact for term in pattern.terms))
    return any(
        len(word) >= 6 and word not in written and _TURKISH_NEGATED_VERB_RE.search(word)
        for word in message.words[position : end + 1]
    )


def _turkish_negation_after(message: Words, end: int) -> bool:
    sentence = message.sentence[end]
    for j in range(end + 1, min(len(message.words), end + 3)):
        if message.sentence[j] != sentence:
            return False
        word = message.words[j]
        if (len(word) >= 6 and _TURKISH_NEGATIVE_RE.search(word)) or word.startswith("degil"):
            return True
        if j in message.clause_end:
            return False
    return False


def _blocked(pattern: _Pattern, message: Words, position: int, end: int) -> bool:
    """A blocker word of the pattern's language in the same clause ("меня бьёт током")."""
    start = position
    while start > 0 and start not in message.clause_start:
        start -= 1
    stop = end
    while stop < len(message.words) - 1 and stop not in message.clause_end:
        stop += 1
    return any(message.words[j] in pattern.blockers for j in range(start, stop + 1))


def _extend(
    pattern: _Pattern, first: int, message: Words, matched: list[frozenset[int]], k: int, position: int
) -> int:
    """Where terms k.. of the pattern end when they follow the word at ``position``, or -1."""
    if k == len(pattern.terms):
        return position if not pattern.at_end or position in message.clause_end else -1
    code = first + k
    sentence = message.sentence
    stop = min(len(matched), position + 2 + pattern.gaps[k])
    for j in range(position + 1, stop):
        if sentence[j] != sentence[position]:
            break
        if code in matched[j]:
            end = _extend(pattern, first, message, matched, k + 1, j)
            if end >= 0:
                return end
        if message.words[j] in pattern.negations:
            break  # "I don't want to die": a negation between two words breaks the phrase
    return -1


def _resolutions(raw: Any, fail: Callable[[str, str], SafetyFileError]) -> dict[str, Resolution]:
    """The ``resolved`` section: per language, four lists of single words."""
    if not isinstance(raw, Mapping):
        raise fail("resolved", f"expected a mapping of language to {', '.join(_RESOLUTION_KEYS)}")
    out: dict[str, Resolution] = {}
    for language, lists in raw.items():
        where = f"resolved.{language}"
        if language not in _LANGUAGE_KEYS:
            raise fail(where, f"unknown language; allowed: {', '.join(sorted(_LANGUAGE_KEYS))}")
        if not isinstance(lists, Mapping) or sorted(lists) != sorted(_RESOLUTION_KEYS):
            raise fail(where, f"expected exactly the lists {', '.join(_RESOLUTION_KEYS)}")
        folded: dict[str, frozenset[str]] = {}
        for key in _RESOLUTION_KEYS:
            words = lists[key]
            if not isinstance(words, list) or not words:
                raise fail(f"{where}.{key}", "expected a non-empty list of words")
            for i, word in enumerate(words):
                if not isinstance(word, str) or not WORD_RE.fullmatch(fold(word)):
                    raise fail(f"{where}.{key}[{i}]", f"expected a single word, got {word!r}")
            folded[key] = frozenset(fold(w) for w in words)
        out[str(language)] = Resolution(**folded)
    return out


def _resolution_for(resolutions: Mapping[str, Resolution]) -> Resolution | None:
    """Every language's resolution words together: a phrase matched through a typo or a
    transliteration may belong to a neighbour language ("суицидальные" meets Ukrainian
    "суїцидальн*"), and messages mix languages."""
    chosen = list(resolutions.values())
    return functools.reduce(lambda a, b: a | b, chosen) if chosen else None


@functools.cache
def _default() -> CrisisDetector:
    from knowledge.match_dense import default_embedder

    return CrisisDetector.from_file(DEFAULT_PATH, embedder=default_embedder())


# --------------------------------------------------------------------------- the file


_TOP_KEYS = frozenset({"version", "max_gap", "negations", "blockers", "resolved", "categories", "concerns"})
_RESOLUTION_KEYS = ("past", "recent", "now", "well")


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

    def word_lists(key: str) -> dict[str, frozenset[str]]:
        lists: dict[str, frozenset[str]] = {}
        raw = data.get(key, {}) or {}
        if not isinstance(raw, Mapping):
            raise fail(key, "expected a mapping of language to a list of words")
        for language, words in raw.items():
            where = f"{key}.{language}"
            if language not in _LANGUAGE_KEYS:
                raise fail(where, f"unknown language; allowed: {', '.join(sorted(_LANGUAGE_KEYS))}")
            if not isinstance(words, list):
                raise fail(where, "expected a list of words")
            folded: set[str] = set()
            for i, word in enumerate(words):
                if not isinstance(word, str) or not WORD_RE.fullmatch(fold(word)):
                    raise fail(f"{where}[{i}]", f"expected a single word, got {word!r}")
                folded.add(fold(word))
            lists[language] = frozenset(folded)
        return lists

    negations = word_lists("negations")
    blockers = word_lists("blockers")
    resolution = _resolution_for(_resolutions(data.get("resolved", {}) or {}, fail))
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
    concerns = data.get("concerns", {}) or {}
    if not isinstance(concerns, Mapping):
        raise fail("concerns", "expected a mapping of category to languages")

    rules = _FileRules(fail, negations, blockers, every_negation, max_gap, resolution)
    patterns: list[_Pattern] = []
    for section, concern in (("categories", False), ("concerns", True)):
        for name, by_language in (concerns if concern else categories).items():
            if name not in known:
                raise fail(f"{section}.{name}", f"unknown category; allowed: {', '.join(known)}")
            _load_category(patterns, f"{section}.{name}", known[name], by_language, concern, rules)
    return patterns


@dataclass(frozen=True, slots=True)
class _FileRules:
    """What every pattern of a safety file is compiled with, besides its own words."""

    fail: Callable[[str, str], SafetyFileError]
    negations: Mapping[str, frozenset[str]]
    blockers: Mapping[str, frozenset[str]]
    every_negation: frozenset[str]
    max_gap: int
    resolution: Resolution | None


def _load_category(
    patterns: list[_Pattern],
    here: str,
    category: CrisisCategory,
    by_language: Any,
    concern: bool,
    rules: _FileRules,
) -> None:
    """Compile one category's patterns of the file's ``categories`` or ``concerns``
    (``here`` names it in errors) and append them to ``patterns``."""
    fail = rules.fail
    priority = CATEGORY_PRIORITY.index(category)
    if not isinstance(by_language, Mapping) or not by_language:
        raise fail(here, "expected a mapping of language to a list of patterns")
    for language, entries in by_language.items():
        where = f"{here}.{language}"
        if language not in _LANGUAGE_KEYS:
            raise fail(where, f"unknown language; allowed: {', '.join(sorted(_LANGUAGE_KEYS))}")
        if not isinstance(entries, list) or not entries:
            raise fail(where, "expected a non-empty list of patterns")
        reported = None if language == _ANY else language.removesuffix(_LATIN_SUFFIX)
        base = language.removesuffix(_LATIN_SUFFIX)
        latin = base + _LATIN_SUFFIX
        negation = (
            rules.every_negation
            if language == _ANY
            else rules.negations.get(base, frozenset()) | rules.negations.get(latin, frozenset())
        )
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
                    max_gap=rules.max_gap,
                    rank=(priority, len(patterns)),
                    romanised=language.endswith(_LATIN_SUFFIX),
                    blockers=rules.blockers.get(base, frozenset()) | rules.blockers.get(latin, frozenset()),
                    resolution=rules.resolution,
                    concern=concern,
                )
            except ValueError as exc:
                raise fail(f"{where}[{i}] {entry!r}", str(exc)) from None
            if pattern.key in seen:
                raise fail(
                    f"{where}[{i}] {entry!r}", f"same as entry [{seen[pattern.key]}] after normalisation"
                )
            seen[pattern.key] = i
            patterns.append(pattern)
