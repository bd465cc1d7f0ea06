"""Conversational intents: greetings, thanks, goodbyes, "I want a person", yes/no,
"I don't understand" and bare numbers, recognised before any FAQ matching.

``IntentDetector.detect(text)`` answers an ``IntentResult`` only when the message is
(essentially) nothing but conversation: every word is part of a phrase from
``content/intents.yaml``, a context word of an intent found ("ich WILL MIT EINEM berater
SPRECHEN") or a filler word ("und", "bot", laughter, emoji). One word that is none of
these makes the message a question and ``detect`` answers ``None``: "Hallo, ich suche eine
Ausbildung", "ja, aber wie finde ich ein Praktikum?", "wo finde ich Anerkennungsberatung",
"what does a career counsellor at the Agentur do".

``IntentDetector.strip(text)`` removes the greetings, thanks and pleasantries around a
question ("Hallo! ... Danke!") so the caller matches only the part that asks.

How words are compared (all in ``knowledge.intents_text``): case, accents, umlauts,
Arabic letter variants and harakat, repeated letters ("hallooo", "شكرااا") and Persian
``می`` spacing do not matter. Words of 5+ letters (Arabic script 6+) also match with one
typo, two from 9 letters (OSA distance: a swap is one typo), when the first letter is
right, the word is not a word the file knows otherwise (``distinct``: "beratung" is no
typo of "berater") and not a common word of the script's languages per ``wordfreq``
("Halle" is no typo of "hallo", "beraten" none of "berater"). Arabic ``و`` ("and")
glued to a word is taken off when the rest is a known word ("وشكرا").

Several intents in one message are resolved by ``PRIORITY`` (advisor > confused >
goodbye > no > yes > thanks > greeting); a "weak" phrase ("ok", "super", "ich habe eine
Frage") decides only when no strong one is present, so "ok danke" is thanks and "ok"
alone is yes. ``lang`` is the language whose phrases carried the message (fractional
votes: "ok" votes for every language it is listed in), ``None`` when unclear.

Speed: pure Python, a few dozen microseconds for a short message once warm. Messages
longer than ``MAX_INTENT_CHARS`` are never intents; ``strip`` reads only the first and
last ``STRIP_WINDOW`` characters of a long message.
"""

from __future__ import annotations

import enum
import functools
import importlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import OSA

from knowledge.intents_lexicon import (
    MAX_PATTERN_WORDS,
    PRIORITY,
    WILDCARD,
    Intent,
    IntentFileError,
    Lexicon,
    Pattern,
    load_lexicon,
)
from knowledge.intents_text import Kind, Token, clean_text, script_of, tokenize

__all__ = [
    "DEFAULT_PATH",
    "MAX_INTENT_CHARS",
    "PRIORITY",
    "STRIP_WINDOW",
    "Intent",
    "IntentDetector",
    "IntentFileError",
    "IntentResult",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "content" / "intents.yaml"

# A conversational message is short; longer ones are questions (or stories) by nature.
MAX_INTENT_CHARS = 300
MAX_INTENT_TOKENS = 40
# strip() looks at most this many characters at each end of a message.
STRIP_WINDOW = 200
# A typo-looking word that is this common in a language of its script is a real word.
COMMON_WORD_FREQUENCY = 1e-6  # Zipf 3: about once per million words
_WORDFREQ_LANGS: Mapping[str, tuple[str, ...]] = {
    "latn": ("de", "en", "tr", "cs"),
    "cyrl": ("uk", "ru"),
    "arab": ("ar", "fa"),
}
_MIN_FUZZY = {"latn": 5, "cyrl": 5, "arab": 6}
_TWO_TYPOS_FROM = 9  # letters; Arabic script never gets two

# Intents whose phrases strip() removes before (lead) and after (trail) a question.
_LEAD = frozenset({Intent.GREETING, Intent.THANKS, Intent.YES, Intent.NO})
_TRAIL = frozenset({Intent.THANKS, Intent.GOODBYE})
# Removed even without punctuation after (lead) or before (trail) them: "Hallo ich suche".
_SAFE_LEAD = frozenset({Intent.GREETING, Intent.THANKS})
_SAFE_TRAIL = frozenset({Intent.THANKS})

_NUMBER_RE = re.compile(r"[#№+]?\s*\d+(?:[\s.,:/-]*\d+)*\s*[.)!?؟]*")
_NUMBER_DIGITS = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
)
_QUESTION_MARKS = frozenset("?¿؟")
# Laughter (folded: "hahaha", "xaxa", "ахахах", "ههههه" -> "ه", "خخخ" -> "خ").
_LAUGHTER_RE = re.compile(r"a?(?:[hx][aei]){2,}h?|а?(?:х[аеи]){2,}х?|lol|lmao|rofl|xd|ه|خ")
_OPENERS = "([{«„“‚‘\"'¿¡"


