"""Which pattern words a message word stands for: as written, by typo, or transliterated.

Every word of every pattern is a *term code* (``pattern_number * TERM_SLOTS + position``).
``Lexicon.written(word)`` gives the codes of the words, ``prefix*``, ``*suffix`` and
``*infix*`` exactly as the editors wrote them; ``Lexicon.native(word)`` adds:

* typos, for words that are no everyday word of any of our languages (word frequencies from
  ``wordfreq``: "lebn", "wnat", "umbirngen"), one letter dropped, added or two neighbours
  swapped (pattern words of five letters or more, swaps from four), one replaced (six or
  more). Real words are taken as written: "make" is not "makes", "kendini" (himself) not
  "kendimi" (myself), "zabije" (he kills) not "zabiju" (I kill), "الشرطة" (police) not
  "الشركة" (company). The first letter must agree, so a negation never appears or vanishes
  by "typo" (Farsi "نمیخوام" is not "میخوام", Czech "nechci" not "chci");
* one letter put before a pattern word of five letters or more: the Slavic verbal prefixes
  ("zmlátil" for "mlátil", "sbil", "ubil"), never a negating "n".

``Lexicon.transliterated(word)`` gives the codes a word typed in Latin letters matches in
patterns written in Cyrillic (reverse romanisation, then the same rules on loose spellings)
and in Arabic script (consonant frames, see ``safety_text``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from knowledge.safety_text import (
    arabic_consonants,
    cyrillic_forms,
    everyday_latin_word,
    known_word,
    latin_consonants,
    loose_cyrillic,
    script_of,
)

TERM_SLOTS = 32  # pattern terms are indexed as pattern_number * TERM_SLOTS + term_number
FUZZY_MIN = 5  # pattern words this long tolerate one dropped or added letter
FUZZY_REPLACE_MIN = 6  # ... and this long one replaced letter
SWAP_MIN = 4  # two swapped neighbours are a typo from four letters on ("wnat" for "want")


def script(word: str) -> str:
    return script_of(word)


@dataclass(frozen=True, slots=True)
class Term:
    """One word position of a pattern: alternatives, each exact or with ``*`` wildcards."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    infixes: tuple[str, ...]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# Letters that negate when put before a verb (Czech/Slavic "ne-", Farsi "ن"), so a "typo"
# may never add one at the start of a word.
_NEGATING_INITIALS = frozenset("nнن")


def _one_typo(word: str, target: str) -> bool:
    """Is ``word`` the pattern word ``target`` with one typo we accept (see module doc)?"""
    if word == target or len(target) < SWAP_MIN:
        return False
    if len(word) == len(target) + 1 and word[1:] == target:
        # One letter before the word: a verbal prefix ("zmlátil" for "mlátil"), not a negation.
        return len(target) >= FUZZY_MIN and word[0] not in _NEGATING_INITIALS
    if word[0] != target[0] and not (len(word) > 1 and word[1] == target[0] and word[0] == target[1]):
        return False
    if known_word(word):
        return False
    if OSA.distance(word, target, score_cutoff=1) > 1:
        return False
    if len(word) == len(target) and _swapped(word, target):
        return True
    if len(target) < FUZZY_MIN:
        return False
    return len(word) != len(target) or len(target) >= FUZZY_REPLACE_MIN


def _swapped(word: str, target: str) -> bool:
    diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1