@dataclass(frozen=True)
class IntentResult:
    intent: Intent
    lang: str | None  # language the phrase belongs to, when known
    # The message with the conversational parts removed ("" when nothing else). detect()
    # answers only for messages that are nothing but conversation, so this is "" there;
    # the question around a greeting comes from strip().
    rest: str
    phrase: str = ""  # the phrase of the file that decided, as written there
    weak: bool = False  # decided by a weak phrase only ("ok", "super", "ich habe eine Frage")


class _U(enum.Enum):
    PHRASE = "phrase"
    FILLER = "filler"
    CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int  # token indices
    end: int
    kind: _U
    pattern: Pattern | None = None
    intents: frozenset[Intent] = frozenset()  # CONTEXT: the intents it may accompany

    def tagged(self, among: frozenset[Intent], *, strong: bool = False) -> bool:
        assert self.pattern is not None
        return any(t.intent in among and not (strong and t.weak) for t in self.pattern.tags)


@functools.lru_cache(maxsize=8)
def _frequencies(lang: str) -> Mapping[str, float] | None:
    try:
        wordfreq = importlib.import_module("wordfreq")  # ships no type information
        table: Mapping[str, float] = wordfreq.get_frequency_dict(lang, wordlist="small")
    except (ImportError, LookupError, OSError, ValueError):
        return None
    return table


def _common_word(raw: str, script: str) -> bool:
    word = unicodedata.normalize("NFC", raw).casefold()
    for lang in _WORDFREQ_LANGS[script]:
        table = _frequencies(lang)
        if table is not None and table.get(word, 0.0) >= COMMON_WORD_FREQUENCY:
            return True
    return False


# One detector per (class, file, file version): from_file() reads a file once.
_DETECTORS: dict[tuple[type, str, int, int], IntentDetector] = {}


class _Reading:
    """The readings of a token sequence, worked out lazily position by position: the
    lexicon word of each token, and the units (phrase, filler, context word) starting at
    each position. ``filler`` (detect only) says which tokens are filler, so that a ``^``
    phrase is read only where everything around it is filler; without it ``^`` phrases
    are left out (strip)."""

    def __init__(
        self, det: IntentDetector, tokens: Sequence[Token], text: str, filler: Sequence[bool] | None = None
    ) -> None:
        self.det = det
        self.tokens = tokens
        self.text = text
        self.filler = filler
        self._keys: list[str | None] = [None] * len(tokens)
        self._units: list[list[_Unit] | None] = [None] * len(tokens)

    def key(self, i: int) -> str:
        key = self._keys[i]
        if key is None:
            key = self._keys[i] = self.det._canonical(self.tokens[i], self.text)
        return key

    def at(self, i: int) -> list[_Unit]:
        """The units starting at token ``i``."""
        done = self._units[i]
        if done is not None:
            return done
        tokens, n = self.tokens, len(self.tokens)
        lex = self.det.lexicon
        key = self.key(i)
        out: list[_Unit] = []
        for p in lex.by_first.get(key, ()):
            end = i + len(p.words)
            if end > n:
                continue
            if p.alone and (self.filler is None or not _alone_span(self.filler, tokens, i, end)):
                continue
            if all(
                (w == WILDCARD and tokens[i + k].kind is Kind.WORD) or w == self.key(i + k)
                for k, w in enumerate(p.words)
            ):
                out.append(_Unit(i, end, _U.PHRASE, p))
        if self.det._fills(tokens[i], key):
            out.append(_Unit(i, i + 1, _U.FILLER))
        ctx = lex.context.get(key)
        if ctx is not None and tokens[i].kind is Kind.WORD:
            out.append(_Unit(i, i + 1, _U.CONTEXT, intents=ctx))
        self._units[i] = out
        return out

    def ending(self, j: int) -> list[_Unit]:
        """The units ending just before token ``j``."""
        return [u for i in range(max(0, j - MAX_PATTERN_WORDS), j) for u in self.at(i) if u.end == j]