class _WordIndex:
    """Exact words, prefixes, suffixes, infixes, and their one-typo neighbourhoods."""

    __slots__ = ("exact", "fuzzy", "fuzzy_prefix", "infixes", "prefixes", "suffixes")

    def __init__(self) -> None:
        self.exact: dict[str, list[int]] = {}
        self.prefixes: dict[int, dict[str, list[int]]] = {}
        self.suffixes: dict[int, dict[str, list[int]]] = {}
        self.infixes: list[tuple[str, int]] = []
        self.fuzzy: dict[str, list[tuple[str, int]]] = {}
        self.fuzzy_prefix: dict[int, dict[str, list[tuple[str, int]]]] = {}

    def add(self, term: Term, code: int, key: Callable[[str], str] | None = None) -> None:
        def k(word: str) -> str:
            return key(word) if key is not None else word

        for raw in term.exact:
            word = k(raw)
            if not word:
                continue
            self.exact.setdefault(word, []).append(code)
            if len(word) >= SWAP_MIN:
                for variant in (word, *_deletions(word)):
                    self.fuzzy.setdefault(variant, []).append((word, code))
        for raw in term.prefixes:
            prefix = k(raw)
            if not prefix:
                continue
            self.prefixes.setdefault(len(prefix), {}).setdefault(prefix, []).append(code)
            if len(prefix) >= FUZZY_MIN:
                table = self.fuzzy_prefix.setdefault(len(prefix), {})
                for variant in (prefix, *_deletions(prefix)):
                    table.setdefault(variant, []).append((prefix, code))
        for raw in term.suffixes:
            suffix = k(raw)
            if suffix:
                self.suffixes.setdefault(len(suffix), {}).setdefault(suffix, []).append(code)
        for raw in term.infixes:
            infix = k(raw)
            if infix:
                self.infixes.append((infix, code))

    def lookup(self, word: str, found: set[int], *, typos: bool = True) -> None:
        found.update(self.exact.get(word, ()))
        size = len(word)
        for length, table in self.prefixes.items():
            if length <= size:
                found.update(table.get(word[:length], ()))
        for length, table in self.suffixes.items():
            if length <= size:
                found.update(table.get(word[-length:], ()))
        found.update(code for infix, code in self.infixes if infix in word)
        if not typos:
            return
        if size >= SWAP_MIN:
            for variant in (word, *_deletions(word)):
                for target, code in self.fuzzy.get(variant, ()):
                    if code not in found and _one_typo(word, target):
                        found.add(code)
        for length, heads in self.fuzzy_prefix.items():
            for cut in (length - 1, length, length + 1):
                if cut > size or cut < FUZZY_MIN - 1:
                    continue
                head = word[:cut]
                for variant in (head, *_deletions(head)):
                    for target, code in heads.get(variant, ()):
                        if code not in found and _one_typo(head, target):
                            found.add(code)


# A wildcard pattern word is matched by consonant frame only when its frame has at least this
# many consonants: "*هددني" (frame "tn") would otherwise match any Latin word ending "-den".
_AFFIX_CONSONANTS = 3


# The frame puts t and d in one class, as Arabizi spells ط, ث, ذ and ظ either way. But a
# Latin "d" never stands for ت or ط, nor a Latin "t" for د or ض: "ndir" (I do) met "انتحر"
# (killed himself) and "ta2riban" (about) met "ضربني" (he hit me) by frame alone. Each frame
# entry keeps the dental letters of its word, T (ت ط), D (د ض) or either (ث ذ ظ; Latin
# "th"), and a Latin word must not contradict them.
_ARABIC_DENTALS = {"ت": "T", "ط": "T", "د": "D", "ض": "D", "ث": "*", "ذ": "*", "ظ": "*"}
_LATIN_DENTAL_RE = re.compile(r"th|dh|d|t|6")
_LATIN_DENTALS = {"th": "*", "dh": "D", "d": "D", "t": "T", "6": "T"}


def _arabic_dentals(word: str) -> str:
    return "".join(_ARABIC_DENTALS[ch] for ch in word if ch in _ARABIC_DENTALS)


def _latin_dentals(word: str) -> str:
    return "".join(_LATIN_DENTALS[m] for m in _LATIN_DENTAL_RE.findall(word.lower()))


def _dentals_agree(latin: str, arabic: str) -> bool:
    """Whether a Latin word's dental letters may spell the Arabic word's (aligned from the
    start; when their numbers differ, a doubled letter or an omitted one, nothing is said)."""
    if len(latin) != len(arabic):
        return True
    return all(a == b or "*" in (a, b) for a, b in zip(latin, arabic, strict=True))


_Entries = list[tuple[int, str]]  # (pattern word code, its dental letters)


class _ConsonantIndex:
    """Arabic-script pattern words by consonant frame, for Arabizi and Finglish words."""

    __slots__ = ("exact", "prefixes", "suffixes")

    def __init__(self) -> None:
        self.exact: dict[str, _Entries] = {}
        self.prefixes: dict[int, dict[str, _Entries]] = {}
        self.suffixes: dict[int, dict[str, _Entries]] = {}

    def add(self, term: Term, code: int) -> None:
        for word in term.exact:
            key = arabic_consonants(word)
            if len(key) >= 2:
                self.exact.setdefault(key, []).append((code, _arabic_dentals(word)))
        for word in term.prefixes:
            key = arabic_consonants(word)
            if len(key) >= _AFFIX_CONSONANTS:
                self.prefixes.setdefault(len(key), {}).setdefault(key, []).append(
                    (code, _arabic_dentals(word))
                )
        for word in term.suffixes:
            key = arabic_consonants(word)
            if len(key) >= _AFFIX_CONSONANTS:
                self.suffixes.setdefault(len(key), {}).setdefault(key, []).append(
                    (code, _arabic_dentals(word))
                )

    def lookup(self, word: str, found: set[int]) -> None:
        key = latin_consonants(word)
        # At least two consonants: one-consonant frames ("ma", "ja", "قاچاقچی") say nothing.
        if len(key) < 2:
            return
        dentals = _latin_dentals(word)
        found.update(code for code, its in self.exact.get(key, ()) if _dentals_agree(dentals, its))
        for length, table in self.prefixes.items():
            if length <= len(key):
                for code, its in table.get(key[:length], ()):
                    if _dentals_agree(dentals[: len(its)], its):
                        found.add(code)
        for length, table in self.suffixes.items():
            if length <= len(key):
                for code, its in table.get(key[-length:], ()):
                    if _dentals_agree(dentals[len(dentals) - len(its) :], its):
                        found.add(code)


class Lexicon:
    """All pattern words, indexed for ``native`` and ``transliterated`` look-ups."""

    __slots__ = ("_arabic", "_cyrillic", "_native")

    def __init__(self, terms: Iterable[tuple[int, str | None, Term]]) -> None:
        """``terms``: (code, pattern language or None, term) for every word of every pattern."""
        self._native = _WordIndex()
        self._cyrillic = _WordIndex()
        self._arabic = {"ar": _ConsonantIndex(), "fa": _ConsonantIndex()}
        for code, language, term in terms:
            self._native.add(term, code)
            words = (*term.exact, *term.prefixes, *term.suffixes, *term.infixes)
            scripts = {script(w) for w in words}
            if "cyrillic" in scripts:
                self._cyrillic.add(_cyrillic_only(term), code, key=loose_cyrillic)
            if "arabic" in scripts:
                for target in ("ar", "fa") if language is None else (language,):
                    if target in self._arabic:
                        self._arabic[target].add(_arabic_only(term), code)

    def written(self, word: str) -> set[int]:
        """Codes the word matches exactly as the patterns are written (no typo, no script)."""
        found: set[int] = set()
        self._native.lookup(word, found, typos=False)
        return found

    def native(self, word: str) -> set[int]:
        found: set[int] = set()
        self._native.lookup(word, found)
        return found

    def transliterated(self, word: str, targets: Iterable[str]) -> set[int]:
        """Codes of pattern words in another script that a Latin word may stand for, for the
        romanised languages of its sentence: "ar", "fa" (Arabic script, by consonant frame)
        and "slavic" (Cyrillic, by reverse romanisation). An everyday German or English word
        of five letters or more ("Jobcenter", "winter") is taken as itself, never as a
        transliteration."""
        found: set[int] = set()
        if script(word) != "latin" or everyday_latin_word(word):
            return found
        for target in targets:
            if target == "slavic":
                for form in cyrillic_forms(word):
                    self._cyrillic.lookup(form, found)
            elif target in self._arabic:
                self._arabic[target].lookup(word, found)
        return found


def _only(term: Term, wanted: str) -> Term:
    def keep(words: Sequence[str]) -> tuple[str, ...]:
        return tuple(w for w in words if script(w) == wanted)

    return Term(
        frozenset(keep(tuple(term.exact))), keep(term.prefixes), keep(term.suffixes), keep(term.infixes)
    )


def _cyrillic_only(term: Term) -> Term:
    return _only(term, "cyrillic")


def _arabic_only(term: Term) -> Term:
    return _only(term, "arabic")