def _alone_span(filler: Sequence[bool], tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether the tokens ``start:end`` stand alone in their sentence: only filler
    between them and the punctuation or line break around them ("Was? Versteh ich
    nicht", "wat? i dont get it"), never inside running words ("that was helpful")."""
    first = start
    while first > 0 and not tokens[first].break_before:
        first -= 1
    last = end
    while last < len(tokens) and not tokens[last].break_before:
        last += 1
    return all(filler[first:start]) and all(filler[end:last])


class IntentDetector:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._known = lexicon.known
        buckets: dict[str, list[str]] = {}
        for word in sorted(lexicon.phrase_words - lexicon.exact):
            script = script_of(word)
            if len(word) >= _MIN_FUZZY[script] and not word.isdigit():
                buckets.setdefault(word[0], []).append(word)
        self._buckets = {k: tuple(v) for k, v in buckets.items()}
        self._canon: dict[str, str] = {}

    @classmethod
    def from_file(cls, path: Path = DEFAULT_PATH) -> IntentDetector:
        """The detector for a phrase file: read and checked once per file version, then
        shared (it keeps no state but caches). Raises ``IntentFileError`` naming the file
        and the entry of a mistake."""
        try:
            stat = path.stat()
        except OSError as exc:
            raise IntentFileError(f"{path}: cannot read the file: {exc}") from exc
        key = (cls, str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        detector = _DETECTORS.get(key)
        if detector is None:
            detector = cls(load_lexicon(path))
            if len(_DETECTORS) >= 16:
                _DETECTORS.clear()
            _DETECTORS[key] = detector
        return detector

    def warm_up(self) -> None:
        """Load the word frequencies the typo check consults (about 0.2 s) now rather
        than on the first misspelled message."""
        for langs in _WORDFREQ_LANGS.values():
            for lang in langs:
                _frequencies(lang)

    # ------------------------------------------------------------------- word lookup

    def _canonical(self, token: Token, text: str) -> str:
        """The lexicon word a message word stands for (itself when none)."""
        key = token.key
        if token.kind is not Kind.WORD or key in self._known:
            return key
        raw = text[token.start : token.end]
        cached = self._canon.get(raw)
        if cached is not None:
            return cached
        out = self._look_up(key, raw)
        if len(self._canon) > 50_000:
            self._canon.clear()
        self._canon[raw] = out
        return out

    def _look_up(self, key: str, raw: str) -> str:
        script = script_of(key)
        if script == "arab" and key.startswith("\u0648") and len(key) >= 3 and key[1:] in self._known:
            return key[1:]  # و "and" glued to the word
        if len(key) < _MIN_FUZZY[script]:
            return key
        best, best_distance = key, 3
        for word in self._buckets.get(key[0], ()):
            shorter = min(len(key), len(word))
            if shorter < _MIN_FUZZY[script]:
                continue
            allowed = 2 if shorter >= _TWO_TYPOS_FROM and script != "arab" else 1
            if abs(len(key) - len(word)) > allowed:
                continue
            distance = OSA.distance(key, word, score_cutoff=allowed)
            if distance <= allowed and distance < best_distance:
                best, best_distance = word, distance
        if best is key or _common_word(raw, script):
            return key
        return best

    def _fills(self, token: Token, key: str) -> bool:
        """Filler: a filler word, laughter, or an emoji that no phrase names."""
        if token.kind is Kind.EMOJI:
            return key not in self.lexicon.by_first
        return token.kind is Kind.WORD and (key in self.lexicon.filler or bool(_LAUGHTER_RE.fullmatch(key)))

    # ----------------------------------------------------------------------- detect

    def detect(self, text: str) -> IntentResult | None:
        """The intent of a message that is only conversation, else None (it asks something)."""
        if len(text) > 4 * MAX_INTENT_CHARS:
            return None
        s = clean_text(text).strip()
        if not s or len(s) > MAX_INTENT_CHARS:
            return None
        number = "".join(ch for ch in s if unicodedata.category(ch) not in ("Mn", "Me"))
        if _NUMBER_RE.fullmatch(number.translate(_NUMBER_DIGITS)):
            return IntentResult(Intent.NUMBER, None, "")
        tokens = tokenize(s)
        if not tokens:
            if _QUESTION_MARKS & set(s):
                return IntentResult(Intent.CONFUSED, None, "", s)
            return None
        if len(tokens) > MAX_INTENT_TOKENS:
            return None
        plain = _Reading(self, tokens, s)
        filler = [self._fills(t, plain.key(i)) for i, t in enumerate(tokens)]
        reading = _Reading(self, tokens, s, filler)
        path = self._cover(reading, len(tokens))
        if path is None:
            return None
        return self._decide(path, [reading.key(u.start) for u in path])

    @staticmethod
    def _cover(reading: _Reading, n: int) -> list[_Unit] | None:
        """The reading that covers every token, with as many tokens inside phrases as
        possible (then as few units as possible); None when a token cannot be read."""
        best: list[tuple[int, int] | None] = [None] * (n + 1)
        choice: list[_Unit | None] = [None] * (n + 1)
        best[n] = (0, 0)
        for i in range(n - 1, -1, -1):
            for u in reading.at(i):
                after = best[u.end]
                if after is None:
                    continue
                gain = u.end - u.start if u.kind is _U.PHRASE else 0
                score = (after[0] + gain, after[1] - 1)
                current = best[i]
                if current is None or score > current:
                    best[i], choice[i] = score, u
        if best[0] is None:
            return None
        path: list[_Unit] = []
        i = 0
        while i < n:
            step = choice[i]
            assert step is not None
            path.append(step)
            i = step.end
        return path

    def _decide(self, path: list[_Unit], keys: Sequence[str]) -> IntentResult | None:
        """The intent of a full reading (``keys``: the word of each unit's first token)."""
        context_langs = self.lexicon.context_langs
        strong: set[Intent] = set()
        weak: set[Intent] = set()
        for u in path:
            if u.kind is _U.PHRASE:
                assert u.pattern is not None
                for tag in u.pattern.tags:
                    (weak if tag.weak else strong).add(tag.intent)
        said = strong | weak
        if not said:
            return None
        if any(u.kind is _U.CONTEXT and not (u.intents & said) for u in path):
            return None
        pool, is_weak = (strong, False) if strong else (weak, True)
        intent = next(i for i in PRIORITY if i in pool)
        votes: dict[str, float] = {}
        phrase = ""
        for u, key in zip(path, keys, strict=True):
            if u.kind is _U.CONTEXT:
                # Context words ("بدي", "хочу") tip the balance between languages that
                # share a phrase word; a phrase counts twice as much.
                langs = context_langs.get(key, frozenset())
                for code in langs:
                    votes[code] = votes.get(code, 0.0) + 0.5 / len(langs)
                continue
            if u.kind is not _U.PHRASE:
                continue
            assert u.pattern is not None
            langs = u.pattern.langs
            for code in langs:
                votes[code] = votes.get(code, 0.0) + 1.0 / len(langs)
            if not phrase:
                phrase = next(
                    (t.source for t in u.pattern.tags if t.intent is intent and t.weak == is_weak), ""
                )
        lang: str | None = None
        if votes:
            top = max(votes.values())
            leaders = [code for code, v in votes.items() if v > top - 1e-9]
            lang = leaders[0] if len(leaders) == 1 else None
        return IntentResult(intent, lang, "", phrase, is_weak)

    # ------------------------------------------------------------------------ strip

    def strip(self, text: str) -> str:
        """The text without the greetings, thanks and pleasantries around its question."""
        s = clean_text(text)
        n = len(s)
        if n <= 2 * STRIP_WINDOW:
            head = tail = tokenize(s)
        else:
            head = tokenize(s, 0, STRIP_WINDOW)
            if head and head[-1].end == STRIP_WINDOW:
                head = head[:-1]  # may be cut in the middle of a word
            offset = n - STRIP_WINDOW
            tail = tokenize(s, offset)
            if tail and tail[0].start == offset:
                tail = tail[1:]
        lead = self._lead(head, s)
        trail = self._trail(tail, s)
        if lead == 0 and trail == len(tail):
            return s.strip()
        start = head[lead].start if lead < len(head) else n
        end = tail[trail - 1].end if trail > 0 else 0
        if start >= end:
            return ""
        while start > 0 and s[start - 1] in _OPENERS:
            start -= 1
        limit = tail[trail].start if trail < len(tail) else n
        while end < limit and not s[end].isspace() and not s[end].isalnum():
            if unicodedata.category(s[end]) == "So":
                break
            end += 1
        return s[start:end].strip()

    def _lead(self, tokens: list[Token], text: str) -> int:
        """How many tokens at the start are greeting, thanks, yes/no or pleasantry."""
        reading = _Reading(self, tokens, text)
        n = len(tokens)
        i = cut = 0
        said: set[Intent] = set()
        pending: list[frozenset[Intent]] = []
        while i < n:
            picked = self._pick(reading.at(i), _LEAD)
            if picked is None:
                break
            u = picked
            safe = u.kind is _U.FILLER
            if u.kind is _U.PHRASE:
                assert u.pattern is not None
                said |= {t.intent for t in u.pattern.tags}
                safe = u.tagged(_SAFE_LEAD, strong=True) and self._plain(u.pattern)
            elif u.kind is _U.CONTEXT:
                pending.append(u.intents)
            boundary = u.end == n or tokens[u.end].break_before
            if said and (boundary or safe) and all(p & said for p in pending):
                cut = u.end
            i = u.end
        return cut

    def _trail(self, tokens: list[Token], text: str) -> int:
        """Index after the last token before the thanks/goodbye at the end."""
        reading = _Reading(self, tokens, text)
        j = cut = len(tokens)
        said: set[Intent] = set()
        pending: list[frozenset[Intent]] = []
        while j > 0:
            picked = self._pick(reading.ending(j), _TRAIL)
            if picked is None:
                break
            u = picked
            safe = u.kind is _U.FILLER
            if u.kind is _U.PHRASE:
                assert u.pattern is not None
                said |= {t.intent for t in u.pattern.tags}
                safe = u.tagged(_SAFE_TRAIL, strong=True) and self._plain(u.pattern)
            elif u.kind is _U.CONTEXT:
                pending.append(u.intents)
            if said and (tokens[u.start].break_before or safe) and all(p & said for p in pending):
                cut = u.start
            j = u.start
        return cut

    @staticmethod
    def _pick(units: list[_Unit], allowed: frozenset[Intent]) -> _Unit | None:
        """The unit strip() reads here: the longest phrase when it says one of ``allowed``
        (a longer phrase that says something else stops the cut), else filler, else a
        context word of ``allowed``."""
        phrases = [u for u in units if u.kind is _U.PHRASE]
        if phrases:
            longest = max(phrases, key=lambda u: u.end - u.start)
            return longest if longest.tagged(allowed) else None
        for kind in (_U.FILLER, _U.CONTEXT):
            for u in units:
                if u.kind is kind and (kind is _U.FILLER or u.intents & allowed):
                    return u
        return None

    def _plain(self, pattern: Pattern) -> bool:
        """No wildcard and no question word: safe to cut without punctuation."""
        return not any(w == WILDCARD or w in self.lexicon.question_words for w in pattern.words)
